"""Counters, the request log, and the rate-limit usage headers derived from the counts.

`http_requests` counts HTTP requests to the Graph side (a batch is one); `calls` counts Graph
calls (each batch item is one, the envelope none), also per route template in `by_path`.

Usage headers report percentages the way Meta words its budgets: the app may make
200 calls per hour per user (`X-App-Usage`, clock hours), and each Page or Instagram account
4,800 calls per day (`X-Business-Use-Case-Usage`, UTC days). `total_time` and `total_cputime`
equal `call_count`; the fake never throttles by itself (use fault rules for that).
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from collections.abc import Callable

REQUEST_LOG_SIZE = 10_000
APP_CALLS_PER_USER_PER_HOUR = 200
BUSINESS_CALLS_PER_DAY = 4800
# Values of these parameters never reach the request log.
SECRET_PARAMS = frozenset({"access_token", "client_secret", "fb_exchange_token", "input_token", "code"})


class Stats:
    def __init__(self, clock: Callable[[], int]):
        self._clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._http_requests = 0
            self._calls = 0
            self._by_path: Counter[str] = Counter()
            self._log: deque[dict] = deque(maxlen=REQUEST_LOG_SIZE)
            self._app_usage = (0, 0)                             # (hour, calls)
            self._business_usage: dict[str, tuple[int, int]] = {}  # id -> (day, calls)

    def count_http_request(self) -> None:
        with self._lock:
            self._http_requests += 1

    def record_call(self, template: str, business_objects, log_entry: dict) -> None:
        now = self._clock()
        hour, day = now // 3600, now // 86400
        with self._lock:
            self._calls += 1
            self._by_path[template] += 1
            self._log.append(log_entry)
            self._app_usage = (hour, _calls_in(self._app_usage, hour) + 1)
            for object_id, _ in business_objects:
                self._business_usage[object_id] = (day, _calls_in(self._business_usage.get(object_id), day) + 1)

    def log(self, entry: dict) -> None:
        with self._lock:
            self._log.append(entry)

    def snapshot(self) -> dict:
        with self._lock:
            return {"http_requests": self._http_requests, "calls": self._calls, "by_path": dict(self._by_path)}

    def request_log(self, limit: int | None = None) -> list[dict]:
        with self._lock:
            entries = list(self._log)
        return entries[-limit:] if limit else entries

    def usage_headers(self, business_objects, user_count: int) -> dict[str, str]:
        now = self._clock()
        with self._lock:
            app_calls = _calls_in(self._app_usage, now // 3600)
            object_calls = {object_id: _calls_in(self._business_usage.get(object_id), now // 86400)
                            for object_id, _ in business_objects}
        app_percent = _percent(app_calls, APP_CALLS_PER_USER_PER_HOUR * max(1, user_count))
        headers = {"X-App-Usage": _json({"call_count": app_percent, "total_cputime": app_percent,
                                         "total_time": app_percent})}
        if business_objects:
            usage = {}
            for object_id, kind in business_objects:
                percent = _percent(object_calls[object_id], BUSINESS_CALLS_PER_DAY)
                usage[object_id] = [{"type": kind, "call_count": percent, "total_cputime": percent,
                                     "total_time": percent, "estimated_time_to_regain_access": 0}]
            headers["X-Business-Use-Case-Usage"] = _json(usage)
        return headers


def log_params(params: dict[str, str]) -> dict[str, str]:
    return {key: "<redacted>" if key in SECRET_PARAMS else value for key, value in params.items()}


def _calls_in(window: tuple[int, int] | None, current: int) -> int:
    return window[1] if window and window[0] == current else 0


def _percent(calls: int, budget: int) -> int:
    return min(100, calls * 100 // budget)


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))
