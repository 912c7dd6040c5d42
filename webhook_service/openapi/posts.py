"""OpenAPI fragment: the posts read API."""

from webhook_service.openapi import USER_ERRORS, error_response, json_response, ref


def _query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


SCHEMAS = {
    "Post": {
        "type": "object",
        "required": ["post_id", "platform", "account_id", "media_product_type", "published_at", "metrics"],
        "properties": {
            "post_id": {"type": "string", "description": "Meta's id of the post, reel, media or story."},
            "platform": {"type": "string", "enum": ["facebook", "instagram"]},
            "account_id": {"type": "string"},
            "media_type": {"type": ["string", "null"], "description": "IMAGE, VIDEO or CAROUSEL_ALBUM."},
            "media_product_type": {"type": "string", "enum": ["POST", "FEED", "REELS", "STORY"]},
            "caption_excerpt": {"type": ["string", "null"]},
            "permalink": {"type": ["string", "null"]},
            "media_url": {"type": ["string", "null"]},
            "thumbnail_url": {"type": ["string", "null"]},
            "published_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": ["string", "null"], "format": "date-time", "description": "Stories only."},
            "metrics": {"type": "object", "additionalProperties": {"type": "number"},
                        "description": "Latest lifetime values; reactions by type also as `<metric>.<reaction>`. "
                                       "A metric without data is absent, never 0."},
            "metrics_fetched_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "Posts": {
        "type": "object",
        "required": ["account_id", "since", "until", "sort", "direction", "page", "page_size", "total", "posts"],
        "properties": {
            "account_id": {"type": "string"},
            "since": {"type": "string", "format": "date-time"},
            "until": {"type": "string", "format": "date-time"},
            "sort": {"type": "string"},
            "direction": {"type": "string", "enum": ["asc", "desc"]},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "total": {"type": "integer", "description": "Posts in the range, over all pages."},
            "posts": {"type": "array", "items": ref("Post")},
        },
    },
}

PATHS = {
    "/api/v1/social-media/posts": {
        "get": {
            "summary": "An account's posts, reels and stories with their latest metrics, ranked and paged.",
            "description": "Read through the database function `get_social_media_posts` under the caller's JWT, "
                           "so row level security applies; a frontend may call it directly at "
                           "`/rest/v1/rpc/get_social_media_posts`.",
            "parameters": [
                _query("account_id", "The Page or Instagram account.", {"type": "string"}, required=True),
                _query("since", "Posts published at or after (date or date-time; default: 30 days before `until`).",
                       {"type": "string"}),
                _query("until", "Posts published before (date or date-time; default: now). At most 2 years "
                                "after `since`.", {"type": "string"}),
                _query("sort", "`published_at` or any metric name (e.g. `views`, `post_media_view`); posts "
                               "without that metric come last.", {"type": "string", "default": "published_at"}),
                _query("direction", "Sort order.", {"type": "string", "enum": ["asc", "desc"], "default": "desc"}),
                _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
                _query("page_size", "Posts per page.", {"type": "integer", "minimum": 1, "maximum": 100,
                                                        "default": 20}),
            ],
            "responses": {
                "200": json_response("One page of posts.", ref("Posts")),
                "400": error_response("A parameter is missing, unknown or out of range (`invalid_parameter`)."),
                **USER_ERRORS,
            },
        },
    },
}
