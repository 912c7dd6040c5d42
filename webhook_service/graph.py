"""Meta Graph API client.

One `requests` session (its pool sized for the configured concurrency) behind a version-pinned
base URL. Every call with a token carries that token's `appsecret_proof`. Transient failures are
retried with exponential backoff; rate limits wait for Meta's own estimate when it is short enough,
otherwise (or with no estimate at all) the caller gets `RateLimited` at once. Errors arrive as typed exceptions whose
messages never contain a token, and the usage headers Meta sends are kept per scope so callers can
slow down before they hit a limit.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from webhook_service import telemetry

log = logging.getLogger(__name__)

TOKEN_INVALID_CODES = frozenset({102, 190})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002})
# Limits on the app as a whole (every token of the app), not on one Page or Instagram account:
# "(#4) Application request limit reached", "(#341) Application limit reached".
APP_RATE_LIMIT_CODES = frozenset({4, 341})
TRANSIENT_CODES = frozenset({1, 2}) | RATE_LIMIT_CODES
INVALID_PARAMETER_CODE = 100
# Code 100 subcode 33: the object does not exist or cannot be read. Not about a metric.
UNKNOWN_OBJECT_SUBCODE = 33
# Meta's wordings for "this metric does not exist (any more)", for every account alike:
# Pages: "(#100) The value must be a valid insights metric" (Pages changelogs);
# Instagram: "(#100) metric[2] must be one of the following values: reach, ..." (3P probe
# 60497173118 §4.1; brightbean-studio PR #76), which names the rejected metric's index.
# Instagram media: "(#100) The Media Insights API does not support the impressions, replies metric
# for this media product type." (airbytehq/airbyte PR #62902): the metric does not fit that kind of
# media (reel, feed, story), so it is dropped for that media product type (see posts.py).
INVALID_METRIC_WORDINGS = (re.compile(r"valid insights metric"),
                           re.compile(r"metric\[(?P<index>\d+)\] must be one of the following values"),
                           re.compile(r"metric for this media product type"))
INSIGHTS_EDGES = ("/insights", "/video_insights")
BATCH_LIMIT = 50
# A paging loop that never ends is a bug on the other side; stop well after any real listing.
MAX_PAGES = 200
REDACTED = "[redacted]"


class GraphError(Exception):
    """A Graph call failed. `str()` is safe to log: it never contains a token."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None,
                 subcode: int | None = None, fbtrace_id: str | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.transient = transient


class TokenInvalid(GraphError):
    """The token expired, was revoked, or never was valid (190 and its subcodes, 102)."""


class PermissionMissing(GraphError):
    """The token lacks a permission the call needs (10, 200-299)."""


class RoleMissing(PermissionMissing):
    """Code 10 on insights that names no permission ("(#10) Application does not have permission
    for this action", airbyte source-instagram `user_insights_for_error_code_10.json`): the person's
    role on the Page cannot read insights (no ANALYZE task), or it comes through a Business
    portfolio and the app lacks `ads_read` / `ads_management` (IG User Insights reference).
    Logging in again with the same permissions does not change it."""


class RateLimited(GraphError):
    """A rate limit was hit. `retry_after` is Meta's estimate in seconds when it gave one
    (`estimated_time_to_regain_access` is in minutes). `app_wide`: the limit is the app's, so
    every account is blocked, not only the one called."""

    def __init__(self, message: str, *, retry_after: float | None = None, app_wide: bool = False, **details):
        super().__init__(message, transient=True, **details)
        self.retry_after = retry_after
        self.app_wide = app_wide


class MetricRejected(GraphError):
    """Code 100 on an `/insights` call, in a wording that does not say a metric is gone: one of the
    metrics may be the cause for this account only, so the request is split to find it, and the
    metric found is left out for this account, not for the run."""

    def __init__(self, message: str, *, metric_index: int | None = None, **details):
        super().__init__(message, **details)
        # The position in `metric=` of the rejected metric, when Meta names it (Instagram).
        self.metric_index = metric_index


class InvalidMetric(MetricRejected):
    """An insights call named a metric Meta does not (or no longer) offer, in either platform's
    wording (see INVALID_METRIC_WORDINGS): that metric is gone for every account."""


@dataclass(frozen=True)
class BatchItem:
    """One GET of a batch, with the token it runs under (Page tokens differ per Page)."""

    relative_url: str
    access_token: str


