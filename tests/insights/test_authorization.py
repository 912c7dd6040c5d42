"""Who may sync and read: the cron secret or a valid user JWT; a user's Sync Now covers only their
accounts; the read API and the RPC behind it return only the caller's rows; bad parameters are
refused with clear 400s."""

from __future__ import annotations

import pytest
import requests

from devstack import keys

from .conftest import READ, SYNC


@pytest.mark.parametrize("authorization", [None, "Bearer not-the-cron-secret", "Basic abc", "expired", "foreign"])
def test_sync_without_the_cron_secret_or_a_valid_jwt_is_401(service, stack_env, user_jwt, authorization):
    tokens = {"expired": user_jwt("user_insights_expired", ttl_seconds=-60),
              "foreign": keys.user_token("some-other-projects-jwt-secret-0123456789", "user_insights_foreign")}
    headers = {}
    if authorization:
        headers["Authorization"] = f"Bearer {tokens[authorization]}" if authorization in tokens else authorization

    response = requests.post(f"{service.base_url}{SYNC}", headers=headers, timeout=10)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_sync_now_touches_only_the_callers_accounts(service, db, connected):
    caller, caller_user = connected()
    other, other_user = connected()

    response = service.as_user(caller, "POST", SYNC, params={"user_id": other})  # user_id is ignored

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["synced"] == {"facebook": 1, "instagram": 1}
    page = caller_user["pages"][0]
    assert set(db.outcomes(body["run_id"])) == {page["id"], page["instagram"]["id"]}
    run = db.query("select trigger, requested_by, user_id from public.social_media_sync_runs where id = %s",
                   body["run_id"])[0]
    assert run == {"trigger": "sync_now", "requested_by": caller, "user_id": caller}
    assert db.insights(other) == []
    assert all(account["last_synced_at"] is None for account in db.accounts_by_id(other).values())


def test_the_read_api_and_the_rpc_return_only_the_callers_rows(service, db, connected, stack_env, user_jwt):
    caller, caller_user = connected()
    other, other_user = connected()
    service.synced(caller)
    service.synced(other)
    own_page, other_page = caller_user["pages"][0]["id"], other_user["pages"][0]["id"]

    body = service.read(caller, platform="facebook", period="day", days=30).json()
    assert {entry["account_id"] for entry in body["series"]} == {own_page}
    asked_for_other = service.read(caller, platform="facebook", period="day", days=30, account_id=other_page).json()
    assert asked_for_other["series"] == [] and asked_for_other["aggregates"] == {}

    rest = f"{stack_env['SUPABASE_URL']}/rest/v1"
    anon = {"apikey": stack_env["SUPABASE_ANON_KEY"]}
    as_caller = {**anon, "Authorization": f"Bearer {user_jwt(caller)}"}
    rpc = requests.post(f"{rest}/rpc/get_social_media_insights", json={"platform": "facebook", "period": "day",
                                                                       "days": 30}, headers=as_caller, timeout=10)
    assert rpc.status_code == 200 and {entry["account_id"] for entry in rpc.json()["series"]} == {own_page}
    anonymous = requests.post(f"{rest}/rpc/get_social_media_insights", json={"platform": "facebook"},
                              headers=anon, timeout=10)
    assert anonymous.status_code == 401
    # The sync outcomes too: a user reads those of their own accounts only.
    outcomes = requests.get(f"{rest}/social_media_sync_run_accounts", params={"select": "user_id"},
                            headers=as_caller, timeout=10).json()
    assert outcomes and {row["user_id"] for row in outcomes} == {caller}


@pytest.mark.parametrize("params, message", [
    ({"platform": "facebook", "hours": 24, "days": 1}, "Give hours or days, not both."),
    ({"platform": "facebook", "hours": 24 * 90 + 1}, "hours must be an integer from 1 to 2160."),
    ({"platform": "facebook", "days": 0}, "days must be an integer from 1 to 90."),
    ({"platform": "facebook", "hours": "24h"}, "hours must be an integer from 1 to 2160."),
    ({"platform": "tiktok"}, "platform is required: 'facebook' or 'instagram'."),
    ({}, "platform is required: 'facebook' or 'instagram'."),
    ({"platform": "facebook", "period": "week"}, "period must be 'hour' or 'day'."),
    ({"platform": "facebook", "range": "24h"},
     "Unknown parameter(s): range; use account_id, days, hours, period, platform."),
])
def test_the_read_api_refuses_bad_parameters_with_a_clear_400(service, new_sub, params, message):
    response = service.read(new_sub(), **params)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_parameter", "message": message}


def test_the_read_api_needs_a_user(service):
    response = requests.get(f"{service.base_url}{READ}", params={"platform": "facebook"}, timeout=10)

    assert response.status_code == 401


def test_shards_are_refused_with_a_clear_400_now_that_the_queue_spreads_the_work(service, new_sub):
    response = service.cron_sync(new_sub(), shard=0, shards=2)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_parameter", "message": "shard and shards are no longer used: "
                               "the sync queue spreads the work over every replica."}
