"""Graph requests for posts: listing an account's content, reading a post's insights, and reading
the answers into rows.

- Listings: a Page's `/published_posts` and `/video_reels`, an Instagram account's `/media` and
  `/stories`, newest first, `listing_limit` per call. An account's first sync follows
  `paging.next` back to `weekly_days` (at most `first_listing_pages` pages); later runs read the
  newest page, which holds everything published since the previous hour.
- Insights: one call per due post (`/{post-id}/insights`, `/{video-id}/video_insights`,
  `/{ig-media-id}/insights`) with the metrics of its platform and media product type, minus those
  Meta rejected earlier in the run for that type. Requests go through the account sync's
  `InsightsFetcher`: same batches, throttle, retries and invalid-metric splitting.
- Lifetime values: a number is stored under its name; an object of counts (reactions by type)
  as its total under the name and each part as `<name>.<key>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from webhook_service.post_metrics import POST, REELS, STORY, PostsSettings, metric_scope
from webhook_service.sync_fetch import Account

STORY_LIFETIME = timedelta(hours=24)
CAPTION_EXCERPT = 280
_MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,media_url,thumbnail_url,timestamp"
LISTINGS = {
    "facebook": {"published_posts": "id,message,created_time,permalink_url,full_picture",
                 "video_reels": "id,description,created_time,permalink_url,picture"},
    "instagram": {"media": _MEDIA_FIELDS, "stories": _MEDIA_FIELDS},
}
_CREDENTIALS = {"access_token", "appsecret_proof"}


@dataclass(frozen=True)
class PostRequest:
    """A listing (`listing` set) or one post's insights (`post` set), shaped like
    `insights_fetch.GraphRequest` so `InsightsFetcher` sends, retries and splits it."""

    account: Account
    path: str
    params: tuple[tuple[str, str], ...]
    names: tuple[str, ...] = ()
    listing: str | None = None
    post: dict[str, Any] | None = field(default=None, compare=False)
    page: int = 1
    attempt: int = field(default=0, compare=False)

    def relative_url(self) -> str:
        params = dict(self.params)
        if self.names:
            params["metric"] = ",".join(self.names)
        return f"{self.path}?{urlencode(params)}"

    def with_names(self, names: Iterable[str]) -> PostRequest:
        return replace(self, names=tuple(names))

    @property
    def metric_scope(self) -> str:
        return metric_scope(self.account.platform, self.post["media_product_type"] if self.post else "")


def listing_requests(account: Account, settings: PostsSettings, since: datetime) -> list[PostRequest]:
    return [PostRequest(account, f"{account.account_id}/{edge}",
                        (("fields", fields), ("limit", str(settings.listing_limit)),
                         *((("since", str(int(since.timestamp()))),) if edge != "stories" else ())),
                        listing=edge)
            for edge, fields in LISTINGS[account.platform].items()]


def next_listing(request: PostRequest, answer: dict[str, Any]) -> PostRequest | None:
    """The request for the listing's next page, as a path relative to the versioned Graph URL
    without the credentials Meta echoes in it (each batch item gets its own again)."""
    next_url = (answer.get("paging") or {}).get("next")
    if not isinstance(next_url, str):
        return None
    parts = urlsplit(next_url)
    segments = parts.path.strip("/").split("/")
    if len(segments) < 2 or not segments[0].startswith("v"):
        return None
    params = tuple((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                   if key not in _CREDENTIALS)
    return replace(request, path="/".join(segments[1:]), params=params, page=request.page + 1, attempt=0)


def insights_request(account: Account, post: dict[str, Any], names: tuple[str, ...]) -> PostRequest:
    if account.platform == "instagram":
        return PostRequest(account, f"{post['post_id']}/insights", (), names, post=post)
    edge = "video_insights" if post["media_product_type"] == REELS else "insights"
    return PostRequest(account, f"{post['post_id']}/{edge}", (("period", "lifetime"),), names, post=post)


def read_listing(request: PostRequest, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The posts of a listing answer as rows for save_social_media_posts; items of a media
    product type we do not track (ads, say) or without an id or time are skipped."""
    rows = []
    for item in answer.get("data") or []:
        row = _post_row(request.account, request.listing or "", item) if isinstance(item, dict) else None
        if row is not None:
            rows.append(row)
    return rows


def read_insights(answer: dict[str, Any], names: tuple[str, ...]) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for entry in answer.get("data") or []:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name not in names:
            continue
        values = entry.get("values") or []
        value = values[0].get("value") if values and isinstance(values[0], dict) else (
            (entry.get("total_value") or {}).get("value"))
        if _is_number(value):
            metrics[name] = value
        elif isinstance(value, dict):
            parts = {key: part for key, part in value.items() if _is_number(part)}
            metrics[name] = sum(parts.values())
            metrics.update({f"{name}.{key}": part for key, part in parts.items()})
    return metrics


def published_at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def _post_row(account: Account, listing: str, item: dict[str, Any]) -> dict[str, Any] | None:
    post_id, created = item.get("id"), item.get("created_time") or item.get("timestamp")
    if not isinstance(post_id, str) or not isinstance(created, str):
        return None
    try:
        published = published_at(created)
    except ValueError:
        return None
    if listing == "published_posts":
        media_type, product_type, caption = None, POST, item.get("message")
        permalink, media_url, thumbnail = item.get("permalink_url"), item.get("full_picture"), item.get("full_picture")
    elif listing == "video_reels":
        media_type, product_type, caption = "VIDEO", REELS, item.get("description")
        permalink, media_url, thumbnail = item.get("permalink_url"), None, item.get("picture")
    else:
        media_type, product_type, caption = item.get("media_type"), item.get("media_product_type"), item.get("caption")
        if listing == "stories":
            product_type = STORY
        permalink, media_url = item.get("permalink"), item.get("media_url")
        thumbnail = item.get("thumbnail_url") or media_url
    if product_type not in ("FEED", REELS, STORY, POST):
        return None
    if isinstance(permalink, str) and permalink.startswith("/"):
        # Video nodes answer a path on facebook.com.
        permalink = f"https://www.facebook.com{permalink}"
    return {
        "social_media_account_id": account.row_id, "post_id": post_id, "media_type": media_type,
        "media_product_type": product_type,
        "caption_excerpt": caption[:CAPTION_EXCERPT] if isinstance(caption, str) and caption else None,
        "permalink": permalink, "media_url": media_url, "thumbnail_url": thumbnail,
        "published_at": published.isoformat(),
        "expires_at": (published + STORY_LIFETIME).isoformat() if product_type == STORY else None,
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
