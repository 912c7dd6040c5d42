"""Contract tests of the REST layer: they speak HTTP to `/rest/v1` like a frontend or the service.

Only the fixtures here know that the server is the devstack gateway: a real PostgREST configured
with `db-schemas = "public, rest_contract"`, the stack's JWT secret (plus the JWKS below, for RS256)
and `db-extra-search-path = "public, extensions"` should pass the same tests.

The database is the test session's stack database (`stack_env`, tests/conftest.py). On top of it the fixtures create the `rest_contract` schema (`contract.sql`) and start
`python -m devstack.rest` exposing it next to `public`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from devstack import keys
from devstack.postgres import free_port
from devstack.stack import PROJECT_ROOT, wait_until_ready

CONTRACT_SQL = Path(__file__).with_name("contract.sql")
JWKS_KEY_ID = "contract-test-key"


@pytest.fixture(scope="session")
def contract_database_url(stack_env) -> str:
    """The stack database with the `rest_contract` schema (re)created."""
    with psycopg.connect(stack_env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(CONTRACT_SQL.read_text())
    return stack_env["DATABASE_URL"]


@pytest.fixture(scope="session")
def jwks_url(identity_provider) -> str:
    return identity_provider.jwks_url


@pytest.fixture(scope="session")
def sign_rs256(identity_provider):
    """Signs claims with the identity provider's RS256 key."""
    return identity_provider.sign


@pytest.fixture(scope="session")
def start_gateway(stack_env, contract_database_url, jwks_url, tmp_path_factory):
    """Starts a gateway over the contract database; extra arguments change its settings
    (`start_gateway("--max-rows", "2")`). Returns its base URL; each is stopped with the session."""
    processes = []

    def start(*extra_args: str) -> str:
        port = free_port()
        log = tmp_path_factory.mktemp("rest-gateway") / "gateway.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "devstack.rest", "--host", "127.0.0.1", "--port", str(port),
                 "--db-url", _as_user(contract_database_url, "authenticator"),
                 f"--jwt-secret={stack_env['SUPABASE_JWT_SECRET']}", "--jwks-url", jwks_url,
                 "--schemas", "public,rest_contract", "--pool-size", "8", *extra_args],
                cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                env={key: value for key, value in os.environ.items() if key != "PGRST_DB_MAX_ROWS"},
            )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_until_ready("the gateway", f"{url}/rest/v1/", process, log, seconds=30)
        return url

    yield start
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def supabase_url(start_gateway) -> str:
    """Base URL of the REST layer under test (`$SUPABASE_URL`: the API lives under /rest/v1)."""
    return start_gateway()


def _as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port}"))


@pytest.fixture(scope="session")
def rest(supabase_url) -> str:
    return f"{supabase_url}/rest/v1"


@pytest.fixture(scope="session")
def secret(stack_env) -> str:
    return stack_env["SUPABASE_JWT_SECRET"]


@pytest.fixture(scope="session")
def service_headers(stack_env) -> dict[str, str]:
    """What supabase-py sends with the service-role key."""
    key = stack_env["SUPABASE_SERVICE_ROLE_KEY"]
    return {"apikey": key, "Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
def anon_headers(stack_env) -> dict[str, str]:
    return {"apikey": stack_env["SUPABASE_ANON_KEY"]}


@pytest.fixture
def user_headers(secret, stack_env):
    """Headers of a signed-in browser user: `user_headers("user_abc")`."""
    def headers_for(sub: str, **claims) -> dict[str, str]:
        return {"apikey": stack_env["SUPABASE_ANON_KEY"],
                "Authorization": f"Bearer {keys.user_token(secret, sub, **claims)}"}
    return headers_for


@pytest.fixture(scope="session")
def contract_profile() -> dict[str, str]:
    """Both profile headers: PostgREST reads Accept-Profile on reads and Content-Profile on writes."""
    return {"Accept-Profile": "rest_contract", "Content-Profile": "rest_contract"}


@pytest.fixture(scope="session")
def service(service_headers, contract_profile) -> dict[str, str]:
    """Service-role headers for the `rest_contract` schema."""
    return {**service_headers, **contract_profile}
