"""Failures the caller caused, raised by the service's modules and turned into HTTP only at the edge
(`errors.py`). Each has a stable machine-readable `code`; its text is the human message."""

from __future__ import annotations


class DomainError(Exception):
    code = "bad_request"

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(DomainError):
    """The request's data is unusable (HTTP 400)."""


class Unauthenticated(DomainError):
    """The caller could not be identified (HTTP 401)."""

    code = "unauthorized"


class NotFound(DomainError):
    """The request names something that does not exist (HTTP 404)."""

    code = "not_found"


class UnknownPlatform(NotFound):
    code = "unknown_platform"


class InvalidParameter(InvalidInput):
    code = "invalid_parameter"


class InvalidSignedRequest(InvalidInput):
    code = "invalid_signed_request"


class InvalidLoginState(InvalidInput):
    code = "invalid_state"


class MissingLoginCode(InvalidInput):
    code = "missing_code"


class InstagramLoginUnavailable(NotFound):
    """Instagram Login is not configured (INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET)."""

    code = "instagram_login_unavailable"
