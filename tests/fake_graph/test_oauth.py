"""Login dialog, code exchange, long-lived tokens, debug_token, token errors and appsecret_proof."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from devstack.fake_graph import demo
from devstack.fake_graph.oauth import appsecret_proof

from .conftest import APP_ID, APP_SECRET, NOW, error_of, graph_get

REDIRECT_URI = "http://127.0.0.1:9000/api/v1/social-media/oauth/callback"
SECRET = "any-secret"  # the default test app has no secret configured, so any is accepted


def _dialog(client, **extra):
    params = {"client_id": APP_ID, "redirect_uri": REDIRECT_URI, "state": "s-123", "response_type": "code",
              "scope": "pages_show_list,read_insights", **extra}
    return client.get("/v25.0/dialog/oauth", query_string=params)


def _redirect_query(response) -> dict[str, str]:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    assert location.fragment == "_=_"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def _exchange(client, code, redirect_uri=REDIRECT_URI, client_secret=SECRET):
    return client.get("/v25.0/oauth/access_token", query_string={
        "client_id": APP_ID, "redirect_uri": redirect_uri, "client_secret": client_secret, "code": code})


def test_dialog_redirects_with_code_and_state_and_the_code_works_once(client):
    query = _redirect_query(_dialog(client))
    assert set(query) == {"code", "state"} and query["state"] == "s-123"

    response = _exchange(client, query["code"])
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 5183944)
    assert body["access_token"].startswith("EAAG")
    assert graph_get(client, "/v25.0/me", body["access_token"]).get_json()["id"] == demo.ALICE_USER_ID

    again = _exchange(client, query["code"])
    assert error_of(again) == {"message": "This authorization code has been used.", "type": "OAuthException",
                               "code": 100, "error_subcode": 36009}


def test_dialog_logs_in_as_the_configured_user(client):
    client.post("/_control/dialog", json={"user_id": demo.BOB_USER_ID})
    token = _exchange(client, _redirect_query(_dialog(client))["code"]).get_json()["access_token"]
    assert graph_get(client, "/me", token).get_json()["id"] == demo.BOB_USER_ID


def test_dialog_cancel(client):
    assert client.post("/_control/dialog", json={"cancel": True}).get_json() == {
        "user_id": demo.ALICE_USER_ID, "instagram_account_id": demo.DANA_INSTAGRAM_ID, "cancel": True}
    assert _redirect_query(_dialog(client)) == {
        "error_reason": "user_denied", "error": "access_denied", "error_description": "Permissions error",
        "state": "s-123"}
    assert "error_description=Permissions+error" in _dialog(client).headers["Location"]
    # {} only reads the setting.
    assert client.post("/_control/dialog", json={}).get_json() == {
        "user_id": demo.ALICE_USER_ID, "instagram_account_id": demo.DANA_INSTAGRAM_ID, "cancel": True}
    client.post("/_control/dialog", json={"cancel": False})
    assert set(_redirect_query(_dialog(client))) == {"code", "state"}


def test_code_exchange_errors(client):
    code = _redirect_query(_dialog(client))["code"]
    assert error_of(_exchange(client, code, redirect_uri=REDIRECT_URI + "/other")) == {
        "message": "Error validating verification code. Please make sure your redirect_uri is identical to the "
                   "one you used in the OAuth dialog request", "type": "OAuthException", "code": 100,
        "error_subcode": 36008}
    assert error_of(_exchange(client, "AQnot-a-code")) == {
        "message": "Invalid verification code format.", "type": "OAuthException", "code": 100}
    # A failed attempt does not use the code up.
    assert _exchange(client, code).status_code == 200


def test_code_expires_after_ten_minutes(client, world):
    code = _redirect_query(_dialog(client))["code"]
    world.frozen_now = NOW + 600
    assert error_of(_exchange(client, code))["error_subcode"] == 36007


def test_wrong_client_secret_and_app_id(secured_client):
    code = _redirect_query(_dialog(secured_client))["code"]
    assert error_of(_exchange(secured_client, code, client_secret="wrong")) == {
        "message": "Error validating client secret.", "type": "OAuthException", "code": 1}
    assert error_of(secured_client.get("/v25.0/oauth/access_token", query_string={
        "client_id": "42", "client_secret": APP_SECRET, "code": code, "redirect_uri": REDIRECT_URI})) == {
        "message": "Error validating application. Invalid application ID.", "type": "OAuthException", "code": 101}
    assert _exchange(secured_client, code, client_secret=APP_SECRET).status_code == 200


def test_fb_exchange_token_gives_a_new_long_lived_token(client):
    response = client.get("/v25.0/oauth/access_token", query_string={
        "grant_type": "fb_exchange_token", "client_id": APP_ID, "client_secret": SECRET,
        "fb_exchange_token": demo.BOB_USER_TOKEN})
    body = response.get_json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 5183944)
    assert body["access_token"] != demo.BOB_USER_TOKEN
    debug = client.get("/debug_token", query_string={"input_token": body["access_token"],
                                                      "access_token": f"{APP_ID}|{SECRET}"}).get_json()["data"]
    assert (debug["expires_at"], debug["user_id"]) == (NOW + 5183944, demo.BOB_USER_ID)


def test_fb_exchange_token_refuses_an_expired_token(client):
    client.post(f"/_control/tokens/{demo.BOB_USER_TOKEN}/invalidate", json={"subcode": 463})
    response = client.get("/v25.0/oauth/access_token", query_string={
        "grant_type": "fb_exchange_token", "client_id": APP_ID, "client_secret": SECRET,
        "fb_exchange_token": demo.BOB_USER_TOKEN})
    error = error_of(response)
    assert (error["code"], error["error_subcode"]) == (190, 463)


def test_debug_token_describes_a_user_token(client):
    response = client.get("/v25.0/debug_token", query_string={"input_token": demo.CAROL_USER_TOKEN,
                                                               "access_token": f"{APP_ID}|{SECRET}"})
    assert response.get_json() == {"data": {
        "app_id": APP_ID,
        "type": "USER",
        "application": "Social Link (fake)",
        "data_access_expires_at": NOW + 90 * 86400,
        "expires_at": 0,
        "is_valid": True,
        "issued_at": NOW,
        "scopes": ["public_profile", "pages_show_list", "instagram_manage_insights", "read_insights",
                   "business_management"],
        "granular_scopes": [
            {"scope": "pages_show_list", "target_ids": [demo.CAROL_PAGE_ID]},
            {"scope": "instagram_manage_insights", "target_ids": [demo.CAROL_INSTAGRAM_ID]},
            {"scope": "read_insights"},
            {"scope": "business_management"},
        ],
        "user_id": demo.CAROL_USER_ID,
    }}


def test_debug_token_of_a_page_token_and_of_an_invalid_token(client):
    app_token = f"{APP_ID}|{SECRET}"
    page = client.get("/debug_token", query_string={"input_token": demo.ALICE_PAGE_TOKEN,
                                                     "access_token": app_token}).get_json()["data"]
    assert (page["type"], page["profile_id"], page["expires_at"]) == ("PAGE", demo.ALICE_PAGE_ID, 0)
    client.post(f"/_control/tokens/{demo.ALICE_USER_TOKEN}/invalidate", json={"subcode": 460})
    user = client.get("/debug_token", query_string={"input_token": demo.ALICE_USER_TOKEN,
                                                     "access_token": app_token}).get_json()["data"]
    assert user["is_valid"] is False
    assert (user["error"]["code"], user["error"]["subcode"]) == (190, 460)
    unknown = client.get("/debug_token", query_string={"input_token": "nope", "access_token": app_token})
    assert unknown.get_json() == {"data": {"error": {"code": 190, "message": "Invalid OAuth access token."},
                                           "is_valid": False, "scopes": []}}


def test_client_credentials_gives_the_app_token(client):
    body = client.get("/oauth/access_token", query_string={
        "grant_type": "client_credentials", "client_id": APP_ID, "client_secret": SECRET}).get_json()
    assert body == {"access_token": f"{APP_ID}|{SECRET}", "token_type": "bearer"}


def test_invalidated_token_gives_190_with_its_subcode(client):
    assert client.post(f"/_control/tokens/{demo.ALICE_PAGE_TOKEN}/invalidate", json={"subcode": 463}).get_json() == {
        "kind": "page", "owner_id": demo.ALICE_PAGE_ID, "invalid_subcode": 463}
    response = graph_get(client, f"/v25.0/{demo.ALICE_PAGE_ID}/insights", demo.ALICE_PAGE_TOKEN,
                         metric="page_media_view")
    assert response.status_code == 400
    error = error_of(response)
    assert (error["type"], error["code"], error["error_subcode"]) == ("OAuthException", 190, 463)
    assert error["message"].startswith("Error validating access token: Session has expired on ")
    assert response.headers["WWW-Authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')
    # Other tokens keep working.
    assert graph_get(client, "/me", demo.ALICE_USER_TOKEN).status_code == 200


def test_password_change_and_unknown_token(client):
    client.post(f"/_control/tokens/{demo.BOB_USER_TOKEN}/invalidate", json={"subcode": 460})
    assert error_of(graph_get(client, "/me", demo.BOB_USER_TOKEN)) == {
        "message": "Error validating access token: The session has been invalidated because the user changed "
                   "their password or Facebook has changed the session for security reasons.",
        "type": "OAuthException", "code": 190, "error_subcode": 460}
    assert error_of(graph_get(client, "/me", "EAAGnot-a-token")) == {
        "message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException", "code": 190}


def test_token_expires_with_the_clock(client, world):
    user = client.post("/_control/users", json={"name": "Eve"}).get_json()
    world.frozen_now = NOW + 5183944
    error = error_of(graph_get(client, "/me", user["access_token"]))
    assert (error["code"], error["error_subcode"]) == (190, 463)


def test_appsecret_proof_required_when_the_app_has_a_secret(secured_client):
    token = demo.ALICE_USER_TOKEN
    missing = graph_get(secured_client, "/v25.0/me", token)
    assert missing.status_code == 400
    assert error_of(missing) == {"message": "API calls from the server require an appsecret_proof argument",
                                 "type": "GraphMethodException", "code": 100}
    wrong = graph_get(secured_client, "/v25.0/me", token, appsecret_proof=appsecret_proof("other", token))
    assert error_of(wrong) == {"message": "Invalid appsecret_proof provided in the API argument",
                               "type": "GraphMethodException", "code": 100}
    right = graph_get(secured_client, "/v25.0/me", token, appsecret_proof=appsecret_proof(APP_SECRET, token))
    assert right.get_json() == {"name": "Alice", "id": demo.ALICE_USER_ID}
    # Page tokens need a proof over the Page token.
    page = graph_get(secured_client, "/v25.0/me", demo.ALICE_PAGE_TOKEN,
                     appsecret_proof=appsecret_proof(APP_SECRET, demo.ALICE_PAGE_TOKEN))
    assert page.status_code == 200


def test_app_token_with_wrong_secret_and_on_me(secured_client):
    bad = secured_client.get("/debug_token", query_string={"input_token": demo.ALICE_USER_TOKEN,
                                                           "access_token": f"{APP_ID}|wrong"})
    assert error_of(bad) == {"message": "Invalid OAuth access token signature.", "type": "OAuthException", "code": 190}
    me = graph_get(secured_client, "/me", f"{APP_ID}|{APP_SECRET}")
    assert error_of(me)["code"] == 2500
