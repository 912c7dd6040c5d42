"""The daily connection-health jobs' endpoints (cron secret only): Instagram token refresh and the
health check of every account. With `Prefer: respond-async` they answer 202 and work on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Blueprint, jsonify, request

from webhook_service.api.insights import prefers_async
from webhook_service.auth import is_cron_request
from webhook_service.connection_health import check_all
from webhook_service.errors import ApiError
from webhook_service.services import Services, services
from webhook_service.token_refresh import refresh_instagram_tokens

log = logging.getLogger(__name__)

blueprint = Blueprint("connection_health", __name__, url_prefix="/social-media")

DEFAULT_REFRESH_WITHIN_DAYS = 10
MAX_REFRESH_WITHIN_DAYS = 59


@blueprint.post("/tokens/refresh")
def refresh_tokens():
    """Body (optional): {"within_days": 1..59}, default 10."""
    _cron_only()
    body = request.get_json(silent=True)
    within = body.get("within_days", DEFAULT_REFRESH_WITHIN_DAYS) if isinstance(body, dict) else DEFAULT_REFRESH_WITHIN_DAYS
    if not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= MAX_REFRESH_WITHIN_DAYS:
        raise ApiError(400, "invalid_parameter", f"within_days must be an integer from 1 to {MAX_REFRESH_WITHIN_DAYS}.")
    return _run("token refresh", lambda current: refresh_instagram_tokens(current, within))


@blueprint.post("/health/check")
def check_health():
    _cron_only()
    return _run("health check", check_all)


def _cron_only() -> None:
    if not is_cron_request():
        raise ApiError(401, "unauthorized", "Send the cron secret as 'Authorization: Bearer ...'.")


def _run(name: str, task: Callable[[Services], dict[str, int]]):
    current = services()
    if not prefers_async():
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

