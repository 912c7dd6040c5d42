"""Fixtures for the insights tests, which run against the session's real stack.

Each test connects its own Facebook users (created in the fake Graph API) under its own JWT `sub`
through the service's connect endpoint, and syncs with `user_id` set when it uses the cron
secret, so tests see only their own accounts and rows. Fault rules are cleared after each test.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from webhook_service import create_app
from webhook_service.config import Config

HOURLY_JOB = "social-link-insights-sync"
KICK_JOB = "social-link-sync-kick"
VAULT_SECRETS = ("social_link_sync_url", "social_link_cron_secret")
SYNC = "/api/v1/social-media/insights/sync"
READ = "/api/v1/social-media/insights"


class FakeGraph:
    """The fake Graph API's control API."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def post(self, path: str, body: Any) -> Any:
        response = requests.post(f"{self.base_url}/_control/{path}", json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def create_user(self, pages: int = 1, instagram: bool = True) -> dict[str, Any]:
        """A Facebook user with `pages` Pages, each with a linked Instagram account (100+ followers)."""
        page = {"instagram": {"followers_count": 500}} if instagram else {"instagram": None}
        return self.post("users", {"name": "Insights Test User", "pages": [dict(page) for _ in range(pages)]})

    def add_fault(self, account_id: str, action: dict[str, Any], *, times: int | None = None,
                  path_regex: str = "/insights$") -> None:
        self.post("faults", {"match": {"path_regex": path_regex, "account_id": account_id}, "times": times,
                             "action": action})

    def request_log(self) -> list[dict[str, Any]]:
        """The calls the fake received, oldest first."""
        response = requests.get(f"{self.base_url}/_control/requests", timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def clear_faults(self) -> None:
        requests.delete(f"{self.base_url}/_control/faults", timeout=10).raise_for_status()


@dataclass
class Service:
    base_url: str
    cron_secret: str
    user_jwt: Callable[..., str]

    def as_user(self, sub: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.user_jwt(sub)}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.base_url}{path}", headers=headers, timeout=60, **kwargs)

    def connect(self, sub: str, facebook_user: dict[str, Any]) -> None:
        response = self.as_user(sub, "POST", "/api/v1/social-media/connect/facebook",
                                json={"access_token": facebook_user["access_token"]})
        assert response.status_code == 200 and response.json()["success"], response.text

    def cron_sync(self, user_id: str | None, **params) -> requests.Response:
        """A sync with the cron secret, waiting for the result (no `Prefer: respond-async`)."""
        return requests.post(f"{self.base_url}{SYNC}", params={"user_id": user_id, **params},
                             headers={"Authorization": f"Bearer {self.cron_secret}"}, timeout=60)

    def synced(self, user_id: str) -> dict[str, Any]:
        response = self.cron_sync(user_id)
        assert response.status_code == 200, response.text
        return response.json()

    def read(self, sub: str, **params) -> requests.Response:
        return self.as_user(sub, "GET", READ, params=params)


def current_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def wait_for(probe: Callable[[], Any], seconds: float = 30, what: str = "the condition") -> Any:
    """Polls `probe` until it returns something truthy; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="package", autouse=True)
def hourly_job_paused(db):
    """The stack points the real hourly job at the service; were it to fire at :05 during these
    tests, it would sync their accounts behind their backs. Paused for this folder only (the
    end-to-end test runs the job's command itself)."""
    db.query("select cron.alter_job(jobid, active := false) from cron.job where jobname = %s", HOURLY_JOB)
    yield
    db.query("select cron.alter_job(jobid, active := true) from cron.job where jobname = %s", HOURLY_JOB)


@pytest.fixture(scope="package", autouse=True)
def final_values(final_values_at_once):
    """These tests compute what the fake answers from its formula."""


@pytest.fixture(autouse=True)
def holds_end_after_each_test(db):
    """A rate limit or role hold a test leaves (an app-wide one holds every account) ends with it."""
    yield
    db.end_sync_holds()


@pytest.fixture
def vault(db):
    """`vault(name, value)` sets a Vault secret for the test; the stack's own values come back after."""
    previous = {row["name"]: row["decrypted_secret"] for row in db.query(
        "select name, decrypted_secret from vault.decrypted_secrets where name = any(%s)", list(VAULT_SECRETS))}
    db.query("delete from vault.secrets where name = any(%s)", list(VAULT_SECRETS))

    def set_secret(name: str, value: str) -> None:
        db.query("delete from vault.secrets where name = %s", name)
        db.query("select vault.create_secret(%s, %s)", value, name)

    yield set_secret
    db.query("delete from vault.secrets where name = any(%s)", list(VAULT_SECRETS))
    for name, value in previous.items():
        set_secret(name, value)


def job_command(db, name: str) -> str:
    """A pg_cron job's command, looked up by the job's name."""
    return db.query("select command from cron.job where jobname = %s", name)[0]["command"]


@pytest.fixture
def fake_graph(stack_env) -> FakeGraph:
    graph = FakeGraph(stack_env["GRAPH_API_BASE"])
    yield graph
    graph.clear_faults()


@pytest.fixture(scope="session")
def service(stack_env, user_jwt) -> Service:
    return Service(stack_env["WEBHOOK_URL"], stack_env["CRON_SECRET"], user_jwt)


@pytest.fixture(scope="session")
def within_one_hour() -> Callable[[Callable[[datetime], Any]], Any]:
    """`within_one_hour(action)`: `action(hour)` for the current UTC hour, run again if the hour
    turned meanwhile, so a sync and what the test writes or reads around it share one window."""

    def run(action: Callable[[datetime], Any]) -> Any:
        for _ in range(3):
            hour = current_hour()
            result = action(hour)
            if current_hour() == hour:
                return result
        raise AssertionError("the hour kept turning")

    return run


@pytest.fixture
def service_with(stack_env):
    """`service_with(INSIGHTS_X="...")`: the service in-process, on the stack's database, REST layer
    and fake Graph API, with extra settings; a Flask test client."""

    def build(**settings: str):
        return create_app(Config.from_env({**stack_env, **settings})).test_client()

    return build


@pytest.fixture
def new_sub() -> Callable[[], str]:
    """Fresh JWT `sub`s, Clerk-shaped, that no other test uses."""
    return lambda: f"user_insights_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def connected(service, fake_graph, new_sub):
    """`connected(pages=1)`: a new user with Pages (and linked Instagram accounts) connected:
    (sub, the fake's Facebook user)."""

    def connect(pages: int = 1, instagram: bool = True) -> tuple[str, dict[str, Any]]:
        sub = new_sub()
        facebook_user = fake_graph.create_user(pages, instagram)
        service.connect(sub, facebook_user)
        return sub, facebook_user

    return connect
