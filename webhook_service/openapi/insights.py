"""OpenAPI fragment: the insights sync and the insights read API."""

from webhook_service.openapi import USER_ERRORS, error_response, json_response, ref

INVALID_PARAMETER = error_response("A parameter is missing, unknown or out of range (`invalid_parameter`).")
PER_PLATFORM = {
    "type": "object",
    "properties": {"facebook": {"type": "integer"}, "instagram": {"type": "integer"}},
}


def _query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


SCHEMAS = {
    "SyncWindow": {
        "type": "object",
        "required": ["period", "window_start", "window_end"],
        "properties": {
            "period": {"const": "hour"},
            "window_start": {"type": "string", "format": "date-time", "description": "The run's UTC hour."},
            "window_end": {"type": "string", "format": "date-time"},
        },
    },
    "SyncStarted": {
        "type": "object",
        "required": ["success", "run_id", "status", "window"],
        "properties": {
            "success": {"const": True},
            "run_id": {"type": "string", "format": "uuid"},
            "status": {"const": "running"},
            "window": ref("SyncWindow"),
        },
    },
    "SyncResult": {
        "type": "object",
        "required": ["success", "run_id", "status", "synced", "failed", "dropped_metrics", "errors", "window"],
        "properties": {
            "success": {"type": "boolean", "description": "False only when the run itself could not go on."},
            "run_id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["succeeded", "partial", "failed"]},
            "synced": {**PER_PLATFORM, "description": "Accounts stored, per platform."},
            "failed": {**PER_PLATFORM, "description": "Accounts not (fully) stored, per platform."},
            "dropped_metrics": {
                "type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Metrics Meta rejected (error 100) during the run, per platform.",
            },
            "errors": {
                "type": "array",
                "description": "Accounts that did not sync cleanly (at most 100; all are in social_media_sync_run_accounts).",
                "items": {
                    "type": "object",
                    "properties": {
                        "platform": {"type": "string"},
                        "account_id": {"type": "string"},
                        "status": {"type": "string", "enum": ["partial", "needs_reauth", "rate_limited", "failed"]},
                        "error": {"type": ["string", "null"]},
                    },
                },
            },
            "error": {"type": "string", "description": "Why the run could not go on, when it could not."},
            "window": ref("SyncWindow"),
        },
    },
    "Insights": {
        "type": "object",
        "required": ["platform", "period", "since", "series", "aggregates", "kinds", "freshness"],
        "properties": {
            "platform": {"type": "string", "enum": ["facebook", "instagram"]},
            "period": {"type": "string", "enum": ["hour", "day"]},
            "since": {"type": "string", "format": "date-time", "description": "Start of the first window included."},
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["account_id", "window_start", "window_end", "metrics", "derived"],
                    "properties": {
                        "account_id": {"type": "string"},
                        "window_start": {"type": "string", "format": "date-time"},
                        "window_end": {"type": "string", "format": "date-time"},
                        "metrics": {"type": "object", "additionalProperties": {"type": "number"},
                                    "description": "Hour rows: a snapshot (the account's fields, and the "
                                                   "newest value Meta has of each daily metric); day rows: "
                                                   "Meta's values for that day. A metric without data is "
                                                   "absent, never 0."},
                        "derived": {"type": "object", "additionalProperties": {"type": "number"},
                                    "description": "`<metric>_delta` against the previous hour, only where "
                                                   "Meta changed the value (never for unique metrics); "
                                                   "`engagement_rate`."},
                    },
                },
            },
            "aggregates": {
                "type": "object", "additionalProperties": {"type": "number"},
                "description": "Each metric by its kind (`kinds`), added up over the accounts: additive "
                               "`sum_<m>` = the sum of the hourly deltas (hour rows; 'last 24 hours') or of "
                               "the day values (day rows) and `last_hour_<m>` = the newest hour's delta; "
                               "level `last_<m>` = the newest value and `change_<m>` = its change over the "
                               "window; unique `last_<m>` = Meta's newest day value, never summed; rate "
                               "`<m>` = recomputed from its parts' aggregates (numerator / denominator).",
            },
            "kinds": {
                "type": "object",
                "additionalProperties": {"type": "string", "enum": ["additive", "unique", "level", "rate"]},
                "description": "The kind of each metric shown (table `social_media_metric_kinds`).",
            },
            "freshness": {
                "type": "array",
                "description": "Per account: when its newest row was fetched, and the oldest and newest Meta "
                               "`end_time` of that row's values. Meta updates most Page metrics about once a "
                               "day and Instagram's may arrive up to 48 hours late, so values can belong to "
                               "an earlier day than the row's hour.",
                "items": {
                    "type": "object",
                    "required": ["account_id", "fetched_at", "oldest_end_time", "newest_end_time"],
                    "properties": {
                        "account_id": {"type": "string"},
                        "fetched_at": {"type": ["string", "null"], "format": "date-time"},
                        "oldest_end_time": {"type": ["string", "null"], "format": "date-time"},
                        "newest_end_time": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
            },
        },
    },
}

PATHS = {
    "/api/v1/social-media/insights/sync": {
        "post": {
            "summary": "Sync insights for the current hour: all accounts (cron secret) or the caller's (Sync Now).",
            "description": "With the cron secret: every active account, or `user_id`'s, optionally shard "
                           "`shard` of `shards`. With a user's JWT: that user's accounts only (`user_id` and "
                           "shards are ignored). `Prefer: respond-async` answers 202 as soon as the run is "
                           "recorded in `social_media_sync_runs` and syncs on; otherwise the answer comes "
                           "when the run is done.",
            "security": [{"cronSecret": []}, {"userJwt": []}],
            "parameters": [
                _query("user_id", "Cron only: limit the run to this user.", {"type": "string"}),
                _query("shard", "Cron only: this request's shard, 0 <= shard < shards.",
                       {"type": "integer", "minimum": 0, "default": 0}),
                _query("shards", "Cron only: number of shards the accounts are split into.",
                       {"type": "integer", "minimum": 1, "maximum": 1024, "default": 1}),
                {"name": "Prefer", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "`respond-async` for a 202 and a sync in the background."},
            ],
            "responses": {
                "200": json_response("The run is done.", ref("SyncResult")),
                "202": json_response("The run is recorded and goes on in the background.", ref("SyncStarted")),
                "400": INVALID_PARAMETER,
                **USER_ERRORS,
            },
        },
    },
    "/api/v1/social-media/insights": {
        "get": {
            "summary": "The caller's insights of one platform: hourly or daily series and aggregates.",
            "description": "Read through the database function `get_social_media_insights` under the caller's "
                           "JWT, so row level security applies; a frontend may call it directly at "
                           "`/rest/v1/rpc/get_social_media_insights`.",
            "parameters": [
                _query("platform", "Whose insights: Facebook Pages or Instagram accounts.",
                       {"type": "string", "enum": ["facebook", "instagram"]}, required=True),
                _query("period", "Hourly snapshots or Meta's daily values.",
                       {"type": "string", "enum": ["hour", "day"], "default": "hour"}),
                _query("hours", "The current hour and the hours before it (default 24 for `hour`). Not with `days`.",
                       {"type": "integer", "minimum": 1, "maximum": 2160}),
                _query("days", "The current UTC day and the days before it (default 7 for `day`). Not with `hours`.",
                       {"type": "integer", "minimum": 1, "maximum": 90}),
                _query("account_id", "Only this account (Page or Instagram account id).", {"type": "string"}),
            ],
            "responses": {
                "200": json_response("The series and aggregates.", ref("Insights")),
                "400": INVALID_PARAMETER,
                **USER_ERRORS,
            },
        },
    },
}
