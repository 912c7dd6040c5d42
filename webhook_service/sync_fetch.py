"""Fetching accounts' insights from the Graph API: which requests, sent how, read how.

- `meta_days`: Meta's calendar. Its days end at midnight Pacific time, and asking up to the end
  of today returns today's value so far.
- `plan_requests`: the GETs for one account, from its platform's catalog: its fields, its time
  series (at most `MAX_SERIES_DAYS` days per request), and for Instagram one `total_value`
  request per day plus one per day for each breakdown metric (Meta refuses a breakdown in a
  request with metrics that lack it).
- `InsightsFetcher.fetch`: sends requests as Graph batch requests (50 per call, requests of many
  accounts mixed, each with its own token), several calls at once on a shared pool, pausing
  first when Meta reports 80% usage or more for an account in the batch. Transient failures and
  rate limits are retried within the run with the Graph client's backoff. A request Meta refuses
  with code 100 (one invalid metric fails all of it) is split until the bad metric is alone: at
  the index Instagram names (`metric[N] must be one of ...`), else in halves (Pages do not say
  which). A metric in Meta's "invalid metric" wording is then dropped for the rest of the run;
  one refused in another code-100 wording only for that account.
- `AccountInsights`: one account's answers, read into field values and per-day metric values.
  A metric Meta has no data for is simply absent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from webhook_service import telemetry
from webhook_service.catalog import META_DAY_TIMEZONE, Catalog, Request
from webhook_service.graph import (
    BATCH_LIMIT,
    BatchItem,
    GraphClient,
    GraphError,
    InvalidMetric,
    MetricRejected,
    RateLimited,
    TokenInvalid,
    UsageTracker,
)
from webhook_service.platforms import FACEBOOK_LOGIN, INSTAGRAM_LOGIN

log = logging.getLogger(__name__)

FIELDS, SERIES, TOTALS, BREAKDOWN = Request.FIELD, Request.SERIES, Request.TOTAL_VALUE, Request.BREAKDOWN
# Meta allows 30 days (Instagram) or 90 (Pages) between since and until; a Pacific day can last
# 25 hours, so a chunk stays safely below 30 x 24 h.
MAX_SERIES_DAYS = 28


@dataclass(frozen=True)
class MetaDay:
    day: date

    @property
    def since(self) -> int:
        return int(datetime.combine(self.day, datetime.min.time(), META_DAY_TIMEZONE).timestamp())

    @property
    def until(self) -> int:
        return MetaDay(self.day + timedelta(days=1)).since


def meta_days(now: datetime, count: int) -> list[MetaDay]:
    """The `count` days up to and including today in Meta's calendar, oldest first."""
    today = now.astimezone(META_DAY_TIMEZONE).date()
    return [MetaDay(today - timedelta(days=offset)) for offset in range(count - 1, -1, -1)]


@lru_cache(maxsize=1024)
def day_ending_at(end_time: str) -> date:
    """The day a value with this `end_time` (e.g. 2026-11-24T08:00:00+0000) belongs to. Cached:
    a run sees a few dozen distinct end times in hundreds of thousands of values."""
    end = datetime.strptime(end_time, "%Y-%m-%dT%H:%M:%S%z")
    return (end - timedelta(seconds=1)).astimezone(META_DAY_TIMEZONE).date()


@dataclass(frozen=True)
class Account:
    """An account to sync, with its decrypted token: a Page token, or for an account connected
    with Instagram Login (`login`) an Instagram token for graph.instagram.com."""

    row_id: str
    user_id: str
    platform: str
    account_id: str
    access_token: str = field(repr=False)
    first_sync: bool
    login: str = FACEBOOK_LOGIN


@dataclass(frozen=True)
class GraphRequest:
    account: Account
    kind: str
    names: tuple[str, ...]
    days: tuple[MetaDay, ...] = ()
    breakdown: str | None = None
    attempt: int = field(default=0, compare=False)

    def relative_url(self) -> str:
        if self.kind == FIELDS:
            return f"{self.account.account_id}?{urlencode({'fields': ','.join(self.names)})}"
        params = {"metric": ",".join(self.names), "period": "day",
                  "since": self.days[0].since, "until": self.days[-1].until}
        if self.kind in (TOTALS, BREAKDOWN):
            params["metric_type"] = "total_value"
            if self.breakdown:
                params["breakdown"] = self.breakdown
        elif self.account.platform == "instagram":
            params["metric_type"] = "time_series"
        return f"{self.account.account_id}/insights?{urlencode(params)}"

    def with_names(self, names: Iterable[str]) -> GraphRequest:
        return replace(self, names=tuple(names))

    @property
    def metric_scope(self) -> str:
        """Where a metric Meta rejects is dropped: account metrics per platform."""
        return self.account.platform


