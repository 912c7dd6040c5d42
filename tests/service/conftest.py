"""Fixtures for the webhook service's tests, which run against the session's real stack.

`api`, `anonymous` and `api_as` call the service's Flask app in this process (an in-process
transport for `requests`, on werkzeug's test client): route logic runs without the hop to
gunicorn, while the app's REST and Graph API calls go to the stack as in production. `http_api`
goes to the stack's gunicorn service, for what only the running server shows (its log lines).

Each test signs in as its own JWT `sub` and creates its own Facebook users in the fake Graph API,
so tests share the stack without seeing each other's rows. Every response a test receives from the
service, and every line the service logs meanwhile, is checked afterwards for Facebook tokens.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from webhook_service import create_app
from webhook_service.config import Config
from webhook_service.crypto import TokenCipher

# Every token the fake mints looks like Meta's: "EAAG" (Facebook) or "IGAA" (Instagram Login) and a
# long run of letters and digits.
MINTED_TOKEN = re.compile(r"(?:EAAG|IGAA)[A-Za-z0-9]{40,}")


def with_json_decoded(text: str) -> str:
    """`text` followed by the decoded string values of each of its lines that is a JSON object (the
    service logs JSON lines): JSON escaping cannot hide a secret from a scan of the result."""
    decoded = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            decoded += [value for value in entry.values() if isinstance(value, str)]
    return "\n".join([text, *decoded])


@dataclass
class Secrets:
    """Token values a test learned from the fake; none may reach a response body or the log."""

    values: set[str] = field(default_factory=set)

    def add_user(self, user: dict[str, Any]) -> dict[str, Any]:
        self.values.add(user["access_token"])
        self.values.update(page["access_token"] for page in user["pages"])
        return user

    def leaks_in(self, text: str) -> list[str]:
        text = with_json_decoded(text)
        found = [f"token {value[:8]}..." for value in self.values if value in text]
        found += [f"minted token {match[:8]}..." for match in MINTED_TOKEN.findall(text)]
        return found


class FakeGraph:
    """The fake Graph API's control API."""

    def __init__(self, base_url: str, secrets: Secrets):
        self.base_url = base_url
        self.secrets = secrets
        self.dialog_user_before: str | None = None
        self.instagram_dialog_before: str | None = None
        self.clock_moved = False

    def _post(self, path: str, body: Any) -> dict[str, Any]:
        response = requests.post(f"{self.base_url}/_control/{path}", json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def create_user(self, pages: list[dict[str, Any]] | None = None,
                    permissions: dict[str, str | None] | None = None) -> dict[str, Any]:
        """A Facebook user (`id`, `access_token`, `pages` with their `id`, `access_token`, `instagram`)."""
        body = {"name": "Test User", "pages": pages or [], "permissions": permissions or {}}
        return self.secrets.add_user(self._post("users", body))

    def set_permissions(self, user_id: str, changes: dict[str, str | None]) -> None:
        self._post(f"users/{user_id}/permissions", changes)

    def invalidate(self, token: str, subcode: int = 467) -> None:
        self._post(f"tokens/{token}/invalidate", {"subcode": subcode})

    def set_dialog(self, *, user_id: str | None = None, cancel: bool = False) -> None:
        """Who the Login dialog logs in as, or that it cancels; undone after the test."""
        if self.dialog_user_before is None:
            self.dialog_user_before = self._post("dialog", {})["user_id"]
        self._post("dialog", {"user_id": user_id, "cancel": cancel})

    def create_instagram_account(self, **spec: Any) -> dict[str, Any]:
        """An Instagram account without a Facebook Page (`account_type` BUSINESS unless given)."""
        return self._post("instagram-accounts", {"username": "solo.creator", **spec})

    def set_instagram_dialog(self, account_id: str) -> None:
        """Whom Instagram Login's window logs in as; undone after the test."""
        if self.instagram_dialog_before is None:
            self.instagram_dialog_before = self._post("dialog", {})["instagram_account_id"]
        self._post("dialog", {"instagram_account_id": account_id})

    def move_clock(self, now: int) -> None:
        """Freezes the fake's clock at `now` (unix seconds); it runs again after the test."""
        self.clock_moved = True
        self._post("clock", {"now": now})

    def restore(self) -> None:
        requests.delete(f"{self.base_url}/_control/faults", timeout=10).raise_for_status()
        if self.dialog_user_before is not None:
            self._post("dialog", {"user_id": self.dialog_user_before, "cancel": False})
        if self.instagram_dialog_before is not None:
            self._post("dialog", {"instagram_account_id": self.instagram_dialog_before, "cancel": False})
        if self.clock_moved:
            self._post("clock", {"now": None})

    def add_fault(self, rule: dict[str, Any]) -> None:
        self._post("faults", rule)

    def update_account(self, account_id: str, changes: dict[str, Any]) -> None:
        self._post(f"accounts/{account_id}", changes)


class InProcess(requests.adapters.BaseAdapter):
    """A `requests` transport that hands each request to a Flask app in this process."""

    def __init__(self, app):
        super().__init__()
        self.client = app.test_client(use_cookies=False)

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        parts = urlsplit(request.url)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.client.open(parts.path, base_url=f"{parts.scheme}://{parts.netloc}", method=request.method,
                                  query_string=parts.query, headers=list(request.headers.items()), data=body or b"")
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.partition(" ")[2]
        response.headers = CaseInsensitiveDict(answer.headers)
        # Set-Cookie lines as http.client would hand them over, so the session keeps its cookies.
        message = http.client.HTTPMessage()
        for name, value in answer.headers.items():
            message[name] = value
        response.raw = SimpleNamespace(_original_response=SimpleNamespace(msg=message))
        response._content = answer.get_data()
        response.url, response.request, response.connection = request.url, request, self
        return response

    def close(self) -> None:
        pass


class Api:
    """The service's HTTP API as one user in one browser sees it (the browser's cookies persist);
    remembers what it received."""

    def __init__(self, base_url: str, token: str | None, received: list[str], browser: requests.Session):
        self.base_url = base_url
        self.token = token
        self.received = received
        self.browser = browser

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                **kwargs) -> requests.Response:
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        response = self.browser.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs)
        self.received.append(f"{response.headers.get('Location', '')}\n{response.text}")
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def login_redirect(self, platform: str, login: str = "facebook_login") -> str:
        """Starts Facebook Login (or Instagram Login) and lets the fake's dialog answer: the callback
        URL it sends the browser to (as whoever `FakeGraph.set_dialog` / `set_instagram_dialog` chose)."""
        url = self.get(f"/api/v1/social-media/oauth/start?platform={platform}&login={login}").json()["url"]
        dialog = requests.get(url, allow_redirects=False, timeout=10)
        assert dialog.status_code == 302, dialog.text
        return dialog.headers["Location"]

    def connect(self, platform: str, access_token: str) -> dict[str, Any]:
        response = self.post(f"/api/v1/social-media/connect/{platform}", json={"access_token": access_token})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def webhook_url(stack_env) -> str:
    return stack_env["WEBHOOK_URL"]


