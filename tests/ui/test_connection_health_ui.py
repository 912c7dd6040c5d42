"""Instagram Login and connection health in the reference UI: the guidance offers connecting
Instagram directly, a creator without a Page connects that way, a personal account is told why not,
and an account whose data access ends soon says "Reconnect before <date>"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from devstack.fake_graph import demo
from tests.ui.channel_cards import card, expect_connected, expect_status


@pytest.fixture
def instagram_window(fake_graph):
    """Whom the fake's Instagram Login window signs in as; back to the demo's Dana afterwards."""
    yield fake_graph.sign_in_at_instagram_window
    fake_graph.sign_in_at_instagram_window(demo.DANA_INSTAGRAM_ID)


def connect_facebook_without_instagram(page: Page, settings_of_new_user) -> None:
    settings_of_new_user("Hana", instagram=False)
    card(page, "facebook").get_by_role("button", name="Connect Facebook").click()
    expect(page.get_by_role("dialog")).to_have_accessible_name("Why Instagram did not connect")


def test_guidance_offers_instagram_login_and_a_creator_without_a_page_connects(
        page: Page, settings_of_new_user, fake_graph, instagram_window, capture):
    creator = fake_graph.create_instagram_account("hana.creates", "MEDIA_CREATOR")
    instagram_window(creator["id"])
    connect_facebook_without_instagram(page, settings_of_new_user)

    guidance = page.get_by_role("dialog")
    choice = guidance.get_by_role("region", name="Two ways to connect Instagram")
    expect(choice).to_contain_text("Link it to your Facebook Page")
    expect(choice).to_contain_text("no Facebook Page needed")
    capture("guidance-instagram-login-choice")

    choice.get_by_role("button", name="Connect with Instagram").click()

    expect_connected(page, "instagram", "hana.creates")
    expect_status(page, "facebook", "connected", "Connected")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#notice")).to_contain_text("Instagram connected.")
    expect(page.locator("#notice")).not_to_contain_text("Facebook did not connect")
    capture("settings-instagram-login-connected")


def test_a_personal_instagram_account_is_told_why(page: Page, settings_of_new_user, fake_graph, instagram_window,
                                                  capture):
    personal = fake_graph.create_instagram_account("just.hana", "PERSONAL")
    instagram_window(personal["id"])
    connect_facebook_without_instagram(page, settings_of_new_user)

    page.get_by_role("dialog").get_by_role("button", name="Connect with Instagram").click()

    expect_status(page, "instagram", "error", "Did not connect")
    expect(card(page, "instagram").locator(".reason")).to_contain_text("This Instagram account is personal")
    expect_status(page, "facebook", "connected", "Connected")
    capture("settings-instagram-personal-account")


def test_data_access_ending_in_3_days_says_reconnect_before(page: Page, fake_graph, sign_in, user_id, open_view,
                                                             capture):
    fake_graph.sign_in_at_dialog(demo.FRANK_USER_ID)
    sign_in(user_id)
    open_view("Settings")

    card(page, "facebook").get_by_role("button", name="Connect Facebook").click()

    expect_status(page, "facebook", "connected", "Connected")
    # Frank's data access ends 3 days after the stack started: within the 7-day window.
    for platform in ("facebook", "instagram"):
        words = card(page, platform).locator(".account .status-words")
        expect(words).to_have_text(re.compile(r"^Reconnect before [A-Z][a-z]{2} \d{1,2}$"))
    latest = datetime.now(timezone.utc) + timedelta(days=3)
    assert any(f"{day:%b} {day.day}" in card(page, "facebook").locator(".account .status-words").inner_text()
               for day in (latest - timedelta(days=1), latest))
    capture("settings-reconnect-before")
