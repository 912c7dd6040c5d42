"""The RLS promises of the migrations, checked over HTTP as a frontend would: supabase-py with the
anon key and a user's JWT, against the stack's REST layer."""

import pytest
from postgrest.exceptions import APIError
from supabase import Client, create_client


@pytest.fixture
def as_user(stack_env, user_jwt):
    def client_for(sub: str) -> Client:
        client = create_client(stack_env["SUPABASE_URL"], stack_env["SUPABASE_ANON_KEY"])
        client.postgrest.auth(user_jwt(sub))
        return client

    return client_for


@pytest.fixture
def as_anon(stack_env) -> Client:
    return create_client(stack_env["SUPABASE_URL"], stack_env["SUPABASE_ANON_KEY"])


@pytest.fixture
def as_service(stack_env) -> Client:
    return create_client(stack_env["SUPABASE_URL"], stack_env["SUPABASE_SERVICE_ROLE_KEY"])


def test_seed_demo_maya_sees_her_facebook_and_instagram_accounts(as_user):
    rows = as_user("user_demo_maya").table("social_media_accounts").select("*").order("platform").execute().data
    assert [(row["platform"], row["username"]) for row in rows] == [
        ("facebook", "mayasflowers"),
        ("instagram", "mayas.flowers"),
    ]


def test_seed_demo_theo_sees_only_his_accounts(as_user):
    rows = as_user("user_demo_theo").table("social_media_accounts").select("user_id").execute().data
    assert {row["user_id"] for row in rows} == {"user_demo_theo"}
    assert len(rows) == 2


def test_select_star_shows_no_token_column(as_user):
    rows = as_user("user_demo_maya").table("social_media_accounts").select("*").execute().data
    assert rows and all("access_token" not in row and "refresh_token" not in row for row in rows)


def test_seed_insights_visible_only_to_their_owner(as_user):
    maya = as_user("user_demo_maya").table("social_media_insights").select("user_id", count="exact").execute()
    assert maya.count and maya.count >= 2 * 72
    assert {row["user_id"] for row in maya.data} == {"user_demo_maya"}
    stranger = as_user("user_stranger").table("social_media_insights").select("*").execute()
    assert stranger.data == []


def test_filtering_for_another_users_rows_returns_nothing(as_user):
    rows = as_user("user_demo_theo").table("social_media_accounts").select("*").eq("user_id", "user_demo_maya").execute()
    assert rows.data == []


def test_anon_is_refused(as_anon):
    with pytest.raises(APIError) as refused:
        as_anon.table("social_media_accounts").select("*").execute()
    assert refused.value.code == "42501"


def test_a_user_cannot_write_accounts(as_user):
    with pytest.raises(APIError) as refused:
        as_user("user_demo_maya").table("social_media_accounts").insert(
            {"user_id": "user_demo_maya", "platform": "facebook", "account_id": "forged"}
        ).execute()
    assert refused.value.code == "42501"


def test_a_user_cannot_call_the_service_rpcs(as_user):
    with pytest.raises(APIError) as refused:
        as_user("user_demo_maya").rpc("social_media_sync_accounts", {"p_ids": []}).execute()
    assert refused.value.code == "42501"


def test_the_service_role_reads_every_users_accounts(as_service):
    rows = as_service.table("social_media_accounts").select("user_id").in_(
        "user_id", ["user_demo_maya", "user_demo_theo"]).execute().data
    assert sorted(row["user_id"] for row in rows) == ["user_demo_maya"] * 2 + ["user_demo_theo"] * 2


def test_the_private_token_schema_is_not_exposed(stack_env):
    import requests

    response = requests.get(
        f"{stack_env['SUPABASE_URL']}/rest/v1/social_media_tokens",
        headers={
            "apikey": stack_env["SUPABASE_SERVICE_ROLE_KEY"],
            "Authorization": f"Bearer {stack_env['SUPABASE_SERVICE_ROLE_KEY']}",
            "Accept-Profile": "private",
        },
    )
    assert response.status_code == 406
    assert response.json()["code"] == "PGRST106"
