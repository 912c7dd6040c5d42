"""Facebook Login (the manual OAuth flow): the dialog URL with a `state`, and the callback.

The `state` is a short HS256 JWT signed with `OAUTH_STATE_SECRET`: it names the user who asked
(the callback is a browser redirect without the user's bearer token, so the state is what binds the
login to them), the platform they pressed, and a nonce. It expires after `OAUTH_STATE_TTL_SECONDS`,
and its nonce is recorded in Postgres on first use, so a replay fails on every replica.

The nonce is also set as an HttpOnly cookie on the browser that started the login, and the callback
requires it: otherwise someone could start a login, send the dialog link to a victim, and have the
victim's Pages connected to their own account (login CSRF).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt

from webhook_service.config import Config
from webhook_service.connect import LOGIN_SCOPES, connect_with_user_token
from webhook_service.domain_errors import InvalidLoginState, MissingLoginCode
from webhook_service.graph import GraphError
from webhook_service.logs import bind
from webhook_service.platforms import PLATFORMS
from webhook_service.services import Services

log = logging.getLogger(__name__)

STATE_AUDIENCE = "social-link/oauth-state"
# The browser binding: holds the state's nonce, sent back only to the callback's path.
LOGIN_COOKIE = "social_link_login"


@dataclass(frozen=True)
class LoginState:
    user_id: str
    platform: str
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginStart:
    """Where to send the browser, and the nonce to bind to it (as LOGIN_COOKIE)."""

    dialog_url: str
    nonce: str


def issue_state(config: Config, user_id: str, platform: str, nonce: str) -> str:
    claims = {
        "sub": user_id,
        "platform": platform,
        "jti": nonce,
        "aud": STATE_AUDIENCE,
        "exp": int(time.time()) + config.oauth_state_ttl_seconds,
    }
    return jwt.encode(claims, config.oauth_state_secret, algorithm="HS256")


def start_login(config: Config, user_id: str, platform: str) -> LoginStart:
    nonce = secrets.token_urlsafe(16)
    query = {
        "client_id": config.facebook_app_id,
        "redirect_uri": config.oauth_redirect_url,
        "state": issue_state(config, user_id, platform, nonce),
        "response_type": "code",
        "scope": ",".join(LOGIN_SCOPES),
        # Asks again for permissions the person declined before, so reconnecting can fix them.
        "auth_type": "rerequest",
    }
    return LoginStart(f"{config.facebook_dialog_url}?{urlencode(query)}", nonce)


def consume_state(services: Services, state: str, browser_nonce: str | None) -> LoginState:
    """The verified state; raises InvalidLoginState if it is tampered with, expired, already used, or
    presented by a browser other than the one that started the login."""
    try:
        claims = jwt.decode(state, services.config.oauth_state_secret, algorithms=["HS256"],
                            audience=STATE_AUDIENCE, options={"require": ["exp", "sub", "jti", "aud"]})
    except jwt.ExpiredSignatureError:
        raise InvalidLoginState("The login took too long; please start again.") from None
    except jwt.PyJWTError:
        raise InvalidLoginState("The login state is invalid.") from None
    if claims.get("platform") not in PLATFORMS:
        raise InvalidLoginState("The login state is invalid.")
    login = LoginState(claims["sub"], claims["platform"], claims["jti"],
                       datetime.fromtimestamp(claims["exp"], timezone.utc))
    if not browser_nonce or not hmac.compare_digest(browser_nonce.encode(), login.nonce.encode()):
        raise InvalidLoginState(
            "This login was not started in this browser; please start again from the app.")
    if not services.store.consume_oauth_state(login.nonce, login.expires_at):
        raise InvalidLoginState("This login was already completed; please start again.")
    return login


def complete_login(services: Services, args: dict[str, str], browser_nonce: str | None) -> str:
    """Handles the dialog's redirect and returns where to send the browser: the frontend, with
    `connect=done|cancelled|failed`, the platform pressed, and either each platform's outcome
    (`facebook=connected|<reason>`, `instagram=...`, `missing_permissions=a,b`) or `error=<reason>`.
    Never a token or the code."""
    login = consume_state(services, args.get("state", ""), browser_nonce)
    bind(user_id=login.user_id, platform=login.platform)
    if args.get("error"):
        # The person cancelled or refused: Meta sends error=access_denied, error_reason=user_denied.
        return _frontend_url(services.config, connect="cancelled", platform=login.platform, error=args["error"])
    code = args.get("code")
    if not code:
        raise MissingLoginCode("The login callback carries neither a code nor an error.")
    try:
        user_token = services.graph.exchange_code(code, services.config.oauth_redirect_url)
    except GraphError as error:
        # An invalid, expired or reused code, or a redirect URI that does not match the dialog's.
        log.warning("login for user %s: code exchange failed: %s", login.user_id, error)
        return _frontend_url(services.config, connect="failed", platform=login.platform, error="code_exchange_failed")
    try:
        body = connect_with_user_token(services, login.user_id, user_token)
    except GraphError as error:
        log.warning("login for user %s failed at Facebook: %s", login.user_id, error)
        return _frontend_url(services.config, connect="failed", platform=login.platform, error="facebook_unavailable")
    return _frontend_url(services.config, connect="done", **_outcome_query(login.platform, body))


def _outcome_query(platform: str, body: dict[str, Any]) -> dict[str, str]:
    query = {"platform": platform}
    missing: list[str] = []
    for name in PLATFORMS:
        outcome = body[name]
        query[name] = "connected" if outcome["connected"] else outcome["reason"]
        missing += [permission for permission in outcome.get("missingPermissions", []) if permission not in missing]
    if missing:
        query["missing_permissions"] = ",".join(missing)
    return query


def _frontend_url(config: Config, **params: str) -> str:
    parts = urlsplit(config.frontend_url)
    query = urlencode([*parse_qsl(parts.query), *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))
