"""Instagram Login (Business Login for Instagram): an Instagram professional account connected on its
own, without a Facebook Page.

The authorization window (www.instagram.com) returns a code; api.instagram.com exchanges it for a
short-lived token (1 hour), graph.instagram.com that for a long-lived one (60 days), which is
refreshed there before it ends (allowed once it is 24 hours old). `/me` on graph.instagram.com names
the professional account; its `user_id` is the account id the Facebook-Page path also uses, so the
row has the same upsert key whichever way it was connected. Sources:
https://developers.facebook.com/documentation/instagram-platform/instagram-api-with-instagram-login/business-login,
https://developers.facebook.com/documentation/instagram-platform/reference/access_token,
https://developers.facebook.com/documentation/instagram-platform/reference/refresh_access_token,
https://developers.facebook.com/docs/instagram-platform/reference/me
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from webhook_service.config import Config
from webhook_service.connection_health import expiring_from, iso
from webhook_service.domain_errors import InstagramLoginUnavailable
from webhook_service.graph import TokenInvalid
from webhook_service.platforms import INSTAGRAM_LOGIN
from webhook_service.services import Services

log = logging.getLogger(__name__)

BASIC, INSIGHTS = "instagram_business_basic", "instagram_business_manage_insights"
SCOPES = (BASIC, INSIGHTS)
PROFILE_FIELDS = "id,user_id,username,name,account_type,profile_picture_url,followers_count"
# Documented values of account_type; anything else (a personal account) cannot use these APIs.
PROFESSIONAL_ACCOUNT_TYPES = frozenset({"BUSINESS", "MEDIA_CREATOR"})


def authorize_url(config: Config, state: str) -> str:
    query = {"client_id": config.instagram_app_id, "redirect_uri": config.oauth_redirect_url,
             "response_type": "code", "scope": ",".join(SCOPES), "state": state}
    return f"{config.instagram_authorize_url}?{urlencode(query)}"


MESSAGES = {
    "not_professional_account": "This Instagram account is personal. Switch it to a professional (business or "
                                "creator) account in the Instagram app, then connect again.",
    "missing_permissions": "Instagram did not grant the permissions needed: {permissions}. Connect again and "
                           "allow them.",
    "token_invalid": "Instagram did not accept the login. Please connect again.",
}


def connect_with_code(services: Services, user_id: str, code: str) -> dict[str, Any]:
    """Stores the Instagram account an authorization code stands for and returns the outcome:
    {"connected": true, account...} or {"connected": false, "reason", "message", "missingPermissions"}.
    GraphError when Instagram cannot be reached or refuses the code."""
    client = services.instagram
    if client is None:
        raise InstagramLoginUnavailable("Instagram Login is not configured on this service.")
    short_lived, granted = client.exchange_login_code(code, services.config.oauth_redirect_url)
    missing = [scope for scope in SCOPES if scope not in granted]
    if missing:
        return _not_connected("missing_permissions", missing)
    try:
        token = client.long_lived(short_lived)
        profile = client.get("me", token.value, {"fields": PROFILE_FIELDS})
    except TokenInvalid as error:
        log.info("Instagram Login for user %s: token refused (%s)", user_id, error)
        return _not_connected("token_invalid")
    if str(profile.get("account_type") or "").upper() not in PROFESSIONAL_ACCOUNT_TYPES:
        log.info("Instagram Login for user %s: not a professional account", user_id)
        return _not_connected("not_professional_account")

    saved = services.store.upsert_accounts([{
        "user_id": user_id,
        "platform": "instagram",
        "account_id": str(profile.get("user_id") or profile["id"]),
        "account_name": profile.get("name"),
        "username": profile.get("username"),
        "profile_picture_url": profile.get("profile_picture_url"),
        "is_active": True,
        "permissions": {"granted": sorted(granted), "declined": []},
        # The app-scoped id Instagram's deauthorize and data-deletion callbacks name.
        "meta_user_id": str(profile["id"]),
        "token_expires_at": token.expires_at.isoformat(),
        "access_token": services.cipher.encrypt(token.value),
    }])
    window = services.config.connection_expiring_days
    [row] = services.store.record_health([{
        "id": saved[0]["id"], "connected_via": INSTAGRAM_LOGIN, "missing_permissions": [],
        "data_access_expires_at": None, "expiring_from": iso(expiring_from(token.expires_at, window_days=window)),
    }])
    log.info("Instagram Login for user %s: account connected", user_id)
    return {"connected": True, "row": row}


def _not_connected(reason: str, missing: list[str] | None = None) -> dict[str, Any]:
    missing = missing or []
    return {"connected": False, "reason": reason, "missingPermissions": missing,
            "message": MESSAGES[reason].format(permissions=", ".join(missing))}

