"""Instagram Login tokens refreshed before they end (the daily job social-link-refresh-instagram-tokens).

A long-lived Instagram token lasts 60 days and can be refreshed once it is a day old; the refreshed
one lasts 60 days from then. A token Instagram refuses (expired, or the app removed) cannot be
refreshed: the account needs a new login (`needs_reauth`, written with its reason to the account's
event history by the database). Any other failure leaves the token for the next day's run.
"""

from __future__ import annotations

import logging

from webhook_service.connection_health import UNREADABLE_TOKEN, expiring_from
from webhook_service.crypto import TokenDecryptionError
from webhook_service.graph import GraphError, TokenInvalid
from webhook_service.services import Services

log = logging.getLogger(__name__)

ACCOUNTS_PER_PAGE = 500
EXPIRED_LOGIN = "Instagram no longer accepts this login (it expired or was revoked). Please connect again."


def refresh_instagram_tokens(services: Services, within_days: int) -> dict[str, int]:
    """Refreshes the Instagram Login tokens that end within `within_days`; returns counts."""
    counts = {"refreshed": 0, "needs_reauth": 0, "failed": 0, "replaced_meanwhile": 0}
    if services.instagram is None:
        return counts
    seen: set[str] = set()
    while True:
        due = [row for row in services.store.instagram_tokens_to_refresh(within_days, ACCOUNTS_PER_PAGE)
               if row["id"] not in seen]
        if not due:
            return counts
        for row in due:
            seen.add(row["id"])
            counts[_refresh_one(services, row)] += 1


def _refresh_one(services: Services, row: dict) -> str:
    try:
        token = services.instagram.refresh(services.cipher.decrypt(row["access_token"] or ""))
    except TokenDecryptionError:
        services.store.record_health([{"id": row["id"], "status": "needs_reauth", "last_error": UNREADABLE_TOKEN}])
        return "needs_reauth"
    except TokenInvalid as error:
        log.info("token refresh: account %s needs a new login (%s)", row["id"], error)
        services.store.record_health([{"id": row["id"], "status": "needs_reauth", "last_error": EXPIRED_LOGIN}])
        return "needs_reauth"
    except GraphError as error:
        log.warning("token refresh: account %s not refreshed, tried again tomorrow (%s)", row["id"], error)
        return "failed"
    saved = services.store.save_refreshed_instagram_token(
        row["id"], row["access_token"], services.cipher.encrypt(token.value), token.expires_at,
        expiring_from(token.expires_at, window_days=services.config.connection_expiring_days))
    return "refreshed" if saved else "replaced_meanwhile"
