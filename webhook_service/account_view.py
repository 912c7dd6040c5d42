"""How a stored account is shown to the browser: the seed's camelCase shape, never a token."""

from __future__ import annotations

from typing import Any


def account_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": row["platform"],
        "accountId": row["account_id"],
        "accountName": row.get("account_name"),
        "username": row.get("username"),
        "profilePicture": row.get("profile_picture_url"),
        "isConnected": bool(row.get("is_active")) and row.get("status") == "connected",
        "status": row.get("status"),
        "lastSyncedAt": row.get("last_synced_at"),
    }
