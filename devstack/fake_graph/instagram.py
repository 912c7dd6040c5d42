"""The Instagram API with Instagram Login (no Facebook Page needed), under the path prefix `/instagram`.

Meta serves it from three hosts whose paths do not overlap, so one prefix stands in for all three:
- `www.instagram.com/oauth/authorize`: the authorization window of Business Login for Instagram
  (https://developers.facebook.com/documentation/instagram-platform/instagram-api-with-instagram-login/business-login,
  https://developers.facebook.com/docs/instagram-platform/reference/oauth-authorize: `#_` is
  appended to the redirect).
- `api.instagram.com/oauth/access_token`: POST (form) code -> short-lived (1 hour) token. The doc
  shows the answer wrapped in `data: [...]`; apps in production (Postiz's
  `instagram.standalone.provider.ts`) read it flat, which is what the fake sends. Its errors use
  the older `{"error_type", "code", "error_message"}` shape.
- `graph.instagram.com`: `/access_token?grant_type=ig_exchange_token` (short -> 60 days,
  https://developers.facebook.com/documentation/instagram-platform/reference/access_token),
  `/refresh_access_token?grant_type=ig_refresh_token` ("at least 24 hours old but has not expired.
  Refreshed tokens are valid for 60 days", .../reference/refresh_access_token), `/{version}/me`
  (.../reference/me: id, user_id, username, name, account_type, profile_picture_url,
  followers_count, follows_count, media_count), `/{version}/{ig-user-id}` and its `/insights`
  (the same metrics as on graph.facebook.com, available to Instagram Login since v22).

`account_type` is documented as Business or Media_Creator; a personal account is not professional
and cannot use these APIs. The fake lets one log in and answers `PERSONAL` (the value the retired
Basic Display API used) so that clients can tell such a person why nothing was connected.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from . import errors
from .calls import GraphCall, Reply
from .errors import GraphError
from .fields import parse_fields
from .insights import instagram_insights
from .oauth import AppConfig, appsecret_proof, token_problem
from .world import AUTHORIZATION_CODE_SECONDS, LONG_LIVED_TOKEN_SECONDS, InstagramAccount, Token, World

PREFIX = "instagram"
SHORT_LIVED_TOKEN_SECONDS = 3600
REFRESH_MIN_AGE_SECONDS = 86400
BASIC = "instagram_business_basic"
INSIGHTS = "instagram_business_manage_insights"
SCOPES = (BASIC, INSIGHTS, "instagram_business_content_publish", "instagram_business_manage_messages",
          "instagram_business_manage_comments")
ME_FIELDS = ("id", "user_id", "username", "name", "account_type", "profile_picture_url", "followers_count",
             "follows_count", "media_count")
_VERSION = re.compile(r"v\d+\.\d+")


@dataclass(slots=True)
class InstagramCode:
    account_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    issued_at: int
    used: bool = False


def route(world: World, config: AppConfig, call: GraphCall) -> dict | Reply:
    segments = call.segments[1:]
    if segments == ["oauth", "authorize"]:
        return Reply(302, "", {"Location": _authorize_location(world, config, call.params)})
    if segments == ["oauth", "access_token"]:
        return _exchange_code(world, config, call)
    if segments == ["access_token"]:
        return _long_lived(world, config, call.params, call.token)
    if segments == ["refresh_access_token"]:
        return _refresh(world, config, call.params, call.token)
    if segments and _VERSION.fullmatch(segments[0]):
        segments = segments[1:]
    token = authenticate(world, config, call.token, call.appsecret_proof)
    account = world.instagram_accounts[token.user_id]
    head = segments[0] if segments else ""
    if head not in ("me", account.id) or len(segments) > 2:
        raise errors.unsupported_request(head or "/", call.method)
    if len(segments) == 1:
        return render_me(call, account, token)
    if segments[1] != "insights":
        raise errors.nonexisting_field(segments[1], "IGUser")
    _require(token, INSIGHTS)
    return {"data": instagram_insights(world, account, call.params)[0]}


def authenticate(world: World, config: AppConfig, value: str | None, proof: str | None) -> Token:
    if not value:
        raise errors.token_required()
    token = world.tokens.get(value)
    if token is None or token.kind != PREFIX:
        raise errors.unparsable_token()
    problem = token_problem(world, config, token)
    if problem:
        raise problem
    # A proof is checked when sent (with the Instagram app's secret), as on graph.facebook.com.
    if proof and config.instagram_app_secret is not None and not hmac.compare_digest(
            proof, appsecret_proof(config.instagram_app_secret, value)):
        raise errors.appsecret_proof_invalid()
    return token


def render_me(call: GraphCall, account: InstagramAccount, token: Token) -> dict:
    _require(token, BASIC)
    text = call.params.get("fields", "").strip() or "id"
    out = {}
    for field in parse_fields(text):
        if field.name not in ME_FIELDS:
            raise errors.nonexisting_field(field.name, "User")
        if field.name == "id":
            out["id"] = app_scoped_id(account)
        elif field.name == "user_id":
            out["user_id"] = account.id
        elif field.name == "account_type":
            out["account_type"] = account.account_type
        elif field.name == "profile_picture_url":
            out[field.name] = f"{call.origin}/_assets/pictures/{account.id}.svg"
        else:
            out[field.name] = getattr(account, field.name)
    return out


def app_scoped_id(account: InstagramAccount) -> str:
    """The id `/me` reports as `id` (and the deauthorize callbacks name): scoped to the app,
    unlike `user_id`, the professional account's id."""
    return "27" + account.id[-14:]


