"""The sync against the fake Graph API: the rows it writes, their keys, windows and values; a
re-run changes nothing; deltas against the previous hour, counted once even when runs overlap; a
metric without data stays absent; and the read API over the result."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from devstack.fake_graph import metric_value
from devstack.fake_graph.metrics import split_breakdown
from webhook_service.catalog import FACEBOOK, INSTAGRAM, Request
from webhook_service.sync_fetch import meta_days

from .conftest import SYNC

ROW_KEY = ("user_id", "platform", "account_id", "period", "window_start")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def keyed(rows: list[dict]) -> dict[tuple, dict]:
    return {tuple(row[key] for key in ROW_KEY): row for row in rows}


def facebook_day(page: dict, day) -> dict[str, int]:
    """What the fake reports for a Page on one Meta day (its metric formula)."""
    return {name: metric_value(page["id"], name, day.until) for name in FACEBOOK.meta_names(Request.SERIES)}


def instagram_day(account: dict, day) -> dict[str, int]:
    """Follows and unfollows are the FOLLOWER and NON_FOLLOWER parts of `follows_and_unfollows`
    (asked with breakdown=follow_type); `profile_links_taps` is the sum of its per-button parts."""
    values = {name: metric_value(account["id"], name, day.until)
              for name in (*INSTAGRAM.meta_names(Request.SERIES), *INSTAGRAM.meta_names(Request.TOTAL_VALUE),
                           "profile_links_taps")}
    follows, unfollows = split_breakdown(metric_value(account["id"], "follows_and_unfollows", day.until), 2)
    return {**values, "follows": follows, "unfollows": unfollows}


def same_meta_day(hour: datetime) -> bool:
    return meta_days(hour, 1)[0].day == meta_days(hour - timedelta(hours=1), 1)[0].day


def test_first_sync_writes_an_hour_row_and_30_day_rows_per_account(service, db, connected):
    sub, facebook_user = connected()
    page, instagram = facebook_user["pages"][0], facebook_user["pages"][0]["instagram"]

    body = service.synced(sub)

    assert body["success"] is True and body["status"] == "succeeded"
    assert body["synced"] == {"facebook": 1, "instagram": 1}
    assert body["failed"] == {"facebook": 0, "instagram": 0}
    window = body["window"]
    start, end = datetime.fromisoformat(window["window_start"]), datetime.fromisoformat(window["window_end"])
    assert (window["period"], start.minute, start.second, end - start) == ("hour", 0, 0, timedelta(hours=1))

    days = meta_days(start, 30)
    hour_rows = db.insights(sub, "hour")
    assert list(keyed(hour_rows)) == [(sub, "facebook", page["id"], "hour", start),
                                      (sub, "instagram", instagram["id"], "hour", start)]
    assert all(row["window_end"] == end for row in hour_rows)
    # The hour row is a snapshot: the account's counters and today's values so far.
    assert hour_rows[0]["metrics"] == {"followers_count": page["followers_count"], "fan_count": page["fan_count"],
                                       **facebook_day(page, days[-1])}
    assert hour_rows[1]["metrics"] == {"followers_count": instagram["followers_count"],
                                       "media_count": instagram["media_count"], **instagram_day(instagram, days[-1])}

    # A first sync backfills 30 days: one row per Meta day, keyed by its date at 00:00 UTC.
    day_rows = db.insights(sub, "day")
    facebook_days = [row for row in day_rows if row["platform"] == "facebook"]
    assert [row["window_start"] for row in facebook_days] == [
        datetime(day.day.year, day.day.month, day.day.day, tzinfo=UTC) for day in days]
    assert all(row["window_end"] - row["window_start"] == timedelta(days=1) for row in day_rows)
    assert [row["metrics"] for row in facebook_days] == [facebook_day(page, day) for day in days]
    assert [row["metrics"] for row in day_rows if row["platform"] == "instagram"] == [
        instagram_day(instagram, day) for day in days]
    assert all(account["last_synced_at"] is not None and account["status"] == "connected"
               for account in db.accounts_by_id(sub).values())


def test_follows_and_unfollows_are_stored_from_the_follow_type_breakdown_asked_alone(service, db, connected,
                                                                                     fake_graph):
    sub, facebook_user = connected()
    instagram = facebook_user["pages"][0]["instagram"]

    body = service.synced(sub)

    assert body["status"] == "succeeded"
    asked = [call["params"] for call in fake_graph.request_log()
             if call["path"] == f"/{instagram['id']}/insights" and "follows_and_unfollows" in call["params"]["metric"]]
    assert len(asked) == 30  # one per backfilled day
    assert all((params["metric"], params["breakdown"], params["metric_type"])
               == ("follows_and_unfollows", "follow_type", "total_value") for params in asked)
    days = meta_days(datetime.fromisoformat(body["window"]["window_start"]), 30)
    stored = {row["window_start"].date(): row["metrics"] for row in db.insights(sub, "day")
              if row["platform"] == "instagram"}
    for day in days:
        follows, unfollows = split_breakdown(metric_value(instagram["id"], "follows_and_unfollows", day.until), 2)
        assert (stored[day.day]["follows"], stored[day.day]["unfollows"]) == (follows, unfollows)
        assert "follows_and_unfollows" not in stored[day.day]


def test_rerunning_the_same_hour_changes_nothing_but_updated_at(service, db, connected, within_one_hour):
    sub, _ = connected()
    service.synced(sub)

    def rerun(hour):
        before = keyed(db.insights(sub))
        return before, service.synced(sub), keyed(db.insights(sub))

    before, second, after = within_one_hour(rerun)

    assert after.keys() == before.keys()
    stable = ("id", "metrics", "derived", "window_end", "created_at")
    assert {key: [row[name] for name in stable] for key, row in after.items()} == \
           {key: [row[name] for name in stable] for key, row in before.items()}
    # The re-run rewrote the hour and the last 3 days (Meta revises them), nothing older.
    rewritten = sorted(key[3] for key, row in after.items() if row["updated_at"] > before[key]["updated_at"])
    assert rewritten == ["day"] * 6 + ["hour"] * 2
    assert {(row["status"], row["hour_rows"], row["day_rows"]) for row in db.outcomes(second["run_id"]).values()} \
        == {("synced", 1, 3)}


def test_the_hour_row_gets_deltas_against_the_previous_hour_counted_once_when_runs_overlap(service, db, connected,
                                                                                         within_one_hour):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]

    def sync_twice_at_once(hour):
        today = facebook_day(page, meta_days(hour, 1)[0])
        previous = {"followers_count": page["followers_count"] - 7, "page_media_view": today["page_media_view"] - 5}
        db.add_hour_row(sub, "facebook", page["id"], hour - timedelta(hours=1), previous)
        # Cron and Sync Now for the same hour at once.
        with ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(service.synced, sub),
                    pool.submit(service.as_user, sub, "POST", "/api/v1/social-media/insights/sync")]
        assert runs[1].result().status_code == 200
        return hour, today, runs[0].result()

    hour, today, _ = within_one_hour(sync_twice_at_once)

    rows = [row for row in db.insights(sub, "hour") if row["platform"] == "facebook" and row["window_start"] == hour]
    assert len(rows) == 1
    derived = rows[0]["derived"]
    assert derived["followers_count_delta"] == 7
    # Day-to-date metrics restart with Meta's day (midnight Pacific).
    assert derived["page_media_view_delta"] == (5 if same_meta_day(hour) else today["page_media_view"])
    assert "fan_count_delta" not in derived  # the previous hour had no fan_count
    assert derived["engagement_rate"] == round(today["page_post_engagements"] / today["page_total_media_view_unique"], 4)


def test_a_metric_without_data_is_absent_never_zero(service, db, connected, fake_graph):
    sub, facebook_user = connected()
    page, instagram = facebook_user["pages"][0], facebook_user["pages"][0]["instagram"]
    fake_graph.post("metrics/no-data", {"account_id": page["id"], "metric": "page_views_total"})
    fake_graph.post("metrics/no-data", {"account_id": instagram["id"], "metric": "views"})

    body = service.synced(sub)

    assert body["status"] == "succeeded"
    rows = db.insights(sub)
    assert rows and all("page_views_total" not in row["metrics"] and "views" not in row["metrics"] for row in rows)
    assert all("page_media_view" in row["metrics"] for row in rows if row["platform"] == "facebook")


def test_hours_24_returns_the_last_24_hourly_rows_and_aggregates_by_kind(service, db, connected, within_one_hour,
                                                                         stack_env, user_jwt):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]

    def sync_and_read(hour):
        for hours_ago in range(1, 31):
            db.add_hour_row(sub, "facebook", page["id"], hour - timedelta(hours=hours_ago),
                            {"page_media_view": 10 * hours_ago, "followers_count": 1000 - hours_ago})
        service.synced(sub)
        return hour, service.read(sub, platform="facebook", period="hour", hours=24)

    hour, response = within_one_hour(sync_and_read)

    assert response.status_code == 200, response.text
    body = response.json()
    current = next(row for row in db.insights(sub, "hour") if row["window_start"] == hour and row["platform"] == "facebook")
    assert (body["platform"], body["period"]) == ("facebook", "hour")
    assert [entry["window_start"] for entry in body["series"]] == [iso(hour - timedelta(hours=h)) for h in range(23, -1, -1)]
    assert body["series"][-1]["metrics"] == current["metrics"]
    aggregates = body["aggregates"]
    # Additive: the sum of the hourly deltas; only the synced row has derived values.
    assert aggregates["sum_page_media_view"] == current["derived"]["page_media_view_delta"]
    assert aggregates["last_hour_page_media_view"] == current["derived"]["page_media_view_delta"]
    # Level: the last value and its change since the window's first row (23 hours before).
    assert aggregates["last_followers_count"] == page["followers_count"]
    assert aggregates["change_followers_count"] == page["followers_count"] - (1000 - 23)
    assert "sum_followers_count" not in aggregates and "sum_page_total_media_view_unique" not in aggregates
    assert body["kinds"]["followers_count"] == "level" and body["kinds"]["page_media_view"] == "additive"
    assert body["freshness"][0]["account_id"] == page["id"]

    # The same function, called by a frontend through the REST layer with the user's JWT.
    direct = requests.post(f"{stack_env['SUPABASE_URL']}/rest/v1/rpc/get_social_media_insights",
                           json={"platform": "facebook", "period": "hour", "hours": 24},
                           headers={"Authorization": f"Bearer {user_jwt(sub)}",
                                    "apikey": stack_env["SUPABASE_ANON_KEY"]}, timeout=10)
    assert direct.status_code == 200 and direct.json() == body


def test_a_first_sync_is_saved_in_batches_of_at_most_rows_per_save_rows(service_with, service, connected, db):
    client = service_with(INSIGHTS_ROWS_PER_SAVE="100")
    sub, facebook_user = connected(pages=3)

    response = client.post(SYNC, query_string={"user_id": sub}, headers={"Authorization": f"Bearer {service.cron_secret}"})

    assert response.status_code == 200 and response.json["synced"] == {"facebook": 3, "instagram": 3}
    # 6 accounts x (1 hour + 30 days) = 186 rows, saved three accounts (93 rows) per call.
    outcomes = db.outcomes(response.json["run_id"])
    assert {(row["hour_rows"], row["day_rows"]) for row in outcomes.values()} == {(1, 30)}
    assert len(db.insights(sub)) == 6 * 31
