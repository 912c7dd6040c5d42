"""Who is calling: a user's verified JWT (`user_tokens`), or the cron job. Nothing else about the
caller (no `X-User-ID` header) is trusted."""

from __future__ import annotations

import functools
import hmac

from flask import g, request

from webhook_service.domain_errors import Unauthenticated
from webhook_service.logs import bind
from webhook_service.services import services


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def login_required(view):
    """Runs `view` only for a verified user and sets `g.user_id` to the token's `sub`."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        if token is None:
            raise Unauthenticated("An 'Authorization: Bearer <token>' header is required.")
        g.user_id = services().verifier.user_id(token)
        bind(user_id=g.user_id)
        return view(*args, **kwargs)

    return wrapped


def is_cron_request() -> bool:
    """True when the request carries `Authorization: Bearer <CRON_SECRET>` (the scheduled job)."""
    token = bearer_token()
    expected = services().config.cron_secret
    return token is not None and hmac.compare_digest(token.encode(), expected.encode())
