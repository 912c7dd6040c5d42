"""Posts, reels and stories: what the sync stores for both platforms, per media type, how often it
refreshes them, and who may read them (REST, RPC, service)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import requests

from devstack.fake_graph.media import INSTAGRAM_MEDIA, PAGE_POST, PAGE_REEL, Media, lifetime_value
from webhook_service.post_metrics import DEFAULT_POST_METRICS

from .conftest import SYNC

HOUR, DAY = 3600, 86400
POSTS = "/api/v1/social-media/posts"


def add_media(fake_graph, account_id: str, *specs: dict) -> list[dict]:
    return fake_graph.post(f"accounts/{account_id}/media", list(specs))["media"]


def settled(media: dict, kind: str, metric: str) -> int | dict:
    """The fake's value of a metric once the post is past its first three days."""
    item = Media(media["id"], kind, "", media["created_time"], media_product_type=media["media_product_type"])
    return lifetime_value(item, metric, media["created_time"] + 10 * DAY)


def stored_posts(db, sub: str) -> dict[str, dict]:
    return {row["post_id"]: row for row in db.query(
        "select * from public.social_media_posts where user_id = %s", sub)}


def insights_calls(fake_graph) -> list[str]:
    """Paths of the insights calls the fake received since its stats were last reset."""
    return [call["path"] for call in fake_graph.request_log()
            if call["path"].endswith(("/insights", "/video_insights"))]


def an_hour_later(db, sub: str) -> None:
    """What an hour's passing means to the schedule: every post of `sub` is due an hour earlier."""
    db.query("update public.social_media_posts set next_refresh_at = next_refresh_at - interval '1 hour' "
             "where user_id = %s", sub)


def test_sync_stores_posts_and_their_metrics_for_both_platforms(service, db, connected, fake_graph):
    sub, facebook_user = connected()
    page, instagram = facebook_user["pages"][0], facebook_user["pages"][0]["instagram"]
    post, reel = add_media(fake_graph, page["id"], {"kind": "post", "age_seconds": 4 * DAY, "caption": "Bread"},
                           {"kind": "reel", "age_seconds": 5 * DAY, "caption": "Croissants"})
    image, carousel, ig_reel, story = add_media(
        fake_graph, instagram["id"], {"kind": "image", "age_seconds": 4 * DAY, "caption": "Morning bake"},
        {"kind": "carousel", "age_seconds": 6 * DAY}, {"kind": "reel", "age_seconds": 7 * DAY},
        {"kind": "story", "age_seconds": 2 * HOUR, "caption": "Special"})

    body = service.synced(sub)

    assert body["status"] == "succeeded", body
    posts = stored_posts(db, sub)
    assert set(posts) == {post["id"], reel["id"], image["id"], carousel["id"], ig_reel["id"], story["id"]}
    assert {post_id: (row["platform"], row["media_type"], row["media_product_type"]) for post_id, row in posts.items()} == {
        post["id"]: ("facebook", None, "POST"), reel["id"]: ("facebook", "VIDEO", "REELS"),
        image["id"]: ("instagram", "IMAGE", "FEED"), carousel["id"]: ("instagram", "CAROUSEL_ALBUM", "FEED"),
        ig_reel["id"]: ("instagram", "VIDEO", "REELS"), story["id"]: ("instagram", "IMAGE", "STORY")}
    page_post = posts[post["id"]]
    assert page_post["caption_excerpt"] == "Bread" and page_post["account_id"] == page["id"]
    assert page_post["permalink"] == f"https://www.facebook.com/{page['id']}/posts/{post['id'].split('_')[1]}"
    assert int(page_post["published_at"].timestamp()) == post["created_time"]
    reactions = settled(post, PAGE_POST, "post_reactions_by_type_total")
    assert page_post["metrics"] == {
        "post_media_view": settled(post, PAGE_POST, "post_media_view"),
        "post_total_media_view_unique": settled(post, PAGE_POST, "post_total_media_view_unique"),
        "post_clicks": settled(post, PAGE_POST, "post_clicks"),
        "post_reactions_by_type_total": sum(reactions.values()),
        **{f"post_reactions_by_type_total.{kind}": count for kind, count in reactions.items()}}
    assert posts[reel["id"]]["metrics"]["blue_reels_play_count"] == settled(reel, PAGE_REEL, "blue_reels_play_count")
    assert posts[image["id"]]["metrics"] == {name: settled(image, INSTAGRAM_MEDIA, name)
                                            for name in DEFAULT_POST_METRICS["instagram", "FEED"]}
    assert set(posts[ig_reel["id"]]["metrics"]) == set(DEFAULT_POST_METRICS["instagram", "REELS"])
    assert set(posts[story["id"]]["metrics"]) == set(DEFAULT_POST_METRICS["instagram", "STORY"])
    # One snapshot row per post for today, holding the same values.
    snapshots = db.query("select p.post_id, s.metrics, s.snapshot_date, s.fetched_at from public.social_media_post_insights s "
                         "join public.social_media_posts p on p.id = s.social_media_post_id where p.user_id = %s", sub)
    assert {row["post_id"]: row["metrics"] for row in snapshots} == {
        post_id: row["metrics"] for post_id, row in posts.items()}
    assert {row["snapshot_date"] for row in snapshots} == {snapshots[0]["fetched_at"].date()}


