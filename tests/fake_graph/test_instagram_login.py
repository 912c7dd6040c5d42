"""The fake's Instagram Login host (`/instagram`): authorization window, code exchange, long-lived
and refreshed tokens, `/me` for professional and personal accounts, insights with an Instagram token;
and the Facebook side's Business portfolios and per-user data-access expiry."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from devstack.fake_graph import demo
from devstack.fake_graph.oauth import DEFAULT_INSTAGRAM_APP_ID

from .conftest import APP_ID, NOW, TODAY, error_of, graph_get

REDIRECT_URI = "http://127.0.0.1:9000/api/v1/social-media/oauth/callback"
SCOPE = "instagram_business_basic,instagram_business_manage_insights"


def _authorize(client, **extra):
    params = {"client_id": DEFAULT_INSTAGRAM_APP_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
              "scope": SCOPE, "state": "s-1", **extra}
    response = client.get("/instagram/oauth/authorize", query_string=params)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.fragment == "_"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def _short_lived(client, code, redirect_uri=REDIRECT_URI):
    return client.post("/instagram/oauth/access_token", data={
        "client_id": DEFAULT_INSTAGRAM_APP_ID, "client_secret": "any", "grant_type": "authorization_code",
        "redirect_uri": redirect_uri, "code": code})


def _long_lived(client, short_token):
    return graph_get(client, "/instagram/access_token", short_token, grant_type="ig_exchange_token",
                     client_secret="any")


def _login(client) -> str:
    code = _authorize(client)["code"]
    return _long_lived(client, _short_lived(client, code).get_json()["access_token"]).get_json()["access_token"]


def test_the_window_logs_in_as_dana_and_the_code_works_once(client):
    query = _authorize(client)
    assert query["state"] == "s-1"
    answer = _short_lived(client, query["code"])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["user_id"] == int(demo.DANA_INSTAGRAM_ID)
    assert body["permissions"] == SCOPE.split(",")
    assert body["access_token"].startswith("IGAA")

    again = _short_lived(client, query["code"])
    assert again.status_code == 400
    assert again.get_json() == {"error_type": "OAuthException", "code": 400,
                                "error_message": "Matching code was not found or was already used"}


def test_a_code_needs_the_same_redirect_uri(client):
    answer = _short_lived(client, _authorize(client)["code"], redirect_uri=REDIRECT_URI + "/other")
    assert answer.status_code == 400 and answer.get_json()["error_type"] == "OAuthException"


def test_cancel_redirects_with_the_error(client):
    client.post("/_control/dialog", json={"cancel": True})
    query = _authorize(client)
    assert (query["error"], query["error_reason"], query["state"]) == ("access_denied", "user_denied", "s-1")


def test_long_lived_token_and_me(client):
    token = _login(client)
    me = graph_get(client, "/instagram/v25.0/me", token,
                   fields="id,user_id,username,name,account_type,profile_picture_url,followers_count")
    assert me.status_code == 200
    body = me.get_json()
    assert body["user_id"] == demo.DANA_INSTAGRAM_ID and body["id"] != demo.DANA_INSTAGRAM_ID
    assert (body["username"], body["account_type"], body["followers_count"]) == ("dana.creates", "MEDIA_CREATOR", 4820)
    assert body["profile_picture_url"].endswith(f"/_assets/pictures/{demo.DANA_INSTAGRAM_ID}.svg")


def test_long_lived_answer_expires_in_60_days(client):
    code = _authorize(client)["code"]
    answer = _long_lived(client, _short_lived(client, code).get_json()["access_token"]).get_json()
    assert (answer["token_type"], answer["expires_in"]) == ("bearer", 5183944)


def test_personal_account_reports_personal(client):
    client.post("/_control/dialog", json={"instagram_account_id": demo.PAT_INSTAGRAM_ID})
    token = _login(client)
    assert graph_get(client, "/instagram/v25.0/me", token, fields="user_id,account_type").get_json() == {
        "user_id": demo.PAT_INSTAGRAM_ID, "account_type": "PERSONAL"}


def test_an_instagram_token_is_refused_on_the_facebook_host_and_the_reverse(client):
    assert error_of(graph_get(client, "/v25.0/me", demo.DANA_INSTAGRAM_TOKEN))["code"] == 190
    assert error_of(graph_get(client, "/instagram/v25.0/me", demo.ALICE_USER_TOKEN))["code"] == 190


def test_refresh_needs_a_day_old_token_and_gives_60_days(client, world):
    young = _login(client)
    refused = graph_get(client, "/instagram/refresh_access_token", young, grant_type="ig_refresh_token")
    assert error_of(refused)["code"] == 100

    world.frozen_now = NOW + 2 * 86400
    refreshed = graph_get(client, "/instagram/refresh_access_token", young, grant_type="ig_refresh_token")
    assert refreshed.status_code == 200 and refreshed.get_json()["expires_in"] == 5183944


def test_an_expired_token_cannot_be_refreshed(client, world):
    world.frozen_now = NOW + 61 * 86400
    expired = graph_get(client, "/instagram/refresh_access_token", demo.DANA_INSTAGRAM_TOKEN,
                        grant_type="ig_refresh_token")
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (190, 463)


def test_insights_on_the_instagram_host(client):
    token = demo.DANA_INSTAGRAM_TOKEN
    answer = graph_get(client, f"/instagram/v25.0/{demo.DANA_INSTAGRAM_ID}/insights", token, metric="reach",
                       period="day", metric_type="time_series", since=TODAY - 86400, until=TODAY + 86400)
    assert answer.status_code == 200
    assert [entry["name"] for entry in answer.get_json()["data"]] == ["reach"]
    # Only its own account.
    other = graph_get(client, f"/instagram/v25.0/{demo.ALICE_INSTAGRAM_ID}/insights", token, metric="reach")
    assert error_of(other)["code"] == 100


def test_insights_need_the_insights_scope(client):
    client.post("/_control/dialog", json={"instagram_account_id": demo.DANA_INSTAGRAM_ID})
    code = _authorize(client, scope="instagram_business_basic")["code"]
    token = _short_lived(client, code).get_json()["access_token"]
    answer = graph_get(client, "/instagram/v25.0/me/insights", token, metric="reach", period="day")
    assert error_of(answer)["code"] == 10


def test_business_portfolio_pages(client):
    token = demo.ERIN_USER_TOKEN
    businesses = graph_get(client, "/v25.0/me/businesses", token).get_json()["data"]
    assert businesses == [{"id": "990000000000001", "name": "Erin Group"}]
    owned = graph_get(client, "/v25.0/990000000000001/owned_pages", token,
                      fields="id,name,access_token,tasks").get_json()["data"]
    assert [page["id"] for page in owned] == [demo.ERIN_PAGE_ID, demo.ERIN_GALLERY_PAGE_ID]
    assert all(page["access_token"] for page in owned)
    clients = graph_get(client, "/v25.0/990000000000001/client_pages", token,
                        fields="id,name,access_token,tasks").get_json()["data"]
    florist, deli = clients
    assert "access_token" not in florist
    assert "ANALYZE" not in deli["tasks"] and deli["access_token"]
    # /me/accounts lists only the Page Erin has directly.
    listed = graph_get(client, "/v25.0/me/accounts", token).get_json()["data"]
    assert [page["id"] for page in listed] == [demo.ERIN_PAGE_ID]


def test_businesses_need_business_management(client):
    client.post(f"/_control/users/{demo.ERIN_USER_ID}/permissions", json={"business_management": "declined"})
    assert error_of(graph_get(client, "/v25.0/me/businesses", demo.ERIN_USER_TOKEN))["code"] == 200


def test_debug_token_reports_franks_data_access_expiry(client):
    answer = graph_get(client, "/v25.0/debug_token", f"{APP_ID}|secret", input_token=demo.FRANK_USER_TOKEN)
    data = answer.get_json()["data"]
    assert data["data_access_expires_at"] == NOW + 3 * 86400
    assert data["expires_at"] == 0


def test_control_creates_an_instagram_only_account_with_a_token(client):
    created = client.post("/_control/instagram-accounts", json={"username": "solo", "token": True})
    assert created.status_code == 201
    body = created.get_json()
    me = graph_get(client, "/instagram/v25.0/me", body["access_token"], fields="user_id,username").get_json()
    assert me == {"user_id": body["id"], "username": "solo"}
