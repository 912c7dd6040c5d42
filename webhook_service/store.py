"""Database access through PostgREST with the service-role key.

One `postgrest` client per process: its httpx client is thread-safe and pools connections, and
every query builds its own request, so gthread workers share it. Tokens pass through here only as
ciphertext; the token table is reached through the service RPCs of the migrations, never directly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from postgrest import APIError, SyncPostgrestClient

from webhook_service.config import Config
from webhook_service.domain_errors import InvalidParameter, Unauthenticated

ACCOUNTS = "social_media_accounts"
CONNECT_OUTCOMES = "social_media_connect_outcomes"
# PostgREST's codes for a JWT it refuses (PGRST301-303).
JWT_ERROR_PREFIX = "PGRST30"
# Raised by the read RPC for arguments it refuses (invalid_parameter_value).
INVALID_ARGUMENT = "22023"
CONNECT_RETRIES = 3
# The account columns the API reports (see account_view).
ACCOUNT_COLUMNS = ("platform,account_id,account_name,username,profile_picture_url,is_active,status,last_synced_at,"
                   "last_error,connected_via,token_expires_at,data_access_expires_at,reconnect_by,missing_permissions")


class Store:
    def __init__(self, config: Config, *, pool_size: int = 10, timeout_seconds: float = 10.0):
        key = config.supabase_service_role_key
        rest_url = f"{config.supabase_url}/rest/v1"
        headers = {"apikey": key, "Authorization": f"Bearer {key}"}
        limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        http = httpx.Client(
            base_url=rest_url, headers=headers, timeout=timeout_seconds, follow_redirects=True,
            # Retries only connections that could not be made (a REST replica restarting): the
            # request was never sent, so even a write is safe to send again.
            transport=httpx.HTTPTransport(retries=CONNECT_RETRIES, limits=limits),
        )
        self.rest = SyncPostgrestClient(rest_url, headers=headers, http_client=http)

    # --- accounts -------------------------------------------------------------------------------
    def upsert_accounts(self, accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Upserts accounts on (user_id, platform, account_id) with their token ciphertext, atomically."""
        if not accounts:
            return []
        return self.rest.rpc("upsert_social_media_accounts", {"accounts": accounts}).execute().data or []

    def connected_accounts(self, user_id: str) -> list[dict[str, Any]]:
        """The user's active accounts, Facebook before Instagram, then by name."""
        return (
            self.rest.from_(ACCOUNTS).select(ACCOUNT_COLUMNS)
            .eq("user_id", user_id).eq("is_active", True)
            .order("platform").order("account_name").order("account_id")
            .execute().data
        )

    def disconnect(self, user_id: str, platform: str, account_id: str | None = None) -> list[dict[str, Any]]:
        """Deactivates the user's accounts of `platform` (or that one account) and erases their
        tokens; history stays."""
        if account_id is not None:
            return self.rest.rpc("disconnect_social_media_account", {
                "p_user_id": user_id, "p_platform": platform, "p_account_id": account_id}).execute().data or []
        return self.rest.rpc("disconnect_social_media_accounts",
                             {"p_user_id": user_id, "p_platform": platform}).execute().data or []

    def record_connect_outcomes(self, user_id: str, outcomes: dict[str, dict[str, Any]]) -> None:
        """Keeps each platform's last connect outcome (the connect API's view of it), which the UI
        reads under RLS to explain a failure after a reload."""
        attempted_at = datetime.now(UTC).isoformat()
        rows = [{"user_id": user_id, "platform": platform, "connected": outcome["connected"],
                 "reason": outcome.get("reason"), "message": outcome.get("message"),
                 "missing_permissions": outcome.get("missingPermissions", []), "attempted_at": attempted_at}
                for platform, outcome in outcomes.items()]
        self.rest.from_(CONNECT_OUTCOMES).upsert(rows, on_conflict="user_id,platform").execute()

    # --- connection health ----------------------------------------------------------------------
    def record_health(self, health: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Records what was learned about accounts (each names its row `id`); returns the rows."""
        if not health:
            return []
        return self.rest.rpc("record_social_media_account_health", {"p_health": health}).execute().data or []

    def accounts_for_health_check(self, checked_before: datetime, after: str | None,
                                  limit: int) -> list[dict[str, Any]]:
        return self.rest.rpc("social_media_accounts_for_health_check", {
            "p_checked_before": checked_before.isoformat(), "p_after": after, "p_limit": limit,
        }).execute().data or []

    def instagram_tokens_of(self, row_ids: list[str]) -> list[dict[str, Any]]:
        """The Instagram Login accounts among `row_ids` (still active) with their token ciphertext."""
        return self.rest.rpc("instagram_tokens_of", {"p_ids": row_ids}).execute().data or []

    def save_refreshed_instagram_token(self, row_id: str, previous: str, token: str, expires_at: datetime,
                                       expiring_from: datetime) -> bool:
        """False when the account got another token meanwhile (that one is kept)."""
        return self.rest.rpc("save_refreshed_instagram_token", {
            "p_id": row_id, "p_previous_token": previous, "p_access_token": token,
            "p_token_expires_at": expires_at.isoformat(), "p_expiring_from": expiring_from.isoformat(),
        }).execute().data is True

    # --- monitoring ----------------------------------------------------------------------------
    def service_metrics(self) -> dict[str, Any]:
        """Counts for the metrics endpoint: accounts by status, this hour's work left, queues."""
        return self.rest.rpc("social_link_service_metrics", {}).execute().data

    # --- OAuth state ----------------------------------------------------------------------------
    def consume_oauth_state(self, nonce: str, expires_at: datetime) -> bool:
        """True the first time `nonce` is seen by any replica, False on a replay."""
        return self.rest.rpc("consume_oauth_state",
                             {"p_nonce": nonce, "p_expires_at": expires_at.isoformat()}).execute().data is True

    # --- Meta callbacks -------------------------------------------------------------------------
    # `login` says which login's callback it is (facebook_login | instagram_login): their user ids
    # are of different apps.
    def deauthorize_meta_user(self, meta_user_id: str, login: str) -> list[dict[str, Any]]:
        return self.rest.rpc("deauthorize_meta_user", {
            "p_meta_user_id": meta_user_id, "p_connected_via": login}).execute().data or []

    def delete_meta_user_data(self, meta_user_id: str, confirmation_code: str, login: str) -> dict[str, Any]:
        return self.rest.rpc("delete_meta_user_data", {
            "p_meta_user_id": meta_user_id, "p_confirmation_code": confirmation_code, "p_connected_via": login,
        }).execute().data

    def data_deletion_status(self, confirmation_code: str) -> dict[str, Any] | None:
        return self.rest.rpc("meta_data_deletion_status",
                             {"p_confirmation_code": confirmation_code}).execute().data

    # --- insights ---------------------------------------------------------------------------------
    def read_insights(self, user_token: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return self._read_as_user("get_social_media_insights", user_token, arguments)

    def read_posts(self, user_token: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return self._read_as_user("get_social_media_posts", user_token, arguments)

    def _read_as_user(self, rpc: str, user_token: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """A read RPC as the user `user_token` belongs to, so the database applies that user's row
        level security. InvalidParameter for arguments it refuses, Unauthenticated for a refused token."""
        query = self.rest.rpc(rpc, arguments)
        query.request.headers["Authorization"] = f"Bearer {user_token}"
        try:
            return query.execute().data
        except APIError as error:
            if error.code == INVALID_ARGUMENT:
                raise InvalidParameter(error.message or "Invalid parameters.") from None
            if (error.code or "").startswith(JWT_ERROR_PREFIX):
                raise Unauthenticated("The database refused the token.") from None
            raise
