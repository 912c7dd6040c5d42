"""Settings -> Connected accounts (channel cards), the guidance modal and the publishing preview,
driven through Facebook Login against the fake Graph API, the webhook service and the REST layer."""

from __future__ import annotations

import re

import psycopg
from playwright.sync_api import Page, expect

from tests.ui.channel_cards import (
    card,
    close_guidance,
    expect_connected,
    expect_not_shining,
    expect_status,
    expect_synced,
    menu_of,
)


def test_connect_facebook_with_linked_instagram(page: Page, settings_of_new_user, open_view, capture):
    fake_page = settings_of_new_user("Carol", instagram=True)
    for platform in ("facebook", "instagram"):
        expect_status(page, platform, "not_connected", "Not connected")
    capture("settings-not-connected")

    # Hold the request for the Login URL, to see the "Connecting..." state.
    held = []
    page.route("**/api/v1/social-media/oauth/start*", lambda route: held.append(route))
    connect = card(page, "facebook").locator(".actions button")
    connect.focus()
    page.keyboard.press("Enter")
    expect_status(page, "facebook", "connecting", "Connecting\u2026")
    expect(connect).to_have_accessible_name("Connecting\u2026 Facebook")
    expect(connect).to_be_disabled()
    capture("settings-connecting")
    held[0].continue_()
    page.unroute("**/api/v1/social-media/oauth/start*")

    expect_connected(page, "facebook", fake_page["username"])
    expect_connected(page, "instagram", fake_page["instagram"]["username"])
    expect(page.locator("#guidance")).not_to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Facebook connected. Instagram connected.")
    expect_synced(page, "facebook")
    capture("settings-both-connected")

    open_view("Dashboard")
    for platform, username in (("facebook", fake_page["username"]), ("instagram", fake_page["instagram"]["username"])):
        preview = page.get_by_role("article", name=f"{platform.title()} preview")
        expect(preview.locator("img.avatar")).to_be_visible()
        expect(preview.get_by_text(f"@{username}")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Carol's Page (Facebook)")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Carol's Page (Instagram)")).to_be_checked()
    page.get_by_label("Post text").fill("Fresh croissants at 7!")
    expect(page.get_by_role("article", name="Instagram preview")).to_contain_text("Fresh croissants at 7!")
    capture("preview-both-connected")


def test_connect_starts_the_first_sync_and_shows_30_days_at_once(page: Page, settings_of_new_user, open_view, capture):
    # Item 10: connecting starts a sync, and its 30 days of daily rows show as tiles at once.
    settings_of_new_user("Hana", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect_synced(page, "facebook")
    expect_synced(page, "instagram")

    open_view("Dashboard")
    tiles = page.locator("#insights")
    views = tiles.locator(".tile[data-metric=page_media_view]")
    expect(views.locator(".kpi-number")).to_have_text(re.compile(r"^[\d,]+$"))
    # The newest day Meta has completed: yesterday, or the day before until the Page's daily update.
    expect(views.locator(".kpi-period")).to_have_text(re.compile(r"^(yesterday|on [A-Z][a-z]{2} \d{1,2})$"))
    expect(views.get_by_role("img", name=re.compile(r"^Views, per day, last 30 days, "))).to_be_visible()
    expect(views.locator(".change")).to_have_text(re.compile(r"^\W*(Up \d+%|Down \d+%|No change) vs the day before$"))
    # One hourly sync so far: "last hour" is still being collected, nothing shows as a dash.
    expect(views.locator(".last-hour")).to_have_text("Last hour: Collecting data \u2013 back in about an hour")
    expect(tiles).not_to_contain_text("false")
    capture("dashboard-after-first-sync")


def test_connect_without_instagram_then_recheck(page: Page, settings_of_new_user, capture, fake_graph):
    fake_page = settings_of_new_user("Dave", instagram=False)
    page.get_by_role("button", name="Connect Facebook").click()

    expect_connected(page, "facebook", fake_page["username"])
    expect_status(page, "instagram", "error", "Did not connect")
    expect_not_shining(page, "instagram")
    expect(card(page, "instagram")).to_contain_text("No Instagram business account is linked")

    guidance = page.get_by_role("dialog")
    expect(guidance).to_have_accessible_name("Why Instagram did not connect")
    expect(guidance).to_contain_text("Step 1 of 3")
    expect(guidance).to_contain_text("no Instagram account is linked")
    # Item 4: page 1 without missing permissions has no stray "false".
    expect(guidance.locator(".guidance-body")).not_to_contain_text("false")
    capture("guidance-1-why")
    guidance.get_by_role("button", name="Next").click()
    expect(guidance).to_have_accessible_name("How to link your Instagram account")
    expect(guidance).to_contain_text("Business")
    capture("guidance-2-how-to-link")
    guidance.get_by_role("button", name="Next").click()
    expect(guidance).to_have_accessible_name("Check the permissions")
    for permission in ("instagram_basic", "pages_show_list", "pages_read_engagement"):
        expect(guidance.locator(f"[data-permission={permission}]")).to_be_visible()
    expect(guidance.locator("li.missing")).to_have_count(0)
    expect(guidance).to_contain_text("Admin access")
    capture("guidance-3-permissions")

    instagram = fake_graph.link_instagram(fake_page["id"], "Dave")
    guidance.get_by_role("button", name="Re-check now").click()
    expect_connected(page, "instagram", instagram["username"])
    expect_connected(page, "facebook", fake_page["username"])
    expect(page.locator("#guidance")).not_to_be_visible()
    capture("settings-after-recheck")


def test_a_reload_keeps_the_failed_connect_its_reason_and_how_to_fix(page: Page, settings_of_new_user, capture):
    # Item 5: the outcome is the service's stored one, not only the return address.
    settings_of_new_user("Ivan", instagram=False)
    page.get_by_role("button", name="Connect Instagram").click()
    expect(page.get_by_role("dialog")).to_be_visible()

    page.reload()
    expect_status(page, "instagram", "error", "Did not connect")
    expect(card(page, "instagram")).to_contain_text("No Instagram business account is linked to your Facebook Page.")
    how_to_fix = card(page, "instagram").get_by_role("button", name="How to fix this")
    expect(how_to_fix).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    capture("settings-instagram-failed-after-reload")
    how_to_fix.click()
    expect(page.get_by_role("dialog")).to_have_accessible_name("Why Instagram did not connect")


def test_missing_permissions_are_listed_in_words(page: Page, settings_of_new_user, capture):
    settings_of_new_user("Erin", instagram=True, permissions={"instagram_basic": "declined"})
    page.get_by_role("button", name="Connect Instagram").click()

    guidance = page.get_by_role("dialog")
    expect(guidance).to_have_accessible_name("Why Instagram did not connect")
    expect(guidance).to_contain_text("Not granted: read your Instagram profile (instagram_basic).")
    expect_status(page, "instagram", "error", "Did not connect")
    expect_not_shining(page, "instagram")
    capture("guidance-missing-permissions")
    guidance.get_by_role("button", name="Next").click()
    missing = guidance.locator("li.missing")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("To read your Instagram profile: instagram_basic Missing")
    capture("guidance-missing-permissions-checklist")


def test_facebook_failing_gets_its_own_explanation_and_how_to_fix(page: Page, settings_of_new_user, capture):
    # Item 7: declined Page permissions make Facebook fail: its own modal, title and "How to fix this".
    settings_of_new_user("Jon", instagram=True, permissions={"pages_read_engagement": "declined"})
    page.get_by_role("button", name="Connect Facebook").click()

    guidance = page.get_by_role("dialog")
    expect(guidance).to_have_accessible_name("Why Facebook did not connect")
    expect(guidance).to_contain_text("Not granted: read your Page and the accounts linked to it (pages_read_engagement).")
    expect(guidance).to_contain_text("Step 1 of 2")
    capture("guidance-facebook-missing-permissions")
    # Item 12: Escape closes the dialog the page opened by itself; focus goes to Facebook's fix.
    page.keyboard.press("Escape")
    how_to_fix = card(page, "facebook").get_by_role("button", name="How to fix this")
    expect(how_to_fix).to_be_focused()
    expect_status(page, "facebook", "error", "Did not connect")
    # Instagram, reached through the Page, fails too and has its own "How to fix this".
    expect_status(page, "instagram", "error", "Did not connect")
    expect(card(page, "instagram").get_by_role("button", name="How to fix this")).to_be_visible()
    expect(page.get_by_role("status")).to_have_attribute("data-kind", "error")
    expect(page.get_by_role("status")).to_contain_text("Facebook did not connect: Some permissions were not granted.")
    capture("settings-facebook-failed")


def test_several_pages_are_rows_each_with_its_own_disconnect(page: Page, settings_of_new_user, open_view, capture, db, user_id):
    # Item 11 and 12: two Pages are two rows; one is disconnected after a confirmation, focus kept.
    settings_of_new_user("Kim", instagram=True, pages=2)
    page.get_by_role("button", name="Connect Facebook").click()
    facebook = card(page, "facebook")
    expect(facebook.locator("li.account")).to_have_count(2)
    expect_synced(page, "facebook")
    expect(facebook.get_by_role("button", name="Add another Page Facebook")).to_be_visible()
    expect_synced(page, "instagram")
    capture("settings-two-pages")

    menu = menu_of(page, "Kim's Page 2 (Facebook)")
    expect(menu.get_by_role("button", name="Reconnect")).to_be_visible()
    capture("settings-account-menu")
    menu.get_by_role("button", name="Disconnect").click()
    confirm = page.get_by_role("dialog")
    expect(confirm).to_have_accessible_name("Disconnect Kim's Page 2?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    capture("settings-confirm-disconnect")
    confirm.get_by_role("button", name="Cancel").click()
    expect(facebook.locator("li.account")).to_have_count(2)
    expect(menu.get_by_role("button", name="Disconnect")).to_be_focused()

    menu.get_by_role("button", name="Disconnect").click()
    confirm.get_by_role("button", name="Disconnect").click()
    expect(facebook.locator("li.account")).to_have_count(1)
    expect(facebook.get_by_role("heading", name="Facebook")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("Kim's Page 2 (Facebook) disconnected.")
    active = {(row["account_name"], row["is_active"]) for row in db.accounts(user_id) if row["platform"] == "facebook"}
    assert active == {("Kim's Page", True), ("Kim's Page 2", False)}

    open_view("Dashboard")
    # The notice belonged to Settings (item 13).
    expect(page.get_by_role("status")).to_be_hidden()
    expect(page.get_by_role("checkbox", name="Kim's Page (Facebook)")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Kim's Page 2 (Facebook)")).to_have_count(0)


def test_insights_and_posting_pick_one_of_several_pages(page: Page, settings_of_new_user, open_view, capture):
    # Item 11: the insights picker and "Post to" name each Page; insights are per Page.
    settings_of_new_user("Lea", instagram=False, pages=2)
    page.get_by_role("button", name="Connect Facebook").click()
    close_guidance(page)
    expect(card(page, "facebook").locator("li.account")).to_have_count(2)
    expect_synced(page, "facebook")
    page.get_by_role("button", name="Dismiss notice").click()
    expect(page.get_by_role("status")).to_be_hidden()

    open_view("Dashboard")
    picker = page.get_by_label("Account", exact=True)
    expect(picker.locator("option")).to_have_text(["Lea's Page (Facebook)", "Lea's Page 2 (Facebook)"])
    first = page.locator("#insights").get_attribute("data-account")
    picker.select_option(label="Lea's Page 2 (Facebook)")
    expect(page.locator("#insights")).not_to_have_attribute("data-account", first or "")
    expect(page.locator("#insights .insights-account")).to_contain_text("Lea's Page 2")
    page.get_by_role("checkbox", name="Lea's Page (Facebook)").uncheck()
    expect(page.get_by_role("article", name="Facebook preview")).to_have_count(1)
    expect(page.get_by_role("article", name="Facebook preview: Lea's Page 2")).to_be_visible()
    capture("dashboard-two-pages")


def test_disconnect_hides_the_account_in_the_preview(page: Page, settings_of_new_user, open_view, capture):
    fake_page = settings_of_new_user("Frank", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect_connected(page, "instagram", fake_page["instagram"]["username"])

    menu_of(page, "Frank's Page (Instagram)").get_by_role("button", name="Disconnect").click()
    page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    expect_status(page, "instagram", "not_connected", "Not connected")
    expect_not_shining(page, "instagram")
    expect_connected(page, "facebook", fake_page["username"])
    capture("settings-instagram-disconnected")

    open_view("Dashboard")
    expect(page.get_by_role("article", name="Facebook preview")).to_be_visible()
    expect(page.get_by_role("article", name="Instagram preview")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Frank's Page (Instagram)")).to_have_count(0)
    publishing = page.get_by_role("region", name="Publishing")
    expect(publishing.get_by_role("link", name="Connect Instagram in Settings")).to_be_visible()
    capture("preview-instagram-disconnected")


def test_back_after_a_connect_does_not_land_on_facebooks_fragment(page: Page, settings_of_new_user):
    # Item 15: Facebook appends #_=_ to its redirect; Back must not stop there.
    fake_page = settings_of_new_user("Mia", instagram=False)
    page.get_by_role("button", name="Connect Facebook").click()
    expect_connected(page, "facebook", fake_page["username"])
    assert page.url.endswith("/#/settings")
    page.go_back()
    expect(page.get_by_role("heading", name="Connected accounts")).to_be_visible()
    assert "_=_" not in page.url


def test_only_a_stored_row_makes_a_platform_look_connected(page: Page, sign_in, user_id):
    # A return address claiming success, with nothing stored for this user: the cards follow
    # social_media_accounts (read under RLS), not the query string.
    sign_in(user_id)
    page.goto("/?connect=done&platform=facebook&facebook=connected&instagram=connected")
    expect(page.get_by_role("status")).to_contain_text("Facebook did not connect")
    for platform in ("facebook", "instagram"):
        expect_status(page, platform, "not_connected", "Not connected")
        expect_not_shining(page, platform)


def test_an_expiring_login_says_reconnect_before_its_date(page: Page, sign_in, user_id, database_url, open_view, capture):
    # The health check's `expiring` status (Meta's data access ends in 5 days) in the row's words.
    with psycopg.connect(database_url, autocommit=True) as connection:
        reconnect_by = connection.execute(
            "insert into public.social_media_accounts (user_id, platform, account_id, account_name, username,"
            " expiring_from, data_access_expires_at, last_synced_at)"
            " values (%s, 'facebook', %s, 'Expiring Bakery', 'expiring.bakery', now() - interval '1 day',"
            " now() + interval '5 days', now() - interval '5 minutes') returning reconnect_by",
            (user_id, f"page-{user_id}")).fetchone()[0]
    sign_in(user_id)
    open_view("Settings")
    row = card(page, "facebook").locator("li.account")
    expect(row).to_have_attribute("data-status", "warning")
    expect(row.locator(".status-words")).to_have_text(f"Reconnect before {reconnect_by:%b} {reconnect_by.day}")
    expect(row.locator(".last-sync")).to_have_text(" \u00b7 synced 5 minutes ago")
    capture("settings-expiring")
