"""What the post sync asks Meta for, per platform and media product type, and how often.

Meta answers post insights as lifetime values, and which metrics exist depends on the kind of
content (late 2026):
- Facebook Page post (`/{post-id}/insights`): `post_media_view` and `post_total_media_view_unique`
  (which replaced `post_impressions` and `post_impressions_unique`), `post_reactions_by_type_total`
  (an object of counts per reaction), `post_clicks`.
- Facebook reel (`/{video-id}/video_insights`): `blue_reels_play_count`, `post_video_avg_time_watched`,
  `post_video_view_time`, `post_video_social_actions`, `post_video_likes_by_reaction_type`.
- Instagram (`/{ig-media-id}/insights`): `views`, `reach`, `likes`, `comments`, `shares`, `saved`,
  `total_interactions` for feed images and carousels (plus `profile_visits`, `follows`), reels add the
  watch-time metrics `ig_reels_avg_watch_time` and `ig_reels_video_view_total_time`; stories have
  `views`, `reach`, `replies`, `shares`, `total_interactions`, `follows`, `profile_visits`.

The lists live in the metric catalog (`catalog.POST_CATALOGS`, one per platform and media product
type). A metric Meta rejects for one media product type is dropped for that type only (the rest of
the request is stored) and reported as `<platform>/<type>:<metric>` in the account's sync outcome.
Every list can be replaced from the environment (`POSTS_<PLATFORM>_<TYPE>_METRICS`).

Refresh cadence by a post's age: hourly while younger than `hourly_hours`, daily until
`daily_days`, weekly until `weekly_days`, then never. Stories live 24 hours and are read hourly
until they expire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from webhook_service.catalog import POST_CATALOGS, Request

FEED, REELS, STORY, POST = "FEED", "REELS", "STORY", "POST"

# Meta's names per (platform, media product type), from the metric catalog.
DEFAULT_POST_METRICS: dict[tuple[str, str], tuple[str, ...]] = {
    key: catalog.meta_names(Request.LIFETIME) for key, catalog in POST_CATALOGS.items()}


def metric_scope(platform: str, media_product_type: str) -> str:
    """The key a rejected metric is dropped under, e.g. `instagram/FEED`."""
    return f"{platform}/{media_product_type}"


@dataclass(frozen=True)
class PostsSettings:
    enabled: bool = True
    metrics: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_POST_METRICS))
    hourly_hours: int = 48
    daily_days: int = 30
    weekly_days: int = 90
    # Newest posts asked for per listing call; an account's first sync pages back `weekly_days`.
    listing_limit: int = 25
    first_listing_pages: int = 10

    def metrics_for(self, platform: str, media_product_type: str) -> tuple[str, ...]:
        return self.metrics.get((platform, media_product_type), ())

    def next_refresh(self, published_at: datetime, fetched_at: datetime,
                     expires_at: datetime | None = None) -> datetime | None:
        """When a post read at `fetched_at` is due again; None when never."""
        age = fetched_at - published_at
        hour = fetched_at.replace(minute=0, second=0, microsecond=0)
        if age < timedelta(hours=self.hourly_hours):
            due = hour + timedelta(hours=1)
        elif age < timedelta(days=self.daily_days):
            due = hour + timedelta(days=1)
        elif age < timedelta(days=self.weekly_days):
            due = hour + timedelta(days=7)
        else:
            return None
        if due - published_at >= timedelta(days=self.weekly_days) or (expires_at is not None and due >= expires_at):
            return None
        return due
