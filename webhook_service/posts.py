"""The post sync for a page of accounts: list their content, store new posts, read the insights of
the posts that are due, store them.

1. Listings (see `posts_fetch`), followed page by page on an account's first sync.
2. `save_social_media_posts` upserts the listed posts; a new post is due at once.
3. `due_social_media_posts` answers which posts of these accounts are due by their age
   (`PostsSettings.next_refresh`): young posts hourly, then daily, weekly, then never.
4. One insights call per due post with its media type's metrics; the values and each post's next
   refresh are saved (`rows_per_save` posts per call).

Failures stay with the post: a transient error or rate limit leaves it due (next run tries
again); another error (Meta's "(#10) Not enough viewers for the media to show insights", a
deleted post) stores nothing and moves it to its next refresh. A metric rejected for one media
product type is dropped for that type for the rest of the run and returned per account, so the
account's outcome records it (`<platform>/<type>:<metric>`). Nothing stored is ever erased:
values merge into what is there.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from webhook_service.graph import GraphError, InvalidMetric
from webhook_service.post_metrics import PostsSettings, metric_scope
from webhook_service.posts_fetch import (
    insights_request,
    listing_requests,
    next_listing,
    published_at,
    read_insights,
    read_listing,
)
from webhook_service.posts_store import PostsStore
from webhook_service.sync_fetch import Account, InsightsFetcher

log = logging.getLogger(__name__)


class PostsSync:
    def __init__(self, store: PostsStore, settings: PostsSettings, rows_per_save: int):
        self.store = store
        self.settings = settings
        self.rows_per_save = rows_per_save

    def sync(self, accounts: list[Account], fetcher: InsightsFetcher, now: datetime) -> dict[str, set[str]]:
        """Syncs the posts of `accounts` (decrypted); returns the metrics dropped per account row id."""
        if not self.settings.enabled or not accounts:
            return {}
        by_row = {account.row_id: account for account in accounts}
        self._list(accounts, fetcher, now)
        # Due as of the listing just saved (new posts are due from the moment they are stored).
        due = self.store.due_posts(list(by_row), datetime.now(UTC))
        return self._refresh(by_row, due, fetcher, now)

    def _list(self, accounts: list[Account], fetcher: InsightsFetcher, now: datetime) -> None:
        oldest = now - timedelta(days=self.settings.weekly_days)
        pending = [request for account in accounts
                   for request in listing_requests(account, self.settings, oldest)]
        posts: list[dict[str, Any]] = []
        while pending:
            follow = []
            for request, answer in fetcher.fetch(pending):
                if isinstance(answer, GraphError):
                    log.warning("listing %s of %s %s failed: %s", request.listing, request.account.platform,
                                request.account.account_id, answer)
                    continue
                rows = read_listing(request, answer)
                posts += [row for row in rows if published_at(row["published_at"]) >= oldest]
                further = next_listing(request, answer)
                if (further and request.account.first_sync and request.page < self.settings.first_listing_pages
                        and rows and all(published_at(row["published_at"]) >= oldest for row in rows)):
                    follow.append(further)
            pending = follow
        for start in range(0, len(posts), self.rows_per_save):
            self.store.save(posts[start:start + self.rows_per_save], [])

    def _refresh(self, accounts: dict[str, Account], due: list[dict[str, Any]], fetcher: InsightsFetcher,
                 now: datetime) -> dict[str, set[str]]:
        dropped: dict[str, set[str]] = defaultdict(set)
        requests = []
        for post in due:
            account = accounts[post["social_media_account_id"]]
            scope = metric_scope(account.platform, post["media_product_type"])
            run_dropped = fetcher.dropped(scope)
            dropped[account.row_id].update(f"{scope}:{name}" for name in run_dropped)
            names = tuple(name for name in self.settings.metrics_for(account.platform, post["media_product_type"])
                          if name not in run_dropped)
            if names:
                requests.append(insights_request(account, post, names))

        read: dict[tuple[str, str], dict[str, Any]] = {}
        for request, answer in fetcher.fetch(requests):
            post = request.post
            key = (post["social_media_account_id"], post["post_id"])
            entry = read.setdefault(key, {"post": post, "metrics": {}, "failed": False, "retry": False})
            if isinstance(answer, InvalidMetric):
                dropped[request.account.row_id].update(f"{request.metric_scope}:{name}" for name in request.names)
            elif isinstance(answer, GraphError):
                log.info("insights of %s %s failed: %s", request.account.platform, post["post_id"], answer)
                entry["failed"] = True
                entry["retry"] = entry["retry"] or answer.transient
            else:
                entry["metrics"].update(read_insights(answer, request.names))

        rows = []
        for (account_row_id, post_id), entry in read.items():
            if entry["retry"]:
                continue  # still due: the next run asks again
            post = entry["post"]
            expires = post.get("expires_at")
            next_refresh = self.settings.next_refresh(published_at_of(post["published_at"]), now,
                                                      published_at_of(expires) if expires else None)
            rows.append({"social_media_account_id": account_row_id, "post_id": post_id,
                         "metrics": entry["metrics"], "fetched_at": now.isoformat(),
                         "next_refresh_at": next_refresh.isoformat() if next_refresh else None})
        for start in range(0, len(rows), self.rows_per_save):
            self.store.save([], rows[start:start + self.rows_per_save])
        return {row_id: names for row_id, names in dropped.items() if names}


def published_at_of(value: str) -> datetime:
    """A timestamp as PostgREST answers it (ISO 8601 with offset)."""
    try:
        return published_at(value)
    except ValueError:
        return datetime.fromisoformat(value)
