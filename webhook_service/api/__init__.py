"""The versioned HTTP API: one parent blueprint at /api/v1 holding a blueprint per area, and the
OpenAPI document flask-openapi3 generates from their routes and models (`models.py`)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask_openapi3 import APIBlueprint, OpenAPI

from webhook_service.api import connection_health, insights, meta, posts, social_media
from webhook_service.api.models import ERROR_SCHEMA_REF, PUBLIC

API_PREFIX = "/api/v1"


def register_blueprints(app: OpenAPI) -> None:
    api = APIBlueprint("api", __name__, url_prefix=API_PREFIX)
    for area in (social_media.blueprint, meta.blueprint, insights.blueprint, connection_health.blueprint,
                 posts.blueprint):
        api.register_api(area)

    @api.get("/openapi.json", summary="This document.", security=PUBLIC,
             responses={200: {"description": "The OpenAPI 3.1 document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}})
    def openapi():
        return jsonify(document(current_app))

    app.register_api(api)


def document(app: OpenAPI) -> dict[str, Any]:
    """The generated document. flask-openapi3 adds its validation answer (400, a list of pydantic
    errors) to every operation that declares no 400 itself; here refused parameters answer the
    service's Error (see errors.refuse_parameters), and operations that declare no 400 take no
    parameter that can be refused, so that addition is taken out."""
    spec = app.api_doc
    for item in spec["paths"].values():
        for operation in item.values():
            answer = operation["responses"].get("400")
            if answer and answer["content"]["application/json"]["schema"] != ERROR_SCHEMA_REF:
                del operation["responses"]["400"]
    return spec
