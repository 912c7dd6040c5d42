"""What the insights sync asks Meta for, and the settings of the sync.

Metric lists are configuration, each platform's defaults below replaceable by a comma-separated
list in the environment (read with the other settings in `config.py`). Meta removes metrics for every API version at once on announced dates
(Pages: `page_impressions`, `page_fans`, `page_engaged_users`, ...; Instagram: `impressions`,
`profile_views`, `website_clicks`), so version pinning does not protect a list; a metric Meta
rejects at run time is dropped for that run and reported instead (see `sync_fetch`).

The defaults are the metrics Meta documents as current in late 2026:
- Facebook Page: `/{page-id}/insights?period=day` time series, plus the Page fields
  `followers_count` and `fan_count`.
- Instagram account: `reach` as a `period=day` time series (the only metric that still allows
  one); the other interaction metrics with `metric_type=total_value`, which Meta requires and
  which give one total per request, so they are asked for one day at a time. Fields
  `followers_count` and `media_count`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

# Meta's insights days end at midnight in California (`end_time` 07:00 or 08:00 UTC).
META_DAY_TIMEZONE = ZoneInfo("America/Los_Angeles")


@dataclass(frozen=True)
class PlatformMetrics:
    platform: str
    # Node fields, read as the account's current counters (`GET /{id}?fields=...`).
    fields: tuple[str, ...]
    # `period=day` time series, many days per request.
    series: tuple[str, ...]
    # `metric_type=total_value`, one request per day (Instagram only).
    totals: tuple[str, ...]
    # Insights metrics that are counters rather than per-day activity (Page followers).
    levels: tuple[str, ...] = ()
    # engagement_rate = numerator / denominator of the same row.
    engagement_rate: tuple[str, str] | None = None

    def derivation_spec(self) -> dict[str, Any]:
        """How the database derives a row's `derived` (private.social_media_insights_derived):
        levels change by their difference; every other metric is day-to-date, so its change since
        the previous hour restarts when Meta's day does."""
        metrics = set(self.series) | set(self.totals)
        rates = {}
        if self.engagement_rate and set(self.engagement_rate) <= metrics:
            rates["engagement_rate"] = list(self.engagement_rate)
        return {"day_timezone": META_DAY_TIMEZONE.key,
                "levels": [*self.fields, *(name for name in self.levels if name in metrics)],
                "rates": rates}


FACEBOOK = PlatformMetrics(
    platform="facebook",
    fields=("followers_count", "fan_count"),
    series=("page_media_view", "page_total_media_view_unique", "page_post_engagements", "page_views_total",
            "page_total_actions", "page_video_views", "page_follows", "page_daily_follows_unique",
            "page_daily_unfollows_unique"),
    totals=(),
    levels=("page_follows",),
    engagement_rate=("page_post_engagements", "page_total_media_view_unique"),
)

INSTAGRAM = PlatformMetrics(
    platform="instagram",
    fields=("followers_count", "media_count"),
    series=("reach",),
    totals=("views", "accounts_engaged", "total_interactions", "likes", "comments", "shares", "saves",
            "follows_and_unfollows", "profile_links_taps"),
    engagement_rate=("total_interactions", "reach"),
)


@dataclass(frozen=True)
class InsightsSettings:
    facebook: PlatformMetrics = FACEBOOK
    instagram: PlatformMetrics = INSTAGRAM
    # Days re-fetched every run (Meta revises them; Instagram lags up to 48 h), today included.
    refetch_days: int = 3
    # Days fetched on an account's first sync.
    backfill_days: int = 30
    # Accounts read and fetched together: one account query per page.
    accounts_per_page: int = 500
    # Rows per save call (one transaction), which keeps each call far below the 8 s statement timeout.
    rows_per_save: int = 2000
    # Pages worked on at once; their Graph batches share the client's concurrency.
    pages_in_flight: int = 4
    # Usage (X-App-Usage / X-Business-Use-Case-Usage) from which the sync slows down.
    throttle_percent: float = 80.0
    throttle_pause_seconds: int = 2

    def platform(self, name: str) -> PlatformMetrics:
        return {"facebook": self.facebook, "instagram": self.instagram}[name]

    def derivation_spec(self) -> dict[str, Any]:
        return {metrics.platform: metrics.derivation_spec() for metrics in (self.facebook, self.instagram)}
