"""The daily connection-health check's endpoint (cron secret only). With `Prefer: respond-async` it
answers 202 and works on. Instagram Login tokens are refreshed through the sync's queue instead
(token_refresh.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import jsonify
from flask_openapi3 import APIBlueprint

from webhook_service.api.insights import prefers_async
from webhook_service.api.models import (
    HealthChecked,
    PreferHeader,
    TaskStarted,
    error_response,
)
from webhook_service.auth import is_cron_request
from webhook_service.connection_health import check_all
from webhook_service.errors import ApiError
from webhook_service.services import Services, services

log = logging.getLogger(__name__)

blueprint = APIBlueprint("connection_health", __name__, url_prefix="/social-media")

CRON = [{"cronSecret": []}]
CRON_ONLY = {401: error_response("Not the cron secret (`unauthorized`).")}


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
