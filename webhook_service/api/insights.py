"""Insights: the hourly sync (cron job or a user's Sync Now) and the read API."""

from __future__ import annotations

import logging
import threading

from flask import jsonify
from flask_openapi3 import APIBlueprint

from webhook_service.api.models import (
    USER,
    USER_ERRORS,
    Insights,
    PreferHeader,
    ReadQuery,
    SyncQuery,
    SyncResult,
    SyncStarted,
    error_response,
)
from webhook_service.auth import bearer_token, is_cron_request, login_required
from webhook_service.errors import ApiError
from webhook_service.services import services
from webhook_service.sync import InsightsSync, SyncRun, SyncScope

log = logging.getLogger(__name__)

blueprint = APIBlueprint("insights", __name__, url_prefix="/social-media")

INVALID_PARAMETER = error_response("A parameter is missing, unknown or out of range (`invalid_parameter`).")


@blueprint.post("/insights/sync", security=[{"cronSecret": []}, {"userJwt": []}],
                responses={200: SyncResult, 202: SyncStarted, 400: INVALID_PARAMETER, **USER_ERRORS})
def sync(query: SyncQuery, header: PreferHeader):
    """Sync insights for the current hour: all accounts (cron secret) or the caller's (Sync Now).

    With the cron secret: every active account, or `user_id`'s, optionally shard `shard` of `shards`.
    With a user's JWT: that user's accounts only (`user_id` and shards are ignored).
    `Prefer: respond-async` answers 202 as soon as the run is recorded in `social_media_sync_runs`
    and syncs on; otherwise the answer comes when the run is done.
    """
    if is_cron_request():
        scope = SyncScope("cron", user_id=query.user_id or None, shard=query.shard, shards=query.shards)
    else:
        token = bearer_token()
        if token is None:
            raise ApiError(401, "unauthorized", "Send the cron secret or a user's token as 'Authorization: Bearer ...'.")
        user_id = services().verifier.user_id(token)
        scope = SyncScope("sync_now", requested_by=user_id, user_id=user_id)

    sync = services().sync
    run = sync.start(scope)
    if prefers_async(header.prefer):
        _complete_in_background(sync, run)
        response = jsonify(success=True, run_id=run.id, status="running", window=run.window())
        response.headers["Preference-Applied"] = "respond-async"
        return response, 202
    return jsonify(sync.complete(run))


@blueprint.get("/insights", security=USER,
               responses={200: Insights, 400: INVALID_PARAMETER, **USER_ERRORS})
@login_required
def read(query: ReadQuery):
    """The caller's insights of one platform: hourly or daily series and aggregates.

    Read through the database function `get_social_media_insights` under the caller's JWT, so row
    level security applies; a frontend may call it directly at `/rest/v1/rpc/get_social_media_insights`.
    """
    arguments = {"platform": query.platform, "period": query.period, "hours": query.hours, "days": query.days,
                 "account_id": query.account_id or None}
    return jsonify(services().store.read_insights(bearer_token(), arguments))


def prefers_async(preferences: str | None) -> bool:
    """Whether a `Prefer` header asks for `respond-async`."""
    return any(item.split(";")[0].strip().lower() == "respond-async" for item in (preferences or "").split(","))


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

    # Not a daemon: a graceful stop (SIGTERM) lets the run finish within gunicorn's graceful
    # timeout; a process killed outright leaves it `running`, visible.
    threading.Thread(target=complete, name=f"insights-sync-{run.id}", daemon=False).start()
