"""Tokens and Facebook Login: who a call's token is, `appsecret_proof`, the Login dialog,
`/oauth/access_token` (code exchange, `fb_exchange_token`, `client_credentials`) and `/debug_token`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from . import errors
from .errors import GraphError
from .world import AUTHORIZATION_CODE_SECONDS, DATA_ACCESS_SECONDS, LONG_LIVED_TOKEN_SECONDS, Page, Token, User, World

DEFAULT_APP_ID = "100000000000001"
DEFAULT_INSTAGRAM_APP_ID = "200000000000001"
_PAGE_SCOPED = ("pages_show_list", "pages_read_engagement")
_INSTAGRAM_SCOPED = ("instagram_basic", "instagram_manage_insights")


@dataclass(frozen=True)
class AppConfig:
    app_id: str = DEFAULT_APP_ID
    app_secret: str | None = None      # when set, user and Page tokens need an appsecret_proof
    app_name: str = "Social Link (fake)"
    # The Instagram app of the same Meta app (Instagram Login has its own id and secret).
    instagram_app_id: str = DEFAULT_INSTAGRAM_APP_ID
    instagram_app_secret: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who a call runs as. For a Page token, `user` is the Page's owner."""

    kind: str                         # "user", "page" or "app"
    user: User | None = None
    page: Page | None = None


def appsecret_proof(app_secret: str, access_token: str) -> str:
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def authenticate(world: World, config: AppConfig, token_value: str | None, proof: str | None, *,
                 current_user: bool = False) -> Principal:
    if not token_value:
        raise errors.active_token_required() if current_user else errors.token_required()
    if "|" in token_value:
        # App tokens carry the secret themselves, so Meta does not ask them for a proof.
        app_id, _, secret = token_value.partition("|")
        if app_id != config.app_id or (config.app_secret is not None and secret != config.app_secret):
            raise GraphError(190, "Invalid OAuth access token signature.")
        return Principal("app")
    token = world.tokens.get(token_value)
    if token is None or token.kind == "instagram":
        # An Instagram Login token is only good on graph.instagram.com (instagram.py).
        raise errors.unparsable_token()
    problem = token_problem(world, config, token)
    if problem:
        raise problem
    if config.app_secret is not None:
        if not proof:
            raise errors.appsecret_proof_missing()
        if not hmac.compare_digest(proof, appsecret_proof(config.app_secret, token_value)):
            raise errors.appsecret_proof_invalid()
    return Principal(token.kind, world.users[token.user_id], world.pages.get(token.page_id or ""))


def token_problem(world: World, config: AppConfig, token: Token) -> GraphError | None:
    now = world.now()
    if token.invalid_subcode is not None:
        return errors.session_error(token.invalid_subcode, app_id=config.app_id, expired_at=now, now=now)
    if token.expires_at and now >= token.expires_at:
        return errors.session_error(463, app_id=config.app_id, expired_at=token.expires_at, now=now)
    return None


# --- Login dialog -------------------------------------------------------------------------------
def dialog_location(world: World, config: AppConfig, params: dict[str, str]) -> str:
    """Where the dialog sends the browser: at once, as the configured dialog user (or cancelled)."""
    if params.get("client_id") != config.app_id:
        raise GraphError(101, "Error validating application. Invalid application ID.")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        raise GraphError(191, "Missing redirect_uri parameter.")
    if world.dialog_cancels:
        query = {"error_reason": "user_denied", "error": "access_denied", "error_description": "Permissions error"}
    else:
        user = world.users.get(world.dialog_user_id or "")
        if user is None:
            raise GraphError(1, 'fake Graph API: no dialog user; POST /_control/dialog {"user_id": ...}')
        query = {"code": world.mint_code(user.id, config.app_id, redirect_uri)}
    if "state" in params:
        query["state"] = params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    # Meta appends an empty fragment to Login redirects.
    return f"{redirect_uri}{separator}{urlencode(query)}#_=_"


