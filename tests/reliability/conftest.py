"""Fixtures of the reliability suite, which runs against the session's stack like tests/service.

The service tests' fixtures are reused as they are (signed-in API clients, the fake Graph API's
control API, the database as its owner, and the after-each-test scan of responses and the
service log for Facebook tokens). Added here: the `ledger` of what the suite tried, counted fault
injection, connected users, and in-process copies of the service with settings of a test's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.reliability.harness import GraphFaults, Ledger
from tests.service import conftest as service_fixtures
from tests.service.conftest import Api
from webhook_service import create_app
from webhook_service.config import Config
from webhook_service.services import Services

# The service tests' fixtures, under the same names.
SHARED_FIXTURES = ("anonymous", "api", "api_as", "browser", "cipher", "fake_graph", "http_api", "in_process_app",
                   "new_browser", "no_token_leaks", "received",
                   "secrets", "service_log", "user_id", "webhook_url")
globals().update({name: getattr(service_fixtures, name) for name in SHARED_FIXTURES})

SYNC = "/api/v1/social-media/insights/sync"
LEDGER = pytest.StashKey[Ledger]()
SCANS_THE_LOGS = "test_no_log_of_the_stack_holds_a_minted_token_or_a_secret"


def pytest_configure(config):
    config.stash[LEDGER] = Ledger()


def pytest_collection_modifyitems(config, items):
    """The scan of the stack's logs for tokens and secrets runs after every other test of the session."""
    items.sort(key=lambda item: item.name == SCANS_THE_LOGS)  # a stable sort: the rest keep their order


def pytest_terminal_summary(terminalreporter, config):
    ledger = config.stash.get(LEDGER, None)
    if ledger is None or not ledger.counts:
        return
    path = ledger.write(config.option.markexpr or "default")
    terminalreporter.section("reliability counts")
    for name, count in sorted(ledger.counts.items()):
        terminalreporter.write_line(f"{name:48} {count}")
    terminalreporter.write_line(f"written to {path}")


@pytest.fixture(scope="package", autouse=True)
def final_values(final_values_at_once):
    """Backfills and values are checked against the fake's formula."""


@pytest.fixture(scope="session")
def ledger(pytestconfig) -> Ledger:
    return pytestconfig.stash[LEDGER]


@pytest.fixture
def graph_faults(fake_graph, stack_env, ledger) -> GraphFaults:
    """Counted fault rules; cleared (and their firings counted) before the fake is restored."""
    faults = GraphFaults(stack_env["GRAPH_API_BASE"], ledger)
    yield faults
    faults.clear()


@pytest.fixture
def new_sub() -> Callable[[], str]:
    """Fresh JWT `sub`s that no other test uses, Clerk-shaped."""
    return lambda: f"user_rel_{uuid.uuid4().hex[:12]}"


@dataclass
class ConnectedUser:
    sub: str
    api: Api
    facebook_user: dict[str, Any]  # the fake's user: access_token, pages (id, access_token, instagram)


@pytest.fixture
def connect_user(api_as, fake_graph, new_sub) -> Callable[[int], ConnectedUser]:
    """`connect_user(pages=2)`: a new signed-in user who connected a Facebook user with `pages`
    Pages, each with a linked Instagram account."""

    def connect(pages: int = 1) -> ConnectedUser:
        facebook_user = fake_graph.create_user(pages=[{"instagram": {"followers_count": 500}}] * pages)
        sub = new_sub()
        user_api = api_as(sub)
        assert user_api.connect("facebook", facebook_user["access_token"])["success"] is True
        return ConnectedUser(sub, user_api, facebook_user)

    return connect


@dataclass
class InProcessService:
    """A copy of the service in the test process, on the session's REST layer and fake Graph API
    unless told otherwise; `waits` records the Graph client's back-off waits instead of sleeping."""

    client: FlaskClient
    services: Services
    cron_secret: str
    waits: list[float]

    def cron_sync(self, user_id: str, **params) -> dict[str, Any]:
        response = self.client.post(SYNC, query_string={"user_id": user_id, **params},
                                    headers={"Authorization": f"Bearer {self.cron_secret}"})
        assert response.status_code == 200, response.text
        return response.json


@pytest.fixture
def in_process_service(stack_env, monkeypatch) -> Callable[..., InProcessService]:
    """`in_process_service(GRAPH_TIMEOUT_SECONDS="1", ...)`: the app built from the stack's settings
    with these environment variables changed (INSIGHTS_* ones included)."""

    def build(**overrides: str) -> InProcessService:
        for name, value in overrides.items():
            monkeypatch.setenv(name, value)
        app = create_app(Config.from_env({**stack_env, **overrides}))
        services = app.extensions["social_link"]
        waits: list[float] = []
        services.graph.sleep = waits.append
        return InProcessService(app.test_client(), services, stack_env["CRON_SECRET"], waits)

    return build
