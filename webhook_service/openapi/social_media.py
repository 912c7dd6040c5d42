"""OpenAPI fragment: connecting and listing Facebook Pages and Instagram accounts."""

from webhook_service.openapi import USER_ERRORS, error_response, json_response, ref

PLATFORM_PARAMETER = {
    "name": "platform", "in": "path", "required": True,
    "schema": {"type": "string", "enum": ["facebook", "instagram"]},
}
UNKNOWN_PLATFORM = error_response("Platform other than `facebook` or `instagram` (`unknown_platform`).")

OUTCOME_REASONS = ["no_pages", "no_instagram_business_account", "missing_permissions", "token_invalid"]

SCHEMAS = {
    "PlatformOutcome": {
        "description": "What connecting did for one platform. Connected: the first stored account of the "
                       "platform. Not connected: why, in words, and which permissions were declined.",
        "oneOf": [
            {"type": "object", "required": ["connected", "accountId", "accountName", "username", "profilePicture"],
             "properties": {"connected": {"const": True}, "accountId": {"type": "string"},
                            "accountName": {"type": ["string", "null"]}, "username": {"type": ["string", "null"]},
                            "profilePicture": {"type": ["string", "null"]}}},
            {"type": "object", "required": ["connected", "reason", "message", "missingPermissions"],
             "properties": {"connected": {"const": False}, "reason": {"enum": OUTCOME_REASONS},
                            "message": {"type": "string"},
                            "missingPermissions": {"type": "array", "items": {"type": "string"}}}},
        ],
    },
    "ConnectResult": {
        "type": "object",
        "required": ["success", "facebook", "instagram", "accounts"],
        "properties": {
            "success": {"type": "boolean", "description": "At least one account row was written."},
            "facebook": {"$ref": "#/components/schemas/PlatformOutcome"},
            "instagram": {"$ref": "#/components/schemas/PlatformOutcome"},
            "skippedPages": {"type": "array", "description": "Pages found (also through Business portfolios) "
                             "that were not stored, and why: `no_page_token` (no role on the Page) or "
                             "`no_analyze_task` (the role cannot see insights).",
                             "items": {"type": "object", "required": ["id", "reason", "message"],
                                       "properties": {"id": {"type": "string"}, "name": {"type": ["string", "null"]},
                                                      "reason": {"enum": ["no_page_token", "no_analyze_task"]},
                                                      "message": {"type": "string"}}}},
            "accounts": {"type": "array", "items": {"$ref": "#/components/schemas/Account"},
                         "description": "All of the user's active accounts after the connect."},
        },
    },
    "Account": {
        "type": "object",
        "required": ["platform", "accountId", "isConnected", "status"],
        "properties": {
            "platform": {"type": "string", "enum": ["facebook", "instagram"]},
            "accountId": {"type": "string", "description": "Facebook Page id or Instagram business account id."},
            "accountName": {"type": ["string", "null"]},
            "username": {"type": ["string", "null"]},
            "profilePicture": {"type": ["string", "null"], "description": "Picture URL (Meta's CDN URLs expire)."},
            "isConnected": {"type": "boolean", "description": "Active and `connected` or `expiring`."},
            "status": {"type": "string", "enum": ["connected", "expiring", "needs_reauth", "error"],
                       "description": "`expiring`: works, but the login or data access ends within "
                                      "CONNECTION_EXPIRING_DAYS; reconnect before `reconnectBy`."},
            "lastSyncedAt": {"type": ["string", "null"], "format": "date-time"},
            "lastError": {"type": ["string", "null"]},
            "connectedVia": {"type": "string", "enum": ["facebook_login", "instagram_login"],
                             "description": "Through a Facebook Page, or an Instagram account on its own."},
            "loginExpiresAt": {"type": ["string", "null"], "format": "date-time",
                               "description": "When the stored login ends; null: it does not (Page tokens)."},
            "dataAccessExpiresAt": {"type": ["string", "null"], "format": "date-time",
                                    "description": "When Facebook's data access ends unless the person returns."},
            "reconnectBy": {"type": ["string", "null"], "format": "date-time",
                            "description": "The earlier of loginExpiresAt and dataAccessExpiresAt."},
            "missingPermissions": {"type": "array", "items": {"type": "string"},
                                   "description": "Permissions the account needs that were not granted."},
        },
    },
}

