"""OpenAPI fragment: connecting and listing Facebook Pages and Instagram accounts."""

from webhook_service.openapi import USER_ERRORS, error_response, json_response, ref

PLATFORM_PARAMETER = {
    "name": "platform", "in": "path", "required": True,
    "schema": {"type": "string", "enum": ["facebook", "instagram"]},
}
UNKNOWN_PLATFORM = error_response("Platform other than `facebook` or `instagram` (`unknown_platform`).")

SCHEMAS = {
    "Account": {
        "type": "object",
        "required": ["platform", "accountId", "isConnected", "status"],
        "properties": {
            "platform": {"type": "string", "enum": ["facebook", "instagram"]},
            "accountId": {"type": "string", "description": "Facebook Page id or Instagram business account id."},
            "accountName": {"type": ["string", "null"]},
            "username": {"type": ["string", "null"]},
            "profilePicture": {"type": ["string", "null"], "description": "Picture URL (Meta's CDN URLs expire)."},
            "isConnected": {"type": "boolean"},
            "status": {"type": "string", "enum": ["connected", "needs_reauth", "error"]},
            "lastSyncedAt": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}

PATHS = {
    "/api/v1/social-media/connected-accounts": {
        "get": {
            "summary": "The signed-in user's active accounts (never a token).",
            "responses": {
                "200": json_response("The accounts.", {
                    "type": "object", "required": ["accounts", "total"],
                    "properties": {"accounts": {"type": "array", "items": ref("Account")},
                                   "total": {"type": "integer"}},
                }),
                **USER_ERRORS,
            },
        },
    },
    "/api/v1/social-media/disconnect/{platform}": {
        "post": {
            "summary": "Deactivates the user's accounts of a platform and erases their tokens; insight history stays.",
            "parameters": [PLATFORM_PARAMETER],
            "responses": {
                "200": json_response("Disconnected.", {
                    "type": "object", "required": ["success", "platform", "disconnected"],
                    "properties": {"success": {"type": "boolean"},
                                   "platform": {"type": "string"},
                                   "disconnected": {"type": "integer", "description": "Accounts deactivated."}},
                }),
                "404": UNKNOWN_PLATFORM,
                **USER_ERRORS,
            },
        },
    },
}
