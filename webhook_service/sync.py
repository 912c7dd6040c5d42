"""The insights sync of one queue message: its accounts' insights, fetched from the Graph API and
stored; and a user's run (Sync Now), queued and awaited.

Work arrives as pgmq messages (see sync_worker and the sync-queue migration). An account message
(`account_snapshot`, or `account_backfill` for an account never synced) names a run, its UTC hour
and up to a hundred account row ids. Its accounts are read by key (`accounts_per_page`), their
Graph requests go out as batches on the process's shared Graph pool (sync_fetch), and the rows and
outcomes are saved with save_social_media_sync_batch, one call per `rows_per_save` rows; the last
call is complete_social_media_sync_message, which also deletes the message and moves the run's
counters, so a worker that dies before it has saved nothing and the message comes back.

What is fetched for an account and how answers, errors and rate limits become its rows, outcome
and holds is account_sync's; an account's failure is its outcome, never the message's.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from webhook_service.account_sync import AccountSync, HoldStore, iso
from webhook_service.crypto import TokenCipher
from webhook_service.graph import GraphClient
from webhook_service.insights_config import InsightsSettings
from webhook_service.logs import log_context
from webhook_service.posts import PostsSync
from webhook_service.sync_fetch import Account, InsightsFetcher, Throttle
from webhook_service.sync_store import ClaimedMessage, SyncStore

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
ACCOUNT_KINDS = ("account_snapshot", "account_backfill")
# Per-account errors listed in a sync response; all of them are in social_media_sync_run_accounts.
REPORTED_ERRORS = 100
# Runs whose rejected metrics a process remembers (one hour's runs at a time, in practice).
REMEMBERED_RUNS = 16
PROGRESS_POLL_SECONDS = 0.2
REPOKE_SECONDS = 1.0


class PoisonMessage(Exception):
    """A message no delivery can work (malformed, unknown kind, unknown accounts): dead-lettered
    at once with this reason."""


@dataclass(frozen=True)
class SyncRun:
    """The run and hour an account message belongs to."""

    id: str
    window_start: datetime

    @property
    def window_end(self) -> datetime:
        return self.window_start + HOUR

    def window(self) -> dict[str, str]:
        return {"period": "hour", "window_start": iso(self.window_start), "window_end": iso(self.window_end)}


@dataclass(frozen=True)
class AccountWork:
    run: SyncRun
    account_ids: list[str]

    @classmethod
    def of(cls, message: ClaimedMessage) -> AccountWork:
        body = message.body
        ids = body.get("accounts")
        try:
            run = SyncRun(str(body["run_id"]), datetime.fromisoformat(body["window_start"]).astimezone(UTC))
        except (KeyError, TypeError, ValueError):
            raise PoisonMessage("Malformed account message: needs run_id and window_start") from None
        if not isinstance(ids, list) or not ids or not all(_is_uuid(item) for item in ids):
            raise PoisonMessage("Malformed account message: accounts must be a non-empty list of account row ids")
        return cls(run, ids)


class InsightsSync:
    def __init__(self, *, graph: GraphClient, cipher: TokenCipher, store: SyncStore, settings: InsightsSettings,
                 graph_pool: Executor, posts: PostsSync | None = None, instagram: GraphClient | None = None):
        self.graph = graph
        # graph.instagram.com, for accounts connected with Instagram Login (None: not configured).
        self.instagram = instagram
        self.posts = posts
        self.cipher = cipher
        self.store = store
        self.settings = settings
        self.graph_pool = graph_pool
        self.spec = settings.derivation_spec()
        self.accounts = AccountSync(cipher=cipher, settings=settings, holds=HoldStore(store.rest))
        self._fetchers: OrderedDict[str, InsightsFetcher] = OrderedDict()
        self._fetchers_lock = threading.Lock()

    # --- a user's run (Sync Now, or one user with the cron secret) ----------------------------------
    def start_user_run(self, *, trigger: str, user_id: str, requested_by: str | None) -> dict[str, Any]:
        run = self.store.enqueue_run(trigger=trigger, user_id=user_id, requested_by=requested_by,
                                     accounts_per_message=self.settings.accounts_per_message)
        log.info("sync run %s queued: %s, user %s, %s accounts queued, %s joined", run["id"], trigger, user_id,
                 run["accounts_queued"], run["accounts_joined"], extra={"run_id": run["id"]})
        return run

    def wait(self, run_id: str, seconds: float, poke: Callable[[], None]) -> dict[str, Any] | None:
        """The run's progress once it and the work it joined are done; None after `seconds`.
        While it waits it pokes this process's workers now and then: a message of its run whose
        worker died becomes visible again when its visibility timeout ends."""
        deadline = time.monotonic() + seconds
        next_poke = time.monotonic() + REPOKE_SECONDS
        while True:
            progress = self.store.run_progress(run_id)
            if progress["finished_at"] and progress["joined_pending"] == 0:
                log.info("sync run %s %s: synced %s, failed %s", run_id, progress["status"], progress["synced"],
                         progress["failed"], extra={"run_id": run_id})
                return progress
            now = time.monotonic()
            if now >= deadline:
                return None
            if now >= next_poke:
                poke()
                next_poke = now + REPOKE_SECONDS
            time.sleep(PROGRESS_POLL_SECONDS)

    def summary(self, run: dict[str, Any]) -> dict[str, Any]:
        """The response body for a finished run."""
        return {
            "success": run["status"] != "failed",
            "run_id": run["id"],
            "status": run["status"],
            "synced": run["synced"],
            "failed": run["failed"],
            "dropped_metrics": run["dropped_metrics"],
            "errors": self.store.run_problems(run["id"], REPORTED_ERRORS) if run["accounts_total"] else [],
            "queued": run["accounts_queued"],
            "joined": run["accounts_joined"],
            "dead_lettered": run["accounts_dead_lettered"],
            "window": run_window(run),
        }

    # --- an account message -----------------------------------------------------------------------
    def sync_message(self, message: ClaimedMessage) -> None:
        """Syncs and saves the message's accounts; the last save deletes the message."""
        work = AccountWork.of(message)
        # Every line logged for the message, in the Graph pool's threads too, carries the run id.
        with log_context(run_id=work.run.id):
            self._sync_accounts(message, work)

    def _sync_accounts(self, message: ClaimedMessage, work: AccountWork) -> None:
        rows = list(self.store.accounts(work.account_ids, self.settings.accounts_per_page))
        if not rows:
            raise PoisonMessage("None of the message's accounts exist")
        # Disconnected or waiting for a new login since they were queued: nothing to do for them.
        workable = [row for row in rows
                    if row["is_active"] and row["status"] != "needs_reauth" and row["access_token"]]
        # Saved in batches of at most `rows_per_save` rows, each account's rows and outcome in the
        # same batch: a first sync's backfill makes 30 times more rows than an hourly run. The last
        # batch deletes the message.
        batch_rows: list[dict[str, Any]] = []
        batch_outcomes: list[dict[str, Any]] = []
        outcomes: list[dict[str, Any]] = []
        clean: list[Account] = []
        fetcher = self._fetcher(work.run.id)
        for result in self.accounts.sync(workable, fetcher, work.run.window_start):
            size = len(result.hour_rows) + len(result.day_rows)
            if batch_rows and len(batch_rows) + size > self.settings.rows_per_save:
                self.store.save_batch(work.run.id, batch_rows, batch_outcomes, self.spec)
                batch_rows, batch_outcomes = [], []
            batch_rows += result.hour_rows + result.day_rows
            batch_outcomes.append(result.outcome)
            outcomes.append(result.outcome)
            if result.account and result.outcome["status"] in ("synced", "partial"):
                clean.append(result.account)
        if self.posts is not None and clean:
            # The snapshots are saved first; the post work (lower priority) follows, and what it
            # changes in the outcomes goes with the message's completion.
            self.store.save_batch(work.run.id, batch_rows, batch_outcomes, self.spec)
            batch_rows, batch_outcomes = [], self._sync_posts(work.run.id, clean, outcomes, fetcher)
        # Logged before the save that may finish the run, so it precedes the run's last line.
        log.info("sync message %s/%s (delivery %d): saving %d of its %d accounts, run %s", message.queue,
                 message.msg_id, message.deliveries, len(workable), len(work.account_ids), work.run.id)
        self.store.complete(message, work.run.id, work.account_ids, batch_rows, batch_outcomes, self.spec)

    def _sync_posts(self, run_id: str, accounts: list[Account], outcomes: list[dict[str, Any]],
                    fetcher: InsightsFetcher) -> list[dict[str, Any]]:
        """Post work for the message's accounts whose snapshot went through. Metrics Meta rejected
        for a media type are added to those accounts' outcomes; returns the outcomes that changed.
        A failure here is logged and costs the accounts their post refresh only: the next run finds
        the posts still due."""
        try:
            dropped = self.posts.sync(accounts, fetcher, datetime.now(UTC))
        except Exception:
            log.exception("sync run %s: post work for %d accounts failed", run_id, len(accounts))
            return []
        return [with_dropped_metrics(outcome, dropped[outcome["social_media_account_id"]])
                for outcome in outcomes if outcome["social_media_account_id"] in dropped]
    def _fetcher(self, run_id: str) -> InsightsFetcher:
        """The run's fetcher, shared by the process's messages of that run, so a metric Meta
        rejects is found once per run and process rather than once per message."""
        with self._fetchers_lock:
            fetcher = self._fetchers.get(run_id)
            if fetcher is None:
                throttle = Throttle(self.graph.usage, self.settings.throttle_percent,
                                    self.settings.throttle_pause_seconds)
                fetcher = self._fetchers[run_id] = InsightsFetcher(self.graph, self.graph_pool, throttle, self.instagram)
                while len(self._fetchers) > REMEMBERED_RUNS:
                    self._fetchers.popitem(last=False)
            return fetcher


def run_window(run: dict[str, Any]) -> dict[str, str]:
    return SyncRun(run["id"], datetime.fromisoformat(run["window_start"])).window()


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def with_dropped_metrics(outcome: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """A clean account's outcome with more metrics Meta rejected: partial, naming them all."""
    dropped = sorted({*outcome["dropped_metrics"], *names})
    return {**outcome, "status": "partial", "error": f"Meta rejected metrics: {', '.join(dropped)}",
            "dropped_metrics": dropped}
