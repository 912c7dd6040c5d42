"""Logs as one JSON object per line: time, level, logger, message, and the context they belong to.

The context (request id, sync run id, sync queue and message id, platform, internal account row id,
user id) is carried in a context variable, so a line logged deep in the Graph client still says
which run it served. Threads do not inherit context variables: work handed to a pool goes through
`ContextThreadPoolExecutor`, which runs it in a copy of the submitter's context.

What reaches a line is only the formatted message, the context and the whitelisted `extra` fields
below. Messages are built from token-free values by construction (GraphError texts redact the
token; query strings, OAuth codes and states are never logged), so a token, code, state or secret
never reaches a line; the leak scans of the test suite check that on every run.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

# Context fields, in the order they appear on a line.
CONTEXT_FIELDS = ("request_id", "run_id", "queue", "message_id", "platform", "account_row_id", "user_id")
# Per-line fields a call may pass with `extra=` (the access log's request figures).
EXTRA_FIELDS = ("method", "path", "status", "bytes", "duration_ms", "remote_addr")
# Libraries that log request URLs at INFO/DEBUG; a Graph URL carries a token in its query.
QUIET_LOGGERS = ("urllib3", "httpx", "httpcore", "hpack")

_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "social_link_log_context", default=MappingProxyType({}))


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Adds `fields` (None values left out) to every line logged inside the block, in this thread
    and in the pool work it submits through ContextThreadPoolExecutor."""
    token = _context.set({**_context.get(), **{key: value for key, value in fields.items() if value is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: Any) -> None:
    """Adds `fields` to the context for the rest of the current request (reset when it ends)."""
    _context.set({**_context.get(), **{key: value for key, value in fields.items() if value is not None}})


def replace_context(**fields: Any) -> None:
    """Starts this thread's context afresh (a request handler thread serves many requests)."""
    _context.set({key: value for key, value in fields.items() if value is not None})


def current_context() -> dict[str, Any]:
    return dict(_context.get())


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose work runs in the log context of the code that submitted it."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _context.get()
        entry.update((name, context[name]) for name in CONTEXT_FIELDS if name in context)
        entry.update((name, getattr(record, name)) for name in (*CONTEXT_FIELDS, *EXTRA_FIELDS)
                     if getattr(record, name, None) is not None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str) -> None:
    """Sends every logger's lines, as JSON, to stderr (the container's log stream)."""
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if getattr(handler, "social_link", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.social_link = True
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_line(level: int, message: str) -> str:
    """One JSON line outside any logger (the start-up error before logging is set up)."""
    return JsonFormatter().format(logging.LogRecord("webhook_service", level, __file__, 0, message, None, None))
