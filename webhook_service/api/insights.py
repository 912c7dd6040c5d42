"""Insights: the hourly sync (cron job or a user's Sync Now) and the read API."""

from __future__ import annotations

import logging
import threading

from flask import Blueprint, jsonify, request

from webhook_service.api.query_args import integer_arg, reject_unknown
from webhook_service.auth import bearer_token, is_cron_request, login_required
from webhook_service.errors import ApiError
from webhook_service.platforms import PLATFORMS
from webhook_service.services import services
from webhook_service.sync import InsightsSync, SyncRun, SyncScope

log = logging.getLogger(__name__)

blueprint = Blueprint("insights", __name__, url_prefix="/social-media")

PERIODS = ("hour", "day")
MAX_HOURS = 24 * 90
MAX_DAYS = 90
MAX_SHARDS = 1024
READ_PARAMETERS = {"platform", "period", "hours", "days", "account_id"}


@blueprint.post("/insights/sync")
def sync():
    """With the cron secret: every user's accounts (or `user_id`'s), shard `shard` of `shards`.
    With a user's JWT: that user's accounts only. `Prefer: respond-async` answers 202 at once."""
    if is_cron_request():
        shards = integer_arg("shards", default=1, minimum=1, maximum=MAX_SHARDS)
        shard = integer_arg("shard", default=0, minimum=0, maximum=shards - 1)
        scope = SyncScope("cron", user_id=request.args.get("user_id") or None, shard=shard, shards=shards)
    else:
        token = bearer_token()
        if token is None:
            raise ApiError(401, "unauthorized", "Send the cron secret or a user's token as 'Authorization: Bearer ...'.")
        user_id = services().verifier.user_id(token)
        scope = SyncScope("sync_now", requested_by=user_id, user_id=user_id)

    sync = services().sync
    run = sync.start(scope)
    if prefers_async():
        _complete_in_background(sync, run)
        response = jsonify(success=True, run_id=run.id, status="running", window=run.window())
        response.headers["Preference-Applied"] = "respond-async"
        return response, 202
    return jsonify(sync.complete(run))


@blueprint.get("/insights")
@login_required
def read():
    reject_unknown(READ_PARAMETERS)
    platform = request.args.get("platform")
    if platform not in PLATFORMS:
        raise ApiError(400, "invalid_parameter", "platform is required: 'facebook' or 'instagram'.")
    period = request.args.get("period", "hour")
    if period not in PERIODS:
        raise ApiError(400, "invalid_parameter", "period must be 'hour' or 'day'.")
    if "hours" in request.args and "days" in request.args:
        raise ApiError(400, "invalid_parameter", "Give hours or days, not both.")
    arguments = {
        "platform": platform,
        "period": period,
        "hours": integer_arg("hours", default=None, minimum=1, maximum=MAX_HOURS),
        "days": integer_arg("days", default=None, minimum=1, maximum=MAX_DAYS),
        "account_id": request.args.get("account_id") or None,
    }
    return jsonify(services().store.read_insights(bearer_token(), arguments))



def prefers_async() -> bool:
    preferences = request.headers.get("Prefer", "")
    return any(item.split(";")[0].strip().lower() == "respond-async" for item in preferences.split(","))


def sync_user_in_background(user_id: str) -> SyncRun:
    """Starts a Sync Now of the user's accounts and completes it on a thread (the first sync after
    a connect): the user's browser sees the run in social_media_sync_runs until it finishes."""
    sync = services().sync
    run = sync.start(SyncScope("sync_now", requested_by=user_id, user_id=user_id))
    _complete_in_background(sync, run)
    return run


def _complete_in_background(sync: InsightsSync, run: SyncRun) -> None:
    def complete() -> None:
        try:
            sync.complete(run)
        except Exception:
            # The run stays `running` without finished_at in social_media_sync_runs: visible, not lost.
            log.exception("sync run %s failed", run.id)

    threading.Thread(target=complete, name=f"insights-sync-{run.id}", daemon=True).start()