PATHS = {
    "/api/v1/social-media/connect/{platform}": {
        "post": {
            "summary": "Connects the user's Facebook Pages and their linked Instagram business accounts.",
            "description": "Both platforms run the same flow: every Page becomes a `facebook` account and every "
                           "linked Instagram business account an `instagram` one. A token that turns out invalid, "
                           "or finding no Page, still answers 200 with `success: false` and the reasons.",
            "parameters": [PLATFORM_PARAMETER],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"access_token": {"type": "string", "minLength": 1,
                                                    "description": "Facebook user token (Facebook JS SDK). "
                                                                   "Without it, only a development setup "
                                                                   "(ALLOW_ENV_TOKEN=1) uses FACEBOOK_ACCESS_TOKEN."}},
                }}},
            },
            "responses": {
                "200": json_response("Per-platform outcome.", ref("ConnectResult")),
                "400": error_response("Malformed body (`invalid_json`, `invalid_body`) or no token "
                                      "(`access_token_required`)."),
                "404": UNKNOWN_PLATFORM,
                "413": error_response("Body too large (`payload_too_large`)."),
                "502": error_response("The Graph API failed (`graph_error`)."),
                "503": error_response("Rate limited by Meta (`rate_limited`, with Retry-After)."),
                **USER_ERRORS,
            },
        },
    },
    "/api/v1/social-media/oauth/start": {
        "get": {
            "summary": "The Facebook Login dialog URL (or Instagram Login's window) to send the browser to, "
                       "with a signed single-use state.",
            "description": "Also sets the HttpOnly cookie `social_link_login` (path: the callback) that binds the "
                           "login to this browser; call it with credentials from a browser. `login=instagram_login` "
                           "(with `platform=instagram`) connects an Instagram professional account without a "
                           "Facebook Page.",
            "parameters": [{"name": "platform", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["facebook", "instagram"], "default": "facebook"}},
                           {"name": "login", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["facebook_login", "instagram_login"],
                                       "default": "facebook_login"}}],
            "responses": {
                "200": json_response("The dialog URL.", {
                    "type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}),
                "400": error_response("Unknown platform (`unknown_platform`) or login (`unknown_login`), or "
                                      "Instagram Login for Facebook (`invalid_parameter`)."),
                "404": error_response("Instagram Login is not configured (`instagram_login_unavailable`)."),
                **USER_ERRORS,
            },
        },
    },
    "/api/v1/social-media/oauth/callback": {
        "get": {
            "summary": "Facebook Login's redirect target: connects, then redirects to FRONTEND_URL.",
            "description": "The redirect's query carries `connect=done|cancelled|failed`, `platform`, and either "
                           "`facebook`/`instagram` = `connected` or a reason (plus `missing_permissions=a,b`) "
                           "or `error`. After Instagram Login it carries `login=instagram_login` and `instagram` "
                           "only; its reasons add `not_professional_account`. Never a token. Requires the `social_link_login` cookie set by oauth/start "
                           "on the same browser (`invalid_state` otherwise).",
            "security": [],
            "parameters": [
                {"name": "state", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "code", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "error", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "error_reason", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "302": {"description": "To FRONTEND_URL with the outcome in the query."},
                "400": error_response("State tampered with, expired or replayed (`invalid_state`), or neither "
                                      "code nor error (`missing_code`)."),
                "500": error_response("Unexpected failure (`internal_error`)."),
            },
        },
    },
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
            "summary": "Deactivates the user's accounts of a platform (or one of them) and erases their tokens; "
                       "insight history stays.",
            "parameters": [PLATFORM_PARAMETER],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"account_id": {"type": "string", "minLength": 1,
                                                  "description": "Only this account (one of several Pages)."}},
                }}},
            },
            "responses": {
                "200": json_response("Disconnected.", {
                    "type": "object", "required": ["success", "platform", "disconnected"],
                    "properties": {"success": {"type": "boolean"},
                                   "platform": {"type": "string"},
                                   "disconnected": {"type": "integer", "description": "Accounts deactivated."}},
                }),
                "400": error_response("The body is not a JSON object with a string account_id (`invalid_body`)."),
                "404": error_response("Platform other than `facebook` or `instagram` (`unknown_platform`), "
                                      "or no such account of the user (`account_not_found`)."),
                **USER_ERRORS,
            },
        },
    },
}
