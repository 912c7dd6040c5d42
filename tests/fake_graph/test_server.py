"""`python -m devstack.fake_graph` over real HTTP: port 0, paging links, a connection reset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from devstack.fake_graph import demo
from devstack.fake_graph.oauth import appsecret_proof

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP_SECRET = "server-test-secret"


@pytest.fixture(scope="module")
def base_url():
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.fake_graph", "--host", "127.0.0.1", "--port", "0", "--demo",
         "--app-id", "555", "--app-secret", APP_SECRET],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.removeprefix("listening on ")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _credentials(token: str) -> dict[str, str]:
    return {"access_token": token, "appsecret_proof": appsecret_proof(APP_SECRET, token)}


def test_follows_next_links_over_http(base_url):
    user = requests.post(f"{base_url}/_control/users",
                         json={"name": "Paging", "pages": [{} for _ in range(5)]}, timeout=5).json()
    url, params = f"{base_url}/v25.0/me/accounts", {"fields": "id", "limit": "2", **_credentials(user["access_token"])}
    seen = []
    while url:
        response = requests.get(url, params=params, timeout=5)
        assert response.status_code == 200
        assert response.headers["facebook-api-version"] == "v25.0"
        body = response.json()
        seen += [page["id"] for page in body["data"]]
        # `next` is absolute and repeats the query, proof included.
        url, params = body["paging"].get("next"), None
        assert url is None or url.startswith(f"{base_url}/v25.0/me/accounts?")
    assert seen == [page["id"] for page in user["pages"]]


def test_reset_fault_breaks_the_connection(base_url):
    requests.post(f"{base_url}/_control/faults", timeout=5, json=[
        {"match": {"path_regex": "^/me$"}, "times": 1, "action": {"reset": True}}])
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base_url}/v25.0/me", params=_credentials(demo.ALICE_USER_TOKEN), timeout=5)
    answer = requests.get(f"{base_url}/v25.0/me", params=_credentials(demo.ALICE_USER_TOKEN), timeout=5)
    assert answer.json() == {"name": "Alice", "id": demo.ALICE_USER_ID}


def test_dialog_redirect_and_code_exchange_over_http(base_url):
    redirect_uri = "http://127.0.0.1:1/callback"
    dialog = requests.get(f"{base_url}/v25.0/dialog/oauth", allow_redirects=False, timeout=5,
                          params={"client_id": "555", "redirect_uri": redirect_uri, "state": "xyz"})
    assert dialog.status_code == 302
    query = parse_qs(urlsplit(dialog.headers["Location"]).query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]
    exchanged = requests.get(f"{base_url}/v25.0/oauth/access_token", timeout=5, params={
        "client_id": "555", "client_secret": APP_SECRET, "redirect_uri": redirect_uri, "code": code})
    token = exchanged.json()["access_token"]
    me = requests.get(f"{base_url}/v25.0/me", params=_credentials(token), timeout=5)
    assert me.json()["id"] == demo.ALICE_USER_ID
