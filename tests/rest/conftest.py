"""Contract tests of the REST layer: they speak HTTP to `/rest/v1` like a frontend or the service.

Only the fixtures here know which server answers: `python -m devstack.rest` by default, or, when a
`postgrest` binary is on PATH (or REST_SERVER=postgrest), the real PostgREST configured alike
(`db-schemas = "public, rest_contract"`, the stack's JWT secret and the identity provider's keys as
one JWKS, `db-extra-search-path = "public, extensions"`) behind the devstack's API-gateway
stand-in at `/rest/v1`. The same tests run against both.

The database is the test session's stack database (`stack_env`, tests/conftest.py). On top of it
the fixtures create the `rest_contract` schema (`contract.sql`).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests

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


REAL_POSTGREST = os.environ.get("REST_SERVER") == "postgrest" or bool(shutil.which("postgrest"))


@pytest.fixture(scope="session")
def start_gateway(stack_env, contract_database_url, jwks_url, tmp_path_factory):
    """Starts a REST layer over the contract database, optionally with PostgREST's `db-max-rows`
    (`start_gateway(max_rows=2)`). Returns its base URL; each is stopped with the session."""
    processes = []
    secret = stack_env["SUPABASE_JWT_SECRET"]
    authenticator_url = _as_user(contract_database_url, "authenticator")
    environment = {key: value for key, value in os.environ.items() if key != "PGRST_DB_MAX_ROWS"}

    def spawn(name: str, command: list[str], ready_url: str, env: dict[str, str]) -> None:
        log = tmp_path_factory.mktemp(name) / f"{name}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT,
                                       start_new_session=True, env={**environment, **env})
        processes.append(process)
        wait_until_ready(name, ready_url, process, log, seconds=30)

    def start(*, max_rows: int | None = None) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        if REAL_POSTGREST:
            upstream_port = free_port()
            jwks = requests.get(jwks_url, timeout=5).json()
            jwks["keys"].append({"kty": "oct", "alg": "HS256",
                                 "k": base64.urlsafe_b64encode(secret.encode()).rstrip(b"=").decode()})
            spawn("postgrest", ["postgrest"], f"http://127.0.0.1:{upstream_port}/", {
                "PGRST_DB_URI": authenticator_url, "PGRST_DB_SCHEMAS": "public, rest_contract",
                "PGRST_DB_ANON_ROLE": "anon", "PGRST_DB_EXTRA_SEARCH_PATH": "public, extensions",
                "PGRST_JWT_SECRET": json.dumps(jwks), "PGRST_DB_POOL": "8",
                "PGRST_SERVER_HOST": "127.0.0.1", "PGRST_SERVER_PORT": str(upstream_port),
                **({"PGRST_DB_MAX_ROWS": str(max_rows)} if max_rows is not None else {}),
            })
            spawn("api-gateway", [sys.executable, "-m", "devstack.api_gateway", "--host", "127.0.0.1",
                                  "--port", str(port), "--upstream", f"http://127.0.0.1:{upstream_port}"],
                  f"{url}/rest/v1/", {})
        else:
            spawn("rest-gateway", [
                sys.executable, "-m", "devstack.rest", "--host", "127.0.0.1", "--port", str(port),
                "--db-url", authenticator_url, f"--jwt-secret={secret}", "--jwks-url", jwks_url,
                "--schemas", "public,rest_contract", "--pool-size", "8",
                *(["--max-rows", str(max_rows)] if max_rows is not None else []),
            ], f"{url}/rest/v1/", {})
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
    """The same database as another role (with the same password, as Supabase's image sets them)."""
    parts = urlsplit(url)
    password = f":{parts.password}" if parts.password else ""
    return urlunsplit(parts._replace(netloc=f"{user}{password}@{parts.hostname}:{parts.port}"))


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
