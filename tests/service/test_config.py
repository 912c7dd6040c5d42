"""Start-up configuration: a missing or malformed setting stops the service with one line naming it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from devstack.stack import PROJECT_ROOT
from webhook_service.config import Config
from webhook_service.connect import login_scopes

VALID = {
    "SUPABASE_URL": "http://127.0.0.1:9",
    "SUPABASE_SERVICE_ROLE_KEY": "service-role-key",
    "SUPABASE_JWT_SECRET": "j" * 40,
    "FACEBOOK_APP_ID": "100000000000001",
    "FACEBOOK_APP_SECRET": "app-secret",
    "OAUTH_REDIRECT_URL": "http://127.0.0.1:9/api/v1/social-media/oauth/callback",
    "OAUTH_STATE_SECRET": "s" * 40,
    "FRONTEND_URL": "http://127.0.0.1:9/",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "CRON_SECRET": "c" * 32,
}


def start(**overrides: str | None) -> subprocess.CompletedProcess:
    """`python -m webhook_service` with a valid configuration changed by `overrides` (None unsets)."""
    env = {key: value for key, value in os.environ.items() if key not in VALID and key not in overrides}
    env.update(VALID)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-m", "webhook_service"], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("name, value", [
    ("SUPABASE_URL", None),
    ("TOKEN_ENCRYPTION_KEY", None),
    ("FRONTEND_URL", None),
    ("TOKEN_ENCRYPTION_KEY", "not-a-fernet-key"),
    ("GRAPH_API_VERSION", "25"),
    ("SUPABASE_URL", "localhost:54321"),
    ("PORT", "eighty"),
    ("OAUTH_STATE_SECRET", "short"),
    ("CORS_ORIGINS", "https://app.example.com/path"),
    ("INSIGHTS_FACEBOOK_METRICS", "page_media_view;drop table"),
    ("INSIGHTS_REFETCH_DAYS", "365"),
])
def test_bad_setting_fails_start_up_with_one_line_naming_it(name, value):
    result = start(**{name: value})

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]


def test_neither_jwt_secret_nor_jwks_fails_start_up():
    result = start(SUPABASE_JWT_SECRET=None, AUTH_JWKS_URL=None)

    assert result.returncode != 0
    assert "SUPABASE_JWT_SECRET or AUTH_JWKS_URL" in result.stderr


@pytest.mark.parametrize("overrides, dialog", [
    ({}, "https://www.facebook.com/v25.0/dialog/oauth"),
    ({"GRAPH_API_VERSION": "v26.0"}, "https://www.facebook.com/v26.0/dialog/oauth"),
    ({"GRAPH_API_BASE": "http://127.0.0.1:9"}, "http://127.0.0.1:9/v25.0/dialog/oauth"),
    ({"FACEBOOK_DIALOG_URL": "https://m.facebook.com/{version}/dialog/oauth"}, "https://m.facebook.com/v25.0/dialog/oauth"),
])
def test_login_dialog_url_follows_the_graph_api_base_and_version(overrides, dialog):
    assert Config.from_env({**VALID, **overrides}).facebook_dialog_url == dialog


def test_cors_origin_defaults_to_the_frontends():
    config = Config.from_env({**VALID, "FRONTEND_URL": "https://app.example.com/settings?tab=accounts"})

    assert config.cors_origins == ("https://app.example.com",)


def test_each_bad_setting_gets_its_own_line_and_no_value_is_printed():
    result = start(PORT="eighty", CRON_SECRET="short-secret", TOKEN_ENCRYPTION_KEY="not-a-fernet-key")

    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    messages = [json.loads(line)["message"] for line in lines]  # JSON lines, like every log line
    assert sorted(message.split(": ")[1].split()[0] for message in messages) == [
        "CRON_SECRET", "PORT", "TOKEN_ENCRYPTION_KEY"]
    assert not any(value in result.stderr for value in ("eighty", "short-secret", "not-a-fernet-key"))


def test_secrets_stay_out_of_the_settings_repr():
    config = Config.from_env({**VALID, "ALLOW_ENV_TOKEN": "1", "FACEBOOK_ACCESS_TOKEN": "EAAG-token"})

    assert config.facebook_access_token == "EAAG-token"
    shown = repr(config)
    assert not any(VALID[name] in shown for name in ("SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_JWT_SECRET",
                                                      "FACEBOOK_APP_SECRET", "OAUTH_STATE_SECRET",
                                                      "TOKEN_ENCRYPTION_KEY", "CRON_SECRET"))
    assert "EAAG-token" not in shown


def test_ads_read_is_in_the_login_scopes_only_behind_its_setting():
    assert "ads_read" not in login_scopes(Config.from_env(VALID).facebook_login_ads_read)
    with_ads_read = Config.from_env({**VALID, "FACEBOOK_LOGIN_ADS_READ": "true"})
    assert login_scopes(with_ads_read.facebook_login_ads_read) == (
        "pages_show_list", "pages_read_engagement", "instagram_basic", "instagram_manage_insights", "read_insights",
        "business_management", "ads_read")
