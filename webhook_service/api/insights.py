"""Insights: the hourly sync (cron job or a user's Sync Now) and the read API."""

from __future__ import annotations

import logging

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
from webhook_service.sync import run_window

log = logging.getLogger(__name__)

blueprint = APIBlueprint("insights", __name__, url_prefix="/social-media")

INVALID_PARAMETER = error_response("A parameter is missing, unknown or out of range (`invalid_parameter`).")


@blueprint.post("/insights/sync", security=[{"cronSecret": []}, {"userJwt": []}],
                responses={200: SyncResult, 202: SyncStarted, 400: INVALID_PARAMETER, **USER_ERRORS})
def sync(query: SyncQuery, header: PreferHeader):
    """Sync insights for the current hour through the sync queue: a poke, or one user's accounts.

    With the cron secret and no `user_id`: a poke from the hourly or kick job; this replica's
    queue workers drain the queues (202 at once). With the cron secret and `user_id`, or a user's
    JWT (Sync Now; `user_id` ignored): that user's accounts are queued for the hour, joining those
    already queued, and the answer comes when they are done (202 if that takes longer than
    INSIGHTS_SYNC_WAIT_SECONDS). `Prefer: respond-async` answers 202 at once. `shard`/`shards` are
    refused (400): the queue spreads the work over every replica.
    """
    sync, worker = services().sync, services().worker
    if is_cron_request():
        if not query.user_id:
            worker.poke()
            return jsonify(success=True, status="working"), 202
        run = sync.start_user_run(trigger="cron", user_id=query.user_id, requested_by=None)
    else:
        token = bearer_token()
        if token is None:
            raise ApiError(401, "unauthorized", "Send the cron secret or a user's token as 'Authorization: Bearer ...'.")
        user_id = services().verifier.user_id(token)
        run = sync.start_user_run(trigger="sync_now", user_id=user_id, requested_by=user_id)
    worker.poke()
    respond_async = prefers_async(header.prefer)
    finished = None if respond_async else sync.wait(run["id"], services().config.insights.sync_wait_seconds,
                                                      worker.poke)
    if finished is None:
        response = jsonify(success=True, run_id=run["id"], status="running", queued=run["accounts_queued"],
                           joined=run["accounts_joined"], window=run_window(run))
        if respond_async:
            response.headers["Preference-Applied"] = "respond-async"
        return response, 202
    return jsonify(sync.summary(finished))


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


def sync_user_in_background(user_id: str) -> dict:
    """Queues a Sync Now of the user's accounts and pokes this process's workers (the first sync
    after a connect): the user's browser sees the run in social_media_sync_runs until it finishes."""
    run = services().sync.start_user_run(trigger="sync_now", user_id=user_id, requested_by=user_id)
    services().worker.poke()
    return run
