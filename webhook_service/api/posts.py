"""Posts: an account's posts, reels and stories with their latest metrics."""

from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint

from webhook_service.api.models import USER, USER_ERRORS, Posts, PostsQuery, error_response
from webhook_service.auth import bearer_token, login_required
from webhook_service.services import services

blueprint = APIBlueprint("posts", __name__, url_prefix="/social-media")


@blueprint.get("/posts", security=USER, responses={
    200: Posts,
    400: error_response("A parameter is missing, unknown or out of range (`invalid_parameter`)."),
    **USER_ERRORS,
})
@login_required
def read(query: PostsQuery):
    """An account's posts, reels and stories with their latest metrics, ranked and paged.

    Read through the database function `get_social_media_posts` under the caller's JWT, so row level
    security applies; a frontend may call it directly at `/rest/v1/rpc/get_social_media_posts`.
    """
    arguments = {
        "account_id": query.account_id,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "sort": query.sort,
        "direction": query.direction,
        "page_size": query.page_size,
        "page": query.page,
    }
    return jsonify(services().store.read_posts(bearer_token(), arguments))
