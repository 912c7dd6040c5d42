"""The control API: demo data, creating users (one or in bulk), linking Instagram, resets."""

from __future__ import annotations

from devstack.fake_graph import create_app, demo

from .conftest import graph_get

ALL_GRANTED = {"public_profile": "granted", "pages_show_list": "granted", "pages_read_engagement": "granted",
               "instagram_basic": "granted", "instagram_manage_insights": "granted", "read_insights": "granted",
               "business_management": "granted"}


def test_demo_users_have_the_documented_ids_and_tokens(client):
    alice = client.get(f"/_control/users/{demo.ALICE_USER_ID}").get_json()
    assert alice == {
        "id": demo.ALICE_USER_ID, "name": "Alice", "access_token": "demo-user-token-alice",
        "permissions": ALL_GRANTED,
        "pages": [{"id": "104000000000001", "name": "Alice's Bakery", "username": "alicesbakery",
                   "category": "Bakery", "followers_count": 1520, "fan_count": 1480,
                   "access_token": demo.ALICE_PAGE_TOKEN,
                   "instagram": {"id": "17841400000000001", "username": "alices.bakery", "name": "Alice's Bakery",
                                 "followers_count": 2310, "follows_count": 180, "media_count": 142}}],
    }
    bob = client.get(f"/_control/users/{demo.BOB_USER_ID}").get_json()
    assert (bob["access_token"], bob["pages"][0]["id"], bob["pages"][0]["instagram"]) == (
        "demo-user-token-bob", demo.BOB_PAGE_ID, None)
    carol = client.get(f"/_control/users/{demo.CAROL_USER_ID}").get_json()
    assert carol["access_token"] == "demo-user-token-carol"
    assert {name: status for name, status in carol["permissions"].items() if status != "granted"} == {
        "pages_read_engagement": "declined", "instagram_basic": "declined"}
    assert carol["pages"][0]["instagram"]["id"] == demo.CAROL_INSTAGRAM_ID


def test_create_user_with_pages_and_permission_changes(client):
    response = client.post("/_control/users", json={
        "name": "Dana", "permissions": {"read_insights": "declined", "business_management": None},
        "pages": [{"name": "Dana's Deli", "followers_count": 42, "instagram": {"username": "dana.deli"}},
                  {"name": "Dana's Dogs", "instagram": None}]})
    assert response.status_code == 201
    user = response.get_json()
    expected_permissions = {**ALL_GRANTED, "read_insights": "declined"}
    del expected_permissions["business_management"]
    assert user["permissions"] == expected_permissions
    assert user["id"] == "122000000000006"  # after the demo's five
    assert [page["id"] for page in user["pages"]] == ["104000000000009", "104000000000010"]
    deli, dogs = user["pages"]
    assert (deli["username"], deli["followers_count"], deli["fan_count"]) == ("danasdeli", 42, 1150)
    assert deli["instagram"] == {"id": "17841400000000006", "username": "dana.deli", "name": "Dana's Deli",
                                 "followers_count": 850, "follows_count": 120, "media_count": 64}
    assert dogs["instagram"] is None
    assert user["access_token"].startswith("EAAG") and deli["access_token"].startswith("EAAG")
    assert graph_get(client, "/me", deli["access_token"]).get_json() == {"name": "Dana's Deli", "id": deli["id"]}


def test_bulk_creates_many_users_compactly(client):
    response = client.post("/_control/bulk", json={"users": 300, "pages_per_user": 2, "with_instagram": True})
    assert response.status_code == 201
    users = response.get_json()["users"]
    assert len(users) == 300
    assert set(users[0]) == {"id", "access_token", "pages"}
    assert set(users[0]["pages"][0]) == {"id", "access_token", "instagram_id"}
    assert all(len(user["pages"]) == 2 and all(page["instagram_id"] for page in user["pages"]) for user in users)
    last = users[-1]
    accounts = graph_get(client, "/me/accounts", last["access_token"],
                         fields="id,instagram_business_account").get_json()
    assert accounts["data"] == [{"id": page["id"], "instagram_business_account": {"id": page["instagram_id"]}}
                                for page in last["pages"]]
    without = client.post("/_control/bulk", json={"users": 1, "with_instagram": False}).get_json()
    assert without["users"][0]["pages"][0]["instagram_id"] is None


