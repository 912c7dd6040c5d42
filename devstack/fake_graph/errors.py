"""Meta's error envelope, and the errors the fake answers with.

Messages follow the ones Meta sends where they are known; `code`, `error_subcode` and `type` are
what clients branch on, so those are kept exact.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timezone

GRAPH_API_DOCS = "https://developers.facebook.com/docs/graph-api"

# Messages used when a fault rule gives only a code.
DEFAULT_MESSAGES = {
    1: "An unknown error has occurred.",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    10: "(#10) Application does not have permission for this action",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    102: "Session key invalid or no longer valid",
    190: "Invalid OAuth access token - Cannot parse access token",
    200: "(#200) Permissions error",
    341: "(#341) Application limit reached",
    368: "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
}

_SESSION_MESSAGES = {
    458: "Error validating access token: The user has not authorized application {app_id}.",
    459: "Error validating access token: You cannot access the app till you log in to www.facebook.com "
         "and follow the instructions given.",
    460: "Error validating access token: The session has been invalidated because the user changed "
         "their password or Facebook has changed the session for security reasons.",
    463: "Error validating access token: Session has expired on {expired}. The current time is {now}.",
    464: "Error validating access token: Sessions for the user are not allowed because the user is "
         "not a confirmed user.",
    467: "Error validating access token: The session is invalid because the user logged out.",
    492: "Error validating access token: The user associated with the Page access token does not have "
         "an appropriate role on the Page.",
}


def fbtrace_id() -> str:
    return secrets.token_urlsafe(8)[:11]


def default_http_status(code: int) -> int:
    if code in (1, 2):
        return 500
    if code == 10 or 200 <= code <= 299:
        return 403
    return 400


class GraphError(Exception):
    """A Graph API error; `envelope()` is the JSON body Meta would send."""

    def __init__(self, code: int, message: str, *, subcode: int | None = None,
                 type: str = "OAuthException", is_transient: bool | None = None,
                 user_title: str | None = None, user_msg: str | None = None,
                 http_status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.subcode = subcode
        self.type = type
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.http_status = http_status or default_http_status(code)
        self.headers = dict(headers or {})

    def envelope(self) -> dict:
        error: dict = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
        if self.user_msg is not None:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}


def unsupported_request(object_id: str, method: str = "GET") -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read the "
        f"Graph API documentation at {GRAPH_API_DOCS}",
        subcode=33, type="GraphMethodException")


def unknown_alias(alias: str) -> GraphError:
    return GraphError(803, f"(#803) Some of the aliases you requested do not exist: {alias}")


def nonexisting_field(field: str, node_type: str) -> GraphError:
    return GraphError(100, f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})")


def invalid_parameter(message: str) -> GraphError:
    return GraphError(100, f"(#100) {message}")


def invalid_metric() -> GraphError:
    # Page insights: Meta does not say which metric was wrong, and fails the whole request.
    return GraphError(100, "(#100) The value must be a valid insights metric")


def invalid_instagram_metric(index: int, valid: Iterable[str]) -> GraphError:
    # Instagram's own wording names the position of the first bad metric and lists the valid ones:
    # "(#100) metric[0] must be one of the following values: ..." (3P probe 60497173118 §4.1,
    # janu-software/facebook-php-sdk#17, brightbean-studio PR #76). It too fails the whole request.
    return GraphError(100, f"(#100) metric[{index}] must be one of the following values: {', '.join(valid)}")


def no_metric() -> GraphError:
    return GraphError(3001, "Invalid query", subcode=1504028, is_transient=False,
                      user_title="No Metric Specified",
                      user_msg="No metric was specified to be fetched. Please specify one or more "
                               "metrics to be fetched and try again.")


def missing_permission(permission: str, code: int = 10) -> GraphError:
    return GraphError(code, f"(#{code}) This endpoint requires the '{permission}' permission.")


def token_required() -> GraphError:
    return GraphError(104, "An access token is required to request this resource.")


def active_token_required() -> GraphError:
    return GraphError(2500, "An active access token must be used to query information about the current user.")


def unparsable_token() -> GraphError:
    return _with_www_authenticate(GraphError(190, DEFAULT_MESSAGES[190]))


def session_error(subcode: int, *, app_id: str, expired_at: int, now: int) -> GraphError:
    template = _SESSION_MESSAGES.get(subcode, "Error validating access token: The session is invalid.")
    message = template.format(app_id=app_id, expired=_fb_time(expired_at), now=_fb_time(now))
    return _with_www_authenticate(GraphError(190, message, subcode=subcode))


def appsecret_proof_missing() -> GraphError:
    return GraphError(100, "API calls from the server require an appsecret_proof argument",
                      type="GraphMethodException")


def appsecret_proof_invalid() -> GraphError:
    return GraphError(100, "Invalid appsecret_proof provided in the API argument", type="GraphMethodException")


def _with_www_authenticate(error: GraphError) -> GraphError:
    # Meta repeats token errors in this header, as OAuth 2 bearer-token servers do.
    error.headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{error.message}"'
    return error


def _fb_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%A, %d-%b-%y %H:%M:%S UTC")
