"""Reading the channel cards (Settings -> Connected accounts) the way the tests need to."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

SHINE = re.compile(r"\bshine\b")


def card(page: Page, platform: str):
    return page.locator(f"#connected-accounts section[data-platform={platform}]")


def expect_status(page: Page, platform: str, status: str, badge: str) -> None:
    expect(card(page, platform)).to_have_attribute("data-status", status)
    expect(card(page, platform).locator(".badge")).to_have_text(badge)


def expect_connected(page: Page, platform: str, username: str) -> None:
    expect_status(page, platform, "connected", "Connected")
    expect(card(page, platform)).to_have_class(SHINE)
    expect(card(page, platform).get_by_text(f"@{username}")).to_be_visible()


def expect_not_shining(page: Page, platform: str) -> None:
    expect(card(page, platform)).not_to_have_class(SHINE)


def expect_synced(page: Page, platform: str) -> None:
    """The first sync has run: the account's row says so in relative time."""
    rows = card(page, platform).locator(".account .last-sync")
    expect(rows.first).to_be_visible()
    for synced in rows.all():
        # The first sync runs in the background; on a busy machine it can take a while.
        expect(synced).to_have_text(re.compile(r"synced (just now|\d+ minutes? ago)"), timeout=30000)


def menu_of(page: Page, account_name: str):
    """An account's menu (Reconnect, Disconnect), opened."""
    page.get_by_text(f"Manage {account_name}").click()
    return page.locator("li.account", has_text=account_name).locator(".menu-items")


def close_guidance(page: Page) -> None:
    """Closes the guidance the page opened by itself (a Meta user without Instagram)."""
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