def test_link_unlink_and_relink_instagram(client):
    page_path = f"/_control/pages/{demo.BOB_PAGE_ID}/instagram"
    fields = "instagram_business_account{id,username}"
    linked = client.post(page_path, json={"instagram": {"username": "bobs.bikes"}}).get_json()
    ig_id = linked["instagram"]["id"]
    body = graph_get(client, f"/{demo.BOB_PAGE_ID}", demo.BOB_USER_TOKEN, fields=fields).get_json()
    assert body == {"instagram_business_account": {"id": ig_id, "username": "bobs.bikes"}}

    assert client.post(page_path, json={"instagram": None}).get_json()["instagram"] is None
    assert graph_get(client, f"/{demo.BOB_PAGE_ID}", demo.BOB_USER_TOKEN, fields=fields).get_json() == {}
    # An unlinked account is out of reach.
    assert graph_get(client, f"/{ig_id}", demo.BOB_USER_TOKEN).get_json()["error"]["error_subcode"] == 33

    relinked = client.post(page_path, json={"instagram": {"id": ig_id}}).get_json()
    assert relinked["instagram"]["id"] == ig_id


def test_update_account_counters(client):
    page = client.post(f"/_control/accounts/{demo.ALICE_PAGE_ID}", json={"followers_count": 2000}).get_json()
    assert page["followers_count"] == 2000
    body = graph_get(client, f"/{demo.ALICE_PAGE_ID}", demo.ALICE_PAGE_TOKEN, fields="followers_count").get_json()
    assert body == {"followers_count": 2000}


def test_reset_clears_or_reloads_the_demo(client):
    client.post("/_control/latency", json={"ms": 5})
    client.post("/_control/faults", json=[{"action": {"status": 500}}])
    assert client.post("/_control/reset", json={}).get_json() == {"demo": False}
    assert client.get(f"/_control/users/{demo.ALICE_USER_ID}").status_code == 404
    assert client.get("/_control/faults").get_json() == {"rules": []}
    assert graph_get(client, "/me", demo.ALICE_USER_TOKEN).get_json()["error"]["code"] == 190
    assert client.post("/_control/reset", json={"demo": True}).get_json() == {"demo": True}
    assert graph_get(client, "/me", demo.ALICE_USER_TOKEN).get_json()["id"] == demo.ALICE_USER_ID


def test_dialog_without_a_user_after_reset(client):
    client.post("/_control/reset")
    response = client.get("/dialog/oauth", query_string={"client_id": "100000000000001", "redirect_uri": "http://x/cb"})
    assert response.get_json()["error"]["message"] == (
        'fake Graph API: no dialog user; POST /_control/dialog {"user_id": ...}')


def test_clock_control(client):
    assert client.post("/_control/clock", json={"now": 1800000000}).get_json() == {"now": 1800000000, "frozen": True}
    assert client.post("/_control/clock", json={"now": None}).get_json()["frozen"] is False


def test_control_errors(client):
    assert client.get("/_control/users/1").get_json() == {"error": "no user with id 1"}
    assert client.get("/_control/users/1").status_code == 404
    bad = client.post("/_control/users", json={"name": "X", "pages": [{"colour": "red"}]})
    assert (bad.status_code, bad.get_json()) == (400, {"error": "unknown page keys: colour"})
    bad = client.post(f"/_control/users/{demo.BOB_USER_ID}/permissions", json={"read_insights": "maybe"})
    assert bad.get_json() == {"error": "permission status must be one of granted, declined, expired"}
    assert client.post("/_control/tokens/nope/invalidate", json={}).status_code == 404
    assert client.post("/_control/latency", json={"ms": -1}).status_code == 400


def test_create_app_defaults_to_an_empty_world():
    client = create_app().test_client()
    user = client.post("/_control/users", json={"name": "First"}).get_json()
    assert user["id"] == "122000000000001"
