"""Meta's Deauthorize and Data Deletion callbacks, signed with the app secret as Meta signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

DEAUTHORIZE = "/api/v1/meta/deauthorize"
DATA_DELETION = "/api/v1/meta/data-deletion"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def signed_request(app_secret: str, meta_user_id: str) -> str:
    payload = b64url(json.dumps({"algorithm": "HMAC-SHA256", "issued_at": int(time.time()),
                                 "user_id": meta_user_id}).encode())
    signature = b64url(hmac.new(app_secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{signature}.{payload}"


@pytest.fixture
def connected(api, fake_graph, db, user_id):
    """A connected Facebook user (Page + Instagram) with one insights row per account."""
    user = fake_graph.create_user(pages=[{"name": "Gus's Garage", "instagram": {}}])
    api.connect("facebook", user["access_token"])
    for row in db.accounts(user_id):
        db.query("insert into public.social_media_insights (user_id, platform, account_id, period, window_start, "
                 "window_end, metrics) values (%s, %s, %s, 'day', '2026-01-01Z', '2026-01-02Z', '{}')",
                 user_id, row["platform"], row["account_id"])
    return user


def test_deauthorize_deactivates_and_erases_tokens(anonymous, connected, db, stack_env, user_id):
    form = {"signed_request": signed_request(stack_env["FACEBOOK_APP_SECRET"], connected["id"])}

    response = anonymous.post(DEAUTHORIZE, data=form)

    assert response.status_code == 200
    assert response.json() == {"success": True, "deactivated": 2}
    assert {(row["is_active"], row["status"]) for row in db.accounts(user_id)} == {(False, "needs_reauth")}
    assert db.tokens(user_id) == {}


def test_data_deletion_deletes_accounts_tokens_and_insights_and_reports_status(
        anonymous, connected, db, stack_env, webhook_url, user_id):
    form = {"signed_request": signed_request(stack_env["FACEBOOK_APP_SECRET"], connected["id"])}

    response = anonymous.post(DATA_DELETION, data=form)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"url", "confirmation_code"}
    assert body["url"] == f"{webhook_url}/api/v1/meta/data-deletion/{body['confirmation_code']}"
    assert db.accounts(user_id) == []
    assert db.query("select 1 from public.social_media_insights where user_id = %s", user_id) == []
    status = anonymous.get(body["url"])
    assert status.status_code == 200
    assert status.json()["status"] == "completed"
    assert status.json()["confirmation_code"] == body["confirmation_code"]


@pytest.mark.parametrize("path", [DEAUTHORIZE, DATA_DELETION])
@pytest.mark.parametrize("form", [
    {"signed_request": "bad-signature.eyJ1c2VyX2lkIjoiMSJ9"},
    {"signed_request": "no-dot"},
    {},
])
def test_bad_signed_request_is_400(anonymous, path, form):
    response = anonymous.post(path, data=form)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_signed_request"


def test_signed_request_with_another_secret_is_400(anonymous, connected, db, user_id):
    response = anonymous.post(DATA_DELETION, data={"signed_request": signed_request("not-the-secret", connected["id"])})

    assert response.status_code == 400
    assert len(db.accounts(user_id)) == 2


def test_unknown_confirmation_code_is_404(anonymous):
    response = anonymous.get("/api/v1/meta/data-deletion/does-not-exist")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
