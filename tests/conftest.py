"""The test session's stack: a fresh Postgres cluster, the REST layer, the fake Graph API, the
pg_net delivery worker and the webhook service, started exactly as `make run` starts them, in
`.stack-test/` so a running `make run` stack is left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devstack import keys
from devstack.stack import PROJECT_ROOT, Stack

TEST_STACK_DIR = PROJECT_ROOT / ".stack-test"


@pytest.fixture(scope="session")
def stack() -> Stack:
    shutil.rmtree(TEST_STACK_DIR, ignore_errors=True)
    test_stack = Stack(TEST_STACK_DIR, fast=True)
    try:
        test_stack.up()
        yield test_stack
    finally:
        test_stack.down()


@pytest.fixture(scope="session")
def stack_env(stack: Stack) -> dict[str, str]:
    lines = (stack.root / "env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line)


@pytest.fixture(scope="session")
def database_url(stack_env) -> str:
    return stack_env["DATABASE_URL"]


@pytest.fixture(scope="session")
def user_jwt(stack_env):
    """Mints a user's JWT as Supabase Auth would: `user_jwt("user_alice")`."""

    def mint(sub: str, **claims) -> str:
        return keys.user_token(stack_env["SUPABASE_JWT_SECRET"], sub, **claims)

    return mint
