"""Connection health: when each account's login (token) and data access end, which permissions it
needs that were not granted, and from when it counts as `expiring` (CONNECTION_EXPIRING_DAYS before
the earlier end). Learned at connect, after each Instagram token refresh, and daily for every
account (`check_all`, the job social-link-check-connection-health).

Facebook's data access ends 90 days after the person last used the app, apart from the token's
own end (https://developers.facebook.com/docs/facebook-login/auth-vs-data/); `debug_token`, asked
with the app token, reports both. Instagram Login tokens are not Facebook tokens: their health is
their stored end, which the refresh job moves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from webhook_service.account_sync import UNREADABLE_TOKEN
from webhook_service.crypto import TokenDecryptionError
from webhook_service.graph import GraphError
from webhook_service.platforms import FACEBOOK_LOGIN, INSTAGRAM_LOGIN

if TYPE_CHECKING:
    from webhook_service.services import Services

log = logging.getLogger(__name__)

# What each kind of account needs to be synced.
REQUIRED_PERMISSIONS = {
    (FACEBOOK_LOGIN, "facebook"): ("pages_show_list", "pages_read_engagement", "read_insights"),
    # Instagram insights through a Page also need pages_read_engagement (IG User Insights reference).
    (FACEBOOK_LOGIN, "instagram"): ("pages_show_list", "pages_read_engagement", "instagram_basic",
                                    "instagram_manage_insights"),
    (INSTAGRAM_LOGIN, "instagram"): ("instagram_business_basic", "instagram_business_manage_insights"),
}
CHECK_EVERY = timedelta(hours=20)   # a daily job re-checks what the previous day's run checked
ACCOUNTS_PER_PAGE = 500
INVALID_LOGIN = "Facebook no longer accepts this login (it expired or was revoked). Please connect again."


def from_unix(seconds: Any) -> datetime | None:
    """Meta's unix time; 0 (or nothing) means never."""
    return datetime.fromtimestamp(seconds, timezone.utc) if isinstance(seconds, int) and seconds > 0 else None


def expiring_from(*ends: datetime | None, window_days: int) -> datetime | None:
    """When an account whose login and data access end at `ends` starts to count as expiring."""
    known = [end for end in ends if end is not None]
    return min(known) - timedelta(days=window_days) if known else None


def missing_permissions(login: str, platform: str, granted: Iterable[str]) -> list[str]:
    granted = set(granted)
    return [permission for permission in REQUIRED_PERMISSIONS[(login, platform)] if permission not in granted]


def facebook_health(row_ids: Iterable[str], platform_of: dict[str, str], debug: dict[str, Any],
                    window_days: int) -> list[dict[str, Any]]:
    """What a `debug_token` answer says about the Facebook Login accounts `row_ids`."""
    if debug.get("is_valid") is False:
        return [{"id": row_id, "status": "needs_reauth", "last_error": INVALID_LOGIN} for row_id in row_ids]
    token_end, data_end = from_unix(debug.get("expires_at")), from_unix(debug.get("data_access_expires_at"))
    granted = [scope for scope in debug.get("scopes") or [] if isinstance(scope, str)]
    return [{
        "id": row_id, "connected_via": FACEBOOK_LOGIN,
        "token_expires_at": iso(token_end), "data_access_expires_at": iso(data_end),
        "expiring_from": iso(expiring_from(token_end, data_end, window_days=window_days)),
        "missing_permissions": missing_permissions(FACEBOOK_LOGIN, platform_of[row_id], granted),
    } for row_id in row_ids]


def check_all(services: Services) -> dict[str, int]:
    """The daily check of every active account not checked in the last CHECK_EVERY: one
    `debug_token` per Facebook user (their Pages share their data access), none for Instagram Login
    accounts. Returns counts of accounts checked and found needing a new login, and Facebook users
    Meta could not be asked about (checked again by the next run)."""
    checked_before = datetime.now(timezone.utc) - CHECK_EVERY
    window = services.config.connection_expiring_days
    counts = {"checked": 0, "needs_reauth": 0, "unreachable": 0}
    after = None
    while True:
        rows = services.store.accounts_for_health_check(checked_before, after, ACCOUNTS_PER_PAGE)
        if not rows:
            return counts
        after = rows[-1]["id"]
        health: list[dict[str, Any]] = []
        by_person: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if row["connected_via"] == INSTAGRAM_LOGIN:
                end = _parse(row["token_expires_at"])
                granted = (row.get("permissions") or {}).get("granted") or []
                health.append({"id": row["id"], "expiring_from": iso(expiring_from(end, window_days=window)),
                               "missing_permissions": missing_permissions(INSTAGRAM_LOGIN, "instagram", granted)})
            else:
                by_person.setdefault(row["meta_user_id"] or row["id"], []).append(row)
        for person_rows in by_person.values():
            try:
                debug = services.graph.debug_token(services.cipher.decrypt(person_rows[0]["access_token"] or ""))
            except TokenDecryptionError:
                # Matches none of the configured keys: no call can be made with it.
                health += [{"id": row["id"], "status": "needs_reauth", "last_error": UNREADABLE_TOKEN}
                           for row in person_rows]
                continue
            except GraphError as error:
                log.warning("health check: debug_token failed for %d accounts: %s", len(person_rows), error)
                counts["unreachable"] += 1
                continue
            health += facebook_health([row["id"] for row in person_rows],
                                      {row["id"]: row["platform"] for row in person_rows}, debug, window)
        services.store.record_health(health)
        counts["checked"] += len(health)
        counts["needs_reauth"] += sum(1 for entry in health if entry.get("status") == "needs_reauth")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
