"""The daily connection-health jobs' endpoints (cron secret only): Instagram token refresh and the
health check of every account. With `Prefer: respond-async` they answer 202 and work on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import jsonify, request
from flask_openapi3 import APIBlueprint
from pydantic import ValidationError

from webhook_service.api.insights import prefers_async
from webhook_service.api.models import (
    HealthChecked,
    PreferHeader,
    RefreshBody,
    TaskStarted,
    TokensRefreshed,
    error_response,
    request_body,
)
from webhook_service.auth import is_cron_request
from webhook_service.connection_health import check_all
from webhook_service.errors import ApiError
from webhook_service.services import Services, services
from webhook_service.token_refresh import refresh_instagram_tokens

log = logging.getLogger(__name__)

blueprint = APIBlueprint("connection_health", __name__, url_prefix="/social-media")

CRON = [{"cronSecret": []}]
CRON_ONLY = {401: error_response("Not the cron secret (`unauthorized`).")}


@blueprint.post("/tokens/refresh", security=CRON, openapi_extensions=request_body(RefreshBody, required=False),
                responses={200: TokensRefreshed, 202: TaskStarted,
                           400: error_response("within_days out of range (`invalid_parameter`)."), **CRON_ONLY})
def refresh_tokens(header: PreferHeader):
    """Refreshes the Instagram Login tokens that end within `within_days` (job social-link-refresh-instagram-tokens).

    A token Instagram refuses: `needs_reauth`. The body is optional.
    """
    _cron_only()
    # Read here: an absent or non-JSON body means the defaults, which flask-openapi3 would refuse.
    body = request.get_json(silent=True)
    try:
        within = RefreshBody.model_validate(body if isinstance(body, dict) else {}, strict=True).within_days
    except ValidationError:
        raise ApiError(400, "invalid_parameter", "within_days must be an integer from 1 to 59.") from None
    return _run("token refresh", lambda current: refresh_instagram_tokens(current, within), header)


@blueprint.post("/health/check", security=CRON, responses={200: HealthChecked, 202: TaskStarted, **CRON_ONLY})
def check_health(header: PreferHeader):
    """Checks every account's login, data access and permissions (job social-link-check-connection-health).

    Records `expiring` and `needs_reauth`.
    """
    _cron_only()
    return _run("health check", check_all, header)


def _cron_only() -> None:
    if not is_cron_request():
        raise ApiError(401, "unauthorized", "Send the cron secret as 'Authorization: Bearer ...'.")


def _run(name: str, task: Callable[[Services], dict[str, int]], header: PreferHeader):
    current = services()
    if not prefers_async(header.prefer):
        return jsonify(success=True, **task(current))
    threading.Thread(target=_in_background, args=(name, task, current), name=name, daemon=True).start()
    response = jsonify(success=True, status="running")
    response.headers["Preference-Applied"] = "respond-async"
    return response, 202


def _in_background(name: str, task: Callable[[Services], dict[str, int]], current: Services) -> None:
    try:
        log.info("%s done: %s", name, task(current))
    except Exception:
        log.exception("%s failed", name)
