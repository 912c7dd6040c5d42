"""Faults during a run: an expired token on one account, rate limits (held at once when Meta gives
no estimate), a 500 that clears, a metric Meta rejects. The run finishes, the other accounts are stored,
every outcome is recorded, and nothing stored earlier is lost or zeroed."""

from __future__ import annotations

from datetime import timedelta

from .conftest import SYNC

RATE_LIMITED = {"graph_error": {"code": 17, "message": "(#17) User request limit reached", "is_transient": True}}


def test_one_run_survives_expired_token_rate_limits_and_a_500(service, db, connected, fake_graph, within_one_hour):
    sub, facebook_user = connected(pages=4)
    expired, limited_once, failing_once, healthy = facebook_user["pages"]
    limited_for_good = healthy["instagram"]

    def sync_clean_then_with_faults(hour):
        service.synced(sub)
        stored = {(row["platform"], row["account_id"], row["period"], row["window_start"]): row["metrics"]
                  for row in db.insights(sub)}
        fake_graph.post(f"tokens/{expired['access_token']}/invalidate", {"subcode": 463})
        fake_graph.add_fault(limited_once["id"], RATE_LIMITED, times=1)
        fake_graph.add_fault(failing_once["id"], {"status": 500}, times=1)
        fake_graph.add_fault(limited_for_good["id"], RATE_LIMITED)
        return stored, service.synced(sub)

    stored, body = within_one_hour(sync_clean_then_with_faults)

    assert body["success"] is True and body["status"] == "partial"
    assert body["synced"] == {"facebook": 2, "instagram": 2}
    assert body["failed"] == {"facebook": 2, "instagram": 2}
    outcomes = db.outcomes(body["run_id"])
    assert {account_id: row["status"] for account_id, row in outcomes.items()} == {
        expired["id"]: "needs_reauth", expired["instagram"]["id"]: "needs_reauth",
        limited_once["id"]: "rate_limited", limited_once["instagram"]["id"]: "synced",
        failing_once["id"]: "synced", failing_once["instagram"]["id"]: "synced",
        healthy["id"]: "synced", limited_for_good["id"]: "rate_limited",
    }
    assert "190" in outcomes[expired["id"]]["error"]
    assert "Still rate limited" in outcomes[limited_for_good["id"]]["error"]
    assert {(error["account_id"], error["status"]) for error in body["errors"]} == {
        (expired["id"], "needs_reauth"), (expired["instagram"]["id"], "needs_reauth"),
        (limited_once["id"], "rate_limited"), (limited_for_good["id"], "rate_limited")}

    accounts = db.accounts_by_id(sub)
    assert accounts[expired["id"]]["status"] == "needs_reauth" and "190" in accounts[expired["id"]]["last_error"]
    assert accounts[limited_for_good["id"]]["status"] == "error"
    # Nothing stored by the clean run was lost or zeroed.
    now_stored = {(row["platform"], row["account_id"], row["period"], row["window_start"]): row["metrics"]
                  for row in db.insights(sub)}
    assert now_stored == stored

    # The needs_reauth accounts are skipped until reconnected; the rest sync again once their
    # rate limit has run out.
    fake_graph.clear_faults()
    db.end_sync_holds()
    later = db.outcomes(service.synced(sub)["run_id"])
    assert set(later) == set(outcomes) - {expired["id"], expired["instagram"]["id"]}
    assert {row["status"] for row in later.values()} == {"synced"}


def test_a_metric_meta_rejects_is_dropped_for_the_run_and_the_rest_is_stored(service_with, service, connected, db):
    # Meta retired page_impressions in November 2025; a configuration that still lists it.
    client = service_with(
        INSIGHTS_FACEBOOK_METRICS="page_media_view,page_impressions,page_post_engagements,page_follows")
    sub, facebook_user = connected(pages=2)
    pages = facebook_user["pages"]

    response = client.post(SYNC, query_string={"user_id": sub},
                           headers={"Authorization": f"Bearer {service.cron_secret}"})

    assert response.status_code == 200, response.text
    body = response.json
    assert body["status"] == "partial" and body["success"] is True
    assert body["dropped_metrics"] == {"facebook": ["page_impressions"]}
    assert body["synced"] == {"facebook": 2, "instagram": 2}
    outcomes = db.outcomes(body["run_id"])
    for page in pages:
        assert outcomes[page["id"]]["status"] == "partial"
        assert outcomes[page["id"]]["dropped_metrics"] == ["page_impressions"]
        assert outcomes[page["instagram"]["id"]]["status"] == "synced"
    facebook_rows = [row for row in db.insights(sub) if row["platform"] == "facebook"]
    assert facebook_rows and all({"page_media_view", "page_post_engagements", "page_follows"} <= row["metrics"].keys()
                                 and "page_impressions" not in row["metrics"] for row in facebook_rows)
    assert all(account["last_synced_at"] is not None for account in db.accounts_by_id(sub).values())


def rate_limit_for(account_id: str, code: int, minutes: int) -> dict:
    """A rate-limit answer with Meta's estimate in minutes in X-Business-Use-Case-Usage."""
    usage = {account_id: [{"type": "pages", "call_count": 100, "total_cputime": 30, "total_time": 30,
                           "estimated_time_to_regain_access": minutes}]}
    return {"graph_error": {"code": code}, "headers": {"X-Business-Use-Case-Usage": usage}}


