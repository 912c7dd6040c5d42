"""Database access for the post sync, through PostgREST with the service-role client. (The read
RPC goes through `Store.read_posts` with the caller's own JWT.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class PostsStore:
    def __init__(self, rest: Any):
        self.rest = rest

    def save(self, posts: list[dict[str, Any]], insights: list[dict[str, Any]]) -> dict[str, int]:
        return self.rest.rpc("save_social_media_posts", {"p_posts": posts, "p_insights": insights}).execute().data

    def due_posts(self, account_row_ids: list[str], now: datetime) -> list[dict[str, Any]]:
        return self.rest.rpc("due_social_media_posts", {
            "p_account_ids": account_row_ids, "p_now": now.isoformat()}).execute().data or []
