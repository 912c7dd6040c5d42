"""Posts: an account's posts, reels and stories with their latest metrics."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from webhook_service.api.query_args import integer_arg, reject_unknown
from webhook_service.auth import bearer_token, login_required
from webhook_service.errors import ApiError
from webhook_service.services import services

blueprint = Blueprint("posts", __name__, url_prefix="/social-media")

READ_PARAMETERS = {"account_id", "since", "until", "sort", "direction", "page", "page_size"}
MAX_PAGE_SIZE = 100
SORT_NAME = re.compile(r"[a-z][a-z0-9_.]{0,63}")


@blueprint.get("/posts")
@login_required
def read():
    reject_unknown(READ_PARAMETERS)
    account_id = request.args.get("account_id", "").strip()
    if not account_id:
        raise ApiError(400, "invalid_parameter", "account_id is required: the Page or Instagram account id.")
    sort = request.args.get("sort", "published_at")
    if not SORT_NAME.fullmatch(sort):
        raise ApiError(400, "invalid_parameter",
                       "sort must be published_at or a metric name such as views or post_media_view.")
    direction = request.args.get("direction", "desc")
    if direction not in ("asc", "desc"):
        raise ApiError(400, "invalid_parameter", "direction must be 'asc' or 'desc'.")
    since, until = _moment("since"), _moment("until")
    if since and until and since >= until:
        raise ApiError(400, "invalid_parameter", "since must be earlier than until.")
    arguments = {
        "account_id": account_id,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "sort": sort,
        "direction": direction,
        "page_size": integer_arg("page_size", default=20, minimum=1, maximum=MAX_PAGE_SIZE),
        "page": integer_arg("page", default=1, minimum=1, maximum=1_000_000),
    }
    return jsonify(services().store.read_posts(bearer_token(), arguments))


def _moment(name: str) -> datetime | None:
    """A date (its UTC midnight) or an ISO 8601 time with an offset."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be a date (2026-11-01) or a time with an offset (2026-11-01T08:00:00Z).") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
