"""`/{page-id}/insights` and `/{ig-user-id}/insights`: parameter rules and the `data` they answer.

Both return `(data, since, until)`; the caller adds `paging`. Values come from `metrics`.
Without `period` both answer `day` (Meta would list every period a Page metric has).
"""

from __future__ import annotations

from . import errors
from .errors import GraphError
from .freshness import instagram_value, page_value
from .metrics import (
    BREAKDOWN_VALUES,
    DAY_SECONDS,
    INSTAGRAM_METRICS,
    PAGE_METRICS,
    day_ends,
    format_end_time,
    parse_time,
    split_breakdown,
)
from .world import InstagramAccount, Page, World

PAGE_PERIODS = ("day", "week", "days_28", "month", "lifetime", "total_over_range")
METRIC_TYPES = ("time_series", "total_value")
PAGE_DEFAULT_DAYS = 2        # without since/until: the last two complete days
PAGE_MAX_DAYS = 90
INSTAGRAM_DEFAULT_DAYS = 1   # without since/until Meta looks back 24 hours
INSTAGRAM_MAX_DAYS = 30


def page_insights(world: World, page: Page, params: dict[str, str]) -> tuple[list[dict], int, int]:
    names = _metric_names(params)
    if any(name not in PAGE_METRICS for name in names):
        raise errors.invalid_metric()
    period = params.get("period") or "day"
    if period not in PAGE_PERIODS:
        raise errors.invalid_parameter(f"period must be one of the following values: {', '.join(PAGE_PERIODS)}")
    if any(period not in PAGE_METRICS[name].periods for name in names):
        # What Meta answers for a metric asked with a period it does not have.
        raise GraphError(1, "An unknown error occurred", subcode=99)
    since, until = _window(world, params, PAGE_DEFAULT_DAYS, PAGE_MAX_DAYS)
    ends = day_ends(since, until)
    data = [{
        "name": name,
        "period": period,
        "values": [{"value": value, "end_time": format_end_time(end)} for end in ends
                   if (value := page_value(world.freshness, world.now(), page.id, name, end, period)) is not None],
        "title": PAGE_METRICS[name].title,
        "description": PAGE_METRICS[name].description,
        "id": f"{page.id}/insights/{name}/{period}",
    } for name in names if world.has_data(page.id, name)]
    return data, since, until


def instagram_insights(world: World, account: InstagramAccount, params: dict[str, str]) -> tuple[list[dict], int, int]:
    names = _metric_names(params)
    unknown = [index for index, name in enumerate(names) if name not in INSTAGRAM_METRICS]
    if unknown:
        raise errors.invalid_instagram_metric(unknown[0], INSTAGRAM_METRICS)
    if (params.get("period") or "day") != "day":
        raise errors.invalid_parameter("period must be one of the following values: day")
    metric_type = params.get("metric_type") or "time_series"
    if metric_type not in METRIC_TYPES:
        raise errors.invalid_parameter(f"metric_type must be one of the following values: {', '.join(METRIC_TYPES)}")
    totals_only = [name for name in names if not INSTAGRAM_METRICS[name].time_series]
    if metric_type == "time_series" and totals_only:
        raise errors.invalid_parameter(
            f"The following metrics ({', '.join(totals_only)}) should be specified with parameter "
            "metric_type=total_value")
    # Meta ignores breakdowns on time series.
    breakdown = params.get("breakdown") if metric_type == "total_value" else None
    if breakdown and "," in breakdown:
        raise errors.invalid_parameter("The fake Graph API supports one breakdown per request")
    if breakdown and any(breakdown not in INSTAGRAM_METRICS[name].breakdowns for name in names):
        raise GraphError(1, "An unknown error has occurred.")
    since, until = _window(world, params, INSTAGRAM_DEFAULT_DAYS, INSTAGRAM_MAX_DAYS)
    data = []
    for name in names:
        metric = INSTAGRAM_METRICS[name]
        if not world.has_data(account.id, name) or account.followers_count < metric.min_followers:
            continue
        entry = {"name": name, "period": "day", "title": metric.title, "description": metric.description}
        if metric_type == "time_series":
            entry["values"] = [{"value": value, "end_time": format_end_time(end)} for end in day_ends(since, until)
                               if (value := instagram_value(world.freshness, world.now(), account.id, name, end))
                               is not None]
        elif (total_value := _total_value(world, account.id, name, since, until, breakdown)) is not None:
            entry["total_value"] = total_value
        entry["id"] = f"{account.id}/insights/{name}/day"
        data.append(entry)
    return data, since, until


def _total_value(world: World, account_id: str, name: str, since: int, until: int,
                 breakdown: str | None) -> dict | None:
    """An entry's `total_value`, or None when Meta leaves it out.

    Metrics that are counted only per breakdown (`follows_and_unfollows`: follows and unfollows
    are not one number) answer no `total_value` without a breakdown, and with one only the
    `breakdowns`, no `value`: recorded live on v25.0 (3P probes 60594833281 §2.6, 58710475504) and
    in airbyte's source-instagram fixture `user_lifetime_insights.json`.
    """
    total = sum(instagram_value(world.freshness, world.now(), account_id, name, end) or 0
                for end in day_ends(since, until))
    breakdown_only = INSTAGRAM_METRICS[name].breakdown_only
    if not breakdown:
        return None if breakdown_only else {"value": total}
    dimension_values = BREAKDOWN_VALUES[breakdown]
    results = [{"dimension_values": [value], "value": part}
               for value, part in zip(dimension_values, split_breakdown(total, len(dimension_values)), strict=True)]
    breakdowns = {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]}
    return breakdowns if breakdown_only else {"value": total, **breakdowns}


def _metric_names(params: dict[str, str]) -> list[str]:
    names = [name.strip() for name in (params.get("metric") or "").split(",") if name.strip()]
    if not names:
        raise errors.no_metric()
    return list(dict.fromkeys(names))


def _window(world: World, params: dict[str, str], default_days: int, max_days: int) -> tuple[int, int]:
    try:
        since = parse_time(params["since"]) if params.get("since") else None
        until = parse_time(params["until"]) if params.get("until") else None
    except ValueError:
        raise errors.invalid_parameter("since and until must be unix timestamps or dates") from None
    if until is None:
        until = world.now()
    if since is None:
        since = until - default_days * DAY_SECONDS
    if since > until:
        raise errors.invalid_parameter("since must not be later than until")
    if until - since > max_days * DAY_SECONDS:
        raise errors.invalid_parameter(
            f"There cannot be more than {max_days} days ({max_days * DAY_SECONDS} s) between since and until")
    return since, until
