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

Isolation: an account's failure is its outcome, never the run's. Invalid token or missing
permission -> needs_reauth (skipped until reconnected); still rate limited after the in-run
retries -> rate_limited; anything else -> failed; metrics Meta rejected -> partial. Only what was
fetched is stored, so nothing stored earlier is zeroed.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from webhook_service.crypto import TokenCipher, TokenDecryptionError
from webhook_service.graph import GraphClient, PermissionMissing, RateLimited, TokenInvalid
from webhook_service.insights_config import InsightsSettings
from webhook_service.logs import ContextThreadPoolExecutor, log_context
from webhook_service.sync_fetch import (
    Account,
    AccountInsights,
    InsightsFetcher,
    MetaDay,
    Throttle,
    meta_days,
    plan_requests,
)
from webhook_service.sync_store import SyncStore

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# Per-account errors listed in a sync response; all of them are in social_media_sync_run_accounts.
REPORTED_ERRORS = 100
UNREADABLE_TOKEN = "The stored token cannot be decrypted; connect the account again."


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
        return {"period": "hour", "window_start": _iso(self.window_start), "window_end": _iso(self.window_end)}


class InsightsSync:
    def __init__(self, *, graph: GraphClient, cipher: TokenCipher, store: SyncStore, settings: InsightsSettings,
                 graph_concurrency: int):
        self.graph = graph
        self.cipher = cipher
        self.store = store
        self.settings = settings
        self.graph_concurrency = graph_concurrency
        self.spec = settings.derivation_spec()

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
            problems, error = self._sync_pages(run, InsightsFetcher(graph, graph_pool, throttle), page_pool)
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
        outcomes: list[dict[str, Any]] = []
        collected: dict[str, AccountInsights] = {}
        requests = []
        recent, backfill = (meta_days(run.started_at, self.settings.refetch_days),
                            meta_days(run.started_at, self.settings.backfill_days))
        for row in rows:
            try:
                token = self.cipher.decrypt(row["access_token"] or "")
            except TokenDecryptionError:
                log.warning("the stored token of an account matches none of the configured keys",
                            extra={"account_row_id": row["id"], "platform": row["platform"]})
                outcomes.append(_outcome(row, "needs_reauth", UNREADABLE_TOKEN))
                continue
            account = Account(row["id"], row["user_id"], row["platform"], row["account_id"], token,
                              first_sync=row["last_synced_at"] is None)
            catalog = self.settings.platform(account.platform)
            dropped = fetcher.dropped(account.platform)
            collected[account.row_id] = AccountInsights(
                account, catalog, dropped=set(dropped & {metric.meta_name for metric in catalog.fetched()}))
            requests += plan_requests(account, catalog, backfill if account.first_sync else recent, dropped)

        for request, answer in fetcher.fetch(requests):
            collected[request.account.row_id].record(request, answer)

        # Saved in batches of at most `rows_per_save` rows, each account's rows and outcome in the
        # same batch: a first sync's backfill makes 30 times more rows than an hourly run.
        batch_rows: list[dict[str, Any]] = []
        batch_outcomes = list(outcomes)
        while collected:
            _, account_insights = collected.popitem()
            hour_rows, day_rows = _rows(run, account_insights)
            if batch_rows and len(batch_rows) + len(hour_rows) + len(day_rows) > self.settings.rows_per_save:
                self.store.save_batch(run.id, batch_rows, batch_outcomes, self.spec)
                batch_rows, batch_outcomes = [], []
            batch_rows += hour_rows + day_rows
            outcome = _account_outcome(account_insights, len(hour_rows), len(day_rows))
            batch_outcomes.append(outcome)
            outcomes.append(outcome)
        self.store.save_batch(run.id, batch_rows, batch_outcomes, self.spec)
        return outcomes


def _rows(run: SyncRun, collected: AccountInsights) -> tuple[list[dict], list[dict]]:
    account = collected.account
    key = {"user_id": account.user_id, "platform": account.platform, "account_id": account.account_id}
    fetched_at = _iso(datetime.now(UTC))
    # Each metric's newest value Meta has, with the end of the Meta day it belongs to: Pages'
    # values update about once a day and Instagram's arrive late, so it is not always today's.
    newest: dict[str, float] = {}
    end_times: dict[str, int] = {}
    for day, metrics in sorted(collected.days.items()):
        newest.update(metrics)
        end_times.update(dict.fromkeys(metrics, MetaDay(day).until))
    snapshot = {**collected.fields, **newest}
    hour_rows = [{**key, "period": "hour", "window_start": _iso(run.window_start), "window_end": _iso(run.window_end),
                  "metrics": snapshot, "end_times": end_times, "fetched_at": fetched_at}] if snapshot else []
    day_rows = []
    for day, metrics in sorted(collected.days.items()):
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        day_rows.append({**key, "period": "day", "window_start": _iso(start),
                         "window_end": _iso(start + timedelta(days=1)), "metrics": metrics, "fetched_at": fetched_at})
    return hour_rows, day_rows


def _account_outcome(collected: AccountInsights, hour_rows: int, day_rows: int) -> dict[str, Any]:
    errors = list(collected.errors)
    dropped = set(collected.dropped)
    if collected.refused:
        # Refused one by one while nothing else worked: the account's problem, not the metrics'.
        if errors or not collected.days:
            errors.append(next(iter(collected.refused.values())))
        else:
            dropped |= collected.refused.keys()
    reauth = [error for error in errors if isinstance(error, (TokenInvalid, PermissionMissing))]
    limited = [error for error in errors if isinstance(error, RateLimited)]
    if reauth:
        status, message = "needs_reauth", str(reauth[0])
    elif limited:
        status, message = "rate_limited", f"Still rate limited after retries: {limited[0]}"
    elif errors:
        status, message = "failed", str(errors[0])
    elif dropped:
        status, message = "partial", f"Meta rejected metrics: {', '.join(sorted(dropped))}"
    else:
        status, message = "synced", None
    account = collected.account
    return {**_outcome({"id": account.row_id, "user_id": account.user_id, "platform": account.platform,
                        "account_id": account.account_id}, status, message),
            "dropped_metrics": sorted(dropped if status == "partial" else collected.dropped),
            "hour_rows": hour_rows, "day_rows": day_rows}


def _outcome(row: dict[str, Any], status: str, error: str | None) -> dict[str, Any]:
    return {"social_media_account_id": row["id"], "user_id": row["user_id"], "platform": row["platform"],
            "account_id": row["account_id"], "status": status, "error": error}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
