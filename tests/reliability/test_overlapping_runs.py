"""Runs of the same hour at once: the cron job fired twice and a Sync Now during the cron run, on the
session's service as pg_cron calls it (`Prefer: respond-async`) and as the UI calls it (the user's
JWT). The first to arrive queues the accounts and the others join that work instead of doubling
it: each account is synced once, every run completes, there is exactly one row per key, and the
hour's deltas against the previous hour are computed once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.insights.conftest import wait_for

from .conftest import SYNC

LEVEL_GAIN = 7  # followers gained since the previous hour, as the test sets it up


def one_row_per_key(db, sub: str) -> list[dict]:
    """Keys stored more than once (the unique constraint should make this impossible)."""
    return db.query("select platform, account_id, period, window_start, count(*) as n from public.social_media_insights "
                    "where user_id = %s group by 1, 2, 3, 4 having count(*) > 1", sub)


def overlapping_runs(webhook_url: str, stack_env: dict, user, cron_runs: int, sync_nows: int) -> list[str]:
    """Starts `cron_runs` cron requests and `sync_nows` Sync Now requests at the same moment; returns
    the run ids once every run has finished."""
    cron = {"Authorization": f"Bearer {stack_env['CRON_SECRET']}", "Prefer": "respond-async"}
    barrier = threading.Barrier(cron_runs + sync_nows)
    answers: list[requests.Response] = []

    def cron_run():
        barrier.wait()
        answers.append(requests.post(f"{webhook_url}{SYNC}", params={"user_id": user.sub}, headers=cron, timeout=60))

    def sync_now():
        barrier.wait()
        answers.append(user.api.post(SYNC))

    threads = [threading.Thread(target=cron_run) for _ in range(cron_runs)]
    threads += [threading.Thread(target=sync_now) for _ in range(sync_nows)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(answer.status_code for answer in answers) == [200] * sync_nows + [202] * cron_runs, \
        [answer.text for answer in answers]
    return [answer.json()["run_id"] for answer in answers]


def finished_runs(db, run_ids: list[str]) -> list[dict]:
    def when_all_finished():
        rows = db.query("select id, status, accounts_queued, accounts_joined, finished_at from public.social_media_sync_runs "
                        "where id = any(%s::uuid[])", run_ids)
        return rows if all(row["finished_at"] for row in rows) else None

    return wait_for(when_all_finished, seconds=90, what="the runs to finish")


def previous_hour_rows(db, user, hour: datetime) -> None:
    """An hourly row for the hour before `hour` per account: followers LEVEL_GAIN fewer than now."""
    for page in user.facebook_user["pages"]:
        for platform, account in (("facebook", page), ("instagram", page["instagram"])):
            db.query("insert into public.social_media_insights (user_id, platform, account_id, period, window_start, "
                     "window_end, metrics) values (%s, %s, %s, 'hour', %s, %s, %s::jsonb)",
                     user.sub, platform, account["id"], hour - timedelta(hours=1), hour,
                     f'{{"followers_count": {account["followers_count"] - LEVEL_GAIN}}}')


def check_overlap(db, webhook_url, stack_env, user, graph_faults, cron_runs: int, sync_nows: int) -> bool:
    """One round; False when the hour turned meanwhile (the round proves nothing then)."""
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    previous_hour_rows(db, user, hour)
    # Each run's first Graph batch is held a moment, so that all of them are in flight together.
    graph_faults.add("latency", {"delay_ms": 300}, times=cron_runs + sync_nows, path_regex="^/$")

    runs = finished_runs(db, overlapping_runs(webhook_url, stack_env, user, cron_runs, sync_nows))

    if datetime.now(UTC).replace(minute=0, second=0, microsecond=0) != hour:
        return False
    assert [row["status"] for row in runs] == ["succeeded"] * (cron_runs + sync_nows)
    # One run queued every account, the others joined it: nothing was queued or synced twice.
    accounts = 2 * len(user.facebook_user["pages"])
    assert sorted((row["accounts_queued"], row["accounts_joined"]) for row in runs) == \
        [(0, accounts)] * (cron_runs + sync_nows - 1) + [(accounts, 0)]
    outcomes = db.query("select status, count(*) as n from public.social_media_sync_run_accounts "
                        "where run_id = any(%s::uuid[]) group by status", [row["id"] for row in runs])
    assert outcomes == [{"status": "synced", "n": accounts}]
    assert one_row_per_key(db, user.sub) == []
    rows = db.query("select account_id, derived from public.social_media_insights where user_id = %s "
                    "and period = 'hour' and window_start = %s", user.sub, hour)
    assert {row["account_id"]: row["derived"]["followers_count_delta"] for row in rows} == {
        account_id: LEVEL_GAIN for page in user.facebook_user["pages"]
        for account_id in (page["id"], page["instagram"]["id"])}
    return True


def test_two_cron_runs_and_a_sync_now_of_one_hour_store_each_key_once_with_deltas_counted_once(
        connect_user, graph_faults, db, webhook_url, stack_env, ledger):
    user = connect_user(pages=3)
    user.api.post(SYNC)  # the first sync's 30-day backfill, out of the way

    for _ in range(2):
        if check_overlap(db, webhook_url, stack_env, user, graph_faults, cron_runs=2, sync_nows=1):
            ledger.add("overlapping_runs_checked", 3)
            return
        db.query("delete from public.social_media_insights where user_id = %s and period = 'hour'", user.sub)
    pytest.fail("the hour turned during both attempts")


@pytest.mark.soak
def test_soak_many_overlapping_runs_of_one_hour_store_each_key_once_with_deltas_counted_once(
        connect_user, graph_faults, db, webhook_url, stack_env, ledger):
    user = connect_user(pages=6)
    user.api.post(SYNC)

    rounds = 0
    while rounds < 8:
        checked = check_overlap(db, webhook_url, stack_env, user, graph_faults, cron_runs=4, sync_nows=2)
        db.query("delete from public.social_media_insights where user_id = %s and period = 'hour'", user.sub)
        graph_faults.clear()
        if checked:
            rounds += 1
            ledger.add("overlapping_runs_checked", 6)
