"""Instagram Login: an Instagram professional account connected without a Facebook Page, with the
same signed, browser-bound, single-use state as Facebook Login; and its accounts in Meta's
deauthorize and data-deletion callbacks (signed with the Instagram app's secret)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

START = "/api/v1/social-media/oauth/start"
CALLBACK = "/api/v1/social-media/oauth/callback"
SIXTY_DAYS = 5183944


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def signed_request(secret: str, payload: dict) -> str:
    encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    body = encode(json.dumps(payload).encode())
    return f"{encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())}.{body}"


@pytest.fixture
def creator(fake_graph):
    """A professional Instagram account without a Page, whom Instagram Login's window logs in as."""
    account = fake_graph.create_instagram_account(username="nia.makes", name="Nia Makes",
                                                  account_type="MEDIA_CREATOR", followers_count=3100)
    fake_graph.set_instagram_dialog(account["id"])
    return account


def connect_with_instagram(api, anonymous) -> requests.Response:
    return anonymous.get(api.login_redirect("instagram", "instagram_login"))


def test_start_gives_instagrams_window_with_its_own_app_and_a_signed_state(api, stack_env, user_id):
    response = api.get(f"{START}?platform=instagram&login=instagram_login")

    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith(f"{stack_env['GRAPH_API_BASE']}/instagram/oauth/authorize?")
    query = query_of(url)
    assert query["client_id"] == stack_env["INSTAGRAM_APP_ID"]
    assert query["redirect_uri"] == stack_env["OAUTH_REDIRECT_URL"]
    assert (query["response_type"], query["scope"]) == ("code", "instagram_business_basic,instagram_business_manage_insights")
    state = jwt.decode(query["state"], stack_env["OAUTH_STATE_SECRET"], algorithms=["HS256"],
                       audience="social-link/oauth-state")
    assert (state["sub"], state["platform"], state["login"]) == (user_id, "instagram", "instagram_login")
    assert "social_link_login" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(("query", "status", "code"), [
    ("platform=facebook&login=instagram_login", 400, "invalid_parameter"),
    ("platform=instagram&login=myspace_login", 400, "unknown_login"),
])
def test_start_refuses_what_instagram_login_cannot_do(api, query, status, code):
    response = api.get(f"{START}?{query}")
    assert (response.status_code, response.json()["error"]) == (status, code)


def test_instagram_only_creator_connects(api, anonymous, creator, db, cipher, stack_env, user_id):
    response = connect_with_instagram(api, anonymous)

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {
        "connect": "done", "platform": "instagram", "login": "instagram_login", "instagram": "connected"}
    [row] = db.accounts(user_id)
    assert (row["platform"], row["account_id"], row["username"], row["account_name"]) == (
        "instagram", creator["id"], "nia.makes", "Nia Makes")
    assert (row["connected_via"], row["status"], row["is_active"]) == ("instagram_login", "connected", True)
    left = (row["token_expires_at"] - datetime.now(timezone.utc)).total_seconds()
    assert SIXTY_DAYS - 120 < left <= SIXTY_DAYS
    assert row["permissions"] == {"granted": ["instagram_business_basic", "instagram_business_manage_insights"],
                                  "declined": []}
    # The app-scoped id Instagram's callbacks name, not the account id.
    assert row["meta_user_id"] and row["meta_user_id"] != creator["id"]
    stored = db.tokens(user_id)[creator["id"]]
    assert stored.startswith("gAAAAA") and cipher.decrypt(stored).startswith("IGAA")

    accounts = api.get("/api/v1/social-media/connected-accounts").json()["accounts"]
    assert [(account["connectedVia"], account["status"], account["isConnected"]) for account in accounts] == [
        ("instagram_login", "connected", True)]
    assert accounts[0]["loginExpiresAt"] == accounts[0]["reconnectBy"]
    assert accounts[0]["dataAccessExpiresAt"] is None


def test_a_personal_account_gets_a_reason_and_nothing_is_stored(api, anonymous, fake_graph, db, user_id):
    personal = fake_graph.create_instagram_account(username="just.me", account_type="PERSONAL")
    fake_graph.set_instagram_dialog(personal["id"])

    response = connect_with_instagram(api, anonymous)

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {
        "connect": "done", "platform": "instagram", "login": "instagram_login",
        "instagram": "not_professional_account"}
    assert db.accounts(user_id) == []


def test_reconnecting_with_instagram_login_keeps_one_row(api, anonymous, creator, db, user_id):
    connect_with_instagram(api, anonymous)
    first = db.accounts(user_id)[0]
    connect_with_instagram(api, anonymous)

    [again] = db.accounts(user_id)
    assert again["id"] == first["id"]


def test_a_replayed_callback_is_refused(api, anonymous, creator):
    callback = api.login_redirect("instagram", "instagram_login")
    assert anonymous.get(callback).status_code == 302

    replay = anonymous.get(callback)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_state")


