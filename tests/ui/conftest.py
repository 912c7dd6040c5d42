"""Playwright (Python) against the session's stack: Debian's Chromium, headless, one browser for
the whole session and a fresh context per test.

Every test signs in as its own user id and connects its own fake Graph user, so tests do not see
each other's accounts. `capture("<state>")` checks a state the way a person meets it: axe-core
(from npm) finds no violation, and at 375 px the page does not scroll sideways; it writes
`artifacts/screenshots/<state>.png` (1280 px) and `<state>-375.png`.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from devstack.stack import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Playwright's own browser download is not available; Debian's Chromium is.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


@pytest.fixture(scope="session")
def browser(stack) -> Browser:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def outside_requests() -> list[str]:
    """Requests the page tried to send off this machine (refused): the UI must need none."""
    return []


@pytest.fixture
def page(browser: Browser, stack_env, outside_requests) -> Page:
    context = browser.new_context(viewport=DESKTOP, base_url=stack_env["UI_URL"], locale="en-US")
    # The UI works offline: anything not on loopback is refused, and recorded.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"),
                  lambda route: (outside_requests.append(route.request.url), route.abort()))
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
    """Makes a Meta user whom the Login dialog signs in as, signs this test's user in to the UI and
    opens Settings; returns the fake's description of the user's first Page."""

    def open_settings_for(meta_name: str, **meta_options) -> dict:
        meta_user = fake_graph.create_user(meta_name, **meta_options)
        fake_graph.sign_in_at_dialog(meta_user["id"])
        sign_in(user_id)
        open_view("Settings")
        return meta_user["pages"][0]

    return open_settings_for


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const results = await window.axe.run(document, { resultTypes: ['violations'] });
        return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                                nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
    }""")


def wide_elements(page: Page) -> list[str]:
    """The innermost elements that reach past the viewport's right edge, to say what widens a page."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5
                && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className}`)""")


@pytest.fixture
def capture(page: Page):
    """`capture("settings-both-connected")`: axe finds nothing at 1280 px and at 375 px, nothing
    scrolls sideways at 375 px, and a screenshot of each width is written."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(state: str) -> None:
        for viewport, suffix in ((DESKTOP, ""), (PHONE, "-375")):
            page.set_viewport_size(viewport)
            violations = axe_violations(page)
            assert violations == [], f"axe, {state}{suffix}:\n{json.dumps(violations, indent=1)}"
            if viewport is PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{state}: the page is {width} px wide at 375 px: {wide_elements(page)}"
            page.screenshot(path=SCREENSHOTS / f"{state}{suffix}.png", full_page=True, animations="disabled")
        page.set_viewport_size(DESKTOP)

    return take


@pytest.fixture
def fake_graph(stack_env):
    return FakeGraph(stack_env["GRAPH_API_BASE"])


class FakeGraph:
    """The fake Graph API's control API: users, their Pages and linked Instagram accounts, tokens,
    and who the Login dialog signs in as."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def _call(self, method: str, path: str, payload=None) -> dict:
        response = requests.request(method, f"{self.base_url}/_control{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def create_user(self, name: str, *, instagram: bool = True, permissions: dict | None = None, pages: int = 1) -> dict:
        """A Meta user with `pages` Pages, the first with an Instagram business account if asked."""
        specs = [{"name": f"{name}'s {'Page' if index == 0 else f'Page {index + 1}'}",
                  "instagram": self.instagram_spec(name) if instagram and index == 0 else None}
                 for index in range(pages)]
        return self._call("POST", "/users", {"name": name, "pages": specs, "permissions": permissions or {}})

    def link_instagram(self, page_id: str, name: str) -> dict:
        """Links a new Instagram business account to the Page; returns the account."""
        return self._call("POST", f"/pages/{page_id}/instagram", {"instagram": self.instagram_spec(name)})["instagram"]

    def invalidate_token(self, token: str) -> None:
        self._call("POST", f"/tokens/{token}/invalidate")

    @staticmethod
    def instagram_spec(name: str) -> dict:
        # A username of its own, so the tests can tell it from the Page's.
        return {"username": f"{name.lower()}.on.instagram"}

    def sign_in_at_dialog(self, fake_user_id: str) -> None:
        self._call("POST", "/dialog", {"user_id": fake_user_id})

    def create_instagram_account(self, username: str, account_type: str = "BUSINESS") -> dict:
        """An Instagram account without a Facebook Page (Instagram Login reaches it)."""
        return self._call("POST", "/instagram-accounts", {"username": username, "account_type": account_type})

    def sign_in_at_instagram_window(self, account_id: str) -> None:
        self._call("POST", "/dialog", {"instagram_account_id": account_id})
