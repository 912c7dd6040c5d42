"""Connection health before anything breaks: data access ending soon shows `expiring`, Instagram Login
tokens are refreshed by the daily job (or the account needs a new login), the daily check finds
logins Facebook no longer accepts, every status change is an event; and Business-portfolio Pages."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from supabase import create_client

from devstack.fake_graph import demo

CHECK = "/api/v1/social-media/health/check"
POKE = "/api/v1/social-media/insights/sync"  # with the cron secret and no user: the queue workers drain
DAY = 86400


@pytest.fixture
def cron(webhook_url, stack_env, received):
    def post(path: str, body: dict | None = None, **headers) -> requests.Response:
        response = requests.post(f"{webhook_url}{path}", json=body, timeout=60,
                                 headers={"Authorization": f"Bearer {stack_env['CRON_SECRET']}", **headers})
        received.append(response.text)
        return response
    return post


def events(db, user_id: str) -> list[tuple]:
    return [(row["account_id"], row["from_status"], row["to_status"], row["reason"]) for row in db.query(
        "select account_id, from_status::text, to_status::text, reason from public.social_media_account_events "
        "where user_id = %s order by id", user_id)]


def days_until(moment: str | datetime) -> float:
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return (moment - datetime.now(timezone.utc)).total_seconds() / DAY


def test_data_access_ending_in_3_days_shows_expiring(api, db, user_id):
    body = api.connect("facebook", demo.FRANK_USER_TOKEN)

    assert body["facebook"]["connected"] and body["instagram"]["connected"]
    accounts = api.get("/api/v1/social-media/connected-accounts").json()["accounts"]
    assert [(account["accountId"], account["status"], account["isConnected"]) for account in accounts] == [
        (demo.FRANK_PAGE_ID, "expiring", True), (demo.FRANK_INSTAGRAM_ID, "expiring", True)]
    assert 2.9 < days_until(accounts[0]["reconnectBy"]) <= 3
    assert accounts[0]["reconnectBy"] == accounts[0]["dataAccessExpiresAt"]
    reconnect_by = datetime.fromisoformat(accounts[0]["reconnectBy"]).strftime("%Y-%m-%d %H:%M UTC")
    assert events(db, user_id) == [
        (demo.FRANK_PAGE_ID, None, "connected", None),
        (demo.FRANK_INSTAGRAM_ID, None, "connected", None),
        (demo.FRANK_PAGE_ID, "connected", "expiring", f"Reconnect before {reconnect_by}"),
        (demo.FRANK_INSTAGRAM_ID, "connected", "expiring", f"Reconnect before {reconnect_by}"),
    ]


def test_the_owner_reads_their_events_under_rls(api, stack_env, user_id, user_jwt):
    api.connect("facebook", demo.FRANK_USER_TOKEN)

    def rest_as(jwt: str):
        client = create_client(stack_env["SUPABASE_URL"], stack_env["SUPABASE_ANON_KEY"])
        client.postgrest.auth(jwt)
        return client

    own = rest_as(user_jwt(user_id)).table("social_media_account_events").select("to_status").execute().data
    other = rest_as(user_jwt("user_someone_else")).table("social_media_account_events").select("*") \
        .eq("user_id", user_id).execute().data
    assert sorted(row["to_status"] for row in own) == ["connected", "connected", "expiring", "expiring"]
    assert other == []


def test_business_portfolio_pages_are_stored_once_and_skipped_ones_explained(api, db, user_id):
    body = api.connect("facebook", demo.ERIN_USER_TOKEN)

    stored = [(row["platform"], row["account_id"]) for row in db.accounts(user_id)]
    assert stored == [("facebook", demo.ERIN_PAGE_ID), ("facebook", demo.ERIN_GALLERY_PAGE_ID)]
    assert [(page["id"], page["name"], page["reason"]) for page in body["skippedPages"]] == [
        (demo.ERIN_FLORIST_PAGE_ID, "Corner Florist", "no_page_token"),
        (demo.ERIN_DELI_PAGE_ID, "Harbour Deli", "no_analyze_task")]
    assert all(page["message"] for page in body["skippedPages"])
    assert body["instagram"]["reason"] == "no_instagram_business_account"


def test_without_business_management_only_listed_pages_are_found(api, fake_graph, db, user_id):
    fake_graph.set_permissions(demo.ERIN_USER_ID, {"business_management": "declined"})
    try:
        body = api.connect("facebook", demo.ERIN_USER_TOKEN)
    finally:
        fake_graph.set_permissions(demo.ERIN_USER_ID, {"business_management": "granted"})

    assert [row["account_id"] for row in db.accounts(user_id)] == [demo.ERIN_PAGE_ID]
    assert body["skippedPages"] == []


@pytest.fixture
def two_creators(api, anonymous, fake_graph, db, user_id):
    """Two Instagram Login accounts of the test's user, their tokens issued now by the fake."""
    rows = {}
    for name in ("due.soon", "due.later"):
        account = fake_graph.create_instagram_account(username=name)
        fake_graph.set_instagram_dialog(account["id"])
        anonymous.get(api.login_redirect("instagram", "instagram_login"))
        rows[name] = db.accounts_by_id(user_id)[account["id"]]
    return rows


