"""Serving the Prometheus metrics, never to the public by default.

- `METRICS_TOKEN` set: `GET /metrics` on the service's own port, with
  `Authorization: Bearer <METRICS_TOKEN>`; any other request for it gets 401.
- `METRICS_PORT` set: a listener of its own (on `METRICS_HOST`, default `HOST`) serving the metrics
  without a token, for a network only Prometheus reaches. gunicorn's master process runs it.
- Neither: no metrics are served (`/metrics` is 404 like any unknown path).

A scrape returns what every worker recorded (`telemetry`; added up across gunicorn's workers
through PROMETHEUS_MULTIPROC_DIR) and gauges read from the database at scrape time
(`DatabaseGauges`, one RPC, cached for a few seconds).
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import prometheus_client
from flask import Response
from flask_openapi3 import OpenAPI
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

from webhook_service.api.models import error_response
from webhook_service.auth import bearer_token
from webhook_service.config import Config
from webhook_service.errors import ApiError
from webhook_service.platforms import PLATFORMS
from webhook_service.store import Store
from webhook_service.sync import ACCOUNT_KINDS, POSTS_KIND
from webhook_service.token_refresh import KIND as TOKEN_REFRESH_KIND

log = logging.getLogger(__name__)

# The sync queue's message kinds, always reported per platform (as 0 when none) so alerts have every series.
MESSAGE_KINDS = (*ACCOUNT_KINDS, POSTS_KIND, TOKEN_REFRESH_KIND)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Account statuses always reported (as 0 when none), so ratios and alerts have every series.
ACCOUNT_STATUSES = ("connected", "expiring", "needs_reauth", "error")
HOLD_STATUSES = ("rate_limited", "insufficient_page_role")
DATABASE_GAUGES_TTL_SECONDS = 10.0


class DatabaseGauges:
    """Gauges read from `social_link_service_metrics()`: accounts by status, this hour's work left,
    accounts the sync holds back (rate limits, Page roles) and the app-wide hold, pgmq queue depth
    and oldest message age. Every replica reports the same values: aggregate them
    with max(), not sum()."""

    def __init__(self, store: Store, ttl_seconds: float = DATABASE_GAUGES_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._values: dict[str, Any] | None = None

    def _current(self) -> dict[str, Any] | None:
        with self._lock:
            if self._read_at is None or self.clock() - self._read_at >= self.ttl_seconds:
                try:
                    self._values = self.store.service_metrics()
                except Exception as error:
                    # A scrape still returns the service's own metrics; `up` says the rest is missing.
                    log.warning("metrics: the database did not answer (%s)", type(error).__name__)
                    self._values = None
                self._read_at = self.clock()
            return self._values

    def collect(self) -> Iterator[Metric]:
        values = self._current()
        yield _single("social_link_database_metrics_up",
                      "1 when the database answered the metrics query of this scrape, else 0.", int(values is not None))
        if values is None:
            return
        accounts = GaugeMetricFamily("social_link_accounts", "Active (connected) accounts by platform and status.",
                                     labels=["platform", "status"])
        counts = {(entry["platform"], entry["status"]): entry["count"] for entry in values["accounts"]}
        for platform in PLATFORMS:
            for status in dict.fromkeys((*ACCOUNT_STATUSES, *(status for _, status in counts))):
                accounts.add_metric([platform, status], counts.get((platform, status), 0))
        yield accounts
        yield _counted("social_link_accounts_not_synced_this_hour",
                       "Active connected or expiring accounts not synced since the current UTC hour began.",
                       "platform", values["not_synced_this_hour"], PLATFORMS)
        yield _counted("social_link_accounts_held", "Accounts the sync will not call until their hold ends, by "
                       "reason (rate_limited: Meta's estimate to regain access; insufficient_page_role: a day).",
                       "status", values.get("held_accounts", []), HOLD_STATUSES)
        yield _single("social_link_app_hold_remaining_seconds", "Seconds until an app-wide Graph rate limit "
                      "(codes 4, 341) lets the sync call Meta again; 0 when none.", values.get("app_held_seconds", 0))
        yield _counted("social_link_queue_dead_letters", "Messages of a sync queue dead-lettered in the last 24 "
                       "hours (delivered INSIGHTS_MAX_DELIVERIES times, or unworkable).", "queue",
                       values.get("dead_letters", []), [queue["queue"] for queue in values["queues"]])
        dead_lettered = GaugeMetricFamily(
            "social_link_sync_accounts_dead_lettered", "Accounts named by sync queue messages dead-lettered in the "
            "last 24 hours, by platform and message kind.", labels=["platform", "kind"])
        counts = Counter()
        for entry in values.get("accounts_dead_lettered", []):  # one entry per queue and (platform, kind)
            counts[entry["platform"], entry["kind"]] += entry["count"]
        for key in dict.fromkeys((*((platform, kind) for platform in PLATFORMS for kind in MESSAGE_KINDS), *counts)):
            dead_lettered.add_metric(list(key), counts[key])
        yield dead_lettered
        depth = GaugeMetricFamily("social_link_queue_messages", "Messages in a pgmq queue (pgmq.metrics).",
                                  labels=["queue"])
        oldest = GaugeMetricFamily("social_link_queue_oldest_message_age_seconds",
                                   "Age of the oldest message in a pgmq queue (0 when empty).", labels=["queue"])
        for queue in values["queues"]:
            depth.add_metric([queue["queue"]], queue["depth"])
            oldest.add_metric([queue["queue"]], queue["oldest_age_seconds"] or 0)
        yield depth
        yield oldest


def _single(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def _counted(name: str, documentation: str, label: str, entries: list[dict[str, Any]],
             always: Iterable[str]) -> GaugeMetricFamily:
    """A gauge per `label` value from `[{label: value, "count": n}]`; the `always` values as 0 when absent."""
    family = GaugeMetricFamily(name, documentation, labels=[label])
    counts = {entry[label]: entry["count"] for entry in entries}
    for value in dict.fromkeys((*always, *counts)):
        family.add_metric([value], counts.get(value, 0))
    return family


class _ThisProcess:
    """The metrics this process recorded, when there is one process (no PROMETHEUS_MULTIPROC_DIR)."""

    def collect(self) -> Iterator[Metric]:
        return prometheus_client.REGISTRY.collect()


def build_registry(store: Store) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseGauges(store))
    return registry


def register_metrics_route(app: OpenAPI, config: Config, store: Store) -> None:
    """`GET /metrics` behind METRICS_TOKEN, when it is set."""
    if not config.metrics_token:
        return
    registry = build_registry(store)
    expected = config.metrics_token.encode()

    @app.get("/metrics", security=[{"metricsToken": []}], responses={
        200: {"description": "The metrics in Prometheus' text exposition format.",
              "content": {"text/plain": {"schema": {"type": "string"}}}},
        401: error_response("Missing or wrong metrics token (`unauthorized`)."),
    })
    def metrics():
        """Prometheus metrics, served here only when METRICS_TOKEN is set (docs/operations.md).

        Send `Authorization: Bearer <METRICS_TOKEN>`. Without METRICS_TOKEN the service serves no metrics
        here (404), or serves them on METRICS_PORT instead.
        """
        token = bearer_token()
        if token is None or not hmac.compare_digest(token.encode(), expected):
            raise ApiError(401, "unauthorized", "Send 'Authorization: Bearer <METRICS_TOKEN>' to read the metrics.")
        return Response(prometheus_client.generate_latest(registry), content_type=prometheus_client.CONTENT_TYPE_LATEST)


def start_metrics_listener(config: Config) -> None:
    """The listener of METRICS_PORT, in a thread of the calling (gunicorn master) process."""
    host = config.metrics_host or config.host
    prometheus_client.start_http_server(config.metrics_port, addr=host, registry=build_registry(Store(config)))
    log.info("metrics served on %s:%d/metrics", host, config.metrics_port)


def prepare_multiprocess_dir() -> None:
    """Empties PROMETHEUS_MULTIPROC_DIR (creating it if need be) before any worker starts: files of a
    previous run would be added to this one's counts."""
    path = os.environ.get(MULTIPROCESS_DIR)
    if not path:
        return
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))


def worker_exited(pid: int) -> None:
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(pid)
