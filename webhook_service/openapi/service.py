"""OpenAPI fragment: the service's own endpoints."""

from webhook_service.openapi import json_response

PATHS = {
    "/healthz": {
        "get": {
            "summary": "Readiness: 200 once the service accepts requests.",
            "security": [],
            "responses": {"200": json_response("Ready.", {
                "type": "object", "properties": {"status": {"const": "ok"}}})},
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document.",
            "security": [],
            "responses": {"200": json_response("The OpenAPI 3.1 document.", {"type": "object"})},
        },
    },
}