@pytest.fixture(scope="session")
def service_log(stack) -> Path:
    return stack.root / "logs" / "webhook.log"


@pytest.fixture(scope="session")
def cipher(stack_env) -> TokenCipher:
    return TokenCipher(tuple(stack_env["TOKEN_ENCRYPTION_KEY"].split(",")))


@pytest.fixture(scope="session")
def picture_url(stack_env):
    """Where the fake serves an account's picture."""
    return lambda account_id: f"{stack_env['GRAPH_API_BASE']}/_assets/pictures/{account_id}.svg"


@pytest.fixture
def secrets() -> Secrets:
    return Secrets()


@pytest.fixture
def received() -> list[str]:
    return []


@pytest.fixture
def fake_graph(stack_env, secrets) -> FakeGraph:
    graph = FakeGraph(stack_env["GRAPH_API_BASE"], secrets)
    yield graph
    graph.restore()


@pytest.fixture
def user_id() -> str:
    """A JWT `sub` no other test uses, Clerk-shaped."""
    return f"user_test_{uuid.uuid4().hex[:16]}"


@pytest.fixture(scope="session")
def in_process_app(stack_env):
    """The service's app in this process, with the stack's settings."""
    return create_app(Config.from_env(stack_env))


@pytest.fixture
def new_browser(in_process_app, webhook_url):
    """`new_browser()`: a browser (cookie jar) whose calls to the service go to the in-process app."""
    sessions = []

    def open_browser() -> requests.Session:
        session = requests.Session()
        session.mount(webhook_url, InProcess(in_process_app))
        sessions.append(session)
        return session

    yield open_browser
    for session in sessions:
        session.close()


@pytest.fixture
def browser(new_browser) -> requests.Session:
    """The test user's browser: `api` and `anonymous` share it, and with it its cookies."""
    return new_browser()


@pytest.fixture
def api_as(webhook_url, user_jwt, received, new_browser):
    """The API as signed in by any `sub`, in a browser of its own: `api_as("user_x")`."""
    return lambda sub: Api(webhook_url, user_jwt(sub), received, new_browser())


@pytest.fixture
def http_api(webhook_url, user_jwt, user_id, received) -> Api:
    """`api`, but over HTTP to the stack's gunicorn service."""
    with requests.Session() as session:
        yield Api(webhook_url, user_jwt(user_id), received, session)


@pytest.fixture
def api(webhook_url, user_jwt, user_id, received, browser) -> Api:
    return Api(webhook_url, user_jwt(user_id), received, browser)


@pytest.fixture
def anonymous(webhook_url, received, browser) -> Api:
    """The test user's browser without a bearer token, as when Facebook's dialog redirects it."""
    return Api(webhook_url, None, received, browser)


class InProcessLog(logging.Handler):
    """What the in-process app logged during a test, tracebacks included."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record))


@pytest.fixture(autouse=True)
def no_token_leaks(service_log, secrets, received):
    """After each test: no token it learned, and nothing shaped like a minted token, appears in a
    response it received or in what the service logged during it."""
    start = service_log.stat().st_size if service_log.exists() else 0
    in_process = InProcessLog()
    logging.getLogger().addHandler(in_process)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(in_process)
    logged = service_log.read_bytes()[start:].decode(errors="replace") if service_log.exists() else ""
    logged += "\n".join(in_process.lines)
    leaks = [f"response: {leak}" for text in received for leak in secrets.leaks_in(text)]
    leaks += [f"service log: {leak}" for leak in secrets.leaks_in(logged)]
    assert not leaks, leaks