def posts_messages(db, run_id: str) -> list[dict]:
    return [row["message"] for row in db.query(
        "select message from pgmq.q_social_link_sync_low where message ->> 'kind' = 'posts' "
        "and message ->> 'run_id' = %s", run_id)]


def test_post_work_goes_through_the_low_priority_queue_after_the_snapshots(service_with, db, connected, fake_graph):
    sub, facebook_user = connected(instagram=False)
    page = facebook_user["pages"][0]
    (post,) = add_media(fake_graph, page["id"], {"kind": "post", "age_seconds": 4 * DAY})
    services = service_with().application.extensions["social_link"]
    run_id = services.sync.start_user_run(trigger="sync_now", user_id=sub, requested_by=None)["id"]
    row_id = str(db.accounts_by_id(sub)[page["id"]]["id"])

    # The account's message (a first sync: a backfill) is worked alone; other tests' leftovers are worked too.
    while True:
        message = services.sync.store.claim(600, 5)
        assert message is not None, "the run's account message was queued"
        services.worker.work(message)
        if message.body.get("run_id") == run_id:
            break
    assert message.kind == "account_backfill"

    assert db.outcomes(run_id)[page["id"]]["status"] == "synced"
    assert posts_messages(db, run_id) == [{"kind": "posts", "run_id": run_id, "accounts": [row_id], "first_sync": True}]
    assert stored_posts(db, sub) == {}
    services.worker.drain()
    assert posts_messages(db, run_id) == []
    assert stored_posts(db, sub)[post["id"]]["metrics"]["post_media_view"] == settled(post, PAGE_POST, "post_media_view")
    run = db.query("select * from public.social_media_sync_runs where id = %s", run_id)[0]
    assert (run["status"], run["accounts_done"], run["accounts_failed"]) == ("succeeded", 1, 0)


def test_reel_only_metric_requested_for_a_feed_image_is_dropped_for_images_only(
        service_with, db, connected, fake_graph, stack_env):
    sub, facebook_user = connected()
    instagram = facebook_user["pages"][0]["instagram"]
    image, ig_reel = add_media(fake_graph, instagram["id"], {"kind": "image", "age_seconds": 4 * DAY},
                               {"kind": "reel", "age_seconds": 4 * DAY})
    client = service_with(POSTS_INSTAGRAM_FEED_METRICS="views,reach,ig_reels_avg_watch_time",
                          POSTS_INSTAGRAM_REELS_METRICS="views,ig_reels_avg_watch_time")

    response = client.post(SYNC, query_string={"user_id": sub},
                           headers={"Authorization": f"Bearer {stack_env['CRON_SECRET']}"})

    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "partial", body
    assert body["dropped_metrics"] == {"instagram": ["instagram/FEED:ig_reels_avg_watch_time"]}
    outcome = db.outcomes(body["run_id"])[instagram["id"]]
    assert (outcome["status"], outcome["dropped_metrics"]) == ("partial", ["instagram/FEED:ig_reels_avg_watch_time"])
    posts = stored_posts(db, sub)
    assert posts[image["id"]]["metrics"] == {"views": settled(image, INSTAGRAM_MEDIA, "views"),
                                            "reach": settled(image, INSTAGRAM_MEDIA, "reach")}
    assert posts[ig_reel["id"]]["metrics"] == {
        "views": settled(ig_reel, INSTAGRAM_MEDIA, "views"),
        "ig_reels_avg_watch_time": settled(ig_reel, INSTAGRAM_MEDIA, "ig_reels_avg_watch_time")}


