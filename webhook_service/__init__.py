"""social-link's webhook service: Facebook Login, account connection and insights over a JSON API.

Production: `gunicorn 'webhook_service:create_app()'`; local: `python -m webhook_service`.
"""

from __future__ import annotations

import re
import uuid

from flask import abort, jsonify, request
from flask_openapi3 import Info, OpenAPI

from webhook_service.api import register_blueprints
from webhook_service.api.models import Error, Health
from webhook_service.config import Config
from webhook_service.cors import enable_cors
from webhook_service.errors import refuse_parameters, register_error_handlers
from webhook_service.logs import configure as configure_logging
from webhook_service.logs import replace_context
from webhook_service.metrics_endpoint import register_metrics_route
from webhook_service.services import Services

# A caller's X-Request-ID is kept when it looks like an id; otherwise the service makes one.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REQUEST_ID_ENVIRON = "social_link.request_id"


INFO = Info(
    title="social-link webhook service", version="1.0.0",
    description="Connect Facebook Pages and their linked Instagram business accounts; read their insights. "
                "Errors are always `{\"error\": code, \"message\": text}`.",
)
SECURITY_SCHEMES = {
    "userJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "Supabase Auth or third-party (e.g. Clerk) user JWT; `sub` is the user id."},
    "cronSecret": {"type": "http", "scheme": "bearer", "description": "`CRON_SECRET`, for the scheduled insights sync."},
    "metricsToken": {"type": "http", "scheme": "bearer", "description": "`METRICS_TOKEN`, for Prometheus."},
}


def create_app(config: Config | None = None) -> OpenAPI:
    """Builds the app; without `config` the settings come from the environment (ConfigError if unusable)."""
    config = config or Config.from_env()
    configure_logging(config.log_level)

    # The document is served at /api/v1/openapi.json (api/__init__.py), without a documentation UI.
    app = OpenAPI(__name__, static_folder=None, info=INFO, security_schemes=SECURITY_SCHEMES, doc_ui=False,
                  validation_error_status=400, validation_error_model=Error,
                  validation_error_callback=refuse_parameters)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.json.sort_keys = False
    services = Services.build(config)
    services.install(app)

    register_error_handlers(app)

    @app.before_request
    def identify_request():
        # Every line logged for this request, and its access-log line, carry the same id.
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.environ[REQUEST_ID_ENVIRON] = request_id
        replace_context(request_id=request_id)

    @app.after_request
    def return_request_id(response):
        response.headers["X-Request-ID"] = request.environ.get(REQUEST_ID_ENVIRON, "")
        return response

    @app.teardown_request
    def forget_request(_error):
        replace_context()

    @app.before_request
    def refuse_oversized_bodies():
        # Every route, including those that never read a body: one over the limit is refused (413)
        # before anything reads or parses it. Bodies without a length are capped as they are read.
        if (request.content_length or 0) > config.max_request_bytes:
            abort(413)

    enable_cors(app, config.cors_origins)
    register_blueprints(app)
    register_metrics_route(app, config, services.store)

    @app.get("/healthz", security=[], responses={200: Health})
    def healthz():
        """Readiness: 200 once the service accepts requests."""
        return jsonify(status="ok")

    return app
