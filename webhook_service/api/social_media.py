"""Connected accounts of the signed-in user: list and disconnect."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from webhook_service.accounts import account_view
from webhook_service.auth import login_required
from webhook_service.errors import ApiError
from webhook_service.services import services

PLATFORMS = ("facebook", "instagram")

blueprint = Blueprint("social_media", __name__, url_prefix="/social-media")


def checked_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise ApiError(404, "unknown_platform", f"Unknown platform {platform!r}: use 'facebook' or 'instagram'.")
    return platform


@blueprint.get("/connected-accounts")
@login_required
def connected_accounts():
    accounts = [account_view(row) for row in services().store.connected_accounts(g.user_id)]
    return jsonify(accounts=accounts, total=len(accounts))


@blueprint.post("/disconnect/<platform>")
@login_required
def disconnect(platform: str):
    disconnected = services().store.disconnect(g.user_id, checked_platform(platform))
    return jsonify(success=True, platform=platform, disconnected=len(disconnected))
