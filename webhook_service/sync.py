"""The insights sync of one queue message: its accounts' insights, fetched from the Graph API and
stored; and a user's run (Sync Now), queued and awaited.

Work arrives as pgmq messages (see sync_worker and the sync-queue migration). An account message
(`account_snapshot`, or `account_backfill` for an account never synced) names a run, its UTC hour
and up to a hundred account row ids. Its accounts are read by key (`accounts_per_page`), their
Graph requests go out as batches on the process's shared Graph pool (sync_fetch), and the rows and
outcomes are saved with save_social_media_sync_batch, one call per `rows_per_save` rows; the last
call is complete_social_media_sync_message, which also deletes the message and moves the run's
counters, so a worker that dies before it has saved nothing and the message comes back. That
completion also queues a `posts` message (low-priority queue) for the accounts whose snapshot went
through; its handler, sync_posts_message, runs PostsSync for them.

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

from webhook_service.account_sync import AccountSync, HoldStore, account_of, iso
from webhook_service.crypto import TokenCipher, TokenDecryptionError
from webhook_service.graph import GraphClient
from webhook_service.insights_config import InsightsSettings
from webhook_service.logs import log_context
from webhook_service.posts import PostsSync
from webhook_service.sync_fetch import InsightsFetcher, Throttle
from webhook_service.sync_store import ClaimedMessage, SyncStore

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
ACCOUNT_KINDS = ("account_snapshot", "account_backfill")
POSTS_KIND = "posts"
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
            # A finished run has queued all its post work; a Sync Now waits for that too.
            if progress["finished_at"] and progress["joined_pending"] == 0 and progress["posts_pending"] == 0:
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
        workable = [row for row in rows if _workable(row)]
        # Saved in batches of at most `rows_per_save` rows, each account's rows and outcome in the
        # same batch: a first sync's backfill makes 30 times more rows than an hourly run. The last
        # batch deletes the message (and queues the post work of the accounts that went through).
        batch_rows: list[dict[str, Any]] = []
        batch_outcomes: list[dict[str, Any]] = []
        for result in self.accounts.sync(workable, self._fetcher(work.run.id), work.run.window_start):
            size = len(result.hour_rows) + len(result.day_rows)
            if batch_rows and len(batch_rows) + size > self.settings.rows_per_save:
                self.store.save_batch(work.run.id, batch_rows, batch_outcomes, self.spec)
                batch_rows, batch_outcomes = [], []
            batch_rows += result.hour_rows + result.day_rows
            batch_outcomes.append(result.outcome)
        # Logged before the save that may finish the run, so it precedes the run's last line.
        log.info("sync message %s/%s (delivery %d): saving %d of its %d accounts, run %s", message.queue,
                 message.msg_id, message.deliveries, len(workable), len(work.account_ids), work.run.id)
        self.store.complete(message, work.run.id, work.account_ids, batch_rows, batch_outcomes, self.spec)

    # --- a posts message ----------------------------------------------------------------------------
    def sync_posts_message(self, message: ClaimedMessage) -> None:
        """The post work of accounts whose snapshot went through (queued by the snapshot's
        completion, on the low-priority queue). Metrics Meta rejected for a media type join the
        accounts' outcomes as the message is deleted; a failure sends the message back, never
        touching the snapshot's outcome, and the next run finds the posts still due."""
        body = message.body
        ids = body.get("accounts")
        run_id = body.get("run_id")
        if not _is_uuid(run_id) or not isinstance(ids, list) or not ids or not all(_is_uuid(item) for item in ids):
            raise PoisonMessage("Malformed posts message: needs run_id and a non-empty list of account row ids")
        with log_context(run_id=run_id):
            accounts = []
            for row in self.store.accounts(ids, self.settings.accounts_per_page):
                if not _workable(row):
                    continue
                try:
                    token = self.cipher.decrypt(row["access_token"])
                except TokenDecryptionError:
                    continue  # its snapshot's outcome already says so
                accounts.append(account_of(row, token, first_sync=body.get("first_sync") is True))
            dropped = self.posts.sync(accounts, self._fetcher(run_id), datetime.now(UTC)) if self.posts else {}
            self.store.complete_posts(message, run_id, dropped)

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


def _workable(row: dict[str, Any]) -> bool:
    """Disconnected or waiting for a new login since it was queued: nothing to do for it."""
    return row["is_active"] and row["status"] != "needs_reauth" and bool(row["access_token"])


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True