def test_story_insights_are_captured_before_the_story_expires(service, db, connected, fake_graph):
    sub, facebook_user = connected()
    instagram = facebook_user["pages"][0]["instagram"]
    (story,) = add_media(fake_graph, instagram["id"], {"kind": "story", "age_seconds": 23 * HOUR + 50 * 60})

    service.synced(sub)
    captured = stored_posts(db, sub)[story["id"]]
    # The next hourly read comes after the story expired: Meta no longer lists or answers for it.
    fake_graph.post("clock", {"now": int(time.time()) + HOUR})
    try:
        db.query("update public.social_media_posts set next_refresh_at = now() where user_id = %s", sub)
        service.synced(sub)
    finally:
        fake_graph.post("clock", {"now": None})

    assert set(captured["metrics"]) == set(DEFAULT_POST_METRICS["instagram", "STORY"])
    assert captured["metrics_fetched_at"] < captured["expires_at"]
    after = stored_posts(db, sub)[story["id"]]
    assert after["last_seen_at"] == captured["last_seen_at"]  # no longer listed
    assert (after["metrics"], after["metrics_fetched_at"]) == (captured["metrics"], captured["metrics_fetched_at"])


def test_an_old_post_is_not_refreshed_hourly(service, db, connected, fake_graph):
    sub, facebook_user = connected(instagram=False)
    page = facebook_user["pages"][0]
    young, old, ancient = add_media(fake_graph, page["id"], {"kind": "post", "age_seconds": 3 * HOUR},
                                    {"kind": "post", "age_seconds": 10 * DAY},
                                    {"kind": "post", "age_seconds": 40 * DAY})
    service.synced(sub)
    first = stored_posts(db, sub)
    an_hour_later(db, sub)
    fake_graph.post("stats/reset", {})

    service.synced(sub)

    calls = insights_calls(fake_graph)
    assert f"/{young['id']}/insights" in calls
    assert f"/{old['id']}/insights" not in calls and f"/{ancient['id']}/insights" not in calls
    # Hourly while young, daily up to 30 days, weekly up to 90.
    fetched = {post_id: row["metrics_fetched_at"].replace(minute=0, second=0, microsecond=0)
               for post_id, row in first.items()}
    assert (first[old["id"]]["next_refresh_at"] - fetched[old["id"]]).days == 1
    assert (first[ancient["id"]]["next_refresh_at"] - fetched[ancient["id"]]).days == 7
    assert stored_posts(db, sub)[young["id"]]["metrics_fetched_at"] > first[young["id"]]["metrics_fetched_at"]


def test_rerunning_the_sync_adds_no_duplicate_rows(service, db, connected, fake_graph):
    sub, facebook_user = connected()
    page, instagram = facebook_user["pages"][0], facebook_user["pages"][0]["instagram"]
    add_media(fake_graph, page["id"], {"kind": "post", "age_seconds": HOUR}, {"kind": "reel", "age_seconds": 3 * DAY})
    add_media(fake_graph, instagram["id"], {"kind": "image", "age_seconds": HOUR}, {"kind": "story", "age_seconds": HOUR})

    def counts() -> tuple[int, int]:
        row = db.query("select (select count(*) from public.social_media_posts where user_id = %s) as posts, "
                       "(select count(*) from public.social_media_post_insights where user_id = %s) as snapshots",
                       sub, sub)[0]
        return row["posts"], row["snapshots"]

    service.synced(sub)
    after_first = counts()
    service.synced(sub)
    an_hour_later(db, sub)
    service.synced(sub)

    assert after_first == (4, 4)
    assert counts() == after_first


