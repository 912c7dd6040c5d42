"""The metric catalog: every insights number the service stores, in one place.

Per platform (and Graph host), each entry says:
- `name`: our stable name, the key in `metrics` and in the read API;
- `meta_name`: Meta's metric or node field it comes from;
- `request`: how Meta gives it (`Request`): a node field, a `period=day` time series, a
  `metric_type=total_value` total for one day, or a total per `breakdown` value, which Meta
  answers only in a request of its own ("If you request a metric that doesn't support a
  breakdown, the API will return an error", IG User Insights reference);
- `kind` (`Kind`): additive per day, unique per day, a level, or a rate, which decides how the
  hourly delta is derived and how the read API aggregates it (`AGGREGATES`).

Meta's sources: Page metrics, https://developers.facebook.com/docs/graph-api/reference/insights
and the Page Insights changelog; Instagram, https://developers.facebook.com/docs/instagram-platform/
api-reference/instagram-user/insights (late 2026). `follows_and_unfollows` has no total without
`breakdown=follow_type`; with it the FOLLOWER and NON_FOLLOWER results are the follows and the
unfollows, stored as two metrics. Later catalogs (Instagram Login's graph.instagram.com host,
per-media insights with `media_type`) are more `Catalog` values built from the same parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

# Meta's insights days end at midnight in California (`end_time` 07:00 or 08:00 UTC).
META_DAY_TIMEZONE = ZoneInfo("America/Los_Angeles")
FACEBOOK_GRAPH_HOST = "graph.facebook.com"


class Request(StrEnum):
    FIELD = "field"                # GET /{id}?fields=...: the value now
    SERIES = "series"              # /insights?period=day: a value per day, many days per request
    TOTAL_VALUE = "total_value"    # /insights?metric_type=total_value: one total, one day per request
    BREAKDOWN = "breakdown"        # total_value with `breakdown=`: one request per metric and day
    DERIVED = "derived"            # not asked for: computed by the database from other metrics
    LIFETIME = "lifetime"          # /{post-id}/insights and the like: a post's lifetime value so far


class Kind(StrEnum):
    ADDITIVE = "additive"   # a count of events per day: days and hourly growth add up
    UNIQUE = "unique"       # distinct people per day (reach): never added across days or hours
    LEVEL = "level"         # a counter right now (followers): last value and its change
    RATE = "rate"           # a ratio of two other metrics of the same row, recomputed, never added


# What the read API's aggregates give for each kind (README "Insights aggregates").
AGGREGATES = {
    Kind.ADDITIVE: "sum_<metric>: the sum of the hourly deltas (hour rows) or of the day values (day rows)",
    Kind.UNIQUE: "last_<metric>: Meta's newest day value; never summed",
    Kind.LEVEL: "last_<metric> and change_<metric>: the newest value and its change over the window",
    Kind.RATE: "<metric>: recomputed from the sums of its parts over the window",
}


@dataclass(frozen=True)
class Metric:
    name: str
    meta_name: str
    request: Request
    kind: Kind
    breakdown: str | None = None
    # For a breakdown: the dimension value counted; None adds up every result.
    dimension: str | None = None
    # For a rate: (numerator, denominator), our names.
    parts: tuple[str, str] | None = None


def _metrics(request: Request, kind: Kind, *names: str) -> tuple[Metric, ...]:
    return tuple(Metric(name, name, request, kind) for name in names)


@dataclass(frozen=True)
class Catalog:
    platform: str
    metrics: tuple[Metric, ...]
    host: str = FACEBOOK_GRAPH_HOST
    # Per-media catalogs: the media product type (POST, FEED, REELS, STORY) their metrics fit.
    media_product_type: str | None = None

    def of(self, request: Request) -> tuple[Metric, ...]:
        return tuple(metric for metric in self.metrics if metric.request == request)

    def meta_names(self, request: Request) -> tuple[str, ...]:
        return tuple(dict.fromkeys(metric.meta_name for metric in self.of(request)))

    def breakdown_requests(self) -> dict[tuple[str, str], tuple[Metric, ...]]:
        """(Meta's metric, breakdown) -> our metrics read from that request's results."""
        groups: dict[tuple[str, str], tuple[Metric, ...]] = {}
        for metric in self.of(Request.BREAKDOWN):
            key = (metric.meta_name, metric.breakdown or "")
            groups[key] = (*groups.get(key, ()), metric)
        return groups

    def fetched(self) -> tuple[Metric, ...]:
        return tuple(metric for metric in self.metrics if metric.request != Request.DERIVED)

    def names(self, kind: Kind) -> tuple[str, ...]:
        return tuple(metric.name for metric in self.metrics if metric.kind == kind)

    def rates(self) -> dict[str, tuple[str, str]]:
        stored = {metric.name for metric in self.metrics}
        return {metric.name: metric.parts for metric in self.metrics
                if metric.kind == Kind.RATE and metric.parts and set(metric.parts) <= stored}

    def listed(self, request: Request) -> tuple[str, ...]:
        """Meta's names as configuration lists them for `request` (breakdowns with the totals)."""
        return tuple(dict.fromkeys(metric.meta_name for metric in self.fetched() if _list_of(metric.request) == request))

    def replace_lists(self, lists: dict[Request, Iterable[str] | None]) -> Catalog:
        """This catalog with the Meta names of some requests replaced (configuration). A name
        the catalog knows keeps its entries (`follows_and_unfollows` listed with the totals
        stays a breakdown); an unknown one is taken as an additive metric of that request."""
        kept = [metric for metric in self.metrics
                if metric.kind == Kind.RATE or lists.get(_list_of(metric.request)) is None]
        for request, names in lists.items():
            for meta_name in names or ():
                known = [metric for metric in self.metrics if metric.meta_name == meta_name
                         and _list_of(metric.request) == request]
                kept += known or [Metric(meta_name, meta_name, request, Kind.ADDITIVE)]
        return replace(self, metrics=tuple(dict.fromkeys(kept)))

    def describe(self) -> list[dict[str, Any]]:
        return [{"name": metric.name, "meta_name": metric.meta_name, "request": str(metric.request),
                 "kind": str(metric.kind), **({"breakdown": metric.breakdown} if metric.breakdown else {}),
                 **({"dimension": metric.dimension} if metric.dimension else {}),
                 **({"parts": list(metric.parts)} if metric.parts else {})} for metric in self.metrics]

    def derivation_spec(self) -> dict[str, Any]:
        """How the database derives a row's `derived` and aggregates (see the migrations):
        levels change by their difference; additive metrics are day-to-date, so their growth since
        the previous hour restarts when Meta's day does; unique values get no delta at all (the
        growth of a distinct count is not a count of anything); rates are recomputed."""
        return {"day_timezone": META_DAY_TIMEZONE.key,
                "levels": list(self.names(Kind.LEVEL)),
                "uniques": list(self.names(Kind.UNIQUE)),
                "rates": {name: list(parts) for name, parts in self.rates().items()}}


def _list_of(request: Request) -> Request:
    # Configuration lists Instagram's breakdown metrics with its totals.
    return Request.TOTAL_VALUE if request == Request.BREAKDOWN else request


FACEBOOK = Catalog("facebook", (
    *_metrics(Request.FIELD, Kind.LEVEL, "followers_count", "fan_count"),
    *_metrics(Request.SERIES, Kind.ADDITIVE, "page_media_view"),
    *_metrics(Request.SERIES, Kind.UNIQUE, "page_total_media_view_unique"),
    *_metrics(Request.SERIES, Kind.ADDITIVE, "page_post_engagements", "page_views_total", "page_total_actions",
              "page_video_views"),
    # The Page's follower count, sampled daily.
    *_metrics(Request.SERIES, Kind.LEVEL, "page_follows"),
    *_metrics(Request.SERIES, Kind.ADDITIVE, "page_daily_follows_unique", "page_daily_unfollows_unique"),
    Metric("engagement_rate", "engagement_rate", Request.DERIVED, Kind.RATE,
           parts=("page_post_engagements", "page_total_media_view_unique")),
))

INSTAGRAM = Catalog("instagram", (
    *_metrics(Request.FIELD, Kind.LEVEL, "followers_count", "media_count"),
    # The only current metric Meta still gives as a time series.
    *_metrics(Request.SERIES, Kind.UNIQUE, "reach"),
    *_metrics(Request.TOTAL_VALUE, Kind.ADDITIVE, "views"),
    *_metrics(Request.TOTAL_VALUE, Kind.UNIQUE, "accounts_engaged"),
    *_metrics(Request.TOTAL_VALUE, Kind.ADDITIVE, "total_interactions", "likes", "comments", "shares", "saves"),
    Metric("follows", "follows_and_unfollows", Request.BREAKDOWN, Kind.ADDITIVE, "follow_type", "FOLLOWER"),
    Metric("unfollows", "follows_and_unfollows", Request.BREAKDOWN, Kind.ADDITIVE, "follow_type", "NON_FOLLOWER"),
    # Answered per contact button only (no total without the breakdown); stored as their sum.
    Metric("profile_links_taps", "profile_links_taps", Request.BREAKDOWN, Kind.ADDITIVE, "contact_button_type"),
    Metric("engagement_rate", "engagement_rate", Request.DERIVED, Kind.RATE, parts=("total_interactions", "reach")),
))

CATALOGS = {catalog.platform: catalog for catalog in (FACEBOOK, INSTAGRAM)}


# Per-media catalogs: a post's, reel's or story's lifetime metrics, which depend on its media product
# type; Meta refuses a metric that does not fit the type ("The Media Insights API does not support the
# <metric> metric for this media product type"), and the post sync then drops it for that type only.
# Sources: Page post metrics, https://developers.facebook.com/docs/graph-api/reference/insights (Page
# Post; `post_media_view` and `post_total_media_view_unique` replaced `post_impressions(_unique)`);
# reels, https://developers.facebook.com/docs/graph-api/reference/video/video_insights; Instagram,
# https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights (late 2026).
def _post_catalog(platform: str, media_product_type: str, *metrics: Metric) -> Catalog:
    return Catalog(platform, metrics, media_product_type=media_product_type)


_INSTAGRAM_MEDIA_COMMON = (*_metrics(Request.LIFETIME, Kind.ADDITIVE, "views"),
                           *_metrics(Request.LIFETIME, Kind.UNIQUE, "reach"))
POST_CATALOGS = {(catalog.platform, catalog.media_product_type): catalog for catalog in (
    _post_catalog("facebook", "POST",
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "post_media_view"),
                  *_metrics(Request.LIFETIME, Kind.UNIQUE, "post_total_media_view_unique"),
                  # An object of counts per reaction; stored as its total and `<name>.<reaction>`.
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "post_reactions_by_type_total", "post_clicks")),
    _post_catalog("facebook", "REELS",
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "blue_reels_play_count"),
                  *_metrics(Request.LIFETIME, Kind.RATE, "post_video_avg_time_watched"),
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "post_video_view_time", "post_video_social_actions",
                            "post_video_likes_by_reaction_type")),
    _post_catalog("instagram", "FEED", *_INSTAGRAM_MEDIA_COMMON,
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "likes", "comments", "shares", "saved",
                            "total_interactions", "profile_visits", "follows")),
    _post_catalog("instagram", "REELS", *_INSTAGRAM_MEDIA_COMMON,
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "likes", "comments", "shares", "saved",
                            "total_interactions"),
                  # Reels only: watch time in milliseconds.
                  *_metrics(Request.LIFETIME, Kind.RATE, "ig_reels_avg_watch_time"),
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "ig_reels_video_view_total_time")),
    _post_catalog("instagram", "STORY", *_INSTAGRAM_MEDIA_COMMON,
                  *_metrics(Request.LIFETIME, Kind.ADDITIVE, "replies", "shares", "total_interactions", "follows",
                            "profile_visits")),
)}