class UsageTracker:
    """The latest usage percentages Meta reported, for the app and for each business object.

    `X-App-Usage` covers the app; `X-Business-Use-Case-Usage` names the Page or Instagram account
    (business object) whose quota a call used and, when throttled, the minutes until it recovers.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._app: dict[str, float] = {}
        self._objects: dict[str, dict[str, Any]] = {}

    def record(self, headers: Any) -> None:
        app = _json_header(headers, "X-App-Usage")
        business = _json_header(headers, "X-Business-Use-Case-Usage")
        with self._lock:
            if isinstance(app, dict):
                self._app = {key: value for key, value in app.items() if isinstance(value, (int, float))}
            if isinstance(business, dict):
                for object_id, entries in business.items():
                    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
                        self._objects[str(object_id)] = max(entries, key=_usage_percent)

    def percent(self, object_id: str | None = None) -> float:
        """The highest usage percentage of the app and, if given, of that business object."""
        with self._lock:
            scopes = [self._app, self._objects.get(object_id or "", {})]
        return max(_usage_percent(scope) for scope in scopes)



def _usage_percent(scope: dict[str, Any]) -> float:
    values = [scope.get(key) for key in ("call_count", "total_time", "total_cputime")]
    return max((value for value in values if isinstance(value, (int, float))), default=0)


def _regain_seconds(entry: dict[str, Any]) -> float:
    minutes = entry.get("estimated_time_to_regain_access")
    return float(minutes) * 60 if isinstance(minutes, (int, float)) and minutes > 0 else 0.0


def _json_header(headers: Any, name: str) -> Any:
    raw = headers.get(name) if headers is not None else None
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


@dataclass
class GraphClient:
    base_url: str
    version: str
    app_id: str
    app_secret: str
    timeout_seconds: float = 10.0
    max_retries: int = 3
    max_retry_wait_seconds: float = 30.0
    backoff_seconds: float = 0.5
    concurrency: int = 10
    sleep: Callable[[float], None] = time.sleep
    usage: UsageTracker = field(default_factory=UsageTracker)

    def __post_init__(self):
        self.base_url = self.base_url.rstrip("/")
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.concurrency, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def with_max_retry_wait(self, seconds: float) -> GraphClient:
        """This client (same session, same usage figures) waiting at most `seconds` before a retry:
        a person waiting on a request would rather get `RateLimited` than a minute of silence."""
        limited = copy.copy(self)
        limited.max_retry_wait_seconds = seconds
        return limited

    @property
    def versioned_url(self) -> str:
        return f"{self.base_url}/{self.version}"

    # --- calls ----------------------------------------------------------------------------------
    def get(self, path: str, access_token: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._send("GET", f"{self.versioned_url}/{path.lstrip('/')}", access_token, params=params)

    def get_all(self, path: str, access_token: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a listing (e.g. `me/accounts`), following `paging.next` until it stops
        appearing. Not for insights: their `next` walks time windows without end."""
        url = f"{self.versioned_url}/{path.lstrip('/')}"
        query = dict(params or {})
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            page = self._send("GET", url, access_token, params=query)
            items.extend(page.get("data") or [])
            next_url = (page.get("paging") or {}).get("next")
            if not next_url:
                return items
            url, query = self._own_url(next_url)
        raise GraphError(f"listing {path} did not end after {MAX_PAGES} pages")

    def batch(self, items: list[BatchItem]) -> list[dict[str, Any] | GraphError]:
        """Runs GETs as Graph batch calls (50 per call); one result or exception per item, in order."""
        results: list[dict[str, Any] | GraphError] = []
        for start in range(0, len(items), BATCH_LIMIT):
            chunk = items[start:start + BATCH_LIMIT]
            requests_json = json.dumps([
                {"method": "GET", "relative_url": self._with_credentials(item.relative_url, item.access_token)}
                for item in chunk
            ])
            # Meta wants a top-level token even when every item has its own; the app token fits.
            answers = self._send("POST", self.versioned_url, self.app_token,
                                 data={"batch": requests_json, "include_headers": "true"})
            if not isinstance(answers, list) or len(answers) != len(chunk):
                raise GraphError("batch answer does not match the batch")
            telemetry.graph_batch(len(chunk))
            for item, answer in zip(chunk, answers, strict=True):
                result = self._batch_result(item, answer)
                telemetry.graph_request(item.relative_url, result if isinstance(result, GraphError) else None)
                results.append(result)
        return results

    # --- OAuth ----------------------------------------------------------------------------------
    @property
    def app_token(self) -> str:
        return f"{self.app_id}|{self.app_secret}"

    def exchange_code(self, code: str, redirect_uri: str) -> str:
        """The user token a Login dialog `code` stands for."""
        answer = self._send("GET", f"{self.versioned_url}/oauth/access_token", None, params={
            "client_id": self.app_id, "client_secret": self.app_secret,
            "redirect_uri": redirect_uri, "code": code,
        })
        return _access_token_of(answer)

    def long_lived_token(self, user_token: str) -> str:
        """A ~60-day user token for a short-lived one; Page tokens derived from it do not expire."""
        answer = self._send("GET", f"{self.versioned_url}/oauth/access_token", None, params={
            "grant_type": "fb_exchange_token", "client_id": self.app_id,
            "client_secret": self.app_secret, "fb_exchange_token": user_token,
        })
        return _access_token_of(answer)

    def debug_token(self, input_token: str) -> dict[str, Any]:
        """What Meta knows of a token (`is_valid`, `expires_at`, `data_access_expires_at`, `scopes`, ...),
        asked with the app token. https://developers.facebook.com/docs/graph-api/reference/debug_token"""
        answer = self.get("debug_token", self.app_token, {"input_token": input_token})
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise GraphError("debug_token answered without data")
        return data

    # --- internals ------------------------------------------------------------------------------
    def appsecret_proof(self, access_token: str) -> str:
        return hmac.new(self.app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()

    def _credentials(self, access_token: str | None) -> dict[str, str]:
        if access_token is None:
            return {}
        return {"access_token": access_token, "appsecret_proof": self.appsecret_proof(access_token)}

    def _with_credentials(self, relative_url: str, access_token: str) -> str:
        separator = "&" if "?" in relative_url else "?"
        return f"{relative_url.lstrip('/')}{separator}{urlencode(self._credentials(access_token))}"

    def _own_url(self, url: str) -> tuple[str, dict[str, str]]:
        """Splits a `paging.next` URL into address and query, minus the credentials it embeds.

        The credentials are added again per call, and the address must be the configured Graph
        host: a token is never sent anywhere a response points to.
        """
        parts = urlsplit(url)
        base = urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise GraphError("paging.next points away from the Graph API host; not followed")
        query = {key: value for key, value in parse_qsl(parts.query, keep_blank_values=True)
                 if key not in ("access_token", "appsecret_proof")}
        return f"{parts.scheme}://{parts.netloc}{parts.path}", query

    def _send(self, method: str, url: str, access_token: str | None, *,
              params: dict[str, Any] | None = None, data: dict[str, Any] | None = None) -> Any:
        credentials = self._credentials(access_token)
        query = {**(params or {}), **(credentials if method == "GET" else {})}
        form = {**data, **credentials} if data is not None else None
        path = urlsplit(url).path
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, params=query, data=form, timeout=self.timeout_seconds)
            except requests.RequestException as exc:
                # The exception's text includes the URL and so the token: only its type is kept.
                error: GraphError = GraphError(f"Graph API unreachable on {path} ({type(exc).__name__})",
                                               transient=True)
            else:
                self.usage.record(response.headers)
                payload = _json_or_none(response)
                if response.ok and not isinstance(payload, (dict, list)):
                    error = _not_json(response.status_code, path)
                elif response.ok and not (isinstance(payload, dict) and "error" in payload):
                    telemetry.graph_request(path)
                    return payload
                else:
                    error = error_from(response.status_code, payload, response.headers, path, access_token)
            telemetry.graph_request(path, error)
            wait = self.retry_wait(error, attempt)
            if wait is None:
                raise error
            log.warning("Graph %s %s failed (%s); retry %d in %.1fs", method, path, error, attempt + 1, wait)
            self.wait_before_retry(wait, error)
            attempt += 1

    def wait_before_retry(self, seconds: float, error: GraphError) -> None:
        telemetry.graph_wait(seconds, "rate_limited" if isinstance(error, RateLimited) else "transient")
        self.sleep(seconds)

    def retry_wait(self, error: GraphError, attempt: int) -> float | None:
        """Seconds to wait before retry number `attempt + 1` of a call that failed with `error`, or
        None when it should not be retried (permanent, out of attempts, or too long a wait)."""
        if not error.transient or attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimited) and (error.app_wide or error.retry_after is None):
            # Meta asks to stop calling once a limit is hit: an app-wide limit grows with every call
            # of the app, and one with no estimate gives no time worth waiting within the run. The
            # caller holds the account instead (account_sync.py: at least 60 s).
            return None
        backoff = self.backoff_seconds * 2 ** attempt * random.uniform(0.8, 1.2)
        wait = max(backoff, getattr(error, "retry_after", None) or 0)
        return wait if wait <= self.max_retry_wait_seconds else None

    def _batch_result(self, item: BatchItem, answer: Any) -> dict[str, Any] | GraphError:
        path = "/" + item.relative_url.split("?", 1)[0].lstrip("/")
        if not isinstance(answer, dict):
            # Meta answers null for an item that timed out; it may simply be asked again.
            return GraphError(f"batch item {path} got no answer", transient=True)
        headers = CaseInsensitiveDict({header.get("name"): header.get("value")
                                       for header in answer.get("headers") or [] if isinstance(header, dict)})
        self.usage.record(headers)
        try:
            body = json.loads(answer.get("body") or "null")
        except ValueError:
            body = None
        status = answer.get("code") or 0
        if 200 <= status < 300 and not isinstance(body, dict):
            return _not_json(status, path)
        if 200 <= status < 300 and "error" not in body:
            return body
        return error_from(status, body, headers, path, item.access_token)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _not_json(status: int, path: str) -> GraphError:
    # A truncated or garbled answer: the call may simply be made again.
    return GraphError(f"Graph API answered HTTP {status} on {path} with a body that is not a JSON object",
                      status=status, transient=True)


