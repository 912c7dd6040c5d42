"""Facebook Login: the dialog URL, the callback's state checks, and the redirect back to the UI."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

START = "/api/v1/social-media/oauth/start"
CALLBACK = "/api/v1/social-media/oauth/callback"


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def forged_state(stack_env, user_id: str, **overrides) -> str:
    claims = {"sub": user_id, "platform": "facebook", "jti": f"nonce-{user_id}", "aud": "social-link/oauth-state",
              "exp": int(time.time()) + 600, **overrides}
    return jwt.encode(claims, stack_env["OAUTH_STATE_SECRET"], algorithm="HS256")


def test_start_gives_the_login_dialog_url_with_scopes_and_a_signed_state(api, stack_env, user_id):
    response = api.get(f"{START}?platform=instagram")

    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith(f"{stack_env['GRAPH_API_BASE']}/v25.0/dialog/oauth?")
    query = query_of(url)
    assert query["client_id"] == stack_env["FACEBOOK_APP_ID"]
    assert query["redirect_uri"] == stack_env["OAUTH_REDIRECT_URL"]
    assert query["response_type"] == "code"
    assert set(query["scope"].split(",")) == {"pages_show_list", "pages_read_engagement", "instagram_basic",
                                               "instagram_manage_insights", "read_insights", "business_management"}
    state = jwt.decode(query["state"], stack_env["OAUTH_STATE_SECRET"], algorithms=["HS256"],
                       audience="social-link/oauth-state")
    assert (state["sub"], state["platform"]) == (user_id, "instagram")
    assert state["exp"] > time.time()


def test_start_rejects_an_unknown_platform(api):
    response = api.get(f"{START}?platform=tiktok")

    assert response.status_code == 400
    assert response.json()["error"] == "unknown_platform"


def test_login_connects_and_redirects_with_outcomes_never_a_token(api, anonymous, fake_graph, db, stack_env, user_id):
    user = fake_graph.create_user(pages=[{"name": "Fay's Flowers", "instagram": None}])
    fake_graph.set_dialog(user_id=user["id"])

    response = anonymous.get(api.login_redirect("instagram"))

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(stack_env["FRONTEND_URL"])
    assert query_of(location) == {"connect": "done", "platform": "instagram", "facebook": "connected",
                                  "instagram": "no_instagram_business_account"}
    assert [(row["platform"], row["meta_user_id"]) for row in db.accounts(user_id)] == [("facebook", user["id"])]
    # The first sync is already under way (or done) when the browser gets back: the UI follows it.
    runs = db.query("select trigger, user_id from public.social_media_sync_runs where requested_by = %s", user_id)
    assert runs == [{"trigger": "sync_now", "user_id": user_id}]


def test_a_login_that_connects_nothing_starts_no_sync_and_keeps_its_reason(api, anonymous, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[{"instagram": {}}], permissions={"pages_show_list": "declined"})
    fake_graph.set_dialog(user_id=user["id"])

    anonymous.get(api.login_redirect("facebook"))

    assert db.query("select 1 from public.social_media_sync_runs where requested_by = %s", user_id) == []
    outcomes = db.query("select platform::text, reason, missing_permissions from public.social_media_connect_outcomes"
                        " where user_id = %s order by platform", user_id)
    assert [(row["platform"], row["reason"]) for row in outcomes] == [("facebook", "missing_permissions"),
                                                                      ("instagram", "missing_permissions")]
    assert all("pages_show_list" in row["missing_permissions"] for row in outcomes)


def test_login_reports_missing_permissions_in_the_redirect(api, anonymous, fake_graph, user_id):
    user = fake_graph.create_user(pages=[{"instagram": {}}], permissions={"instagram_basic": "declined"})
    fake_graph.set_dialog(user_id=user["id"])

    location = anonymous.get(api.login_redirect("facebook")).headers["Location"]

    assert query_of(location) == {"connect": "done", "platform": "facebook", "facebook": "connected",
                                  "instagram": "missing_permissions", "missing_permissions": "instagram_basic"}


def test_start_binds_the_login_to_the_browser_with_an_httponly_cookie(api, stack_env):
    response = api.get(f"{START}?platform=facebook")

    cookie = response.headers["Set-Cookie"]
    nonce = jwt.decode(query_of(response.json()["url"])["state"], options={"verify_signature": False})["jti"]
    assert cookie.startswith(f"social_link_login={nonce};")
    assert {"HttpOnly", "SameSite=Lax", "Path=/api/v1/social-media/oauth/callback"} <= {
        part.strip() for part in cookie.split(";")}


def test_callback_without_the_starting_browsers_cookie_is_400(api, fake_graph, db, user_id):
    fake_graph.set_dialog(user_id=fake_graph.create_user(pages=[{}])["id"])
    callback = api.login_redirect("facebook")

    response = requests.get(callback, allow_redirects=False, timeout=30)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_state"
    assert db.accounts(user_id) == []


def test_replayed_state_is_400(api, anonymous, fake_graph):
    fake_graph.set_dialog(user_id=fake_graph.create_user(pages=[{}])["id"])
    callback = api.login_redirect("facebook")
    assert anonymous.get(callback).status_code == 302

    replay = anonymous.get(callback)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_state"


def test_tampered_oauth_state_is_400(api, anonymous, fake_graph, user_id):
    fake_graph.set_dialog(user_id=fake_graph.create_user(pages=[{}])["id"])
    callback = api.login_redirect("facebook")
    state = query_of(callback)["state"]
    header, claims, signature = state.split(".")
    tampered = callback.replace(state, f"{header}.{claims}.{signature[::-1]}")

    response = anonymous.get(tampered)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_state"


@pytest.mark.parametrize("problem", ["expired", "wrong_secret", "missing"])
def test_expired_or_forged_state_is_400(anonymous, stack_env, user_id, problem):
    if problem == "expired":
        state = forged_state(stack_env, user_id, exp=int(time.time()) - 5)
    elif problem == "wrong_secret":
        state = jwt.encode({"sub": user_id, "platform": "facebook", "jti": "n", "aud": "social-link/oauth-state",
                            "exp": int(time.time()) + 600}, "y" * 48, algorithm="HS256")
    else:
        state = ""

    response = anonymous.get(f"{CALLBACK}?code=anything&state={state}")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_state"


def test_cancelled_login_redirects_with_the_reason(api, anonymous, fake_graph, db, user_id):
    fake_graph.set_dialog(cancel=True)

    location = anonymous.get(api.login_redirect("instagram")).headers["Location"]

    assert query_of(location) == {"connect": "cancelled", "platform": "instagram", "error": "access_denied"}
    assert db.accounts(user_id) == []


def test_unusable_code_redirects_with_an_error(anonymous, stack_env, user_id):
    # The browser that started this (forged, validly signed) login holds its nonce.
    anonymous.browser.cookies.set("social_link_login", f"nonce-{user_id}")
    response = anonymous.get(f"{CALLBACK}?code=AQ-not-a-code&state={forged_state(stack_env, user_id)}")

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"connect": "failed", "platform": "facebook",
                                                      "error": "code_exchange_failed"}
