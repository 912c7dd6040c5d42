"""Playwright (Python) against the session's stack: Debian's Chromium, headless.

Every test signs in as its own user id and connects its own fake Graph user, so tests do not see
each other's accounts. Screenshots go to `artifacts/screenshots/<state>.png`.
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from devstack.stack import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
# Playwright's own browser download is not available; Debian's Chromium is.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser(stack) -> Browser:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, stack_env) -> Page:
    context = browser.new_context(viewport=DESKTOP, base_url=stack_env["UI_URL"], locale="en-US")
    # Seeded pictures point at the internet; keep the tests on loopback.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def user_id(request) -> str:
    """A user id of this test's own, as Clerk or Supabase Auth would hand out."""
    return f"user_ui_{request.node.name.removeprefix('test_')[:40]}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sign_in(page: Page):
    """Signs in through the UI's development sign-in and waits for the app to show."""

    def sign_in_as(user_id: str) -> None:
        page.goto("/")
        page.get_by_label("User id").fill(user_id)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_text(f"Signed in as {user_id}")).to_be_visible()

    return sign_in_as


@pytest.fixture
def open_view(page: Page):
    """Opens a view from the main menu, `open_view("Settings")`, and waits for it."""
    headings = {"Settings": "Connected accounts", "Dashboard": "Preview"}

    def open_(name: str) -> None:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=headings[name])).to_be_visible()

    return open_


@pytest.fixture
def settings_of_new_user(page: Page, sign_in, user_id, fake_graph, open_view):
    """Makes a Meta user (one Page) whom the Login dialog signs in as, signs this test's user in to
    the UI and opens Settings; returns the fake's description of the Page."""

    def open_settings_for(meta_name: str, **meta_options) -> dict:
        meta_user = fake_graph.create_user(meta_name, **meta_options)
        fake_graph.sign_in_at_dialog(meta_user["id"])
        sign_in(user_id)
        open_view("Settings")
        return meta_user["pages"][0]

    return open_settings_for


@pytest.fixture
def screenshot(page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(state: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"{state}.png", full_page=True, animations="disabled")

    return take


@pytest.fixture
def fake_graph(stack_env):
    return FakeGraph(stack_env["GRAPH_API_BASE"])


class FakeGraph:
    """The fake Graph API's control API: users, their Pages and linked Instagram accounts, and who
    the Login dialog signs in as."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def _call(self, method: str, path: str, payload=None) -> dict:
        response = requests.request(method, f"{self.base_url}/_control{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def create_user(self, name: str, *, instagram: bool = True, permissions: dict | None = None) -> dict:
        """A Meta user with one Page, and an Instagram business account linked to it if asked."""
        page = {"name": f"{name}'s Page", "instagram": self.instagram_spec(name) if instagram else None}
        return self._call("POST", "/users", {"name": name, "pages": [page], "permissions": permissions or {}})

    def link_instagram(self, page_id: str, name: str) -> dict:
        """Links a new Instagram business account to the Page; returns the account."""
        return self._call("POST", f"/pages/{page_id}/instagram", {"instagram": self.instagram_spec(name)})["instagram"]

    @staticmethod
    def instagram_spec(name: str) -> dict:
        # A username of its own, so the tests can tell it from the Page's.
        return {"username": f"{name.lower()}.on.instagram"}

    def sign_in_at_dialog(self, fake_user_id: str) -> None:
        self._call("POST", "/dialog", {"user_id": fake_user_id})
