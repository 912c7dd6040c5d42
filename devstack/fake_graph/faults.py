"""Fault injection: rules that make matching calls slow, fail, or break the connection.

A rule: `{"match": {"path_regex": "/insights$", "account_id": "104...", "method": "GET"},
"times": 2, "action": {...}}`. `path_regex` is searched in the path without version prefix
("/104000000000001/insights"; a batch envelope is "/"); every match key is optional. `times`
counts down and the rule goes away at 0; null (the default) keeps it forever. The first live
matching rule applies, once per call (each batch item is a call, and so is the envelope).

An action may combine `delay_ms` (the server sleeps first) and `headers` (added to the reply,
over the usage headers) with at most one of: `{"status": 503}` (non-Graph body),
`{"graph_error": {"code": 17, "error_subcode"?, "is_transient"?, "message"?, "type"?,
"error_user_title"?, "error_user_msg"?, "http_status"?}}`, `{"reset": true}` (the TCP connection
is aborted, nothing is answered), `{"timeout": true}` (in a batch the item answers `null`, as Meta
documents for an item that timed out: "Responses for requests that are not successful will be
null", https://developers.facebook.com/docs/graph-api/batch-requests; outside a batch the
connection is aborted) or `{"malformed": true}` (200 with a truncated JSON body).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field

from .calls import JSON_CONTENT_TYPE, Reply
from .errors import DEFAULT_MESSAGES, GraphError

MALFORMED_BODY = '{"data":[{"id":"1'
_TERMINAL = ("status", "graph_error", "reset", "timeout", "malformed")
_GRAPH_ERROR_KEYS = {"code", "error_subcode", "is_transient", "message", "type", "error_user_title",
                     "error_user_msg", "http_status"}


class AbortConnection(Exception):
    """Raised by a `reset` action; the HTTP layer drops the connection without answering."""


class TimedOut(AbortConnection):
    """Raised by a `timeout` action: a batch answers the item with `null`."""


@dataclass(frozen=True)
class FaultAction:
    delay_ms: int = 0
    status: int | None = None
    graph_error: dict | None = None
    reset: bool = False
    timeout: bool = False
    malformed: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def apply(self) -> Reply | None:
        """Sleeps, then answers for the call, or None to let the Graph API answer."""
        if self.delay_ms:
            time.sleep(self.delay_ms / 1000)
        if self.timeout:
            raise TimedOut()
        if self.reset:
            raise AbortConnection()
        if self.malformed:
            return Reply(200, MALFORMED_BODY, {"Content-Type": JSON_CONTENT_TYPE})
        if self.status is not None:
            return Reply(self.status, f"fake Graph API: injected HTTP {self.status}\n",
                         {"Content-Type": "text/plain; charset=utf-8"})
        if self.graph_error is not None:
            spec = self.graph_error
            error = GraphError(spec["code"], spec.get("message") or DEFAULT_MESSAGES.get(spec["code"], "Fault"),
                               subcode=spec.get("error_subcode"), type=spec.get("type", "OAuthException"),
                               is_transient=spec.get("is_transient"), user_title=spec.get("error_user_title"),
                               user_msg=spec.get("error_user_msg"), http_status=spec.get("http_status"))
            return Reply.json(error.http_status, error.envelope())
        return None


@dataclass
class FaultRule:
    path_regex: re.Pattern
    method: str | None
    account_id: str | None
    remaining: int | None
    action: FaultAction

    def matches(self, method: str, path: str, account_id: str | None) -> bool:
        return ((self.method is None or self.method == method)
                and (self.account_id is None or self.account_id == account_id)
                and self.path_regex.search(path) is not None)

    def describe(self) -> dict:
        match = {"path_regex": self.path_regex.pattern, "method": self.method, "account_id": self.account_id}
        return {"match": match, "times": self.remaining, "action": _describe_action(self.action)}


class FaultBook:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, specs: list[dict]) -> None:
        rules = [parse_rule(spec) for spec in specs]
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict]:
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def take(self, method: str, path: str, account_id: str | None) -> FaultAction | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, account_id):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    return rule.action
        return None


def parse_rule(spec: dict) -> FaultRule:
    _check_keys(spec, {"match", "times", "action"}, "rule")
    match = spec.get("match") or {}
    _check_keys(match, {"path_regex", "account_id", "method"}, "match")
    try:
        path_regex = re.compile(match.get("path_regex") or "")
    except re.error as error:
        raise ValueError(f"path_regex: {error}") from None
    times = spec.get("times")
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive integer or null")
    method = match.get("method")
    account_id = match.get("account_id")
    return FaultRule(path_regex, method.upper() if method else None, str(account_id) if account_id else None,
                     times, _parse_action(spec.get("action")))


def _parse_action(spec) -> FaultAction:
    _check_keys(spec, {"delay_ms", "headers", *_TERMINAL}, "action")
    terminal = [key for key in _TERMINAL if spec.get(key) not in (None, False)]
    if len(terminal) > 1:
        raise ValueError(f"an action takes at most one of {', '.join(_TERMINAL)}")
    graph_error = spec.get("graph_error")
    if graph_error is not None:
        _check_keys(graph_error, _GRAPH_ERROR_KEYS, "graph_error")
        if not isinstance(graph_error.get("code"), int):
            raise ValueError("graph_error.code must be an integer")
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict):
        raise ValueError("headers must be an object")
    return FaultAction(
        delay_ms=int(spec.get("delay_ms") or 0),
        status=int(spec["status"]) if spec.get("status") is not None else None,
        graph_error=graph_error,
        reset=bool(spec.get("reset")),
        timeout=bool(spec.get("timeout")),
        malformed=bool(spec.get("malformed")),
        # Usage headers are JSON; let rules give them as objects.
        headers={name: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
                 for name, value in headers.items()},
    )


def _describe_action(action: FaultAction) -> dict:
    described = {"delay_ms": action.delay_ms, "status": action.status, "graph_error": action.graph_error,
                 "reset": action.reset, "timeout": action.timeout, "malformed": action.malformed, "headers": action.headers}
    return {key: value for key, value in described.items() if value}


def _check_keys(spec, allowed: set[str], what: str) -> None:
    if not isinstance(spec, dict):
        raise ValueError(f"{what} must be an object")
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown {what} keys: {', '.join(sorted(unknown))}")
