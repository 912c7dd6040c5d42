"""Query-string arguments of the read endpoints, checked the same way everywhere: an unknown name
or a value out of range is a 400 `invalid_parameter` naming it."""

from __future__ import annotations

from flask import request

from webhook_service.errors import ApiError


def reject_unknown(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise ApiError(400, "invalid_parameter",
                       f"Unknown parameter(s): {', '.join(unknown)}; use {', '.join(sorted(allowed))}.")


def integer_arg(name: str, *, default: int | None, minimum: int, maximum: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer from {minimum} to {maximum}.")
    return int(raw)
