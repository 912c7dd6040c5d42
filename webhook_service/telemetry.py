"""Prometheus metrics the service records as it works (the catalogue with alert rules is
docs/operations.md; the endpoint that serves them is `metrics_endpoint`).

Names follow Prometheus' conventions (`social_link_` prefix, `_total` counters, `_seconds`
units) and every label has a small fixed set of values: endpoint kinds, Graph error codes from
Meta's documented list, platforms, outcome names. No user, account, Page or run id is ever a
label (one series per account would not scale to a million accounts, and ids do not belong in a
monitoring system).

Under gunicorn each worker records into files under PROMETHEUS_MULTIPROC_DIR, which
`python -m webhook_service` prepares, and a scrape adds all workers up (prometheus_client's
multiprocess mode); without it (tests, one process) the values live in memory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram, disable_created_metrics

# In multiprocess mode prometheus_client opens this process's file as soon as a metric without
# labels is created, below: the folder has to exist by then.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# Meta's documented error codes (graph-api.md, "Errors and rate limiting"); any other is "other".
KNOWN_GRAPH_CODES = frozenset({1, 2, 4, 10, 17, 32, 100, 102, 190, 341, 368, 506, 613, 803, 1609005,
                               80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014}
                              | set(range(200, 300)))

# What a Graph path is, for the `endpoint` label: a path of one segment by its name (anything else
# is an object id: `node`), a longer one by its last segment (the edge).
NODE_KINDS = {"me": "me", "debug_token": "debug_token", "access_token": "oauth_token",
              "refresh_access_token": "oauth_token"}
EDGE_KINDS = {"insights": "insights", "access_token": "oauth_token", "permissions": "permissions",
              "accounts": "pages", "businesses": "businesses", "owned_pages": "businesses",
              "client_pages": "businesses", "published_posts": "posts", "video_reels": "posts", "media": "posts",
              "stories": "posts"}
VERSION_PREFIX = re.compile(r"^v\d+\.\d+(/|$)")

# `_created` series only say when a process started counting; multiprocess mode has none either.
disable_created_metrics()

GRAPH_REQUESTS = Counter(
    "social_link_graph_requests", "Graph API requests (each batch item counts, and so does its envelope), "
    "by endpoint kind and outcome: ok, a Graph error code, http_<class>, malformed or unreachable.",
    ["endpoint", "outcome"])
GRAPH_BATCH_SIZE = Histogram(
    "social_link_graph_batch_size", "Requests per Graph batch call (Meta allows 50).",
    buckets=(1, 5, 10, 20, 30, 40, 50))
GRAPH_WAIT_SECONDS = Histogram(
    "social_link_graph_wait_seconds", "Time spent waiting before Graph calls, by reason: rate_limited "
    "(Meta said so), transient (retry backoff) or usage_throttle (Meta reported 80%+ usage).",
    ["reason"], buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300))
SYNC_ACCOUNTS = Counter(
    "social_link_sync_accounts", "Account syncs whose outcome was saved, by platform and outcome "
    "(synced, partial, needs_reauth, rate_limited, failed).", ["platform", "outcome"])
SYNC_RUNS = Counter(
    "social_link_sync_runs", "Sync runs finished, by trigger (cron, sync_now) and status "
    "(succeeded, partial, failed).", ["trigger", "status"])
SYNC_RUN_SECONDS = Histogram(
    "social_link_sync_run_duration_seconds", "Sync run duration, start to finish, by trigger.",
    ["trigger"], buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 2700, 3600))
TOKEN_DECRYPT_FAILURES = Counter(
    "social_link_token_decrypt_failures", "Stored token ciphertexts that matched none of the keys in "
    "TOKEN_ENCRYPTION_KEY.")


def graph_endpoint(path: str) -> str:
    """The kind of a Graph path or batch item URL (`/v25.0/123/insights`, `123?fields=...`)."""
    segments = VERSION_PREFIX.sub("", path.split("?", 1)[0].strip("/")).split("/")
    if segments == [""]:
        return "batch"
    if len(segments) == 1:
        return NODE_KINDS.get(segments[0], "node")
    return EDGE_KINDS.get(segments[-1], "other")


def graph_outcome(error: Exception | None) -> str:
    """`ok`, or what a GraphError (graph.py: `code` from Meta, HTTP `status`) says went wrong."""
    if error is None:
        return "ok"
    code, status = getattr(error, "code", None), getattr(error, "status", None)
    if code is not None:
        return str(code) if code in KNOWN_GRAPH_CODES else "other"
    if status is None:
        return "unreachable"
    return "malformed" if status < 300 else f"http_{status // 100}xx"


def graph_request(path: str, error: Exception | None = None) -> None:
    """One Graph request (or batch item) that succeeded, or failed with `error`."""
    GRAPH_REQUESTS.labels(graph_endpoint(path), graph_outcome(error)).inc()


def graph_batch(size: int) -> None:
    GRAPH_BATCH_SIZE.observe(size)


def graph_wait(seconds: float, reason: str) -> None:
    """A pause before Graph calls: `rate_limited`, `transient` or `usage_throttle`."""
    GRAPH_WAIT_SECONDS.labels(reason).observe(seconds)


def sync_outcomes(outcomes: Iterable[dict[str, Any]]) -> None:
    for outcome in outcomes:
        SYNC_ACCOUNTS.labels(outcome["platform"], outcome["status"]).inc()


def sync_run_finished(trigger: str, status: str, seconds: float) -> None:
    SYNC_RUNS.labels(trigger, status).inc()
    SYNC_RUN_SECONDS.labels(trigger).observe(seconds)


def token_decrypt_failed() -> None:
    TOKEN_DECRYPT_FAILURES.inc()
