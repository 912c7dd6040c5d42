"""The test session's stack: a fresh Postgres cluster, the REST layer, the fake Graph API, the
pg_net delivery worker and the webhook service, started exactly as `make run` starts them, in
its own folder (`.stack-test-<pid>/`) so a running `make run` stack, and other test sessions,
are left alone. KEEP_TEST_STACK=1 keeps the folder (logs, cluster) after the session."""

from __future__ import annotations

import os
import shutil

import pytest
import requests

from devstack import keys
from devstack.stack import PROJECT_ROOT, Stack
from tests.database import Database
from tests.identity_provider import IdentityProvider

TEST_STACK_DIR = PROJECT_ROOT / f".stack-test-{os.getpid()}"
# STACK=devstack (default): the embedded devstack. STACK=containers: Supabase's and PostgREST's
# images through testcontainers (tests/containers.py), where a Docker daemon exists.
STACK_MODE = os.environ.get("STACK", "devstack")


def pytest_configure(config):
    if STACK_MODE == "containers":
        from tests.containers import docker_unavailable

        reason = docker_unavailable()
        if reason:
            pytest.exit(f"STACK=containers needs a Docker daemon and none answers here: {reason}", returncode=3)
    elif STACK_MODE != "devstack":
        pytest.exit(f"STACK must be 'devstack' or 'containers', not {STACK_MODE!r}", returncode=4)


@pytest.fixture(scope="session")
def stack() -> Stack:
    shutil.rmtree(TEST_STACK_DIR, ignore_errors=True)
    if STACK_MODE == "containers":
        from tests.containers import ContainerStack

        test_stack = ContainerStack(TEST_STACK_DIR, hourly_sync=False)
    else:
        test_stack = Stack(TEST_STACK_DIR, fast=True, hourly_sync=False)
    try:
        test_stack.up()
        yield test_stack
    finally:
        test_stack.down()
        if not os.environ.get("KEEP_TEST_STACK"):
            shutil.rmtree(TEST_STACK_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def stack_env(stack: Stack) -> dict[str, str]:
    lines = (stack.root / "env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line)


@pytest.fixture(scope="session")
def database_url(stack_env) -> str:
    return stack_env["DATABASE_URL"]


@pytest.fixture(scope="session")
def db(database_url) -> Database:
    """The stack's database as its owner, to assert what was stored."""
    return Database(database_url)


@pytest.fixture(scope="session")
def admin_db(stack_env) -> Database:
    """The stack's database as the platform's superuser (supabase_admin), past every grant."""
    return Database(stack_env["ADMIN_DATABASE_URL"])


@pytest.fixture(scope="session")
def user_jwt(stack_env):
    """Mints a user's JWT as Supabase Auth would: `user_jwt("user_alice")`."""

    def mint(sub: str, **claims) -> str:
        return keys.user_token(stack_env["SUPABASE_JWT_SECRET"], sub, **claims)

    return mint


@pytest.fixture(scope="session")
def identity_provider():
    """A third-party identity provider's keys and JWKS endpoint (RS256 `rsa-1`, ES256 `ec-1`)."""
    provider = IdentityProvider()
    yield provider
    provider.close()


@pytest.fixture(scope="package")
def final_values_at_once(stack_env):
    """The fake Graph API gives every day's final insights value at once (its `instant` mode)
    for a package whose tests compute values from its formula; tests/fake_graph/test_freshness.py
    covers how Meta's values appear over time (its default)."""
    control = f"{stack_env['GRAPH_API_BASE']}/_control/freshness"
    requests.post(control, json={"mode": "instant"}, timeout=10).raise_for_status()
    yield
    requests.post(control, json={"mode": "meta"}, timeout=10).raise_for_status()
