"""The OpenAPI 3.1 document, assembled from one fragment module per API area.

Each module in this package defines `PATHS` (OpenAPI path items by full URL path) and may
define `SCHEMAS` (component schemas). A new area adds a module here; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any


def error_response(description: str) -> dict[str, Any]:
    """A response whose body is the service's error object."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# Responses every authenticated endpoint can give.
USER_ERRORS = {
    "401": error_response("Missing, invalid or expired bearer token (`unauthorized`)."),
    "500": error_response("Unexpected failure (`internal_error`)."),
}

BASE_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Stable machine-readable code, e.g. `unauthorized`."},
            "message": {"type": "string", "description": "Human-readable explanation."},
        },
    },
}


@cache
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas = dict(BASE_SCHEMAS)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        fragment = importlib.import_module(f"{__name__}.{module_info.name}")
        paths.update(fragment.PATHS)
        schemas.update(getattr(fragment, "SCHEMAS", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "social-link webhook service",
            "version": "1.0.0",
            "description": "Connect Facebook Pages and their linked Instagram business accounts; "
                           "read their insights. Errors are always `{\"error\": code, \"message\": text}`.",
        },
        "security": [{"userJwt": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "userJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                            "description": "Supabase Auth or third-party (e.g. Clerk) user JWT; `sub` is the user id."},
                "cronSecret": {"type": "http", "scheme": "bearer",
                               "description": "`CRON_SECRET`, for the scheduled insights sync."},
            },
        },
    }
