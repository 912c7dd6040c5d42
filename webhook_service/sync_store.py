"""The sync's database access, through the service-role REST client of `Store`: the queue RPCs of
the sync-queue migration (enqueue, claim, complete, release, dead-letter, progress, metrics), the
accounts of a message read page by page, and `save_social_media_sync_batch` for a message whose
rows need more than one save."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postgrest import SyncPostgrestClient

from webhook_service import telemetry

OUTCOMES = "social_media_sync_run_accounts"


@dataclass(frozen=True)
class ClaimedMessage:
    """A message claimed from a queue: invisible to other workers until its visibility timeout."""

    queue: str
    msg_id: int
    deliveries: int
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.body["kind"]


class SyncStore:
    def __init__(self, rest: SyncPostgrestClient):
        self.rest = rest

    # --- runs ------------------------------------------------------------------------------------
    def enqueue_run(self, *, trigger: str, user_id: str, requested_by: str | None,
                    accounts_per_message: int) -> dict[str, Any]:
        """Records a run of the current hour for one user's accounts and queues them (joining
        those already queued for the hour); the run row with accounts_queued / accounts_joined."""
        return self.rest.rpc("enqueue_social_media_sync", {
            "p_trigger": trigger, "p_user_id": user_id, "p_requested_by": requested_by,
            "p_accounts_per_message": accounts_per_message,
        }).execute().data

    def run_progress(self, run_id: str) -> dict[str, Any]:
        """The run row plus `pending` (its accounts still queued), `joined_pending` and
        `posts_pending` (its posts messages still queued)."""
        return self.rest.rpc("social_media_sync_run_progress", {"p_run_id": run_id}).execute().data

    def run_problems(self, run_id: str, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` outcomes of the run that were not clean (limit stays below db-max-rows)."""
        return (self.rest.from_(OUTCOMES).select("platform,account_id,status,error")
                .eq("run_id", run_id).neq("status", "synced").order("platform").order("account_id")
                .limit(limit).execute().data)

    # --- the queue -------------------------------------------------------------------------------
    def claim(self, visibility_timeout: int, max_deliveries: int) -> ClaimedMessage | None:
        claimed = self.rest.rpc("claim_social_media_sync_message", {
            "p_visibility_timeout": visibility_timeout, "p_max_deliveries": max_deliveries,
        }).execute().data
        if not claimed:
            return None
        return ClaimedMessage(claimed["queue"], claimed["msg_id"], claimed["read_ct"], claimed["message"])

    def accounts(self, ids: list[str], page_size: int) -> Iterator[dict[str, Any]]:
        """The accounts with these row ids and their token ciphertext, read by key: each page
        continues after the last id of the one before, until a page comes back empty. PostgREST
        caps an answer at db-max-rows, so a page shorter than asked does not mean the end."""
        after = None
        while True:
            query = self.rest.rpc("social_media_sync_accounts", {"p_ids": ids}).order("id").limit(page_size)
            if after is not None:
                query = query.gt("id", after)
            rows = query.execute().data or []
            if not rows:
                return
            yield from rows
            after = rows[-1]["id"]

    def save_batch(self, run_id: str, insights: list[dict[str, Any]], outcomes: list[dict[str, Any]],
                   spec: dict[str, Any]) -> None:
        self.rest.rpc("save_social_media_sync_batch", {
            "p_run_id": run_id, "p_insights": insights, "p_outcomes": outcomes, "p_spec": spec,
        }).execute()
        telemetry.sync_outcomes(outcomes)

    def complete(self, message: ClaimedMessage, run_id: str, accounts: list[str], insights: list[dict[str, Any]],
                 outcomes: list[dict[str, Any]], spec: dict[str, Any]) -> None:
        """Saves the message's last batch and deletes the message in one transaction; the run's
        duration is measured when this save finished it."""
        saved = self.rest.rpc("complete_social_media_sync_message", {
            "p_queue": message.queue, "p_msg_id": message.msg_id, "p_run_id": run_id, "p_accounts": accounts,
            "p_insights": insights, "p_outcomes": outcomes, "p_spec": spec,
        }).execute().data
        telemetry.sync_outcomes(outcomes)
        if saved.get("finished_run"):
            run = saved["finished_run"]
            # Both ends of the duration come from the database's clock.
            duration = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
            telemetry.sync_run_finished(run["trigger"], run["status"], duration.total_seconds())

    def complete_posts(self, message: ClaimedMessage, run_id: str, dropped: dict[str, set[str]]) -> None:
        """Records the metrics a posts message's accounts had rejected and deletes the message, in
        one transaction."""
        self.rest.rpc("complete_social_media_posts_message", {
            "p_queue": message.queue, "p_msg_id": message.msg_id, "p_run_id": run_id,
            "p_dropped": {account: sorted(names) for account, names in dropped.items() if names},
        }).execute()

    def ack(self, message: ClaimedMessage) -> None:
        """Deletes a message whose work is done (kinds not saved through `complete`)."""
        self.rest.rpc("ack_social_media_sync_message", {"p_queue": message.queue, "p_msg_id": message.msg_id}).execute()

    def release(self, message: ClaimedMessage, error: str) -> None:
        """Records why the message failed; it comes back when its visibility timeout ends."""
        self.rest.rpc("release_social_media_sync_message", {
            "p_queue": message.queue, "p_msg_id": message.msg_id, "p_error": error,
        }).execute()

    def dead_letter(self, message: ClaimedMessage, reason: str) -> None:
        self.rest.rpc("dead_letter_social_media_sync_message", {
            "p_queue": message.queue, "p_msg_id": message.msg_id, "p_reason": reason,
        }).execute()

    def queue_metrics(self) -> list[dict[str, Any]]:
        """Per queue: queue_length, visible_length, oldest/newest_msg_age_sec, total_messages,
        dead_lettered (pgmq.metrics and the archive)."""
        return self.rest.rpc("social_media_sync_queue_metrics", {}).execute().data or []
