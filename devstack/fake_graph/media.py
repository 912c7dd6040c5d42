"""Content: a Page's posts and reels, an Instagram account's media and stories, and their insights.

Each behaviour follows Meta's reference:
- `GET /{page-id}/published_posts` (also `/posts`): the Page's own posts, newest first, fields `id`
  (`{page-id}_{post-id}`), `message`, `created_time`, `permalink_url`, `full_picture`.
  https://developers.facebook.com/docs/graph-api/reference/page/feed ("/published_posts: Shows only
  the posts that were published by this Page").
- `GET /{post-id}/insights?metric=...`: lifetime post metrics (`period=lifetime`, one value without
  `end_time`); `post_reactions_by_type_total` answers an object of counts per reaction.
  https://developers.facebook.com/docs/graph-api/reference/v2.7/insights (Page Post metrics);
  `post_media_view` and `post_total_media_view_unique` replaced `post_impressions(_unique)`
  (Pages changelog, Nov 15 2025 and Jun 15 2026).
- `GET /{page-id}/video_reels`: the Page's reels (video ids), fields `id`, `description`,
  `created_time`, `permalink_url`, `picture`.
  https://developers.facebook.com/docs/video-api/guides/reels-publishing
- `GET /{video-id}/video_insights?metric=...`: lifetime reel metrics such as `blue_reels_play_count`,
  `post_video_avg_time_watched`, `post_video_view_time`, `post_video_social_actions`.
  https://developers.facebook.com/docs/graph-api/reference/video/video_insights and
  https://developers.facebook.com/blog/post/2022/12/15/introducing-reels-metrics-api/
- `GET /{ig-user-id}/media`: feed images, carousels and reels, newest first, fields `id`, `caption`,
  `media_type` (IMAGE, VIDEO, CAROUSEL_ALBUM), `media_product_type` (FEED, REELS), `permalink`,
  `media_url`, `thumbnail_url` (videos only), `timestamp`.
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
- `GET /{ig-user-id}/stories`: stories (`media_product_type` STORY) of the last 24 hours only ("Stories
  are only available for 24 hours").
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/stories
- `GET /{ig-media-id}/insights?metric=...`: lifetime metrics whose validity depends on the media
  product type; asking one that does not fit fails the whole request with "(#100) The Media
  Insights API does not support the <metrics> metric for this media product type." (the message
  Meta sends, quoted in airbytehq/airbyte PR #62902). Story insights are "only available for 24
  hours"; an expired story is no longer readable. Album children have no insights.
  https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights

Values are deterministic (sha256 of id and metric, like `metrics.metric_value`) and grow with the
post's age over its first three days, so a later refresh reads a larger lifetime value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from . import errors
from .errors import GraphError
from .fields import Field

STORY_SECONDS = 24 * 3600
GROWTH_SECONDS = 72 * 3600
LISTING_LIMIT = 25
MAX_LISTING_LIMIT = 100

PAGE_POST, PAGE_REEL, INSTAGRAM_MEDIA, INSTAGRAM_STORY = "page_post", "page_reel", "instagram_media", "instagram_story"

# Lifetime metrics and their scale, per kind of content (Instagram: per media product type).
PAGE_POST_METRICS = {"post_media_view": 4000, "post_total_media_view_unique": 2500, "post_clicks": 300,
                     "post_reactions_by_type_total": 200}
PAGE_REEL_METRICS = {"blue_reels_play_count": 9000, "fb_reels_total_plays": 11000, "post_video_avg_time_watched": 20000,
                     "post_video_view_time": 900000, "post_video_social_actions": 300,
                     "post_video_likes_by_reaction_type": 250}
_INSTAGRAM_COMMON = {"views": 8000, "reach": 3000, "shares": 40, "total_interactions": 600}
INSTAGRAM_MEDIA_METRICS = {
    "FEED": {**_INSTAGRAM_COMMON, "likes": 400, "comments": 60, "saved": 50, "profile_visits": 80, "follows": 15},
    "REELS": {**_INSTAGRAM_COMMON, "likes": 500, "comments": 70, "saved": 60,
              "ig_reels_avg_watch_time": 15000, "ig_reels_video_view_total_time": 5000000},
    "STORY": {**_INSTAGRAM_COMMON, "replies": 20, "follows": 10, "profile_visits": 40},
}
REACTION_TYPES = ("like", "love", "wow", "haha", "sorry", "anger")
OBJECT_METRICS = {"post_reactions_by_type_total", "post_video_likes_by_reaction_type"}


@dataclass(slots=True)
class Media:
    id: str
    kind: str
    owner_id: str                 # the Page or Instagram account
    created_time: int
    caption: str = ""
    media_type: str = "IMAGE"     # Instagram: IMAGE, VIDEO, CAROUSEL_ALBUM
    media_product_type: str = "FEED"

    def expired(self, now: int) -> bool:
        return self.kind == INSTAGRAM_STORY and now - self.created_time >= STORY_SECONDS


# --- listings ------------------------------------------------------------------------------------
def listing(items: list[Media], params: dict[str, str], render, next_link) -> dict:
    """A page of `items` (newest first) with Meta's cursor paging; `since`/`until` (unix) filter
    by creation time, as time-based paging does."""
    raw_limit = params.get("limit") or str(LISTING_LIMIT)
    if not raw_limit.isdigit() or int(raw_limit) == 0:
        raise errors.invalid_parameter("limit must be a positive integer")
    limit = min(int(raw_limit), MAX_LISTING_LIMIT)
    since, until = _unix(params.get("since")), _unix(params.get("until"))
    chosen = [item for item in sorted(items, key=lambda item: (-item.created_time, item.id))
              if (since is None or item.created_time >= since) and (until is None or item.created_time <= until)]
    start = int(params["after"]) if params.get("after", "").isdigit() else 0
    chunk = chosen[start:start + limit]
    body: dict = {"data": [render(item) for item in chunk]}
    if chunk:
        body["paging"] = {"cursors": {"before": str(start), "after": str(start + len(chunk))}}
        if start + limit < len(chosen):
            body["paging"]["next"] = next_link(str(start + len(chunk)))
    return body


def render(item: Media, fields: tuple[Field, ...], origin: str) -> dict:
    allowed = _FIELDS[item.kind]
    out: dict = {}
    for field in fields:
        if field.name not in allowed:
            raise errors.nonexisting_field(field.name, _NODE_TYPES[item.kind])
        value = _field_value(item, field.name, origin)
        if value is not None:
            out[field.name] = value
    return out


def default_fields(item_kind: str) -> tuple[Field, ...]:
    return (Field("id"),) if item_kind in (INSTAGRAM_MEDIA, INSTAGRAM_STORY) else (
        Field("created_time"), Field("message" if item_kind == PAGE_POST else "description"), Field("id"))


def _field_value(item: Media, name: str, origin: str):
    picture = f"{origin}/_assets/media/{item.id}.svg"
    match name:
        case "id":
            return item.id
        case "message" | "caption" | "description":
            return item.caption
        case "created_time":
            return _fb_time(item.created_time)
        case "timestamp":
            return _fb_time(item.created_time)
        case "permalink_url" | "permalink":
            return _permalink(item)
        case "thumbnail_url":
            # Instagram gives a thumbnail for videos only; images have just media_url.
            return picture if item.media_type == "VIDEO" else None
        case "full_picture" | "picture":
            return picture
        case "media_url":
            return picture
        case "media_type":
            return item.media_type
        case "media_product_type":
            return item.media_product_type
    raise AssertionError(name)


_FIELDS = {
    PAGE_POST: {"id", "message", "created_time", "permalink_url", "full_picture"},
    PAGE_REEL: {"id", "description", "created_time", "permalink_url", "picture"},
    INSTAGRAM_MEDIA: {"id", "caption", "media_type", "media_product_type", "permalink", "media_url",
                      "thumbnail_url", "timestamp"},
    INSTAGRAM_STORY: {"id", "caption", "media_type", "media_product_type", "permalink", "media_url",
                      "thumbnail_url", "timestamp"},
}
_NODE_TYPES = {PAGE_POST: "Post", PAGE_REEL: "Video", INSTAGRAM_MEDIA: "IGMedia", INSTAGRAM_STORY: "IGMedia"}


def _permalink(item: Media) -> str:
    if item.kind == PAGE_POST:
        page_id, post_id = item.id.split("_", 1)
        return f"https://www.facebook.com/{page_id}/posts/{post_id}"
    if item.kind == PAGE_REEL:
        return f"https://www.facebook.com/reel/{item.id}"
    kind = "reel" if item.media_product_type == "REELS" else ("stories/_" if item.kind == INSTAGRAM_STORY else "p")
    return f"https://www.instagram.com/{kind}/{item.id}/"


# --- insights ------------------------------------------------------------------------------------
def media_insights(item: Media, params: dict[str, str], now: int, edge: str) -> dict:
    """`/{post-id}/insights`, `/{video-id}/video_insights` or `/{ig-media-id}/insights`."""
    expected = "video_insights" if item.kind == PAGE_REEL else "insights"
    if edge != expected:
        raise errors.nonexisting_field(edge, _NODE_TYPES[item.kind])
    names = [name.strip() for name in (params.get("metric") or "").split(",") if name.strip()]
    if not names:
        raise errors.no_metric()
    names = list(dict.fromkeys(names))
    period = params.get("period") or "lifetime"
    if period != "lifetime":
        raise errors.invalid_parameter("period must be one of the following values: lifetime")
    catalog = metrics_of(item)
    unknown = [name for name in names if name not in catalog]
    if unknown and item.kind in (INSTAGRAM_MEDIA, INSTAGRAM_STORY):
        raise GraphError(100, f"(#100) The Media Insights API does not support the {', '.join(unknown)} "
                              "metric for this media product type.")
    if unknown:
        raise errors.invalid_metric()
    return {"data": [{
        "name": name, "period": "lifetime",
        "values": [{"value": lifetime_value(item, name, now)}],
        "title": name.replace("_", " ").capitalize(),
        "description": f"Lifetime: {name.replace('_', ' ')}.",
        "id": f"{item.id}/{edge}/{name}/lifetime",
    } for name in names]}


def metrics_of(item: Media) -> dict[str, int]:
    if item.kind == PAGE_POST:
        return PAGE_POST_METRICS
    if item.kind == PAGE_REEL:
        return PAGE_REEL_METRICS
    return INSTAGRAM_MEDIA_METRICS[item.media_product_type]


def lifetime_value(item: Media, metric: str, now: int) -> int | dict[str, int]:
    """The value a metric reads at `now`: a hash of id and metric, modulo the metric's scale, times
    the share of its first three days the post has lived. Reaction metrics split it by type."""
    scale = metrics_of(item)[metric]
    digest = hashlib.sha256(f"{item.id}|{metric}".encode()).digest()
    full = int.from_bytes(digest[:8], "big") % (scale + 1)
    age = max(0, now - item.created_time)
    value = full * min(age + 3600, GROWTH_SECONDS) // GROWTH_SECONDS
    if metric in OBJECT_METRICS:
        weights = range(len(REACTION_TYPES), 0, -1)
        parts = [value * weight // sum(weights) for weight in weights]
        return {reaction: part for reaction, part in zip(REACTION_TYPES, parts, strict=True) if part}
    return value


def media_thumbnail_svg(item: Media) -> str:
    """A square placeholder image naming the kind of content, so local UIs show a thumbnail."""
    label = {PAGE_POST: "Post", PAGE_REEL: "Reel"}.get(item.kind) or item.media_product_type.capitalize()
    hue = int(hashlib.sha256(item.id.encode()).hexdigest()[:4], 16) % 360
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" viewBox="0 0 320 320">'
            f'<rect width="320" height="320" fill="hsl({hue},55%,62%)"/>'
            f'<text x="160" y="175" font-family="sans-serif" font-size="44" fill="#fff" '
            f'text-anchor="middle">{label}</text></svg>')


def _unix(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise errors.invalid_parameter("since and until must be unix timestamps")
    return int(value)


def _fb_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
