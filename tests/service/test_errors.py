"""Malformed requests and bad credentials get 4xx answers in the JSON error shape."""

from __future__ import annotations

import jwt
import pytest

CONNECT = "/api/v1/social-media/connect/facebook"
ACCOUNTS = "/api/v1/social-media/connected-accounts"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]


def test_bad_json_is_400(api):
    response = api.post(CONNECT, data="{not json", headers={"Content-Type": "application/json"})

    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("body", ['["a list"]', '{"access_token": 42}', '{"access_token": ""}'])
def test_wrong_body_shape_is_400(api, body):
    response = api.post(CONNECT, data=body, headers={"Content-Type": "application/json"})

    assert_error(response, 400, "invalid_body")


@pytest.mark.parametrize("path", ["/api/v1/social-media/connect/tiktok", "/api/v1/social-media/disconnect/myspace"])
def test_bad_platform_is_404(api, path):
    response = api.post(path, json={"access_token": "irrelevant"})

    assert_error(response, 404, "unknown_platform")
    assert "facebook" in response.json()["message"]


def test_missing_jwt_is_401(anonymous):
    assert_error(anonymous.get(ACCOUNTS), 401, "unauthorized")


@pytest.mark.parametrize("claims", [{"ttl_seconds": -60}, {"aud": "someone-else"}])
def test_expired_or_foreign_jwt_is_401(anonymous, user_jwt, user_id, claims):
    response = anonymous.get(ACCOUNTS, headers={"Authorization": f"Bearer {user_jwt(user_id, **claims)}"})

    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("token", ["not.a.jwt", "garbage"])
def test_bad_jwt_is_401(anonymous, token):
    response = anonymous.get(ACCOUNTS, headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 401, "unauthorized")


def test_jwt_signed_with_another_secret_is_401(anonymous, user_id):
    forged = jwt.encode({"sub": user_id, "aud": "authenticated", "exp": 4102444800}, "x" * 48, algorithm="HS256")

    assert_error(anonymous.get(ACCOUNTS, headers={"Authorization": f"Bearer {forged}"}), 401, "unauthorized")


def test_service_role_key_is_not_a_user(anonymous, stack_env):
    key = stack_env["SUPABASE_SERVICE_ROLE_KEY"]

    assert_error(anonymous.get(ACCOUNTS, headers={"Authorization": f"Bearer {key}"}), 401, "unauthorized")


def test_unknown_route_is_json_404(anonymous):
    assert_error(anonymous.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_json_405(api):
    assert_error(api.get(CONNECT), 405, "method_not_allowed")


def test_oversized_body_is_413(api):
    response = api.post(CONNECT, data="x" * (1024 * 1024), headers={"Content-Type": "application/json"})

    assert_error(response, 413, "payload_too_large")


def test_cors_preflight_allows_the_frontend_origin_only(anonymous, stack_env):
    origin = stack_env["CORS_ORIGINS"].split(",")[0]
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}

    allowed = anonymous.request("OPTIONS", CONNECT, headers={"Origin": origin, **preflight})
    refused = anonymous.request("OPTIONS", CONNECT, headers={"Origin": "https://evil.example", **preflight})

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in refused.headers
