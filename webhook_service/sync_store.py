"""The sync's database access, through the service-role REST client of `Store`: the accounts a run
covers, read page by page; the run record; one `save_social_media_sync_batch` call per page of
accounts; the run's finish."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from postgrest import SyncPostgrestClient

from webhook_service import telemetry

RUNS = "social_media_sync_runs"


class SyncStore:
    def __init__(self, rest: SyncPostgrestClient):
        self.rest = rest

    def account_pages(self, user_id: str | None, shard: int, shards: int,
                      page_size: int) -> Iterator[list[dict[str, Any]]]:
        """The run's active accounts with token ciphertext, `page_size` at a time, by row id
        (keyset paging: each page continues after the previous page's last id)."""
        params = {"p_user_id": user_id, "p_shard": shard, "p_shards": shards}
        after = None
        while True:
            query = self.rest.rpc("active_social_media_accounts", params).order("id").limit(page_size)
            if after is not None:
                query = query.gt("id", after)
            rows = query.execute().data or []
            if rows:
                yield rows
            if len(rows) < page_size:
                return
            after = rows[-1]["id"]

    def start_run(self, *, trigger: str, requested_by: str | None, user_id: str | None, shard: int,
                  shards: int, window_start: datetime, window_end: datetime) -> dict[str, Any]:
        return self.rest.from_(RUNS).insert({
            "trigger": trigger, "requested_by": requested_by, "user_id": user_id, "shard": shard,
            "shards": shards, "window_start": window_start.isoformat(), "window_end": window_end.isoformat(),
        }).execute().data[0]

    def save_batch(self, run_id: str, insights: list[dict[str, Any]], outcomes: list[dict[str, Any]],
                   spec: dict[str, Any]) -> None:
        self.rest.rpc("save_social_media_sync_batch", {
            "p_run_id": run_id, "p_insights": insights, "p_outcomes": outcomes, "p_spec": spec,
        }).execute()
        telemetry.sync_outcomes(outcomes)

    def finish_run(self, run_id: str, error: str | None = None) -> dict[str, Any]:
        run = self.rest.rpc("finish_social_media_sync_run", {"p_run_id": run_id, "p_error": error}).execute().data
        # Both ends of the duration come from the database's clock.
        duration = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
        telemetry.sync_run_finished(run["trigger"], run["status"], duration.total_seconds())
        return run