def test_user_b_never_sees_user_a_posts(service, db, connected, fake_graph, stack_env, user_jwt, new_sub):
    sub_a, facebook_user = connected(instagram=False)
    page = facebook_user["pages"][0]
    add_media(fake_graph, page["id"], {"kind": "post", "age_seconds": 2 * DAY})
    service.synced(sub_a)
    sub_b = new_sub()
    rest = f"{stack_env['SUPABASE_URL']}/rest/v1"

    def rest_get(sub: str, path: str, **kwargs) -> requests.Response:
        headers = {"apikey": stack_env["SUPABASE_ANON_KEY"], "Authorization": f"Bearer {user_jwt(sub)}"}
        return requests.request(kwargs.pop("method", "GET"), f"{rest}/{path}", headers=headers, timeout=10, **kwargs)

    for table in ("social_media_posts", "social_media_post_insights"):
        assert len(rest_get(sub_a, table).json()) == 1
        assert rest_get(sub_b, table).json() == []
    rpc = rest_get(sub_b, "rpc/get_social_media_posts", method="POST", json={"account_id": page["id"]})
    assert (rpc.status_code, rpc.json()["total"], rpc.json()["posts"]) == (200, 0, [])
    for sub, expected in ((sub_a, 1), (sub_b, 0)):
        response = service.as_user(sub, "GET", POSTS, params={"account_id": page["id"]})
        assert response.status_code == 200 and len(response.json()["posts"]) == expected


def test_posts_api_ranks_by_any_metric_over_a_range_in_pages(service, connected, fake_graph):
    sub, facebook_user = connected(instagram=False)
    page = facebook_user["pages"][0]
    *recent, older = add_media(fake_graph, page["id"], *({"kind": "post", "age_seconds": (4 + index) * DAY}
                                                         for index in range(5)),
                               {"kind": "post", "age_seconds": 50 * DAY})
    service.synced(sub)
    views = {item["id"]: settled(item, PAGE_POST, "post_media_view") for item in (*recent, older)}
    ranked = sorted((item["id"] for item in recent), key=lambda post_id: -views[post_id])

    since_60_days = (datetime.now(UTC) - timedelta(days=60)).date().isoformat()
    first = service.as_user(sub, "GET", POSTS, params={"account_id": page["id"], "sort": "post_media_view",
                                                       "page_size": 2})
    second = service.as_user(sub, "GET", POSTS, params={"account_id": page["id"], "sort": "post_media_view",
                                                        "page_size": 2, "page": 2})
    everything = service.as_user(sub, "GET", POSTS, params={"account_id": page["id"], "since": since_60_days,
                                                            "sort": "post_media_view", "direction": "asc"})

    assert first.status_code == 200
    assert first.json()["total"] == 5  # the default range is the last 30 days
    assert [post["post_id"] for post in first.json()["posts"]] == ranked[:2]
    assert [post["post_id"] for post in second.json()["posts"]] == ranked[2:4]
    assert first.json()["posts"][0]["metrics"]["post_media_view"] == views[ranked[0]]
    assert everything.json()["total"] == 6
    assert [post["post_id"] for post in everything.json()["posts"]] == sorted(views, key=lambda post_id: views[post_id])


def test_posts_api_answers_400_with_a_clear_error_for_bad_parameters(service, new_sub):
    sub = new_sub()
    cases = {
        (): "account_id is required",
        (("account_id", "1"), ("sort", "Views;drop")): "sort must be",
        (("account_id", "1"), ("direction", "up")): "direction must be",
        (("account_id", "1"), ("page_size", "0")): "page_size must be an integer from 1 to 100",
        (("account_id", "1"), ("page", "x")): "page must be an integer",
        (("account_id", "1"), ("since", "yesterday")): "since must be a date",
        (("account_id", "1"), ("since", "0001-01-01T00:00:00+01:00")): "since must be a date",
        (("account_id", "1"), ("since", "2026-02-01"), ("until", "2026-01-01")): "since must be earlier than until",
        (("account_id", "1"), ("since", "2020-01-01"), ("until", "2026-01-01")): "at most 2 years apart",
        (("account_id", "1"), ("limit", "5")): "Unknown parameter(s): limit",
    }
    for params, message in cases.items():
        response = service.as_user(sub, "GET", POSTS, params=dict(params))
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"] == "invalid_parameter"
        assert message in response.json()["message"], (params, response.json())


def test_posts_api_takes_any_offset_python_and_iso_8601_allow(service, new_sub):
    # -23:23 is a valid ISO 8601 offset that Postgres refuses (its limit is ±15:59): read in UTC.
    response = service.as_user(new_sub(), "GET", POSTS, params={
        "account_id": "1", "since": "1200-10-01T00:00:00Z", "until": "1200-10-02T23:11:42.8-23:23"})
    assert response.status_code == 200, response.text
    assert response.json()["posts"] == []