# --- /oauth/access_token ------------------------------------------------------------------------
def access_token(world: World, config: AppConfig, params: dict[str, str]) -> dict:
    _check_client(config, params)
    grant_type = params.get("grant_type")
    if grant_type == "client_credentials":
        return {"access_token": f"{config.app_id}|{params['client_secret']}", "token_type": "bearer"}
    if grant_type == "fb_exchange_token":
        return _exchange_token(world, config, params.get("fb_exchange_token"))
    if grant_type is not None:
        raise errors.invalid_parameter(f"Unsupported grant_type: {grant_type}")
    return _exchange_code(world, params)


def _check_client(config: AppConfig, params: dict[str, str]) -> None:
    if not params.get("client_id"):
        raise GraphError(101, "Missing client_id parameter.")
    if params["client_id"] != config.app_id:
        raise GraphError(101, "Error validating application. Invalid application ID.")
    secret = params.get("client_secret")
    if not secret or (config.app_secret is not None and secret != config.app_secret):
        raise GraphError(1, "Error validating client secret.")


def _exchange_code(world: World, params: dict[str, str]) -> dict:
    with world.lock:
        code = world.codes.get(params.get("code") or "")
        if code is None:
            raise GraphError(100, "Invalid verification code format.")
        if code.used:
            raise GraphError(100, "This authorization code has been used.", subcode=36009)
        if world.now() >= code.issued_at + AUTHORIZATION_CODE_SECONDS:
            raise GraphError(100, "This authorization code has expired.", subcode=36007)
        if params.get("redirect_uri") != code.redirect_uri:
            raise GraphError(100, "Error validating verification code. Please make sure your redirect_uri is "
                                  "identical to the one you used in the OAuth dialog request", subcode=36008)
        code.used = True
    token = world.issue_user_token(code.user_id, LONG_LIVED_TOKEN_SECONDS)
    return {"access_token": token.value, "token_type": "bearer", "expires_in": LONG_LIVED_TOKEN_SECONDS}


def _exchange_token(world: World, config: AppConfig, value: str | None) -> dict:
    token = world.tokens.get(value or "")
    if token is None or token.kind != "user":
        raise errors.unparsable_token()
    problem = token_problem(world, config, token)
    if problem:
        raise problem
    long_lived = world.issue_user_token(token.user_id, LONG_LIVED_TOKEN_SECONDS)
    return {"access_token": long_lived.value, "token_type": "bearer", "expires_in": LONG_LIVED_TOKEN_SECONDS}


# --- /debug_token -------------------------------------------------------------------------------
def debug_token(world: World, config: AppConfig, params: dict[str, str]) -> dict:
    if "input_token" not in params:
        raise errors.invalid_parameter("The parameter input_token is required")
    token = world.tokens.get(params["input_token"])
    if token is None or token.kind == "instagram":
        return {"data": {"error": {"code": 190, "message": "Invalid OAuth access token."},
                         "is_valid": False, "scopes": []}}
    user = world.users[token.user_id]
    granted = [permission for permission, status in user.permissions.items() if status == "granted"]
    data = {
        "app_id": config.app_id,
        "type": token.kind.upper(),
        "application": config.app_name,
        "data_access_expires_at": user.data_access_expires_at or token.issued_at + DATA_ACCESS_SECONDS,
        "expires_at": token.expires_at,
        "is_valid": True,
        "issued_at": token.issued_at,
        "scopes": granted,
        "granular_scopes": _granular_scopes(world, user, token, granted),
        "user_id": user.id,
    }
    if token.kind == "page":
        data["profile_id"] = token.page_id
    problem = token_problem(world, config, token)
    if problem:
        data["is_valid"] = False
        data["error"] = {"code": problem.code, "message": problem.message, "subcode": problem.subcode}
    return {"data": data}


def _granular_scopes(world: World, user: User, token: Token, granted: list[str]) -> list[dict]:
    """Asset-scoped permissions name the Pages / Instagram accounts they cover (all the user's)."""
    pages = [world.pages[token.page_id]] if token.page_id else world.pages_of(user)
    targets = {scope: [page.id for page in pages] for scope in _PAGE_SCOPED}
    targets.update({scope: [page.instagram_id for page in pages if page.instagram_id] for scope in _INSTAGRAM_SCOPED})
    scopes = []
    for permission in granted:
        if permission == "public_profile":
            continue
        entry = {"scope": permission}
        if permission in targets:
            entry["target_ids"] = targets[permission]
        scopes.append(entry)
    return scopes
