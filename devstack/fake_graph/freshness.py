"""When Meta's insights values become visible, and how they grow: what the fake answers with at
its clock's time instead of every day's final value at once.

- Pages: "Most metrics will update once every 24 hours"
  (https://developers.facebook.com/docs/graph-api/reference/v2.7/insights). A Page's values of a
  day appear at the Page's daily update after the day ended, `page_update_delay` later (1 to 24 h,
  fixed per Page), complete; before that the day is not in `values`, today included.
- Instagram: "Data used to calculate metrics may be delayed up to 48 hours" (IG User Insights
  reference), and the `reach` time series answers a current-day point with a future `end_time`
  (airbyte source-instagram, TestFutureStateRegression). A day's value so far grows through the
  day to 80% of its final value at its end, and then to 100% over the next 48 hours: Meta
  revises it, never downwards.
- `instant` (the control `POST /_control/freshness`): every day's final value at once, today's
  included, as the fake answered before; tests that compute values from the formula use it.
"""

from __future__ import annotations

import hashlib

from .metrics import DAY_SECONDS, metric_value

MODES = ("meta", "instant")
INSTAGRAM_LATE_SECONDS = 48 * 3600
INSTAGRAM_SHARE_AT_DAY_END = 0.8


def page_update_delay(page_id: str) -> int:
    """Seconds after a day's end until the Page's daily update shows it: 1 to 24 hours."""
    return 3600 * (1 + hashlib.sha256(page_id.encode()).digest()[0] % 24)


def page_value(mode: str, now: int, page_id: str, metric: str, end: int, period: str = "day") -> int | None:
    """The value of the Page's day (or week, 28 days) ending at `end`, or None while Meta has none."""
    if mode == "meta" and now < end + page_update_delay(page_id):
        return None
    return metric_value(page_id, metric, end, period)


def instagram_value(mode: str, now: int, account_id: str, metric: str, end: int) -> int | None:
    """The account's value of the day ending at `end` as Meta reports it at `now`."""
    final = metric_value(account_id, metric, end)
    if mode == "instant" or now >= end + INSTAGRAM_LATE_SECONDS:
        return final
    start = end - DAY_SECONDS
    if now <= start:
        return None
    if now < end:
        share = INSTAGRAM_SHARE_AT_DAY_END * (now - start) / DAY_SECONDS
    else:
        share = INSTAGRAM_SHARE_AT_DAY_END + (1 - INSTAGRAM_SHARE_AT_DAY_END) * (now - end) / INSTAGRAM_LATE_SECONDS
    return int(final * share)
