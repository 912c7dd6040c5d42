"""The unified connect flow (`POST /api/v1/social-media/connect/{platform}`), scenario by scenario."""

from __future__ import annotations

import pytest

from webhook_service import create_app
from webhook_service.config import Config

CONNECT = "/api/v1/social-media/connect/facebook"

NO_INSTAGRAM = {
    "connected": False,
    "reason": "no_instagram_business_account",
    "message": "No Instagram business account is linked to your Facebook Page",
    "missingPermissions": [],
}


def bakery(instagram: bool = True) -> dict:
    page = {"name": "Dana's Deli", "username": "danasdeli"}
    page["instagram"] = {"username": "danas.deli", "name": "Dana's Deli IG"} if instagram else None
    return page


def test_facebook_connect_with_linked_instagram_writes_two_rows(api, fake_graph, db, cipher, picture_url, user_id):
    user = fake_graph.create_user(pages=[bakery()])
    page, instagram = user["pages"][0], user["pages"][0]["instagram"]

    body = api.connect("facebook", user["access_token"])

    assert body["success"] is True
    assert body["facebook"] == {"connected": True, "accountId": page["id"], "accountName": "Dana's Deli",
                                "username": "danasdeli", "profilePicture": picture_url(page["id"])}
    assert body["instagram"] == {"connected": True, "accountId": instagram["id"], "accountName": "Dana's Deli IG",
                                 "username": "danas.deli", "profilePicture": picture_url(instagram["id"])}
    rows = db.accounts(user_id)
    assert [(row["platform"], row["account_id"]) for row in rows] == [("facebook", page["id"]),
                                                                      ("instagram", instagram["id"])]
    assert all(row["is_active"] and row["status"] == "connected" and row["meta_user_id"] == user["id"]
               for row in rows)
    assert rows[0]["permissions"]["granted"] == sorted(user["permissions"])
    # Both rows hold the Page token, encrypted: ciphertext at rest, the token after decryption.
    tokens = db.tokens(user_id)
    assert set(tokens) == {page["id"], instagram["id"]}
    assert all(cipher.decrypt(ciphertext) == page["access_token"] for ciphertext in tokens.values())
    assert page["access_token"] not in tokens.values()
    assert [account["accountId"] for account in body["accounts"]] == [page["id"], instagram["id"]]


def test_facebook_connect_without_instagram_writes_facebook_row_and_instagram_reason(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[bakery(instagram=False)])

    body = api.connect("facebook", user["access_token"])

    assert body["success"] is True
    assert body["facebook"]["connected"] is True
    assert body["instagram"] == NO_INSTAGRAM
    assert [row["platform"] for row in db.accounts(user_id)] == ["facebook"]


def test_instagram_connect_with_no_instagram_anywhere_gives_guidance_reason(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[bakery(instagram=False), {"name": "Second Page", "instagram": None}])

    body = api.connect("instagram", user["access_token"])

    assert body["instagram"] == NO_INSTAGRAM
    assert body["facebook"]["connected"] is True
    assert [row["platform"] for row in db.accounts(user_id)] == ["facebook", "facebook"]


def test_missing_permissions_give_hints(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[bakery()],
                                  permissions={"instagram_basic": "declined", "pages_read_engagement": "declined"})

    body = api.connect("instagram", user["access_token"])

    assert body["success"] is False
    assert body["facebook"] == {
        "connected": False, "reason": "missing_permissions", "missingPermissions": ["pages_read_engagement"],
        "message": "Facebook did not grant the permissions Facebook needs: pages_read_engagement. "
                   "Connect again and allow them.",
    }
    assert body["instagram"]["reason"] == "missing_permissions"
    # Instagram insights through a Page need pages_read_engagement too (IG User Insights reference).
    assert body["instagram"]["missingPermissions"] == ["pages_read_engagement", "instagram_basic"]
    assert db.accounts(user_id) == []


def test_missing_instagram_permission_still_connects_facebook(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[bakery()], permissions={"instagram_manage_insights": "declined"})

    body = api.connect("facebook", user["access_token"])

    assert body["facebook"]["connected"] is True
    assert body["instagram"]["missingPermissions"] == ["instagram_manage_insights"]
    assert [row["platform"] for row in db.accounts(user_id)] == ["facebook"]


def test_declined_page_list_is_a_missing_permission_on_both(api, fake_graph, user_id):
    user = fake_graph.create_user(pages=[bakery()], permissions={"pages_show_list": "declined"})

    body = api.connect("facebook", user["access_token"])

    assert [body[platform]["missingPermissions"] for platform in ("facebook", "instagram")] == [
        ["pages_show_list"], ["pages_show_list"]]


