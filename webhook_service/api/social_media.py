"""The signed-in user's Facebook and Instagram accounts: connect (token or Facebook Login),
list, disconnect."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import g, jsonify, redirect, request
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel, ValidationError

from webhook_service.account_view import account_view
from webhook_service.api.insights import sync_user_in_background
from webhook_service.api.models import (
    INSTAGRAM_LOGIN_UNAVAILABLE,
    USER,
    USER_ERRORS,
    ConnectBody,
    ConnectedAccounts,
    ConnectResult,
    DisconnectBody,
    Disconnected,
    LoginCallbackQuery,
    LoginStarted,
    LoginStartQuery,
    PlatformPath,
    error_response,
    request_body,
)
from webhook_service.auth import login_required
from webhook_service.connect import connect_with_user_token
from webhook_service.errors import ApiError
from webhook_service.logs import bind
from webhook_service.oauth import LOGIN_COOKIE, complete_login, start_login
from webhook_service.platforms import checked_platform
from webhook_service.services import services

blueprint = APIBlueprint("social_media", __name__, url_prefix="/social-media")

UNKNOWN_PLATFORM = error_response("Platform other than `facebook` or `instagram` (`unknown_platform`).")


def json_object_body() -> dict:
    """The request's JSON object body; an empty body is an empty object. Read here rather than by
    flask-openapi3, which cannot tell an empty body (allowed) from a malformed one, nor malformed
    JSON (`invalid_json`) from a wrong shape (`invalid_body`)."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The request body must be a JSON object.")
    return body


def body_as(model: type[BaseModel], message: str) -> BaseModel:
    try:
        return model.model_validate(json_object_body(), strict=True)
    except ValidationError:
        raise ApiError(400, "invalid_body", message) from None


def user_token_from_body() -> str:
    """The Facebook user token of a connect request: the body's, or in development the environment's."""
    token = body_as(ConnectBody, "access_token must be a non-empty string.").access_token
    token = token or services().config.facebook_access_token
    if not token:
        raise ApiError(400, "access_token_required",
                       "Send {\"access_token\": \"<Facebook user token>\"} or use Facebook Login (oauth/start).")
    return token


@blueprint.post("/connect/<platform>", security=USER, openapi_extensions=request_body(ConnectBody, required=False),
                responses={
                    200: ConnectResult,
                    400: error_response("Malformed body (`invalid_json`, `invalid_body`) or no token "
                                        "(`access_token_required`)."),
                    404: UNKNOWN_PLATFORM,
                    413: error_response("Body too large (`payload_too_large`)."),
                    502: error_response("The Graph API failed (`graph_error`)."),
                    503: error_response("Rate limited by Meta (`rate_limited`, with Retry-After)."),
                    **USER_ERRORS,
                })
@login_required
def connect(path: PlatformPath):
    """Connects the user's Facebook Pages and their linked Instagram business accounts.

    Both platforms run the same flow: every Page becomes a `facebook` account and every linked
    Instagram business account an `instagram` one. A token that turns out invalid, or finding no
    Page, still answers 200 with `success: false` and the reasons.
    """
    bind(platform=checked_platform(path.platform))
    return jsonify(connect_with_user_token(services(), g.user_id, user_token_from_body()))


@blueprint.get("/connected-accounts", security=USER, responses={200: ConnectedAccounts, **USER_ERRORS})
@login_required
def connected_accounts():
    """The signed-in user's active accounts (never a token)."""
    accounts = [account_view(row) for row in services().store.connected_accounts(g.user_id)]
    return jsonify(accounts=accounts, total=len(accounts))


@blueprint.post("/disconnect/<platform>", security=USER, openapi_extensions=request_body(DisconnectBody, required=False),
                responses={
                    200: Disconnected,
                    400: error_response("The body is not a JSON object with a string account_id (`invalid_body`)."),
                    404: error_response("Platform other than `facebook` or `instagram` (`unknown_platform`), or no "
                                        "such account of the user (`account_not_found`)."),
                    **USER_ERRORS,
                })
@login_required
def disconnect(path: PlatformPath):
    """Deactivates the user's accounts of a platform (or one of them) and erases their tokens; insight history stays.

    Every account of the platform, or with {"account_id": ...} that one account (one of several Pages).
    """
    account_id = body_as(DisconnectBody, "account_id must be a non-empty string.").account_id
    platform = checked_platform(path.platform)
    bind(platform=platform)
    disconnected = services().store.disconnect(g.user_id, platform, account_id)
    if account_id is not None and not disconnected:
        raise ApiError(404, "account_not_found", f"No connected {platform} account {account_id!r} is yours.")
    return jsonify(success=True, platform=platform, disconnected=len(disconnected))


@blueprint.get("/oauth/start", security=USER, responses={
    200: LoginStarted,
    400: error_response("Unknown platform (`unknown_platform`) or login (`unknown_login`), or Instagram Login for "
                        "Facebook (`invalid_parameter`)."),
    404: INSTAGRAM_LOGIN_UNAVAILABLE,
    **USER_ERRORS,
})
@login_required
def oauth_start(query: LoginStartQuery):
    """The Facebook Login dialog URL (or Instagram Login's window) to send the browser to, with a signed
    single-use state.

    Also sets the HttpOnly cookie `social_link_login` (path: the callback) that binds the login to
    this browser; call it with credentials from a browser.
    """
    config = services().config
    login = start_login(config, g.user_id, query.platform, query.login)
    response = jsonify(url=login.dialog_url)
    # SameSite=Lax: the cookie comes back on the top-level redirect from Facebook's dialog.
    response.set_cookie(LOGIN_COOKIE, login.nonce, max_age=config.oauth_state_ttl_seconds, httponly=True,
                        samesite="Lax", secure=config.oauth_redirect_url.startswith("https://"),
                        path=urlsplit(config.oauth_redirect_url).path)
    return response


@blueprint.get("/oauth/callback", responses={
    302: {"description": "To FRONTEND_URL with the outcome in the query."},
    400: error_response("State tampered with, expired or replayed (`invalid_state`), or neither code nor error "
                        "(`missing_code`)."),
    500: error_response("Unexpected failure (`internal_error`)."),
})
def oauth_callback(query: LoginCallbackQuery):
    """Facebook Login's redirect target: connects, then redirects to FRONTEND_URL.

    The redirect's query carries `connect=done|cancelled|failed`, `platform`, and either
    `facebook`/`instagram` = `connected` or a reason (plus `missing_permissions=a,b`) or `error`.
    After Instagram Login it carries `login=instagram_login` and `instagram` only; its reasons add
    `not_professional_account`. Never a token. Requires the `social_link_login` cookie set by oauth/start on the same browser
    (`invalid_state` otherwise).
    """
    # Reached by the browser from Facebook's dialog: the signed state, not a bearer token, says who,
    # and the cookie set by oauth/start says it is the same browser.
    login = complete_login(services(), query.model_dump(), request.cookies.get(LOGIN_COOKIE))
    if login.start_sync:
        # The first sync starts at once, so the person comes back to 30 days of daily insights.
        sync_user_in_background(login.user_id)
    response = redirect(login.redirect_url)
    response.delete_cookie(LOGIN_COOKIE, path=urlsplit(services().config.oauth_redirect_url).path)
    return response
