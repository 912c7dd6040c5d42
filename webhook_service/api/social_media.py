"""The signed-in user's Facebook and Instagram accounts: connect (token or Facebook Login),
list, disconnect."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Blueprint, g, jsonify, redirect, request

from webhook_service.account_view import account_view
from webhook_service.api.insights import sync_user_in_background
from webhook_service.auth import login_required
from webhook_service.connect import connect_with_user_token
from webhook_service.errors import ApiError
from webhook_service.logs import bind
from webhook_service.oauth import LOGIN_COOKIE, complete_login, start_login
from webhook_service.platforms import FACEBOOK_LOGIN, LOGINS, PLATFORMS, checked_platform
from webhook_service.services import services

blueprint = Blueprint("social_media", __name__, url_prefix="/social-media")


def json_object_body() -> dict:
    """The request's JSON object body; an empty body is an empty object."""
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


def user_token_from_body() -> str:
    """The Facebook user token of a connect request: the body's, or in development the environment's."""
    token = json_object_body().get("access_token")
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise ApiError(400, "invalid_body", "access_token must be a non-empty string.")
    token = token or services().config.facebook_access_token
    if not token:
        raise ApiError(400, "access_token_required",
                       "Send {\"access_token\": \"<Facebook user token>\"} or use Facebook Login (oauth/start).")
    return token.strip()


@blueprint.post("/connect/<platform>")
@login_required
def connect(platform: str):
    bind(platform=checked_platform(platform))
    return jsonify(connect_with_user_token(services(), g.user_id, user_token_from_body()))


@blueprint.get("/connected-accounts")
@login_required
def connected_accounts():
    accounts = [account_view(row) for row in services().store.connected_accounts(g.user_id)]
    return jsonify(accounts=accounts, total=len(accounts))


@blueprint.post("/disconnect/<platform>")
@login_required
def disconnect(platform: str):
    """Every account of the platform, or with {"account_id": ...} that one account (one of several Pages)."""
    account_id = json_object_body().get("account_id")
    if account_id is not None and (not isinstance(account_id, str) or not account_id.strip()):
        raise ApiError(400, "invalid_body", "account_id must be a non-empty string.")
    bind(platform=checked_platform(platform))
    disconnected = services().store.disconnect(g.user_id, platform, account_id)
    if account_id is not None and not disconnected:
        raise ApiError(404, "account_not_found", f"No connected {platform} account {account_id!r} is yours.")
    return jsonify(success=True, platform=platform, disconnected=len(disconnected))


@blueprint.get("/oauth/start")
@login_required
def oauth_start():
    platform = request.args.get("platform", "facebook")
    if platform not in PLATFORMS:
        raise ApiError(400, "unknown_platform", "platform must be 'facebook' or 'instagram'.")
    method = request.args.get("login", FACEBOOK_LOGIN)
    if method not in LOGINS:
        raise ApiError(400, "unknown_login", "login must be 'facebook_login' or 'instagram_login'.")
    config = services().config
    login = start_login(config, g.user_id, platform, method)
    response = jsonify(url=login.dialog_url)
    # SameSite=Lax: the cookie comes back on the top-level redirect from Facebook's dialog.
    response.set_cookie(LOGIN_COOKIE, login.nonce, max_age=config.oauth_state_ttl_seconds, httponly=True,
                        samesite="Lax", secure=config.oauth_redirect_url.startswith("https://"),
                        path=urlsplit(config.oauth_redirect_url).path)
    return response


@blueprint.get("/oauth/callback")
def oauth_callback():
    # Reached by the browser from Facebook's dialog: the signed state, not a bearer token, says who,
    # and the cookie set by oauth/start says it is the same browser.
    login = complete_login(services(), request.args.to_dict(), request.cookies.get(LOGIN_COOKIE))
    if login.start_sync:
        # The first sync starts at once, so the person comes back to 30 days of daily insights.
        sync_user_in_background(login.user_id)
    response = redirect(login.redirect_url)
    response.delete_cookie(LOGIN_COOKIE, path=urlsplit(services().config.oauth_redirect_url).path)
    return response