def _access_token_of(answer: Any) -> str:
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise GraphError("token exchange answered without an access token")
    return token


def error_from(status: int, payload: Any, headers: Any, path: str, access_token: str | None) -> GraphError:
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return GraphError(f"Graph API answered HTTP {status} on {path}", status=status, transient=status >= 500)
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    message = str(error.get("message") or "no message")
    if access_token:
        message = message.replace(access_token, REDACTED)
    details = {"status": status, "code": code, "subcode": subcode, "fbtrace_id": error.get("fbtrace_id")}
    # Meta's support asks for the fbtrace_id of a failed call; it identifies the call, not the caller.
    log.info("Graph API error %s/%s on %s: fbtrace_id %s", code, subcode, path, details["fbtrace_id"])
    text = f"Graph API error {code}" + (f"/{subcode}" if subcode else "") + f" on {path}: {message}"
    if code in TOKEN_INVALID_CODES:
        return TokenInvalid(text, **details)
    if code == 10 and path.rstrip("/").endswith("/insights") and "requires the" not in message.lower():
        return RoleMissing(text, **details)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return PermissionMissing(text, **details)
    if code in RATE_LIMIT_CODES:
        business = _json_header(headers, "X-Business-Use-Case-Usage")
        entries = [entry for value in business.values() if isinstance(value, list) for entry in value
                   if isinstance(entry, dict)] if isinstance(business, dict) else []
        regain = max((_regain_seconds(entry) for entry in entries), default=0.0)
        return RateLimited(text, retry_after=regain or None, app_wide=code in APP_RATE_LIMIT_CODES, **details)
    if code == INVALID_PARAMETER_CODE and path.rstrip("/").endswith(INSIGHTS_EDGES) and subcode != UNKNOWN_OBJECT_SUBCODE:
        return _metric_rejection(text, message, details)
    # Meta's `is_transient: false` overrides what the code alone would suggest (1/99 is permanent).
    transient = error.get("is_transient") is not False and (
        error.get("is_transient") is True or code in TRANSIENT_CODES or status >= 500)
    return GraphError(text, transient=transient, **details)


def _metric_rejection(text: str, message: str, details: dict[str, Any]) -> MetricRejected:
    for wording in INVALID_METRIC_WORDINGS:
        found = wording.search(message.lower())
        if found:
            index = found.groupdict().get("index")
            return InvalidMetric(text, metric_index=int(index) if index is not None else None, **details)
    return MetricRejected(text, **details)