def calls_for(fake_graph, account_id: str, after: int) -> list[dict]:
    return [call for call in fake_graph.request_log()[after:] if call["path"].startswith(f"/{account_id}")]


def test_a_15_minute_rate_limit_skips_the_account_in_the_next_run_and_it_syncs_after(service, db, connected,
                                                                                      fake_graph):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]
    fake_graph.add_fault(page["id"], rate_limit_for(page["id"], 80001, 15), path_regex="/insights$")

    limited = db.outcomes(service.synced(sub)["run_id"])[page["id"]]

    assert limited["status"] == "rate_limited"
    assert "not called until" in limited["error"]
    hold = db.query("select held_until - now() as left from private.social_media_sync_holds where scope = %s::text",
                    limited["social_media_account_id"])
    assert timedelta(minutes=14) < hold[0]["left"] <= timedelta(minutes=15)

    # The next run calls nothing for the held Page, records it rate_limited with the time, and
    # syncs the other accounts.
    fake_graph.clear_faults()
    seen = len(fake_graph.request_log())
    held_run = db.outcomes(service.synced(sub)["run_id"])
    assert held_run[page["id"]]["status"] == "rate_limited"
    assert "Not called until" in held_run[page["id"]]["error"]
    assert held_run[page["instagram"]["id"]]["status"] == "synced"
    assert calls_for(fake_graph, page["id"], seen) == []

    # Once the 15 minutes are over it syncs.
    db.end_sync_holds()
    assert db.outcomes(service.synced(sub)["run_id"])[page["id"]]["status"] == "synced"


def test_a_rate_limit_without_an_estimate_is_not_retried_in_the_run(service, db, connected, fake_graph):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]
    # Code 17 with no estimated_time_to_regain_access: Meta asks to stop calling once a limit is hit.
    fake_graph.add_fault(page["id"], RATE_LIMITED)
    seen = len(fake_graph.request_log())

    limited = db.outcomes(service.synced(sub)["run_id"])[page["id"]]

    calls = [(call["path"], tuple(sorted(call["params"].items()))) for call in calls_for(fake_graph, page["id"], seen)]
    assert calls and len(calls) == len(set(calls)), calls  # each insights request asked once, never again
    assert limited["status"] == "rate_limited" and "not called until" in limited["error"]
    hold = db.query("select held_until - now() as left from private.social_media_sync_holds where scope = %s::text",
                    limited["social_media_account_id"])
    assert timedelta(seconds=50) < hold[0]["left"] <= timedelta(minutes=1)

    # A transient error that is not a rate limit keeps its in-run retries.
    fake_graph.clear_faults()
    db.end_sync_holds()
    fake_graph.add_fault(page["id"], {"graph_error": {"code": 2, "is_transient": True}}, times=1)
    seen = len(fake_graph.request_log())
    retried = db.outcomes(service.synced(sub)["run_id"])[page["id"]]
    calls = [(call["path"], tuple(sorted(call["params"].items()))) for call in calls_for(fake_graph, page["id"], seen)]
    assert retried["status"] == "synced"
    assert len(calls) == len(set(calls)) + 1


def test_an_app_level_rate_limit_stops_every_call_until_it_ends(service, db, connected, fake_graph):
    sub, facebook_user = connected(pages=2)
    first = facebook_user["pages"][0]
    fake_graph.add_fault(first["id"], {"graph_error": {"code": 4}}, path_regex="/insights$")

    outcomes = db.outcomes(service.synced(sub)["run_id"])

    assert outcomes[first["id"]]["status"] == "rate_limited" and "the app" in outcomes[first["id"]]["error"]
    fake_graph.clear_faults()
    seen = len(fake_graph.request_log())
    held = db.outcomes(service.synced(sub)["run_id"])
    assert {row["status"] for row in held.values()} == {"rate_limited"}
    assert [call for call in fake_graph.request_log()[seen:] if call["path"] != "/"] == []


def test_code_10_on_an_agency_managed_page_gives_the_role_outcome_not_a_reconnect_loop(service, db, connected,
                                                                                        fake_graph):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]
    # What Meta answers when the role comes through a Business portfolio and the app lacks ads_read
    # (airbyte source-instagram fixture user_insights_for_error_code_10.json).
    fake_graph.add_fault(page["id"], {"graph_error": {
        "code": 10, "message": "(#10) Application does not have permission for this action"}})

    outcome = db.outcomes(service.synced(sub)["run_id"])[page["id"]]

    assert outcome["status"] == "insufficient_page_role"
    assert "ads_read" in outcome["error"] and "Analyze" in outcome["error"]
    account = db.accounts_by_id(sub)[page["id"]]
    assert account["status"] == "error"  # not needs_reauth: reconnecting alone would not fix it
    # It is asked again in a day, not every hour.
    seen = len(fake_graph.request_log())
    assert db.outcomes(service.synced(sub)["run_id"])[page["id"]]["status"] == "insufficient_page_role"
    assert calls_for(fake_graph, page["id"], seen) == []