def run_refresh_job(db, cron) -> int:
    """What pg_cron runs daily: queues the due tokens on the sync queue; then the workers are poked
    (the job pokes through pg_net, which the test stack leaves unpointed). Returns messages sent."""
    [sent] = db.query("select private.enqueue_instagram_token_refresh(interval '10 days') as sent")
    assert cron(POKE).status_code == 202
    return sent["sent"]


def queue_drained(db) -> bool:
    return not db.query("select 1 from pgmq.q_social_link_sync_low where message ->> 'kind' = 'token_refresh'")


def set_token_end(db, row_id: str, days: int) -> None:
    db.query("update public.social_media_accounts set token_expires_at = now() + make_interval(days => %s) "
             "where id = %s", days, row_id)


def test_refresh_job_refreshes_a_token_9_days_from_its_end_and_leaves_one_30_days_away(
        two_creators, cron, fake_graph, db, user_id):
    soon, later = two_creators["due.soon"], two_creators["due.later"]
    set_token_end(db, soon["id"], 9)
    set_token_end(db, later["id"], 30)
    tokens_before = db.tokens(user_id)
    fake_graph.move_clock(int(time.time()) + 51 * DAY)   # the fake's tokens are now 51 days old

    assert run_refresh_job(db, cron) >= 1
    wait_for(lambda: db.tokens(user_id)[soon["account_id"]] != tokens_before[soon["account_id"]],
             what="the due token to be refreshed")

    wait_for(lambda: queue_drained(db), what="the token_refresh messages to be worked")
    after = db.accounts_by_id(user_id)
    tokens_after = db.tokens(user_id)
    assert 59.9 < days_until(after[soon["account_id"]]["token_expires_at"]) <= 60
    assert tokens_after[later["account_id"]] == tokens_before[later["account_id"]]
    assert 29.9 < days_until(after[later["account_id"]]["token_expires_at"]) <= 30
    assert after[soon["account_id"]]["status"] == "connected"


def test_an_expired_token_cannot_be_refreshed_and_the_account_needs_a_new_login(
        two_creators, cron, fake_graph, db, user_id):
    soon = two_creators["due.soon"]
    set_token_end(db, soon["id"], 5)
    fake_graph.move_clock(int(time.time()) + 61 * DAY)   # past the fake token's 60 days

    run_refresh_job(db, cron)

    wait_for(lambda: db.accounts_by_id(user_id)[soon["account_id"]]["status"] == "needs_reauth",
             what="the account to need a new login")
    assert events(db, user_id)[-1] == (soon["account_id"], "connected", "needs_reauth",
                                       "Instagram no longer accepts this login (it expired or was revoked). "
                                       "Please connect again.")


def test_a_token_within_the_warning_window_is_expiring(two_creators, db, user_id):
    soon = two_creators["due.soon"]
    db.query("update public.social_media_accounts set token_expires_at = now() + interval '5 days', "
             "expiring_from = now() - interval '2 days' where id = %s", soon["id"])

    assert db.accounts_by_id(user_id)[soon["account_id"]]["status"] == "expiring"


def test_the_health_check_needs_the_cron_secret(api):
    response = api.post(CHECK, json={})
    assert (response.status_code, response.json()["error"]) == (401, "unauthorized")


def test_the_health_check_answers_at_once_when_asked_to(cron):
    response = cron(CHECK, Prefer="respond-async")
    assert (response.status_code, response.json()) == (202, {"success": True, "status": "running"})


def wait_for(probe, seconds: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_daily_check_finds_a_login_facebook_no_longer_accepts(api, fake_graph, cron, db, user_id):
    user = fake_graph.create_user(pages=[{"name": "Gil's Garage", "instagram": None}])
    api.connect("facebook", user["access_token"])
    db.query("update public.social_media_accounts set health_checked_at = now() - interval '2 days' "
             "where user_id = %s", user_id)
    fake_graph.invalidate(user["pages"][0]["access_token"], subcode=460)

    response = cron(CHECK)

    assert response.status_code == 200 and response.json()["needs_reauth"] >= 1
    [row] = db.accounts(user_id)
    assert row["status"] == "needs_reauth"
    assert events(db, user_id)[-1][1:3] == ("connected", "needs_reauth")
    checked_ago = datetime.now(timezone.utc) - row["health_checked_at"]
    assert checked_ago < timedelta(minutes=1)