def plan_requests(account: Account, catalog: Catalog, days: list[MetaDay],
                  dropped: frozenset[str]) -> list[GraphRequest]:
    """The requests for one account, leaving out metrics already dropped in this run."""
    fields = catalog.meta_names(FIELDS)
    series = tuple(name for name in catalog.meta_names(SERIES) if name not in dropped)
    totals = tuple(name for name in catalog.meta_names(TOTALS) if name not in dropped)
    requests = [GraphRequest(account, FIELDS, fields)] if fields else []
    if series:
        requests += [GraphRequest(account, SERIES, series, tuple(days[start:start + MAX_SERIES_DAYS]))
                     for start in range(0, len(days), MAX_SERIES_DAYS)]
    if totals:
        requests += [GraphRequest(account, TOTALS, totals, (day,)) for day in days]
    for meta_name, breakdown in catalog.breakdown_requests():
        if meta_name not in dropped:
            requests += [GraphRequest(account, BREAKDOWN, (meta_name,), (day,), breakdown) for day in days]
    return requests


@dataclass
class AccountInsights:
    """What the Graph API answered for one account."""

    account: Account
    catalog: Catalog
    fields: dict[str, float] = field(default_factory=dict)
    days: dict[date, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    dropped: set[str] = field(default_factory=set)
    # Metrics refused alone with a code 100 that does not say "invalid metric": maybe this
    # account's problem with that metric, maybe the account's problem with every metric.
    refused: dict[str, MetricRejected] = field(default_factory=dict)
    errors: list[GraphError] = field(default_factory=list)

    def record(self, request: GraphRequest, answer: dict[str, Any] | GraphError) -> None:
        if isinstance(answer, InvalidMetric):
            self.dropped.update(request.names)
        elif isinstance(answer, MetricRejected):
            self.refused.update(dict.fromkeys(request.names, answer))
        elif isinstance(answer, GraphError):
            self.errors.append(answer)
        else:
            try:
                if request.kind == FIELDS:
                    self.fields.update({name: answer[name] for name in request.names if _is_number(answer.get(name))})
                else:
                    self._read_insights(request, answer.get("data") or [])
            except (AttributeError, KeyError, TypeError, ValueError):
                # An answer of an unexpected shape fails this account only.
                self.errors.append(GraphError(f"unreadable Graph answer for {request.kind} of {self.account.account_id}"))

    def _read_insights(self, request: GraphRequest, data: list[dict[str, Any]]) -> None:
        asked_days = {day.day for day in request.days}
        for entry in data:
            name = entry.get("name")
            if name not in request.names:
                continue
            if request.kind == BREAKDOWN:
                points = [(request.days[0].day, metric, value)
                          for metric, value in self._breakdown_values(request, entry.get("total_value"))]
            elif request.kind == TOTALS:
                points = [(request.days[0].day, name, (entry.get("total_value") or {}).get("value"))]
            else:
                points = [(day_ending_at(point["end_time"]), name, point.get("value"))
                          for point in entry.get("values") or [] if point.get("end_time")]
            for day, metric, value in points:
                if day in asked_days and _is_number(value):
                    self.days[day][metric] = value

    def _breakdown_values(self, request: GraphRequest, total_value: Any) -> list[tuple[str, float]]:
        """Our metrics from a breakdown answer: the result of each one's dimension value, or the
        sum of all results. No `breakdowns` (no data) gives nothing; an empty list of results is 0."""
        tables = (total_value or {}).get("breakdowns") or []
        if not tables:
            return []
        results = [(tuple(result.get("dimension_values") or ()), result.get("value"))
                   for result in tables[0].get("results") or [] if _is_number(result.get("value"))]
        metrics = self.catalog.breakdown_requests().get((request.names[0], request.breakdown or ""), ())
        return [(metric.name, sum(value for dimensions, value in results
                                  if metric.dimension is None or metric.dimension in dimensions))
                for metric in metrics]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class Throttle:
    """Pauses before a Graph call once Meta reports `percent`% usage for the app or an account."""

    usage: UsageTracker
    percent: float
    pause_seconds: float
    sleep: Callable[[float], None] = time.sleep

    def wait(self, object_ids: Iterable[str]) -> None:
        busiest = max((self.usage.percent(object_id) for object_id in object_ids), default=self.usage.percent())
        if busiest >= self.percent:
            log.info("Graph usage at %.0f%%; pausing %.1fs before the next batch", busiest, self.pause_seconds)
            telemetry.graph_wait(self.pause_seconds, "usage_throttle")
            self.sleep(self.pause_seconds)


class InsightsFetcher:
    """Fetches for one sync run; remembers the metrics Meta rejected during the run."""

    def __init__(self, graph: GraphClient, pool: Executor, throttle: Throttle, instagram: GraphClient | None = None):
        self.graph = graph
        self.pool = pool
        self.throttle = throttle
        # graph.instagram.com, for accounts connected with Instagram Login (None: not configured).
        self.instagram = instagram
        self._lock = threading.Lock()
        self._dropped: dict[str, set[str]] = defaultdict(set)
        # An app-level rate limit seen in this run: no further call is made, every request gets it.
        self._app_limit: RateLimited | None = None

    def dropped(self, scope: str) -> frozenset[str]:
        """Metrics dropped in this run for a request scope (`GraphRequest.metric_scope`)."""
        with self._lock:
            return frozenset(self._dropped[scope])

    def fetch(self, requests: list[GraphRequest]) -> Iterator[tuple[GraphRequest, dict[str, Any] | GraphError]]:
        """Each request's final answer (a request split for a rejected metric answers per part)."""
        pending = requests
        while pending:
            retry: list[GraphRequest] = []
            wait, cause = 0.0, None
            for request, answer in self._send(pending):
                if isinstance(answer, MetricRejected):
                    parts, rejected = self._split_rejected(request, answer)
                    retry += parts
                    if rejected:
                        yield rejected
                    continue
                if isinstance(answer, RateLimited) and answer.app_wide:
                    self._app_limit = answer
                # The Graph client's own policy: transient errors only, its attempts, backoff and cap.
                delay = self.graph.retry_wait(answer, request.attempt) if isinstance(answer, GraphError) else None
                if delay is None:
                    yield request, answer
                else:
                    retry.append(replace(request, attempt=request.attempt + 1))
                    if delay > wait:
                        wait, cause = delay, answer
            if cause is not None:
                self.graph.wait_before_retry(wait, cause)
            pending = retry

    def _split_rejected(self, request: GraphRequest, error: MetricRejected
                        ) -> tuple[list[GraphRequest], tuple[GraphRequest, MetricRejected] | None]:
        """For a request Meta refused with code 100: the requests to try instead, and the part
        known to be invalid with the error it counts as, if any."""
        scope = request.metric_scope
        names = request.names
        with self._lock:
            known = [name for name in names if name in self._dropped[scope]]
            if known:
                # Already dropped in this run: Meta's "invalid metric" for every account.
                error = InvalidMetric(str(error), code=error.code, status=error.status)
            elif len(names) == 1:
                known = [names[0]]
            elif error.metric_index is not None and error.metric_index < len(names):
                known = [names[error.metric_index]]
            if known and isinstance(error, InvalidMetric) and not set(known) <= self._dropped[scope]:
                self._dropped[scope].update(known)
                log.warning("Meta rejects %s metric %s; dropped for this run", scope, ", ".join(known))
        if known:
            rest = [name for name in names if name not in known]
            return ([request.with_names(rest)] if rest else []), (request.with_names(known), error)
        half = len(names) // 2
        return [request.with_names(names[:half]), request.with_names(names[half:])], None

    def _send(self, requests: list[GraphRequest]) -> Iterator[tuple[GraphRequest, dict[str, Any] | GraphError]]:
        """All chunks go to the pool at once; answers are handed on chunk by chunk, in order."""
        chunks = [requests[start:start + BATCH_LIMIT] for start in range(0, len(requests), BATCH_LIMIT)]
        for chunk, answers in zip(chunks, self.pool.map(self._send_batch, chunks), strict=True):
            yield from zip(chunk, answers, strict=True)

    def _send_batch(self, chunk: list[GraphRequest]) -> list[dict[str, Any] | GraphError]:
        if self._app_limit is not None:
            return [self._app_limit] * len(chunk)
        self.throttle.wait({request.account.account_id for request in chunk})
        by_facebook = [request for request in chunk if request.account.login != INSTAGRAM_LOGIN]
        answers: dict[int, dict[str, Any] | GraphError] = {
            id(request): self._on_instagram(request) for request in chunk if request.account.login == INSTAGRAM_LOGIN}
        if by_facebook:
            try:
                batch = self.graph.batch([BatchItem(request.relative_url(), request.account.access_token)
                                          for request in by_facebook])
            except GraphError as error:
                batch = [error] * len(by_facebook)
            answers.update(zip(map(id, by_facebook), batch, strict=True))
        return [answers[id(request)] for request in chunk]

    def _on_instagram(self, request: GraphRequest) -> dict[str, Any] | GraphError:
        """One request of an Instagram Login account, on graph.instagram.com with its own token
        (the host has no batch endpoint); retries stay with `fetch`, as for batch items."""
        if self.instagram is None:
            return TokenInvalid("Instagram Login is not configured on this service (INSTAGRAM_APP_ID/SECRET)")
        path, _, query = request.relative_url().partition("?")
        try:
            return self.instagram.with_max_retry_wait(0).get(path, request.account.access_token,
                                                             dict(parse_qsl(query)))
        except GraphError as error:
            return error
