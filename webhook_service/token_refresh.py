"""Instagram Login tokens refreshed before they end, on the sync's queue.

The daily job social-link-refresh-instagram-tokens queues the Instagram Login accounts whose token
ends within 10 days as `token_refresh` messages on the low-priority sync queue
(`{"kind": "token_refresh", "accounts": [row ids]}`) and pokes the service; any replica's queue
workers hand them here. A long-lived Instagram token lasts 60 days and can be refreshed once it is
a day old; the refreshed one lasts 60 days from then. A token Instagram refuses (expired, or the
app removed) cannot be refreshed: the account needs a new login (`needs_reauth`, written with its
reason to the account's event history by the database). Any other failure leaves the token for the
next day's run.
"""

from __future__ import annotations

import logging
from typing import Any

from webhook_service.account_sync import UNREADABLE_TOKEN
from webhook_service.connection_health import expiring_from
from webhook_service.crypto import TokenCipher, TokenDecryptionError
from webhook_service.graph import GraphError, TokenInvalid
from webhook_service.instagram_graph import InstagramClient
from webhook_service.store import Store
from webhook_service.sync import PoisonMessage
from webhook_service.sync_store import ClaimedMessage, SyncStore

log = logging.getLogger(__name__)

KIND = "token_refresh"
EXPIRED_LOGIN = "Instagram no longer accepts this login (it expired or was revoked). Please connect again."


class TokenRefresher:
    def __init__(self, *, instagram: InstagramClient | None, cipher: TokenCipher, store: Store, sync_store: SyncStore,
                 window_days: int):
        self.instagram = instagram
        self.cipher = cipher
        self.store = store
        self.sync_store = sync_store
        self.window_days = window_days

    def handle(self, message: ClaimedMessage) -> None:
        """A `token_refresh` message: refreshes its accounts' tokens, then deletes the message."""
        ids = message.body.get("accounts")
        if not isinstance(ids, list) or not ids or not all(isinstance(row_id, str) for row_id in ids):
            raise PoisonMessage("A token_refresh message needs a non-empty list of account ids")
        if self.instagram is None:
            raise PoisonMessage("Instagram Login is not configured on this service (INSTAGRAM_APP_ID/SECRET)")
        counts: dict[str, int] = {}
        for row in self.store.instagram_tokens_of(ids):
            outcome = self.refresh(row)
            counts[outcome] = counts.get(outcome, 0) + 1
        self.sync_store.ack(message)
        log.info("token refresh message %s/%s done: %s", message.queue, message.msg_id, counts)

    def refresh(self, row: dict[str, Any]) -> str:
        """Refreshes one account's token; returns refreshed | needs_reauth | failed | replaced_meanwhile."""
        try:
            token = self.instagram.refresh(self.cipher.decrypt(row["access_token"] or ""))
        except TokenDecryptionError:
            self.store.record_health([{"id": row["id"], "status": "needs_reauth", "last_error": UNREADABLE_TOKEN}])
            return "needs_reauth"
        except TokenInvalid as error:
            log.info("token refresh: account %s needs a new login (%s)", row["id"], error)
            self.store.record_health([{"id": row["id"], "status": "needs_reauth", "last_error": EXPIRED_LOGIN}])
            return "needs_reauth"
        except GraphError as error:
            log.warning("token refresh: account %s not refreshed, tried again tomorrow (%s)", row["id"], error)
            return "failed"
        saved = self.store.save_refreshed_instagram_token(
            row["id"], row["access_token"], self.cipher.encrypt(token.value), token.expires_at,
            expiring_from(token.expires_at, window_days=self.window_days))
        return "refreshed" if saved else "replaced_meanwhile"
