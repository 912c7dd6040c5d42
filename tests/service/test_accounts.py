"""Connected accounts: listing, disconnecting, and one user never seeing another's rows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from supabase import create_client


@pytest.fixture
def connected_user(api, fake_graph):
    """A Facebook user with a Page and a linked Instagram account, connected by `api`'s user."""
    user = fake_graph.create_user(pages=[{"name": "Eve's Espresso", "username": "evesespresso",
                                          "instagram": {"username": "eves.espresso", "name": "Eve's Espresso"}}])
    api.connect("facebook", user["access_token"])
    return user


def rest_client(stack_env, jwt: str):
    """supabase-js's view of the data, as the browser has it: anon key plus the user's JWT."""
    client = create_client(stack_env["SUPABASE_URL"], stack_env["SUPABASE_ANON_KEY"])
    client.postgrest.auth(jwt)
    return client


def test_connected_accounts_returns_saved_rows_without_tokens(api, connected_user, picture_url):
    page = connected_user["pages"][0]
    instagram = page["instagram"]

    response = api.get("/api/v1/social-media/connected-accounts")

    assert response.status_code == 200
    body = response.json()
    # Data access ends 90 days after the login (debug_token); Page tokens themselves do not end.
    data_access_end = body["accounts"][0]["dataAccessExpiresAt"]
    health = {"lastError": None, "connectedVia": "facebook_login", "loginExpiresAt": None,
              "dataAccessExpiresAt": data_access_end, "reconnectBy": data_access_end, "missingPermissions": []}
    assert body == {
        "accounts": [
            {"platform": "facebook", "accountId": page["id"], "accountName": "Eve's Espresso",
             "username": "evesespresso", "profilePicture": picture_url(page["id"]), "isConnected": True,
             "status": "connected", "lastSyncedAt": None, **health},
            {"platform": "instagram", "accountId": instagram["id"], "accountName": "Eve's Espresso",
             "username": "eves.espresso", "profilePicture": picture_url(instagram["id"]), "isConnected": True,
             "status": "connected", "lastSyncedAt": None, **health},
        ],
        "total": 2,
    }
    days_left = (datetime.fromisoformat(data_access_end) - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 89.9 < days_left <= 90
    assert "token" not in response.text.lower()


def test_disconnect_deactivates_erases_tokens_and_keeps_history(api, connected_user, db, user_id):
    instagram_id = connected_user["pages"][0]["instagram"]["id"]
    db.query("insert into public.social_media_insights (user_id, platform, account_id, period, window_start, "
             "window_end, metrics) values (%s, 'instagram', %s, 'hour', '2026-01-01 00:00Z', '2026-01-01 01:00Z', "
             "'{\"reach\": 3}')", user_id, instagram_id)

    response = api.post("/api/v1/social-media/disconnect/instagram")

    assert response.status_code == 200
    assert response.json() == {"success": True, "platform": "instagram", "disconnected": 1}
    rows = {row["platform"]: row for row in db.accounts(user_id)}
    assert rows["instagram"]["is_active"] is False
    assert rows["facebook"]["is_active"] is True
    assert set(db.tokens(user_id)) == {connected_user["pages"][0]["id"]}
    assert len(db.query("select 1 from public.social_media_insights where user_id = %s", user_id)) == 1
    listed = api.get("/api/v1/social-media/connected-accounts").json()
    assert [account["platform"] for account in listed["accounts"]] == ["facebook"]


def test_a_second_user_sees_none_of_the_first_users_accounts_via_the_service(
        api, connected_user, api_as, db, user_id):
    other = api_as(f"{user_id}_other")

    assert other.get("/api/v1/social-media/connected-accounts").json() == {"accounts": [], "total": 0}
    assert other.post("/api/v1/social-media/disconnect/facebook").json()["disconnected"] == 0
    assert all(row["is_active"] for row in db.accounts(user_id))


# supabase-py passes its own client deprecated options; nothing to act on here.
@pytest.mark.filterwarnings("ignore:The '(timeout|verify)' parameter is deprecated:DeprecationWarning")
def test_a_second_user_sees_none_of_the_first_users_accounts_via_rest_under_rls(
        api, connected_user, stack_env, user_jwt, user_id):
    owner = rest_client(stack_env, user_jwt(user_id))
    other = rest_client(stack_env, user_jwt(f"{user_id}_other"))

    owned = owner.table("social_media_accounts").select("*").execute().data
    assert sorted(row["platform"] for row in owned) == ["facebook", "instagram"]
    assert not any("token" in column for column in owned[0] if column != "token_expires_at")
    assert other.table("social_media_accounts").select("*").eq("user_id", user_id).execute().data == []
    assert other.table("social_media_accounts").select("*").execute().data == []


def test_disconnect_of_one_account_leaves_the_other_pages(api, fake_graph, db, user_id, api_as):
    user = fake_graph.create_user(pages=[{"name": "Gus's Garage", "instagram": None},
                                         {"name": "Gus's Garage North", "instagram": None}])
    api.connect("facebook", user["access_token"])
    first, second = (page["id"] for page in user["pages"])

    response = api.post("/api/v1/social-media/disconnect/facebook", json={"account_id": second})

    assert response.status_code == 200
    assert response.json() == {"success": True, "platform": "facebook", "disconnected": 1}
    assert {row["account_id"]: row["is_active"] for row in db.accounts(user_id)} == {first: True, second: False}
    assert set(db.tokens(user_id)) == {first}
    assert api_as(f"{user_id}_other").post("/api/v1/social-media/disconnect/facebook",
                                           json={"account_id": first}).json()["error"] == "account_not_found"
    assert api.post("/api/v1/social-media/disconnect/facebook", json={"account_id": ""}).json()["error"] == "invalid_body"
    assert db.accounts(user_id)[0]["is_active"] is True


def test_the_last_connect_outcome_per_platform_is_kept_for_the_browser(api, fake_graph, stack_env, user_jwt, user_id):
    user = fake_graph.create_user(pages=[{"name": "Hal's Hardware", "instagram": None}])
    api.connect("facebook", user["access_token"])

    rows = (rest_client(stack_env, user_jwt(user_id)).table("social_media_connect_outcomes")
            .select("platform,connected,reason,missing_permissions").order("platform").execute().data)

    assert rows == [
        {"platform": "facebook", "connected": True, "reason": None, "missing_permissions": []},
        {"platform": "instagram", "connected": False, "reason": "no_instagram_business_account", "missing_permissions": []},
    ]
    assert rest_client(stack_env, user_jwt(f"{user_id}_other")).table("social_media_connect_outcomes").select("*").execute().data == []
