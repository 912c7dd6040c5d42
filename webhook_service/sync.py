"""The insights sync: every active account's insights, fetched from the Graph API and stored.

A run covers the active accounts of everyone (cron; optionally one user, or shard k of N) or of
one user (Sync Now). It is recorded in social_media_sync_runs before any work, so a run that dies
stays visible as `running`. Accounts are then read a page at a time (`accounts_per_page`), a few
pages in flight; a page's Graph requests go out as batches (sync_fetch), and its rows and
outcomes are saved with save_social_media_sync_batch, one call per `rows_per_save` rows, which
merges the metrics, computes `derived` in the database and sets each account's status and
last_synced_at. The run is finished from the recorded outcomes.

Rows written per account:
- `hour`: window = the run's UTC hour. `metrics` is a snapshot: the account's fields (followers,
  ...) and the newest value Meta has of each daily metric (today's so far, or an earlier day's
  while Meta has not updated it), `end_times` the end of the Meta day each value belongs to,
  `fetched_at` when it was fetched. The database adds deltas against the previous hour's row
  (only for values Meta changed) and rates.
- `day`: one row per Meta day fetched (the last `refetch_days`, today included, or
  `backfill_days` on an account's first sync), keyed by that day's date at 00:00 UTC; re-fetched
  every run because Meta revises them.

Isolation: an account's failure is its outcome, never the run's (account_sync has the rules,
holds between runs included). Only what was fetched is stored, so nothing stored earlier is
zeroed.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from webhook_service.account_sync import AccountSync, HoldStore, iso
from webhook_service.crypto import TokenCipher
from webhook_service.graph import GraphClient
from webhook_service.insights_config import InsightsSettings
from webhook_service.logs import ContextThreadPoolExecutor, log_context
from webhook_service.posts import PostsSync
from webhook_service.sync_fetch import Account, InsightsFetcher, Throttle
from webhook_service.sync_store import SyncStore

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# Per-account errors listed in a sync response; all of them are in social_media_sync_run_accounts.
REPORTED_ERRORS = 100


@dataclass(frozen=True)
class SyncScope:
    """Who asked for a run and which accounts it covers."""

    trigger: str  # "cron" or "sync_now"
    requested_by: str | None = None
    user_id: str | None = None
    shard: int = 0
    shards: int = 1


@dataclass(frozen=True)
class SyncRun:
    id: str
    scope: SyncScope
    started_at: datetime
    window_start: datetime

    @property
    def window_end(self) -> datetime:
        return self.window_start + HOUR

    def window(self) -> dict[str, str]:
        return {"period": "hour", "window_start": iso(self.window_start), "window_end": iso(self.window_end)}


class InsightsSync:
    def __init__(self, *, graph: GraphClient, cipher: TokenCipher, store: SyncStore, settings: InsightsSettings,
                 graph_concurrency: int, posts: PostsSync | None = None, instagram: GraphClient | None = None):
        self.graph = graph
        # graph.instagram.com, for accounts connected with Instagram Login (None: not configured).
        self.instagram = instagram
        self.posts = posts
        self.cipher = cipher
        self.store = store
        self.settings = settings
        self.graph_concurrency = graph_concurrency
        self.spec = settings.derivation_spec()
        self.accounts = AccountSync(cipher=cipher, settings=settings, holds=HoldStore(store.rest))

    def start(self, scope: SyncScope) -> SyncRun:
        """Records a new run for the current hour."""
        now = datetime.now(UTC)
        window_start = now.replace(minute=0, second=0, microsecond=0)
        row = self.store.start_run(trigger=scope.trigger, requested_by=scope.requested_by, user_id=scope.user_id,
                                   shard=scope.shard, shards=scope.shards, window_start=window_start,
                                   window_end=window_start + HOUR)
        log.info("sync run %s started: %s, user %s, shard %d/%d", row["id"], scope.trigger,
                 scope.user_id or "all", scope.shard, scope.shards, extra={"run_id": row["id"]})
        return SyncRun(row["id"], scope, now, window_start)

    def complete(self, run: SyncRun) -> dict[str, Any]:
        """Syncs the run's accounts, finishes the run and returns the sync response body."""
        graph = self.graph
        throttle = Throttle(graph.usage, self.settings.throttle_percent, self.settings.throttle_pause_seconds)
        # Every line logged for the run, in its pools' threads too, carries its id.
        with (log_context(run_id=run.id),
              ContextThreadPoolExecutor(self.graph_concurrency, thread_name_prefix="graph-batch") as graph_pool,
              ContextThreadPoolExecutor(self.settings.pages_in_flight, thread_name_prefix="sync-page") as page_pool):
            problems, error = self._sync_pages(run, InsightsFetcher(graph, graph_pool, throttle, self.instagram),
                                                page_pool)
        finished = self.store.finish_run(run.id, error)
        log.info("sync run %s %s: synced %s, failed %s", run.id, finished["status"], finished["synced"],
                 finished["failed"], extra={"run_id": run.id})
        return {
            "success": finished["status"] != "failed",
            "run_id": run.id,
            "status": finished["status"],
            "synced": finished["synced"],
            "failed": finished["failed"],
            "dropped_metrics": finished["dropped_metrics"],
            "errors": [{key: outcome[key] for key in ("platform", "account_id", "status", "error")}
                       for outcome in problems],
            **({"error": error} if error else {}),
            "window": run.window(),
        }

    def _sync_pages(self, run: SyncRun, fetcher: InsightsFetcher,
                    page_pool: ThreadPoolExecutor) -> tuple[list[dict[str, Any]], str | None]:
        """Streams the run's accounts through `_sync_page`, `pages_in_flight` pages at a time.
        Returns the first outcomes that were not clean, and the run's error if it had one."""
        problems: list[dict[str, Any]] = []
        failed_pages = 0

        def collect(done: set[Future]) -> None:
            nonlocal failed_pages
            for future in done:
                try:
                    outcomes = future.result()
                except Exception:
                    failed_pages += 1
                    log.exception("sync run %s: a page of accounts failed", run.id)
                    continue
                unclean = (outcome for outcome in outcomes if outcome["status"] != "synced")
                problems.extend(islice(unclean, REPORTED_ERRORS - len(problems)))

        in_flight: set[Future] = set()
        try:
            for rows in self.store.account_pages(run.scope.user_id, run.scope.shard, run.scope.shards,
                                                 self.settings.accounts_per_page):
                if len(in_flight) >= self.settings.pages_in_flight:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    collect(done)
                in_flight.add(page_pool.submit(self._sync_page, run, rows, fetcher))
        except Exception as exc:
            log.exception("sync run %s could not read its accounts", run.id)
            collect(wait(in_flight).done)
            return problems, f"The accounts could not be read ({type(exc).__name__})"
        collect(wait(in_flight).done)
        if failed_pages:
            return problems, f"{failed_pages} page(s) of accounts could not be synced or saved; see the service log"
        return problems, None

    def _sync_page(self, run: SyncRun, rows: list[dict[str, Any]], fetcher: InsightsFetcher) -> list[dict[str, Any]]:
        """Fetches and saves one page of accounts; returns their outcomes."""
        # Saved in batches of at most `rows_per_save` rows, each account's rows and outcome in the
        # same batch: a first sync's backfill makes 30 times more rows than an hourly run.
        outcomes: list[dict[str, Any]] = []
        batch_rows: list[dict[str, Any]] = []
        batch_outcomes: list[dict[str, Any]] = []
        clean: list[Account] = []
        for result in self.accounts.sync(rows, fetcher, run.window_start, run.started_at):
            size = len(result.hour_rows) + len(result.day_rows)
            if batch_rows and len(batch_rows) + size > self.settings.rows_per_save:
                self.store.save_batch(run.id, batch_rows, batch_outcomes, self.spec)
                batch_rows, batch_outcomes = [], []
            batch_rows += result.hour_rows + result.day_rows
            batch_outcomes.append(result.outcome)
            outcomes.append(result.outcome)
            if result.account and result.outcome["status"] in ("synced", "partial"):
                clean.append(result.account)
        self.store.save_batch(run.id, batch_rows, batch_outcomes, self.spec)
        changed = {outcome["social_media_account_id"]: outcome for outcome in self._sync_posts(run, clean, outcomes, fetcher)}
        return [changed.get(outcome["social_media_account_id"], outcome) for outcome in outcomes]

    def _sync_posts(self, run: SyncRun, accounts: list[Account], outcomes: list[dict[str, Any]],
                    fetcher: InsightsFetcher) -> list[dict[str, Any]]:
        """Post work for the page's accounts whose snapshot went through, once that is saved
        (lower priority). Metrics Meta rejected for a media type are added to those accounts'
        outcomes, saved again; returns those outcomes. A failure here is logged and costs the
        accounts their post refresh only: the next run finds the posts still due."""
        if self.posts is None or not accounts:
            return []
        try:
            dropped = self.posts.sync(accounts, fetcher, run.started_at)
            changed = [with_dropped_metrics(outcome, dropped[outcome["social_media_account_id"]])
                       for outcome in outcomes if outcome["social_media_account_id"] in dropped]
            if changed:
                self.store.save_batch(run.id, [], changed, self.spec)
            return changed
        except Exception:
            log.exception("sync run %s: post work for %d accounts failed", run.id, len(accounts))
            return []


def with_dropped_metrics(outcome: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """A clean account's outcome with more metrics Meta rejected: partial, naming them all."""
    dropped = sorted({*outcome["dropped_metrics"], *names})
    return {**outcome, "status": "partial", "error": f"Meta rejected metrics: {', '.join(dropped)}",
            "dropped_metrics": dropped}
