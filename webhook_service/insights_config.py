"""The settings of the insights sync, and which metrics it asks Meta for (`catalog`).

Metric lists are configuration: each platform's catalog (webhook_service.catalog) can have its
lists of Meta names replaced from the environment (read with the other settings in
`config.py`). Meta removes metrics for every API version at once on announced dates (Pages:
`page_impressions`, `page_fans`, `page_engaged_users`, ...; Instagram: `impressions`,
`profile_views`, `website_clicks`), so version pinning does not protect a list; a metric Meta
rejects at run time is dropped for that run and reported instead (see `sync_fetch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webhook_service.catalog import FACEBOOK, INSTAGRAM, META_DAY_TIMEZONE, Catalog
from webhook_service.post_metrics import PostsSettings

__all__ = ["META_DAY_TIMEZONE", "InsightsSettings"]


@dataclass(frozen=True)
class InsightsSettings:
    facebook: Catalog = FACEBOOK
    instagram: Catalog = INSTAGRAM
    # Days re-fetched every run (Meta revises them; Instagram lags up to 48 h), today included.
    refetch_days: int = 3
    # Days fetched on an account's first sync.
    backfill_days: int = 30
    # Accounts per page of a list read through REST (pages continue until an empty one, so a
    # PostgREST db-max-rows below this never ends a read early).
    accounts_per_page: int = 500
    # Accounts per queue message of a run the service queues (Sync Now, one user by cron secret);
    # the hourly job's own size is the argument of its SQL command (also 100). Backfill messages
    # hold a tenth of it.
    accounts_per_message: int = 100
    # Rows per save call (one transaction), which keeps each call far below the 8 s statement timeout.
    rows_per_save: int = 2000
    # Messages one process works on at once (its worker threads); their Graph batches share the
    # process's `GRAPH_CONCURRENCY`.
    messages_in_flight: int = 4
    # A claimed message is invisible to other workers this long: above a message's worst case
    # (100 accounts: 7 Graph batches, each up to GRAPH_TIMEOUT_SECONDS x (1 + retries) plus waits).
    visibility_timeout_seconds: int = 600
    # Deliveries after which a message is dead-lettered and its accounts recorded failed.
    max_deliveries: int = 5
    # How long a Sync Now without `Prefer: respond-async` waits for its accounts before a 202.
    sync_wait_seconds: int = 50
    # Usage (X-App-Usage / X-Business-Use-Case-Usage) from which the sync slows down.
    throttle_percent: float = 80.0
    throttle_pause_seconds: int = 2
    # Posts, reels and stories (see post_metrics).
    posts: PostsSettings = field(default_factory=PostsSettings)

    def platform(self, name: str) -> Catalog:
        return {"facebook": self.facebook, "instagram": self.instagram}[name]

    def derivation_spec(self) -> dict[str, Any]:
        return {catalog.platform: catalog.derivation_spec() for catalog in (self.facebook, self.instagram)}
