"""The HTTP edge of errors: every failure, expected or not, answers `{"error": code, "message": text}`.

The service's modules raise domain errors (`domain_errors`) and the clients' own errors; only here do
they become HTTP statuses."""

from __future__ import annotations

import logging
import traceback

import httpx
import postgrest
from flask import Flask, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from webhook_service.api.models import Parameters
from webhook_service.domain_errors import DomainError, InvalidInput, NotFound, Unauthenticated
from webhook_service.graph import GraphError, RateLimited

log = logging.getLogger(__name__)

# Werkzeug's own errors (routing, size limit, malformed bodies) and gunicorn's refusals before the app
# (`gunicorn_worker`) under stable machine-readable codes.
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    431: "headers_too_large",
    501: "not_implemented",
}

# Domain errors by kind; the first kind an error is an instance of gives its status.
DOMAIN_ERROR_STATUSES = ((Unauthenticated, 401), (NotFound, 404), (InvalidInput, 400))


class ApiError(Exception):
    """An error the client should see: HTTP status, a stable code, and a human-readable message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str):
    return jsonify(error=code, message=message), status


def refuse_parameters(error: ValidationError) -> None:
    """flask-openapi3's validation callback: parameters its models refused, as one ApiError(400).
    Unknown parameters are named first; otherwise the first refused field's message."""
    model = Parameters.by_name.get(error.title)
    problems = error.errors()
    unknown = [str(problem["loc"][0]) for problem in problems if problem["type"] == "extra_forbidden"]
    if model is not None and unknown:
        raise ApiError(400, "invalid_parameter", f"Unknown parameter(s): {', '.join(unknown)}; "
                                                 f"use {', '.join(sorted(model.model_fields))}.")
    problem = problems[0]
    name = str(problem["loc"][0]) if problem["loc"] else None
    if model is not None and name in model.refusals:
        raise ApiError(400, *model.refusals[name])
    if problem["type"] == "invalid_parameter":  # the message of the models' own checks
        raise ApiError(400, "invalid_parameter", problem["msg"])
    raise ApiError(400, "invalid_parameter", f"{name}: {problem['msg']}." if name else f"{problem['msg']}.")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        status = next((status for kind, status in DOMAIN_ERROR_STATUSES if isinstance(error, kind)), 400)
        return error_response(status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        code = HTTP_ERROR_CODES.get(error.code, "http_error")
        response, status = error_response(error.code, code, error.description or error.name)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    @app.errorhandler(httpx.TransportError)
    def handle_store_unreachable(error: httpx.TransportError):
        log.error("REST layer unreachable on %s %s (%s)", request.method, request.path, type(error).__name__)
        return error_response(503, "store_unavailable", "The database is unavailable; try again shortly.")

    @app.errorhandler(postgrest.APIError)
    def handle_store_error(error: postgrest.APIError):
        log.error("REST layer error %s on %s %s: %s", error.code, request.method, request.path, error.message)
        return error_response(502, "store_error", "The database rejected the request.")

    @app.errorhandler(RateLimited)
    def handle_rate_limited(error: RateLimited):
        log.warning("Graph API rate limit on %s %s: %s", request.method, request.path, error)
        response, status = error_response(503, "rate_limited", "Facebook is rate limiting this app; try again later.")
        if error.retry_after:
            response.headers["Retry-After"] = str(int(error.retry_after) + 1)
        return response, status

    @app.errorhandler(GraphError)
    def handle_graph_error(error: GraphError):
        # GraphError texts are token-free by construction (see graph.py).
        log.error("Graph API failure on %s %s: %s", request.method, request.path, error)
        return error_response(502, "graph_error", "The Facebook Graph API failed; try again shortly.")

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        # The exception's message may quote a request or a token, so only its type and the stack
        # frames reach the log.
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("unhandled %s on %s %s\n%s", type(error).__name__, request.method, request.path, frames)
        return error_response(500, "internal_error", "The server hit an unexpected error.")
