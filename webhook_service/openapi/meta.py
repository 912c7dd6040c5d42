"""OpenAPI fragment: Meta's Deauthorize and Data Deletion callbacks."""

from webhook_service.openapi import error_response, json_response

SIGNED_REQUEST_BODY = {
    "required": True,
    "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["signed_request"],
        "properties": {"signed_request": {"type": "string", "description": "Meta's HMAC-SHA256 signed request."}},
    }}},
}
BAD_SIGNATURE = error_response("Missing or wrongly signed signed_request (`invalid_signed_request`).")

DEAUTHORIZE = {
    "post": {
        "summary": "Meta: the person removed the app. Their accounts are deactivated and their tokens erased.",
        "security": [],
        "requestBody": SIGNED_REQUEST_BODY,
        "responses": {
            "200": json_response("Done.", {"type": "object", "properties": {
                "success": {"type": "boolean"}, "deactivated": {"type": "integer"}}}),
            "400": BAD_SIGNATURE,
        },
    },
}
DATA_DELETION = {
    "post": {
        "summary": "Meta: the person asked for their data to be deleted. Their accounts, tokens and insights go.",
        "security": [],
        "requestBody": SIGNED_REQUEST_BODY,
        "responses": {
            "200": json_response("Where the person can check the deletion.", {
                "type": "object", "required": ["url", "confirmation_code"],
                "properties": {"url": {"type": "string"}, "confirmation_code": {"type": "string"}}}),
            "400": BAD_SIGNATURE,
        },
    },
}
INSTAGRAM_UNAVAILABLE = {"404": error_response("Instagram Login is not configured (`instagram_login_unavailable`).")}

PATHS = {
    "/api/v1/meta/deauthorize": DEAUTHORIZE,
    "/api/v1/meta/data-deletion": DATA_DELETION,
    # Instagram Login's callbacks: signed with the Instagram app's secret, about its accounts only.
    "/api/v1/meta/instagram/deauthorize": {"post": {**DEAUTHORIZE["post"], "responses": {
        **DEAUTHORIZE["post"]["responses"], **INSTAGRAM_UNAVAILABLE}}},
    "/api/v1/meta/instagram/data-deletion": {"post": {**DATA_DELETION["post"], "responses": {
        **DATA_DELETION["post"]["responses"], **INSTAGRAM_UNAVAILABLE}}},
    "/api/v1/meta/data-deletion/{code}": {
        "get": {
            "summary": "Status of a data deletion request.",
            "security": [],
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": json_response("The request's status.", {
                    "type": "object",
                    "properties": {"confirmation_code": {"type": "string"},
                                   "status": {"type": "string", "enum": ["pending", "completed"]},
                                   "requested_at": {"type": "string", "format": "date-time"},
                                   "completed_at": {"type": ["string", "null"], "format": "date-time"}}}),
                "404": error_response("No such request (`not_found`)."),
            },
        },
    },
}
