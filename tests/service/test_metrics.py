"""The Prometheus endpoint: refused without METRICS_TOKEN, and after a sync against the fake its
counters have moved by exactly the work of that sync (gunicorn's workers added up)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.database import Database
from webhook_service.config import Config
from webhook_service.metrics_endpoint import DatabaseGauges
from webhook_service.store import Store

SYNC = "/api/v1/social-media/insights/sync"


def samples(text: str) -> Counter:
    """{(sample name, ((label, value), ...)): value} of an exposition."""
    return Counter({(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                    for family in text_string_to_metric_families(text) for sample in family.samples})


def collected(collector) -> Counter:
    return Counter({(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                    for family in collector.collect() for sample in family.samples})


@pytest.fixture
def scrape(webhook_url, stack_env):
    def read() -> Counter:
        response = requests.get(f"{webhook_url}/metrics", timeout=10,
                                headers={"Authorization": f"Bearer {stack_env['METRICS_TOKEN']}"})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/plain")
        return samples(response.text)

    return read


def graph_stats(stack_env) -> dict:
    return requests.get(f"{stack_env['GRAPH_API_BASE']}/_control/stats", timeout=10).json()


def moved(before: Counter, after: Counter) -> dict:
    return {key: after[key] - before[key] for key in after.keys() | before.keys() if after[key] != before[key]}


def test_metrics_are_refused_without_the_token(webhook_url, stack_env):
    anonymous = requests.get(f"{webhook_url}/metrics", timeout=10)
    wrong = requests.get(f"{webhook_url}/metrics", headers={"Authorization": "Bearer not-the-token"}, timeout=10)
    cron = requests.get(f"{webhook_url}/metrics", headers={"Authorization": f"Bearer {stack_env['CRON_SECRET']}"},
                        timeout=10)

    for response in (anonymous, wrong, cron):
        assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
        assert "social_link" not in response.text


def test_a_sync_moves_the_counters_by_exactly_its_work(http_api, fake_graph, scrape, stack_env):
    user = fake_graph.create_user(pages=[{"instagram": {}}, {"instagram": None}])
    http_api.connect("facebook", user["access_token"])
    before, graph_before = scrape(), graph_stats(stack_env)
    sync = http_api.post(SYNC)
    after, graph_after = scrape(), graph_stats(stack_env)

    assert sync.status_code == 200 and sync.json()["status"] == "succeeded", sync.text
    envelopes = graph_after["http_requests"] - graph_before["http_requests"]
    items = graph_after["calls"] - graph_before["calls"]
    by_path = {path: graph_after["by_path"][path] - graph_before["by_path"].get(path, 0)
               for path in graph_after["by_path"] if graph_after["by_path"][path] != graph_before["by_path"].get(path, 0)}
    insights = sum(count for path, count in by_path.items() if path.endswith("/insights"))
    # The post step's listings (a Page's posts and reels, an Instagram account's media and stories).
    listings = sum(count for path, count in by_path.items()
                   if path.endswith(("/published_posts", "/video_reels", "/media", "/stories")))
    assert envelopes >= 1 and insights >= 3 and listings == 2 * 3 and items == sum(by_path.values())

    changes = moved(before, after)
    expected = {
        ("social_link_sync_accounts_total", (("outcome", "synced"), ("platform", "facebook"))): 2,
        ("social_link_sync_accounts_total", (("outcome", "synced"), ("platform", "instagram"))): 1,
        ("social_link_sync_runs_total", (("status", "succeeded"), ("trigger", "sync_now"))): 1,
        ("social_link_sync_run_duration_seconds_count", (("trigger", "sync_now"),)): 1,
        ("social_link_graph_requests_total", (("endpoint", "batch"), ("outcome", "ok"))): envelopes,
        ("social_link_graph_requests_total", (("endpoint", "insights"), ("outcome", "ok"))): insights,
        ("social_link_graph_requests_total", (("endpoint", "posts"), ("outcome", "ok"))): listings,
        ("social_link_graph_requests_total", (("endpoint", "node"), ("outcome", "ok"))): items - insights - listings,
        ("social_link_graph_batch_size_count", ()): envelopes,
        ("social_link_graph_batch_size_sum", ()): items,
    }
    assert {key: changes.get(key, 0) for key in expected} == expected
    counters = {key: value for key, value in changes.items() if key[0].endswith(("_total", "_count"))}
    assert counters == {key: value for key, value in expected.items() if key[0].endswith(("_total", "_count"))}
    # Duration: observed once, and its sum moved by a real, bounded amount.
    assert 0 < changes[("social_link_sync_run_duration_seconds_sum", (("trigger", "sync_now"),))] < 600


def test_gauges_from_the_database_count_accounts_by_status(api, fake_graph, db: Database, stack_env):
    # The collector the endpoint uses, uncached, against the stack's database.
    gauges = DatabaseGauges(Store(Config.from_env(stack_env)), ttl_seconds=0)
    before = collected(gauges)
    user = fake_graph.create_user(pages=[{"instagram": {}}])
    api.connect("facebook", user["access_token"])
    db.query("update public.social_media_accounts set status = 'needs_reauth' where account_id = %s",
             user["pages"][0]["instagram"]["id"])
    after = collected(gauges)

    assert after[("social_link_database_metrics_up", ())] == 1
    assert moved(before, after) == {
        ("social_link_accounts", (("platform", "facebook"), ("status", "connected"))): 1,
        ("social_link_accounts", (("platform", "instagram"), ("status", "needs_reauth"))): 1,
        # Connected this hour and never synced: this hour's work, for the Page (needs_reauth is not work).
        ("social_link_accounts_not_synced_this_hour", (("platform", "facebook"),)): 1,
    }
    assert ("social_link_accounts", (("platform", "instagram"), ("status", "expiring"))) in after
    assert {key for key in after if key[0] in ("social_link_accounts_held", "social_link_app_hold_remaining_seconds")} >= {
        ("social_link_accounts_held", (("status", "rate_limited"),)),
        ("social_link_accounts_held", (("status", "insufficient_page_role"),)),
        ("social_link_app_hold_remaining_seconds", ())}
    # The sync queues (pgmq) report depth, oldest age and dead letters.
    for queue in ("social_link_sync", "social_link_sync_low"):
        for name in ("social_link_queue_messages", "social_link_queue_oldest_message_age_seconds",
                     "social_link_queue_dead_letters"):
            assert (name, (("queue", queue),)) in after
    for platform in ("facebook", "instagram"):
        for kind in ("account_snapshot", "account_backfill", "posts", "token_refresh"):
            assert ("social_link_sync_accounts_dead_lettered", (("kind", kind), ("platform", platform))) in after


def test_dead_lettered_work_is_counted_by_platform_and_kind(api, fake_graph, admin_db: Database, stack_env):
    gauges = DatabaseGauges(Store(Config.from_env(stack_env)), ttl_seconds=0)
    user = fake_graph.create_user(pages=[{"instagram": {}}])
    api.connect("facebook", user["access_token"])
    page, instagram = (admin_db.query(
        "select id::text from public.social_media_accounts where account_id = %s", account_id)[0]["id"]
        for account_id in (user["pages"][0]["id"], user["pages"][0]["instagram"]["id"]))
    before = collected(gauges)
    # A token refresh naming the Instagram account and a posts message naming both, on the low queue,
    # dead-lettered as a worker does after the last delivery.
    for body in ({"kind": "token_refresh", "accounts": [instagram]},
                 {"kind": "posts", "run_id": "00000000-0000-0000-0000-000000000000", "accounts": [page, instagram]}):
        msg_id = admin_db.query("select pgmq.send(queue_name := 'social_link_sync_low', msg := %s::jsonb) as id",
                                json.dumps(body))[0]["id"]
        admin_db.query("select public.dead_letter_social_media_sync_message('social_link_sync_low', %s, 'test') "
                       "as done", msg_id)
    after = collected(gauges)

    assert {key: n for key, n in moved(before, after).items()
            if key[0] == "social_link_sync_accounts_dead_lettered"} == {
        ("social_link_sync_accounts_dead_lettered", (("kind", "token_refresh"), ("platform", "instagram"))): 1,
        ("social_link_sync_accounts_dead_lettered", (("kind", "posts"), ("platform", "facebook"))): 1,
        ("social_link_sync_accounts_dead_lettered", (("kind", "posts"), ("platform", "instagram"))): 1,
    }


def test_without_the_database_the_gauges_say_so_and_the_rest_is_served(stack_env):
    gauges = DatabaseGauges(Store(Config.from_env({**stack_env, "SUPABASE_URL": "http://127.0.0.1:9"})), ttl_seconds=0)

    assert collected(gauges) == Counter({("social_link_database_metrics_up", ()): 0})


def test_a_token_no_key_opens_counts_as_a_decrypt_failure(http_api, fake_graph, scrape, db: Database):
    user = fake_graph.create_user(pages=[{"instagram": None}])
    http_api.connect("facebook", user["access_token"])
    db.query("update private.social_media_tokens t set access_token = 'gAAAAAnot-a-ciphertext' "
               "from public.social_media_accounts a where a.id = t.account_id and a.account_id = %s",
               user["pages"][0]["id"])
    before = scrape()
    try:
        sync = http_api.post(SYNC)
        after = scrape()
    finally:
        # Leaves no unreadable token behind for the daily jobs other tests run.
        http_api.post("/api/v1/social-media/disconnect/facebook")

    assert [error["status"] for error in sync.json()["errors"]] == ["needs_reauth"]
    changes = moved(before, after)
    assert changes[("social_link_token_decrypt_failures_total", ())] == 1
    assert changes[("social_link_sync_accounts_total", (("outcome", "needs_reauth"), ("platform", "facebook")))] == 1
