"""Facebook Login and Instagram Login (the manual OAuth flows): the dialog URL with a `state`, and
the callback both return to.

The `state` is a short HS256 JWT signed with `OAUTH_STATE_SECRET`: it names the user who asked
(the callback is a browser redirect without the user's bearer token, so the state is what binds the
login to them), the platform they pressed, the login (`facebook_login` or `instagram_login`), and a
nonce. It expires after `OAUTH_STATE_TTL_SECONDS`,
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

from webhook_service import instagram_login
from webhook_service.config import Config
from webhook_service.connect import connect_with_user_token, login_scopes
from webhook_service.domain_errors import (
    InstagramLoginUnavailable,
    InvalidLoginState,
    InvalidParameter,
    MissingLoginCode,
)
from webhook_service.graph import GraphError
from webhook_service.logs import bind
from webhook_service.platforms import FACEBOOK_LOGIN, INSTAGRAM_LOGIN, LOGINS, PLATFORMS
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
    login: str = FACEBOOK_LOGIN


@dataclass(frozen=True)
class LoginStart:
    """Where to send the browser, and the nonce to bind to it (as LOGIN_COOKIE)."""

    dialog_url: str
    nonce: str


def issue_state(config: Config, user_id: str, platform: str, nonce: str, login: str = FACEBOOK_LOGIN) -> str:
    claims = {
        "sub": user_id,
        "platform": platform,
        "login": login,
        "jti": nonce,
        "aud": STATE_AUDIENCE,
        "exp": int(time.time()) + config.oauth_state_ttl_seconds,
    }
    return jwt.encode(claims, config.oauth_state_secret, algorithm="HS256")


def start_login(config: Config, user_id: str, platform: str, login: str = FACEBOOK_LOGIN) -> LoginStart:
    nonce = secrets.token_urlsafe(16)
    state = issue_state(config, user_id, platform, nonce, login)
    if login == INSTAGRAM_LOGIN:
        if platform != "instagram":
            raise InvalidParameter("Instagram Login connects Instagram accounts only: use platform=instagram.")
        if not config.instagram_login_enabled:
            raise InstagramLoginUnavailable("Instagram Login is not configured on this service.")
        return LoginStart(instagram_login.authorize_url(config, state), nonce)
    query = {
        "client_id": config.facebook_app_id,
        "redirect_uri": config.oauth_redirect_url,
        "state": state,
        "response_type": "code",
        # Asks again for permissions the person declined before, so reconnecting can fix them.
        "auth_type": "rerequest",
    }
    if config.facebook_login_config_id:
        # Facebook Login for Business: the configuration names the permissions ("config_id has
        # replaced scope", https://developers.facebook.com/docs/facebook-login/facebook-login-for-business/).
        query["config_id"] = config.facebook_login_config_id
    else:
        query["scope"] = ",".join(login_scopes(config.facebook_login_ads_read))
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
    if claims.get("platform") not in PLATFORMS or claims.get("login", FACEBOOK_LOGIN) not in LOGINS:
        raise InvalidLoginState("The login state is invalid.")
    login = LoginState(claims["sub"], claims["platform"], claims["jti"],
                       datetime.fromtimestamp(claims["exp"], timezone.utc), claims.get("login", FACEBOOK_LOGIN))
    if not browser_nonce or not hmac.compare_digest(browser_nonce.encode(), login.nonce.encode()):
        raise InvalidLoginState(
            "This login was not started in this browser; please start again from the app.")
    if not services.store.consume_oauth_state(login.nonce, login.expires_at):
        raise InvalidLoginState("This login was already completed; please start again.")
    return login


@dataclass(frozen=True)
class LoginResult:
    """Where to send the browser, for whom the login was, and whether to start the first sync (a
    Facebook Login that connected something; the sync does not read Instagram Login accounts yet)."""

    redirect_url: str
    user_id: str
    start_sync: bool


# What a person reads for a login that never reached the connect flow (stored with the outcome).
LOGIN_FAILURES = {
    "access_denied": "The Facebook sign-in was cancelled.",
    "code_exchange_failed": "The Facebook sign-in could not be completed. Please try again.",
    "facebook_unavailable": "Facebook did not answer. Please try again in a moment.",
}


def complete_login(services: Services, args: dict[str, str], browser_nonce: str | None) -> LoginResult:
    """Handles the dialog's redirect. The redirect URL is the frontend, with
    `connect=done|cancelled|failed`, the platform pressed, and either each platform's outcome
    (`facebook=connected|<reason>`, `instagram=...`, `missing_permissions=a,b`) or `error=<reason>`.
    Never a token or the code. The outcome is also stored per platform, for the UI's next load."""
    login = consume_state(services, args.get("state", ""), browser_nonce)
    bind(user_id=login.user_id, platform=login.platform)
    if args.get("error"):
        # The person cancelled or refused: Meta sends error=access_denied, error_reason=user_denied.
        return _failed(services, login, "cancelled", args["error"])
    code = args.get("code")
    if not code:
        raise MissingLoginCode("The login callback carries neither a code nor an error.")
    if login.login == INSTAGRAM_LOGIN:
        return _complete_instagram_login(services, login, code)
    try:
        user_token = services.graph.exchange_code(code, services.config.oauth_redirect_url)
    except GraphError as error:
        # An invalid, expired or reused code, or a redirect URI that does not match the dialog's.
        log.warning("login for user %s: code exchange failed: %s", login.user_id, error)
        return _failed(services, login, "failed", "code_exchange_failed")
    try:
        body = connect_with_user_token(services, login.user_id, user_token)
    except GraphError as error:
        log.warning("login for user %s failed at Facebook: %s", login.user_id, error)
        return _failed(services, login, "failed", "facebook_unavailable")
    return LoginResult(_frontend_url(services.config, connect="done", **_outcome_query(login.platform, body)),
                       login.user_id, start_sync=body["success"])


def _failed(services: Services, state: LoginState, connect: str, reason: str,
            platforms: tuple[str, ...] = PLATFORMS, **query: str) -> LoginResult:
    message = LOGIN_FAILURES.get(reason, "The Facebook sign-in did not complete.")
    services.store.record_connect_outcomes(
        state.user_id, {platform: {"connected": False, "reason": reason, "message": message} for platform in platforms})
    return LoginResult(_frontend_url(services.config, connect=connect, platform=state.platform, **query, error=reason),
                       state.user_id, start_sync=False)


def _complete_instagram_login(services: Services, login: LoginState, code: str) -> LoginResult:
    """After Instagram Login the frontend URL has `login=instagram_login` and `instagram=connected|<reason>`."""
    try:
        outcome = instagram_login.connect_with_code(services, login.user_id, code)
    except GraphError as error:
        # A refused code (invalid, reused, another redirect URI) or Instagram not answering.
        log.warning("Instagram Login for user %s failed: %s", login.user_id, error)
        return _failed(services, login, "failed", "code_exchange_failed", ("instagram",), login=INSTAGRAM_LOGIN)
    services.store.record_connect_outcomes(login.user_id, {"instagram": {
        key: value for key, value in outcome.items() if key in ("connected", "reason", "message", "missingPermissions")}})
    query = {"platform": "instagram", "login": INSTAGRAM_LOGIN,
             "instagram": "connected" if outcome["connected"] else outcome["reason"]}
    if outcome.get("missingPermissions"):
        query["missing_permissions"] = ",".join(outcome["missingPermissions"])
    return LoginResult(_frontend_url(services.config, connect="done", **query), login.user_id,
                       start_sync=outcome["connected"])


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
