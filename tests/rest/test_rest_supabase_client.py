"""The real migration through the REST layer, used with the supabase client as the app uses it.

Browsers read `social_media_accounts` with a user JWT under RLS; the service writes with the
service-role key (postgrest-py upserts and the RPCs); `private` stays out of reach.
"""

from __future__ import annotations

import uuid

import pytest
from postgrest import APIError
from postgrest.types import ReturnMethod
from supabase import ClientOptions, create_client

from devstack import keys

ACCOUNT_KEY = "user_id,platform,account_id"
# supabase-py passes deprecated options to its own postgrest client; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:supabase")


def account(user_id: str, account_id: str, **columns) -> dict:
    return {"user_id": user_id, "platform": "facebook", "account_id": account_id, **columns}


@pytest.fixture(scope="module")
def service_client(supabase_url, stack_env):
    return create_client(supabase_url, stack_env["SUPABASE_SERVICE_ROLE_KEY"])


@pytest.fixture
def client_for(supabase_url, stack_env, secret):
    """A browser's client: anonymous, or signed in as `sub` (Clerk-style id, role authenticated)."""
    def make(sub: str | None = None):
        if sub is None:
            return create_client(supabase_url, stack_env["SUPABASE_ANON_KEY"])
        options = ClientOptions(headers={"Authorization": f"Bearer {keys.user_token(secret, sub)}"})
        return create_client(supabase_url, stack_env["SUPABASE_ANON_KEY"], options=options)
    return make


@pytest.fixture
def alice_and_bob(service_client) -> tuple[str, str]:
    """Two users with accounts, written the way the service writes them."""
    suffix = uuid.uuid4().hex[:10]
    alice, bob = f"user_alice_{suffix}", f"user_bob_{suffix}"
    rows = [account(alice, "page-1", account_name="Alice One"), account(alice, "page-2"), account(bob, "page-3")]
    service_client.table("social_media_accounts").upsert(
        rows, on_conflict=ACCOUNT_KEY, returning=ReturnMethod.minimal, default_to_null=False).execute()
    return alice, bob


def test_a_user_sees_only_their_own_accounts(client_for, alice_and_bob):
    alice, _ = alice_and_bob
    rows = client_for(alice).table("social_media_accounts").select("*").execute().data
    assert {(row["user_id"], row["account_id"]) for row in rows} == {(alice, "page-1"), (alice, "page-2")}
    assert "access_token" not in rows[0]


def test_a_user_counts_and_fetches_single_rows(client_for, alice_and_bob):
    alice, _ = alice_and_bob
    accounts = client_for(alice).table("social_media_accounts")
    assert accounts.select("id", count="exact").execute().count == 2
    single = accounts.select("account_name").eq("account_id", "page-1").single().execute()
    assert single.data == {"account_name": "Alice One"}
    assert accounts.select("id").eq("account_id", "page-3").maybe_single().execute() is None


def test_anonymous_browsers_get_no_rows(client_for, alice_and_bob):
    with pytest.raises(APIError) as raised:
        client_for(None).table("social_media_accounts").select("*").execute()
    assert raised.value.code == "42501"


def test_users_cannot_write_accounts(client_for, alice_and_bob):
    alice, _ = alice_and_bob
    with pytest.raises(APIError) as raised:
        client_for(alice).table("social_media_accounts").insert(account(alice, "page-9")).execute()
    assert raised.value.code == "42501"


def test_service_upsert_is_idempotent_and_merges_only_given_columns(service_client, alice_and_bob):
    alice, _ = alice_and_bob
    accounts = service_client.table("social_media_accounts")
    before = accounts.select("id,account_name").eq("user_id", alice).eq("account_id", "page-1").single().execute().data
    accounts.upsert([account(alice, "page-1", username="alice")], on_conflict=ACCOUNT_KEY,
                    returning=ReturnMethod.minimal, default_to_null=False).execute()
    after = accounts.select("id,account_name,username").eq("user_id", alice).eq("account_id", "page-1").single().execute().data
    assert after == {**before, "username": "alice"}


def test_service_rpcs_keep_tokens_in_the_private_schema(service_client, client_for):
    user = f"user_rpc_{uuid.uuid4().hex[:10]}"
    saved = service_client.rpc("upsert_social_media_accounts", {
        "accounts": [account(user, "page-1", access_token="ciphertext-1")]}).execute().data
    assert [row["account_id"] for row in saved] == ["page-1"]
    ids = [row["id"] for row in saved]
    active = service_client.rpc("social_media_sync_accounts", {"p_ids": ids}).execute().data
    assert [(row["account_id"], row["access_token"]) for row in active] == [("page-1", "ciphertext-1")]
    with pytest.raises(APIError) as raised:
        client_for(user).rpc("social_media_sync_accounts", {"p_ids": ids}).execute()
    assert raised.value.code == "42501"


def test_private_schema_is_not_reachable(service_client):
    with pytest.raises(APIError) as raised:
        service_client.schema("private").table("social_media_tokens").select("*").execute()
    assert raised.value.code == "PGRST106"
    with pytest.raises(APIError) as raised:
        service_client.table("social_media_tokens").select("*").execute()
    assert raised.value.code == "PGRST205"
