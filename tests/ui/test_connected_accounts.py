"""Settings -> Connected accounts, the guidance modal and the publishing preview, driven through
Facebook Login against the fake Graph API, the webhook service and the REST layer."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

SHINE = re.compile(r"\bshine\b")


def section(page: Page, platform: str):
    return page.locator(f"#connected-accounts section[data-platform={platform}]")


def expect_status(page: Page, platform: str, status: str, badge: str) -> None:
    expect(section(page, platform)).to_have_attribute("data-status", status)
    expect(section(page, platform).locator(".badge")).to_have_text(badge)


def expect_connected(page: Page, platform: str, username: str) -> None:
    expect_status(page, platform, "connected", "Connected")
    expect(section(page, platform)).to_have_class(SHINE)
    expect(section(page, platform).get_by_text(f"@{username}")).to_be_visible()


def expect_not_shining(page: Page, platform: str) -> None:
    expect(section(page, platform)).not_to_have_class(SHINE)


def test_connect_facebook_with_linked_instagram(page: Page, settings_of_new_user, open_view, screenshot):
    fake_page = settings_of_new_user("Carol", instagram=True)
    for platform in ("facebook", "instagram"):
        expect_status(page, platform, "not_connected", "Not connected")
    expect(page.get_by_text("FB/IG")).to_have_count(0)
    screenshot("settings-not-connected")

    # Hold the request for the Login URL, to see the "Connecting..." state.
    held = []
    page.route("**/api/v1/social-media/oauth/start*", lambda route: held.append(route))
    connect = page.get_by_role("button", name="Connect Facebook")
    connect.focus()
    page.keyboard.press("Enter")
    expect_status(page, "facebook", "connecting", "Connecting...")
    screenshot("settings-connecting")
    held[0].continue_()
    page.unroute("**/api/v1/social-media/oauth/start*")

    expect_connected(page, "facebook", fake_page["username"])
    expect_connected(page, "instagram", fake_page["instagram"]["username"])
    expect(page.locator("#guidance")).not_to_be_visible()
    screenshot("settings-both-connected")

    open_view("Dashboard")
    for platform, username in (("facebook", fake_page["username"]), ("instagram", fake_page["instagram"]["username"])):
        preview = page.get_by_role("article", name=f"{platform.title()} preview")
        expect(preview.locator("img.avatar")).to_be_visible()
        expect(preview.get_by_text(f"@{username}")).to_be_visible()
        expect(page.get_by_role("checkbox", name=platform.title())).to_be_checked()
    page.get_by_label("Post text").fill("Fresh croissants at 7!")
    expect(page.get_by_role("article", name="Instagram preview")).to_contain_text("Fresh croissants at 7!")
    screenshot("preview-both-connected")


def test_connect_without_instagram_then_recheck(page: Page, settings_of_new_user, screenshot, fake_graph):
    fake_page = settings_of_new_user("Dave", instagram=False)
    page.get_by_role("button", name="Connect Facebook").click()

    expect_connected(page, "facebook", fake_page["username"])
    expect_status(page, "instagram", "error", "Error")
    expect_not_shining(page, "instagram")
    expect(section(page, "instagram")).to_contain_text("No Instagram business account is linked")

    guidance = page.get_by_role("dialog")
    expect(guidance).to_have_accessible_name("Why Instagram did not connect")
    expect(guidance).to_contain_text("Step 1 of 3")
    expect(guidance).to_contain_text("no Instagram account is linked")
    screenshot("guidance-1-why")
    guidance.get_by_role("button", name="Next").click()
    expect(guidance).to_have_accessible_name("How to link your Instagram account")
    expect(guidance).to_contain_text("Business")
    screenshot("guidance-2-how-to-link")
    guidance.get_by_role("button", name="Next").click()
    expect(guidance).to_have_accessible_name("Check the permissions")
    for permission in ("instagram_basic", "pages_show_list", "pages_read_engagement"):
        expect(guidance.locator(f"[data-permission={permission}]")).to_be_visible()
    expect(guidance.locator("li.missing")).to_have_count(0)
    expect(guidance).to_contain_text("Admin access")
    screenshot("guidance-3-permissions")

    instagram = fake_graph.link_instagram(fake_page["id"], "Dave")
    guidance.get_by_role("button", name="Re-check now").click()
    expect_connected(page, "instagram", instagram["username"])
    expect_connected(page, "facebook", fake_page["username"])
    expect(page.locator("#guidance")).not_to_be_visible()
    screenshot("settings-after-recheck")


def test_missing_permissions_are_listed(page: Page, settings_of_new_user, screenshot):
    settings_of_new_user("Erin", instagram=True, permissions={"instagram_basic": "declined"})
    page.get_by_role("button", name="Connect Instagram").click()

    guidance = page.get_by_role("dialog")
    expect(guidance).to_contain_text("Not granted: instagram_basic.")
    expect_status(page, "instagram", "error", "Error")
    expect_not_shining(page, "instagram")
    guidance.get_by_role("button", name="Next").click()
    guidance.get_by_role("button", name="Next").click()
    missing = guidance.locator("li.missing")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("instagram_basic")
    screenshot("guidance-missing-permissions")


def test_disconnect_hides_the_platform_in_the_preview(page: Page, settings_of_new_user, open_view, screenshot):
    fake_page = settings_of_new_user("Frank", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect_connected(page, "instagram", fake_page["instagram"]["username"])

    page.get_by_role("button", name="Disconnect Instagram").click()
    expect_status(page, "instagram", "not_connected", "Not connected")
    expect_not_shining(page, "instagram")
    expect_connected(page, "facebook", fake_page["username"])
    screenshot("settings-instagram-disconnected")

    open_view("Dashboard")
    expect(page.get_by_role("article", name="Facebook preview")).to_be_visible()
    expect(page.get_by_role("article", name="Instagram preview")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Instagram")).to_have_count(0)
    publishing = page.get_by_role("region", name="Publishing")
    expect(publishing.get_by_role("link", name="Connect Instagram in Settings")).to_be_visible()
    screenshot("preview-instagram-disconnected")


def test_only_a_stored_row_makes_a_platform_look_connected(page: Page, sign_in, user_id):
    # A return address claiming success, with nothing stored for this user: the badges follow
    # social_media_accounts (read under RLS), not the query string.
    sign_in(user_id)
    page.goto("/?connect=done&platform=facebook&facebook=connected&instagram=connected")
    expect(page.get_by_role("status")).to_contain_text("Facebook did not connect")
    for platform in ("facebook", "instagram"):
        expect_status(page, platform, "not_connected", "Not connected")
        expect_not_shining(page, platform)
