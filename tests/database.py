"""The stack's database as its owner (past RLS): what tests read to see what the service stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


class Database:
    def __init__(self, url: str):
        self.url = url

    def query(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """The statement's rows; [] for a statement that returns none (insert, update)."""
        with psycopg.connect(self.url, autocommit=True, row_factory=dict_row) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def accounts(self, user_id: str) -> list[dict[str, Any]]:
        return self.query("select * from public.social_media_accounts where user_id = %s "
                          "order by platform, account_id", user_id)

    def accounts_by_id(self, user_id: str) -> dict[str, dict[str, Any]]:
        """Graph account id -> the user's row for it."""
        return {row["account_id"]: row for row in self.accounts(user_id)}

    def tokens(self, user_id: str) -> dict[str, str | None]:
        """account_id (Graph id) -> stored access_token ciphertext."""
        rows = self.query("select a.account_id, t.access_token from public.social_media_accounts a "
                          "join private.social_media_tokens t on t.account_id = a.id where a.user_id = %s", user_id)
        return {row["account_id"]: row["access_token"] for row in rows}

    def insights(self, user_id: str, period: str | None = None) -> list[dict[str, Any]]:
        return self.query("select * from public.social_media_insights where user_id = %s "
                          "and (%s::text is null or period = %s) order by platform, account_id, period, window_start",
                          user_id, period, period)

    def add_hour_row(self, user_id: str, platform: str, account_id: str, window_start: datetime,
                     metrics: dict[str, Any]) -> None:
        self.query("insert into public.social_media_insights (user_id, platform, account_id, period, window_start, "
                   "window_end, metrics) values (%s, %s, %s, 'hour', %s, %s + interval '1 hour', %s) "
                   "on conflict on constraint smi_unique do update set metrics = excluded.metrics",
                   user_id, platform, account_id, window_start, window_start, Jsonb(metrics))

    def end_sync_holds(self) -> None:
        """As if every hold (rate limit, Page role) had run out: the next run calls the accounts again."""
        self.query("update private.social_media_sync_holds set held_until = now() - interval '1 second'")

    def outcomes(self, run_id: str) -> dict[str, dict[str, Any]]:
        """Graph account id -> its outcome in the sync run."""
        rows = self.query("select * from public.social_media_sync_run_accounts where run_id = %s", run_id)
        return {row["account_id"]: row for row in rows}
