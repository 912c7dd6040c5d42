"""Which insights metrics exist (late 2026), and the formula behind every value the fake reports.

Values are deterministic so tests can compute what the fake will answer:

- `metric_value(account_id, metric, end_time, period="day")`: the value of one day (or of the
  week / 28 days) ending at `end_time`: the first 8 bytes of
  sha256(f"{account_id}|{metric}|{period}|{end_time}"), big-endian, modulo `scale * days + 1`
  (scale per metric below; days 1, 7 or 28).
- Days end at midnight America/Los_Angeles, as Meta's `end_time` does (07:00 or 08:00 UTC).
  `day_ends(since, until)` lists the day ends E with since < E <= until: the days a request
  covers. With since = a day's start and until = the next day's start, that is one day.
- `window_total(account_id, metric, since, until)`: an Instagram `total_value`, the sum of the
  daily values over `day_ends(since, until)`.
- `split_breakdown(total, n)`: a total split over n dimension values with weights 1..n.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
DAY_SECONDS = 86400
PERIOD_DAYS = {"day": 1, "week": 7, "days_28": 28}


@dataclass(frozen=True)
class PageMetric:
    title: str
    description: str
    scale: int
    periods: tuple[str, ...] = ("day", "week", "days_28")


@dataclass(frozen=True)
class InstagramMetric:
    title: str
    description: str
    scale: int
    time_series: bool = False        # only `reach` may be asked for without metric_type=total_value
    breakdowns: tuple[str, ...] = ()
    min_followers: int = 0           # below this follower count the metric is not returned
    breakdown_only: bool = False     # counted only per breakdown: no `total_value.value` (see insights.py)


PAGE_METRICS = {
    "page_media_view": PageMetric("Media views", "How often the Page's content was shown or played.", 6000),
    "page_total_media_view_unique": PageMetric(
        "Media viewers", "Distinct people the Page's content was shown to.", 2500),
    "page_post_engagements": PageMetric("Post engagements", "Reactions, comments, shares and clicks on posts.", 500),
    "page_views_total": PageMetric("Page views", "Visits to the Page's profile.", 300),
    "page_total_actions": PageMetric("Page actions", "Taps on contact details and the action button.", 40),
    "page_video_views": PageMetric("Video views", "Video plays of three seconds or more.", 1200),
    "page_follows": PageMetric("Followers", "The Page's follower count, sampled daily.", 5000, ("day",)),
    "page_daily_follows": PageMetric("New follows", "Follows received that day.", 40, ("day",)),
    "page_daily_follows_unique": PageMetric("New followers", "Distinct people who followed that day.", 35, ("day",)),
    "page_daily_unfollows_unique": PageMetric(
        "Unfollowers", "Distinct people who unfollowed that day.", 10, ("day",)),
}

_MEDIA = ("media_product_type",)
INSTAGRAM_METRICS = {
    "reach": InstagramMetric("Accounts reached", "Distinct accounts that saw the content.", 3000,
                             time_series=True, breakdowns=("media_product_type", "follow_type")),
    "views": InstagramMetric("Views", "Times the content was played or shown.", 8000,
                             breakdowns=("follower_type", "media_product_type")),
    "accounts_engaged": InstagramMetric("Accounts engaged", "Distinct accounts that interacted.", 400),
    "total_interactions": InstagramMetric("Content interactions", "Likes, comments, saves, shares, replies.", 600,
                                          breakdowns=_MEDIA),
    "likes": InstagramMetric("Likes", "Likes on posts, reels and videos.", 400, breakdowns=_MEDIA),
    "comments": InstagramMetric("Comments", "Comments on posts, reels and videos.", 60, breakdowns=_MEDIA),
    "shares": InstagramMetric("Shares", "Shares of posts, reels and videos.", 40, breakdowns=_MEDIA),
    "saves": InstagramMetric("Saves", "Saves of posts, reels and videos.", 50, breakdowns=_MEDIA),
    "replies": InstagramMetric("Replies", "Replies to stories.", 20),
    "reposts": InstagramMetric("Reposts", "Reposts of the account's content.", 15),
    "follows_and_unfollows": InstagramMetric("Follows and unfollows", "Accounts that followed or unfollowed.", 40,
                                             breakdowns=("follow_type",), min_followers=100,
                                             breakdown_only=True),
    # Breakdown only, as recorded from v25.0 (graph-fidelity.md, "Probe script output").
    "profile_links_taps": InstagramMetric("Profile links taps", "Taps on the profile's contact buttons.", 30,
                                          breakdowns=("contact_button_type",), breakdown_only=True),
}

BREAKDOWN_VALUES = {
    "media_product_type": ("POST", "REEL", "STORY"),
    "follow_type": ("FOLLOWER", "NON_FOLLOWER"),
    "follower_type": ("FOLLOWER", "NON_FOLLOWER"),
    "contact_button_type": ("BOOK_NOW", "CALL", "DIRECTION", "EMAIL", "INSTANT_EXPERIENCE", "TEXT", "UNDEFINED"),
}


def metric_value(account_id: str, metric: str, end_time: int, period: str = "day") -> int:
    known = PAGE_METRICS.get(metric) or INSTAGRAM_METRICS.get(metric)
    scale = (known.scale if known else 1000) * PERIOD_DAYS.get(period, 1)
    digest = hashlib.sha256(f"{account_id}|{metric}|{period}|{end_time}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (scale + 1)


def day_ends(since: int, until: int) -> list[int]:
    ends = []
    day = datetime.fromtimestamp(since, PACIFIC).date() + timedelta(days=1)
    while (end := pacific_midnight(day)) <= until:
        ends.append(end)
        day += timedelta(days=1)
    return ends


def window_total(account_id: str, metric: str, since: int, until: int) -> int:
    return sum(metric_value(account_id, metric, end) for end in day_ends(since, until))


def split_breakdown(total: int, count: int) -> list[int]:
    weights = range(1, count + 1)
    parts = [total * weight // sum(weights) for weight in weights[:-1]]
    return [*parts, total - sum(parts)]


def pacific_midnight(day: date) -> int:
    return int(datetime.combine(day, time(), PACIFIC).timestamp())


def format_end_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str) -> int:
    """Unix seconds, a date (midnight Pacific, like Meta's servers read it) or an ISO 8601 time."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    if len(value) == 10:
        return pacific_midnight(date.fromisoformat(value))
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())
