"""The versioned HTTP API: one parent blueprint at /api/v1 holding a blueprint per area."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from webhook_service.api import connection_health, insights, meta, posts, social_media
from webhook_service.openapi import document

API_PREFIX = "/api/v1"


def register_blueprints(app: Flask) -> None:
    api = Blueprint("api", __name__, url_prefix=API_PREFIX)
    for area in (social_media.blueprint, meta.blueprint, insights.blueprint, connection_health.blueprint,
                 posts.blueprint):
        api.register_blueprint(area)
    api.add_url_rule("/openapi.json", "openapi", lambda: jsonify(document()))
    app.register_blueprint(api)
