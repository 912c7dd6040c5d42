"""OpenAPI fragment: the daily connection-health jobs (cron secret only)."""

from webhook_service.openapi import error_response, json_response

CRON_ONLY = {"401": error_response("Not the cron secret (`unauthorized`).")}
ASYNC = {"202": json_response("With `Prefer: respond-async`: started; the outcome is logged.", {
    "type": "object", "properties": {"success": {"type": "boolean"}, "status": {"const": "running"}}})}
PREFER = {"name": "Prefer", "in": "header", "required": False, "schema": {"type": "string"}}


def counts(*names: str) -> dict:
    return {"type": "object", "properties": {"success": {"type": "boolean"},
                                             **{name: {"type": "integer"} for name in names}}}


PATHS = {
    "/api/v1/social-media/tokens/refresh": {
        "post": {
            "summary": "Refreshes the Instagram Login tokens that end within `within_days` (job "
                       "social-link-refresh-instagram-tokens). A token Instagram refuses: `needs_reauth`.",
            "parameters": [PREFER],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"within_days": {"type": "integer", "minimum": 1, "maximum": 59,
                                                                 "default": 10}}}}}},
            "responses": {
                "200": json_response("Done.", counts("refreshed", "needs_reauth", "failed", "replaced_meanwhile")),
                **ASYNC,
                "400": error_response("within_days out of range (`invalid_parameter`)."),
                **CRON_ONLY,
            },
        },
    },
    "/api/v1/social-media/health/check": {
        "post": {
            "summary": "Checks every account's login, data access and permissions (job "
                       "social-link-check-connection-health); records `expiring` and `needs_reauth`.",
            "parameters": [PREFER],
            "responses": {
                "200": json_response("Done.", counts("checked", "needs_reauth", "unreachable")),
                **ASYNC,
                **CRON_ONLY,
            },
        },
    },
}
