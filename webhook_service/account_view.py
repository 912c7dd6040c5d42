"""How a stored account is shown to the browser: the seed's camelCase shape, never a token.

Besides what the account is, it tells its connection health: how it was connected, when its login (token)
and its data access end, the date to reconnect by (`reconnectBy`, the earlier of the two), and the
permissions it needs that were not granted. An `expiring` account still works: `isConnected`.
"""

from __future__ import annotations

from typing import Any

WORKING_STATUSES = ("connected", "expiring")


def account_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": row["platform"],
        "accountId": row["account_id"],
        "accountName": row.get("account_name"),
        "username": row.get("username"),
        "profilePicture": row.get("profile_picture_url"),
        "isConnected": bool(row.get("is_active")) and row.get("status") in WORKING_STATUSES,
        "status": row.get("status"),
        "lastSyncedAt": row.get("last_synced_at"),
        "lastError": row.get("last_error"),
        "connectedVia": row.get("connected_via"),
        "loginExpiresAt": row.get("token_expires_at"),
        "dataAccessExpiresAt": row.get("data_access_expires_at"),
        "reconnectBy": row.get("reconnect_by"),
        "missingPermissions": row.get("missing_permissions") or [],
    }
