"""Fixtures for the fake Graph API tests: an in-process app over a world with the demo users and
a frozen clock, driven with Flask's test client."""

from __future__ import annotations

from datetime import date

import pytest

from devstack.fake_graph import World, create_app
from devstack.fake_graph.demo import load_demo
from devstack.fake_graph.metrics import pacific_midnight

APP_ID = "100000000000001"
APP_SECRET = "test-app-secret"
# 2026-11-24, 05:00 after midnight Pacific (13:00 UTC).
TODAY = pacific_midnight(date(2026, 11, 24))
NOW = TODAY + 5 * 3600


@pytest.fixture
def world() -> World:
    world = World()
    world.frozen_now = NOW
    # Values straight from the formula; test_freshness.py covers how Meta's appear over time.
    world.freshness = "instant"
    load_demo(world)
    return world


@pytest.fixture
def app(world):
    return create_app(world, app_id=APP_ID)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def secured_client(world):
    """A server that, like an app with "Require App Secret", wants appsecret_proof."""
    return create_app(world, app_id=APP_ID, app_secret=APP_SECRET).test_client()


def graph_get(client, path: str, token: str | None = None, **params):
    if token is not None:
        params["access_token"] = token
    return client.get(path, query_string=params)


def error_of(response) -> dict:
    error = dict(response.get_json()["error"])
    assert error.pop("fbtrace_id")
    return error
