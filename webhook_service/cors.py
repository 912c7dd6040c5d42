"""CORS for the browser UI: it runs on another origin and calls the API with `Authorization: Bearer`.

Only the configured origins are answered. Credentials are allowed for them: `oauth/start` sets the
cookie that binds a Facebook Login to the browser that started it.
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE_SECONDS = "600"


def enable_cors(app: Flask, origins: tuple[str, ...]) -> None:
    allowed = frozenset(origins)

    @app.after_request
    def add_cors_headers(response: Response) -> Response:
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin not in allowed or not request.path.startswith("/api/"):
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            # Flask answers OPTIONS itself for every route, with the route's methods in `Allow`.
            response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "GET, POST")
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SECONDS
        return response
