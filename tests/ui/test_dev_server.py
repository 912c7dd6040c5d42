"""What the development server hands to a browser: public settings, and a sign-in that mints user
JWTs with the local secret (development only)."""

from __future__ import annotations

import jwt
import requests

from devstack.fake_graph import demo

SECRETS = ("SUPABASE_JWT_SECRET", "SUPABASE_SERVICE_ROLE_KEY", "FACEBOOK_APP_SECRET", "INSTAGRAM_APP_SECRET", "CRON_SECRET",
           "TOKEN_ENCRYPTION_KEY", "OAUTH_STATE_SECRET")


def test_dev_server_hands_out_public_settings_only(stack_env):
    ui_url = stack_env["UI_URL"]
    response = requests.get(f"{ui_url}config.json", timeout=10)
    config = response.json()
    assert (config["supabaseUrl"], config["supabaseAnonKey"], config["webhookUrl"]) == (
        stack_env["SUPABASE_URL"], stack_env["SUPABASE_ANON_KEY"], stack_env["WEBHOOK_URL"])
    for name in SECRETS:
        assert stack_env[name] not in response.text, name

    signed_in = requests.post(f"{ui_url}dev/sign-in", json={"userId": "user_2abcDEF"}, timeout=10).json()
    claims = jwt.decode(signed_in["accessToken"], stack_env["SUPABASE_JWT_SECRET"], algorithms=["HS256"],
                        audience="authenticated")
    assert (claims["sub"], claims["role"]) == ("user_2abcDEF", "authenticated")
    assert requests.post(f"{ui_url}dev/sign-in", json={"userId": "not an id"}, timeout=10).status_code == 400
    assert requests.get(f"{ui_url}vendor/unknown.js", timeout=10).status_code == 404


def test_dev_server_switches_the_fake_login_user(stack_env):
    ui_url = stack_env["UI_URL"]
    facebook_login_users = requests.get(f"{ui_url}config.json", timeout=10).json()["dev"]["facebookLoginUsers"]
    bob = next(user["id"] for user in facebook_login_users if user["label"].startswith("Meta user Bob"))
    switched = requests.post(f"{ui_url}dev/facebook-login-user", json={"metaUserId": bob}, timeout=10)
    assert switched.json()["metaUserId"] == bob
    unknown = requests.post(f"{ui_url}dev/facebook-login-user", json={"metaUserId": "1"}, timeout=10)
    assert unknown.status_code == 400


def test_dev_server_switches_the_fake_instagram_login_account(stack_env):
    ui_url = stack_env["UI_URL"]
    accounts = requests.get(f"{ui_url}config.json", timeout=10).json()["dev"]["instagramLoginAccounts"]
    assert [account["id"] for account in accounts] == [demo.DANA_INSTAGRAM_ID, demo.PAT_INSTAGRAM_ID]
    try:
        switched = requests.post(f"{ui_url}dev/instagram-login-account",
                                 json={"instagramAccountId": demo.PAT_INSTAGRAM_ID}, timeout=10)
        assert switched.json()["instagramAccountId"] == demo.PAT_INSTAGRAM_ID
        current = requests.get(f"{ui_url}dev/instagram-login-account", timeout=10).json()
        assert current["instagramAccountId"] == demo.PAT_INSTAGRAM_ID
    finally:
        requests.post(f"{ui_url}dev/instagram-login-account", json={"instagramAccountId": demo.DANA_INSTAGRAM_ID},
                      timeout=10)
    unknown = requests.post(f"{ui_url}dev/instagram-login-account", json={"instagramAccountId": "1"}, timeout=10)
    assert unknown.status_code == 400
