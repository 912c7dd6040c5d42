"""social-link's webhook service: Facebook Login, account connection and insights over a JSON API.

Production: `gunicorn 'webhook_service:create_app()'`; local: `python -m webhook_service`.
"""

from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, request

from webhook_service.api import register_blueprints
from webhook_service.config import Config
from webhook_service.cors import enable_cors
from webhook_service.errors import register_error_handlers
from webhook_service.services import Services

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log request URLs at INFO/DEBUG; a Graph URL carries a token in its query.
QUIET_LOGGERS = ("urllib3", "httpx", "httpcore", "hpack")


def create_app(config: Config | None = None) -> Flask:
    """Builds the app; without `config` the settings come from the environment (ConfigError if unusable)."""
    config = config or Config.from_env()
    configure_logging(config.log_level)

    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.json.sort_keys = False
    Services.build(config).install(app)

    register_error_handlers(app)

    @app.before_request
    def refuse_oversized_bodies():
        # Every route, including those that never read a body: one over the limit is refused (413)
        # before anything reads or parses it. Bodies without a length are capped as they are read.
        if (request.content_length or 0) > config.max_request_bytes:
            abort(413)

    enable_cors(app, config.cors_origins)
    register_blueprints(app)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT)
    logging.getLogger().setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