def test_no_pages_is_reported_on_both_platforms(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[])

    body = api.connect("facebook", user["access_token"])

    assert body["success"] is False
    assert [body[platform]["reason"] for platform in ("facebook", "instagram")] == ["no_pages", "no_pages"]
    assert body["accounts"] == []
    assert db.accounts(user_id) == []


@pytest.mark.parametrize("token_problem", ["invalidated", "unknown"])
def test_invalid_token_answers_200_with_token_invalid(api, fake_graph, db, user_id, token_problem):
    user = fake_graph.create_user(pages=[bakery()])
    token = user["access_token"]
    if token_problem == "invalidated":
        fake_graph.invalidate(token, subcode=460)
    else:
        token = "not-a-facebook-token"

    body = api.connect("facebook", token)

    assert body["success"] is False
    assert body["facebook"]["reason"] == body["instagram"]["reason"] == "token_invalid"
    assert db.accounts(user_id) == []


def test_connect_twice_updates_rows_not_duplicates(api, fake_graph, db, cipher, user_id):
    user = fake_graph.create_user(pages=[bakery()])
    page = user["pages"][0]
    api.connect("facebook", user["access_token"])
    first = {row["platform"]: row for row in db.accounts(user_id)}
    fake_graph.update_account(page["id"], {"name": "Dana's Delicatessen"})

    body = api.connect("instagram", user["access_token"])

    second = {row["platform"]: row for row in db.accounts(user_id)}
    assert len(db.accounts(user_id)) == 2
    assert {platform: row["id"] for platform, row in second.items()} == {
        platform: row["id"] for platform, row in first.items()}
    assert second["facebook"]["account_name"] == "Dana's Delicatessen"
    assert body["facebook"]["accountName"] == "Dana's Delicatessen"
    assert cipher.decrypt(db.tokens(user_id)[page["id"]]) == page["access_token"]


def test_reconnect_clears_needs_reauth(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[bakery()])
    api.connect("facebook", user["access_token"])
    db.query("update public.social_media_accounts set status = 'needs_reauth', last_error = 'token expired' "
             "where user_id = %s", user_id)

    api.connect("facebook", user["access_token"])

    assert {(row["status"], row["last_error"]) for row in db.accounts(user_id)} == {("connected", None)}


def test_several_pages_each_get_their_rows(api, fake_graph, db, user_id):
    user = fake_graph.create_user(pages=[bakery(), {"name": "Second Page", "instagram": None},
                                         {"name": "Third Page", "instagram": {}}])

    body = api.connect("facebook", user["access_token"])

    rows = db.accounts(user_id)
    assert sorted(row["platform"] for row in rows) == ["facebook"] * 3 + ["instagram"] * 2
    assert body["facebook"]["accountId"] == user["pages"][0]["id"]
    assert len(body["accounts"]) == 5


def test_connect_without_a_token_is_400(api):
    response = api.post(CONNECT)

    assert response.status_code == 400
    assert response.json()["error"] == "access_token_required"


def test_environment_token_is_used_only_when_allowed(stack_env, fake_graph, user_jwt, user_id, received, db):
    user = fake_graph.create_user(pages=[bakery()])
    env = {**stack_env, "FACEBOOK_ACCESS_TOKEN": user["access_token"]}
    headers = {"Authorization": f"Bearer {user_jwt(user_id)}"}
    refused = create_app(Config.from_env(env)).test_client().post(CONNECT, headers=headers)
    allowed = create_app(Config.from_env({**env, "ALLOW_ENV_TOKEN": "1"})).test_client().post(CONNECT, headers=headers)
    received += [refused.get_data(as_text=True), allowed.get_data(as_text=True)]

    assert refused.status_code == 400
    assert refused.get_json()["error"] == "access_token_required"
    assert allowed.status_code == 200
    assert allowed.get_json()["success"] is True
    assert len(db.accounts(user_id)) == 2


def test_a_long_rate_limit_during_connect_is_503_with_retry_after(api, fake_graph, user_id, db):
    user = fake_graph.create_user(pages=[bakery()])
    usage = '{"%s": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 10}]}' % user["id"]
    fake_graph.add_fault({"match": {"path_regex": "^/me/accounts$", "account_id": user["id"]}, "times": 1,
                          "action": {"graph_error": {"code": 17}, "headers": {"X-Business-Use-Case-Usage": usage}}})

    response = api.post(CONNECT, json={"access_token": user["access_token"]})

    assert response.status_code == 503
    assert response.json()["error"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 600
    assert db.accounts(user_id) == []