# --- the authorization window and the tokens ---------------------------------------------------
def _authorize_location(world: World, config: AppConfig, params: dict[str, str]) -> str:
    if params.get("client_id") != config.instagram_app_id:
        raise GraphError(400, "Invalid platform app", type="OAuthException")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri or params.get("response_type") != "code":
        raise GraphError(400, "Invalid redirect_uri or response_type", type="OAuthException")
    scopes = tuple(scope for scope in re.split(r"[ ,]+", params.get("scope", "")) if scope)
    if BASIC not in scopes:
        raise GraphError(400, f"Invalid scope: {BASIC} is required", type="OAuthException")
    if world.dialog_cancels:
        query = {"error": "access_denied", "error_reason": "user_denied",
                 "error_description": "The user denied your request"}
    else:
        account = world.instagram_accounts.get(world.instagram_dialog_account_id or "")
        if account is None:
            raise GraphError(1, 'fake Graph API: no Instagram dialog account; POST /_control/dialog '
                                '{"instagram_account_id": ...}')
        code = "AQB" + secrets.token_urlsafe(48)
        with world.lock:
            world.instagram_codes[code] = InstagramCode(account.id, redirect_uri,
                                                        tuple(scope for scope in scopes if scope in SCOPES),
                                                        world.now())
        query = {"code": code}
    if "state" in params:
        query["state"] = params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(query)}#_"


def _exchange_code(world: World, config: AppConfig, call: GraphCall) -> dict | Reply:
    params = call.params
    if call.method != "POST":
        return _oauth_error("Unsupported method; POST the form")
    if params.get("client_id") != config.instagram_app_id:
        return _oauth_error("Invalid platform app")
    if not params.get("client_secret") or (config.instagram_app_secret is not None
                                           and params["client_secret"] != config.instagram_app_secret):
        return _oauth_error("Error validating client secret")
    if params.get("grant_type") != "authorization_code":
        return _oauth_error("Invalid grant_type")
    with world.lock:
        code = world.instagram_codes.get(params.get("code") or "")
        if (code is None or code.used or world.now() >= code.issued_at + AUTHORIZATION_CODE_SECONDS):
            return _oauth_error("Matching code was not found or was already used")
        if params.get("redirect_uri") != code.redirect_uri:
            return _oauth_error("Error validating verification code. Please make sure your redirect_uri is identical "
                                "to the one you used in the OAuth dialog request")
        code.used = True
    token = issue_token(world, code.account_id, SHORT_LIVED_TOKEN_SECONDS, code.scopes)
    return {"access_token": token.value, "user_id": int(code.account_id), "permissions": list(code.scopes)}


def _long_lived(world: World, config: AppConfig, params: dict[str, str], value: str | None) -> dict:
    if params.get("grant_type") != "ig_exchange_token":
        raise errors.invalid_parameter("grant_type must be ig_exchange_token")
    if not params.get("client_secret") or (config.instagram_app_secret is not None
                                           and params["client_secret"] != config.instagram_app_secret):
        raise GraphError(1, "Error validating client secret.")
    token = authenticate(world, config, value, None)
    return _token_answer(issue_token(world, token.user_id, LONG_LIVED_TOKEN_SECONDS, token.scopes))


def _refresh(world: World, config: AppConfig, params: dict[str, str], value: str | None) -> dict:
    if params.get("grant_type") != "ig_refresh_token":
        raise errors.invalid_parameter("grant_type must be ig_refresh_token")
    token = authenticate(world, config, value, None)
    if token.expires_at - token.issued_at <= SHORT_LIVED_TOKEN_SECONDS:
        raise errors.invalid_parameter("Only a long-lived access token can be refreshed")
    if world.now() - token.issued_at < REFRESH_MIN_AGE_SECONDS:
        # Documented rule; the exact error Meta answers with is not.
        raise errors.invalid_parameter("The access token must be at least 24 hours old to be refreshed")
    return _token_answer(issue_token(world, token.user_id, LONG_LIVED_TOKEN_SECONDS, token.scopes))


def issue_token(world: World, account_id: str, expires_in: int, scopes: tuple[str, ...],
                value: str | None = None) -> Token:
    with world.lock:
        now = world.now()
        token = Token(value or "IGAA" + secrets.token_urlsafe(60).replace("-", "Z").replace("_", "z"),
                      PREFIX, account_id, None, now, now + expires_in, scopes=tuple(scopes))
        world.tokens[token.value] = token
        return token


def _token_answer(token: Token) -> dict:
    return {"access_token": token.value, "token_type": "bearer", "expires_in": token.expires_at - token.issued_at}


def _oauth_error(message: str) -> Reply:
    return Reply.json(400, {"error_type": "OAuthException", "code": 400, "error_message": message})


def _require(token: Token, scope: str) -> None:
    if scope not in token.scopes:
        raise errors.missing_permission(scope)
