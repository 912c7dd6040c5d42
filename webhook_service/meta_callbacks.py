"""Meta's required callbacks: Deauthorize and Data Deletion, for Facebook Login and for Instagram Login.

Meta POSTs a form field `signed_request` = base64url(signature) "." base64url(JSON payload), the
signature being HMAC-SHA256 of the still-encoded payload under the app secret. The payload's
`user_id` is the app-scoped Meta user id that the connect flow stored as `meta_user_id`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

from webhook_service.domain_errors import InstagramLoginUnavailable, InvalidSignedRequest
from webhook_service.platforms import FACEBOOK_LOGIN, INSTAGRAM_LOGIN
from webhook_service.services import Services

log = logging.getLogger(__name__)

SIGNING_ALGORITHM = "HMAC-SHA256"


def meta_user_id(app_secret: str, signed_request: str | None) -> str:
    """The `user_id` of a genuine signed request; InvalidSignedRequest for anything else."""
    signature_part, _, payload_part = (signed_request or "").partition(".")
    try:
        signature = _b64url_decode(signature_part)
        payload = json.loads(_b64url_decode(payload_part))
    except (ValueError, binascii.Error):
        raise _bad_request() from None
    expected = hmac.new(app_secret.encode(), payload_part.encode(), hashlib.sha256).digest()
    if not payload_part or not hmac.compare_digest(signature, expected):
        raise _bad_request()
    if not isinstance(payload, dict) or str(payload.get("algorithm", "")).upper() != SIGNING_ALGORITHM:
        raise _bad_request()
    user_id = payload.get("user_id")
    if not isinstance(user_id, (str, int)) or not str(user_id):
        raise _bad_request()
    return str(user_id)


def deauthorize(services: Services, signed_request: str | None, login: str = FACEBOOK_LOGIN) -> int:
    """Deactivates every account the Meta user connected with `login` and erases their tokens."""
    user_id = meta_user_id(_app_secret(services, login), signed_request)
    accounts = services.store.deauthorize_meta_user(user_id, login)
    log.info("deauthorize (%s): %d accounts deactivated", login, len(accounts))
    return len(accounts)


def delete_data(services: Services, signed_request: str | None, login: str = FACEBOOK_LOGIN) -> dict[str, Any]:
    """Deletes the accounts the Meta user connected with `login` (tokens cascade) and their insights;
    returns the request record."""
    user_id = meta_user_id(_app_secret(services, login), signed_request)
    request = services.store.delete_meta_user_data(user_id, secrets.token_hex(8), login)
    log.info("data deletion %s (%s): %s accounts, %s insight rows deleted", request["confirmation_code"], login,
             request["accounts_deleted"], request["insights_deleted"])
    return request


def _app_secret(services: Services, login: str) -> str:
    """Instagram Login's callbacks are signed with the Instagram app's secret."""
    if login == INSTAGRAM_LOGIN:
        if not services.config.instagram_login_enabled:
            raise InstagramLoginUnavailable("Instagram Login is not configured on this service.")
        return services.config.instagram_app_secret
    return services.config.facebook_app_secret


def _b64url_decode(text: str) -> bytes:
    # Meta strips the padding.
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _bad_request() -> InvalidSignedRequest:
    return InvalidSignedRequest("The signed_request is missing or its signature is wrong.")
