"""OpenAPI fragment: the service's own endpoints."""

from webhook_service.openapi import error_response, json_response

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
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics, served here only when METRICS_TOKEN is set (docs/operations.md).",
            "description": "Send `Authorization: Bearer <METRICS_TOKEN>`. Without METRICS_TOKEN the service serves "
                           "no metrics here (404), or serves them on METRICS_PORT instead.",
            "responses": {
                "200": {"description": "The metrics in Prometheus' text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}}},
                "401": error_response("Missing or wrong metrics token (`unauthorized`)."),
                "404": error_response("Metrics are not served on this port (`not_found`)."),
            },
        },
    },
}
