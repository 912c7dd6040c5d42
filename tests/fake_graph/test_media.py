"""Posts, reels, Instagram media and stories in the fake: listings, fields, lifetime insights per
media product type, Meta's error for a metric that does not fit the type, stories that expire."""

from __future__ import annotations

from devstack.fake_graph import demo
from devstack.fake_graph.media import (
    INSTAGRAM_MEDIA_METRICS,
    INSTAGRAM_STORY,
    PAGE_POST_METRICS,
    STORY_SECONDS,
    lifetime_value,
)

from .conftest import NOW, error_of, graph_get

PAGE_TOKEN = demo.ALICE_PAGE_TOKEN
MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,media_url,thumbnail_url,timestamp"


def listing(client, path: str, **params) -> dict:
    response = graph_get(client, f"/v25.0/{path}", PAGE_TOKEN, **params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_page_published_posts_are_listed_newest_first_with_their_fields(client, world):
    body = listing(client, f"{demo.ALICE_PAGE_ID}/published_posts",
                   fields="id,message,created_time,permalink_url,full_picture", limit=2)
    posts = sorted((item for item in world.media.values() if item.kind == "page_post"
                    and item.owner_id == demo.ALICE_PAGE_ID), key=lambda item: -item.created_time)
    first = body["data"][0]
    assert [item["id"] for item in body["data"]] == [posts[0].id, posts[1].id]
    assert first["id"].startswith(f"{demo.ALICE_PAGE_ID}_")
    assert first["message"] == "Fresh sourdough out of the oven at 7."
    assert first["created_time"].endswith("+0000")
    assert first["permalink_url"] == f"https://www.facebook.com/{demo.ALICE_PAGE_ID}/posts/{first['id'].split('_')[1]}"
    assert "after=2" in body["paging"]["next"]
    rest = listing(client, f"{demo.ALICE_PAGE_ID}/posts", fields="id", limit=10, after="2")
    assert [item["id"] for item in rest["data"]] == [post.id for post in posts[2:]]
    assert "next" not in rest["paging"]


def test_instagram_media_lists_feed_and_reels_and_stories_only_live_ones(client, world):
    media = listing(client, f"{demo.ALICE_INSTAGRAM_ID}/media", fields=MEDIA_FIELDS)["data"]
    stories = listing(client, f"{demo.ALICE_INSTAGRAM_ID}/stories", fields=MEDIA_FIELDS)["data"]
    assert {(item["media_type"], item["media_product_type"]) for item in media} == {
        ("IMAGE", "FEED"), ("CAROUSEL_ALBUM", "FEED"), ("VIDEO", "REELS")}
    # Instagram gives a thumbnail for videos only.
    assert all(("thumbnail_url" in item) == (item["media_type"] == "VIDEO") for item in media)
    assert [item["media_product_type"] for item in stories] == ["STORY"]
    world.frozen_now = NOW + STORY_SECONDS
    assert listing(client, f"{demo.ALICE_INSTAGRAM_ID}/stories")["data"] == []


def test_post_insights_are_lifetime_values_with_reactions_by_type(client, world):
    post = next(item for item in world.media.values() if item.kind == "page_post")
    response = graph_get(client, f"/v25.0/{post.id}/insights", PAGE_TOKEN,
                         metric="post_media_view,post_reactions_by_type_total", period="lifetime")
    data = response.get_json()["data"]
    assert [(entry["name"], entry["period"]) for entry in data] == [
        ("post_media_view", "lifetime"), ("post_reactions_by_type_total", "lifetime")]
    assert data[0]["values"] == [{"value": lifetime_value(post, "post_media_view", NOW)}]
    reactions = data[1]["values"][0]["value"]
    assert isinstance(reactions, dict) and set(reactions) <= {"like", "love", "wow", "haha", "sorry", "anger"}
    assert set(PAGE_POST_METRICS) >= {"post_media_view", "post_total_media_view_unique", "post_clicks"}


def test_reel_insights_come_from_video_insights(client, world):
    reel = next(item for item in world.media.values() if item.kind == "page_reel")
    ok = graph_get(client, f"/v25.0/{reel.id}/video_insights", PAGE_TOKEN, metric="blue_reels_play_count")
    wrong_edge = graph_get(client, f"/v25.0/{reel.id}/insights", PAGE_TOKEN, metric="blue_reels_play_count")
    assert ok.get_json()["data"][0]["values"] == [{"value": lifetime_value(reel, "blue_reels_play_count", NOW)}]
    assert wrong_edge.status_code == 400 and error_of(wrong_edge)["code"] == 100


def test_a_metric_that_does_not_fit_the_media_product_type_fails_the_request_naming_it(client, world):
    image = next(item for item in world.media.values() if item.media_product_type == "FEED")
    reel = next(item for item in world.media.values() if item.kind == "instagram_media"
                and item.media_product_type == "REELS")
    rejected = graph_get(client, f"/v25.0/{image.id}/insights", PAGE_TOKEN, metric="views,ig_reels_avg_watch_time")
    accepted = graph_get(client, f"/v25.0/{reel.id}/insights", PAGE_TOKEN, metric="views,ig_reels_avg_watch_time")
    assert rejected.status_code == 400
    assert error_of(rejected) == {
        "message": "(#100) The Media Insights API does not support the ig_reels_avg_watch_time metric for this "
                   "media product type.", "type": "OAuthException", "code": 100}
    assert [entry["name"] for entry in accepted.get_json()["data"]] == ["views", "ig_reels_avg_watch_time"]
    assert "ig_reels_avg_watch_time" not in INSTAGRAM_MEDIA_METRICS["FEED"]


def test_an_expired_story_can_no_longer_be_read(client, world):
    story = next(item for item in world.media.values() if item.kind == INSTAGRAM_STORY)
    live = graph_get(client, f"/v25.0/{story.id}/insights", PAGE_TOKEN, metric="reach,replies")
    world.frozen_now = story.created_time + STORY_SECONDS
    gone = graph_get(client, f"/v25.0/{story.id}/insights", PAGE_TOKEN, metric="reach")
    assert live.status_code == 200
    assert gone.status_code == 400 and (error_of(gone)["code"], error_of(gone)["error_subcode"]) == (100, 33)


def test_lifetime_values_grow_over_the_first_three_days(world):
    post = next(item for item in world.media.values() if item.kind == "page_post")
    early = lifetime_value(post, "post_media_view", post.created_time)
    settled = lifetime_value(post, "post_media_view", post.created_time + 3 * 86400)
    assert early <= settled == lifetime_value(post, "post_media_view", post.created_time + 30 * 86400)


def test_control_api_adds_media_of_every_kind(client):
    response = client.post(f"/_control/accounts/{demo.ALICE_INSTAGRAM_ID}/media",
                           json=[{"kind": "story", "age_seconds": 60}, {"kind": "carousel"}])
    bad = client.post(f"/_control/accounts/{demo.ALICE_PAGE_ID}/media", json={"kind": "story"})
    assert response.status_code == 201
    assert [(item["kind"], item["media_product_type"]) for item in response.get_json()["media"]] == [
        ("instagram_story", "STORY"), ("instagram_media", "FEED")]
    assert bad.status_code == 400 and "kind must be one of post, reel" in bad.get_json()["error"]