def test_a_callback_in_another_browser_is_refused(api, creator, webhook_url):
    callback = api.login_redirect("instagram", "instagram_login")

    other_browser = requests.get(callback, allow_redirects=False, timeout=10)
    assert (other_browser.status_code, other_browser.json()["error"]) == (400, "invalid_state")


def test_a_tampered_state_is_refused(api, anonymous, creator, stack_env, user_id):
    callback = api.login_redirect("instagram", "instagram_login")
    query = query_of(callback)
    forged = jwt.encode({"sub": "user_someone_else", "platform": "instagram", "login": "instagram_login",
                         "jti": "forged", "aud": "social-link/oauth-state", "exp": int(time.time()) + 600},
                        "not-the-state-secret-not-the-state-secret", algorithm="HS256")

    response = anonymous.get(CALLBACK, params={"code": query["code"], "state": forged})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_state")


def test_a_refused_code_redirects_with_an_error(api, anonymous, creator):
    callback = api.login_redirect("instagram", "instagram_login")
    query = query_of(callback)

    response = anonymous.get(CALLBACK, params={"code": "AQB-not-a-code", "state": query["state"]})
    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {
        "connect": "failed", "platform": "instagram", "login": "instagram_login", "error": "code_exchange_failed"}


def test_disconnect_covers_instagram_login_accounts(api, anonymous, creator, db, user_id):
    connect_with_instagram(api, anonymous)

    response = api.post("/api/v1/social-media/disconnect/instagram")

    assert response.json() == {"success": True, "platform": "instagram", "disconnected": 1}
    assert db.accounts(user_id)[0]["is_active"] is False
    assert db.tokens(user_id) == {}


def test_instagram_deauthorize_needs_the_instagram_secret_and_reaches_its_accounts_only(
        api, anonymous, creator, db, stack_env, user_id):
    connect_with_instagram(api, anonymous)
    scoped_id = db.accounts(user_id)[0]["meta_user_id"]
    payload = {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": scoped_id}

    with_facebook_secret = anonymous.post("/api/v1/meta/instagram/deauthorize", data={
        "signed_request": signed_request(stack_env["FACEBOOK_APP_SECRET"], payload)})
    assert (with_facebook_secret.status_code, with_facebook_secret.json()["error"]) == (400, "invalid_signed_request")
    on_facebook_callback = anonymous.post("/api/v1/meta/deauthorize", data={
        "signed_request": signed_request(stack_env["FACEBOOK_APP_SECRET"], payload)})
    assert on_facebook_callback.json() == {"success": True, "deactivated": 0}

    response = anonymous.post("/api/v1/meta/instagram/deauthorize", data={
        "signed_request": signed_request(stack_env["INSTAGRAM_APP_SECRET"], payload)})

    assert response.json() == {"success": True, "deactivated": 1}
    [row] = db.accounts(user_id)
    assert (row["is_active"], row["status"], row["last_error"]) == (False, "needs_reauth",
                                                                    "The app was removed on Instagram.")
    assert db.tokens(user_id) == {}


def test_instagram_data_deletion_deletes_the_account(api, anonymous, creator, db, stack_env, user_id):
    connect_with_instagram(api, anonymous)
    scoped_id = db.accounts(user_id)[0]["meta_user_id"]

    response = anonymous.post("/api/v1/meta/instagram/data-deletion", data={"signed_request": signed_request(
        stack_env["INSTAGRAM_APP_SECRET"], {"algorithm": "HMAC-SHA256", "user_id": scoped_id})})

    assert response.status_code == 200
    body = response.json()
    assert body["url"].endswith(f"/api/v1/meta/data-deletion/{body['confirmation_code']}")
    assert db.accounts(user_id) == []


def test_instagram_only_creator_connects_and_syncs(api, anonymous, creator, db, stack_env, user_id):
    connect_with_instagram(api, anonymous)

    # The connect starts the account's first sync; a Sync Now joins it.
    response = api.post("/api/v1/social-media/insights/sync")
    assert response.status_code in (200, 202), response.text
    deadline = time.monotonic() + 60
    while not db.insights(user_id) and time.monotonic() < deadline:
        time.sleep(0.25)

    rows = db.insights(user_id)
    assert {(row["platform"], row["account_id"]) for row in rows} == {("instagram", creator["id"])}
    assert {row["period"] for row in rows} >= {"hour"}
    latest_hour = [row for row in rows if row["period"] == "hour"][-1]
    assert latest_hour["metrics"]["followers_count"] == 3100
    assert db.accounts(user_id)[0]["status"] == "connected"
    # Asked of graph.instagram.com (the fake's /instagram) with the account's own token, never in a batch.
    calls = requests.get(f"{stack_env['GRAPH_API_BASE']}/_control/requests", timeout=10).json()["data"]
    about_creator = [call for call in calls if creator["id"] in call["path"]]
    assert about_creator and all(call["path"].startswith("/instagram/") for call in about_creator)
    assert not any(call["in_batch"] for call in about_creator)
