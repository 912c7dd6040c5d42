"""Top posts panel: the seeded demo user's best posts per platform (at 1280 and 375 px), and "No
posts yet" for accounts without any."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.ui.channel_cards import expect_synced

DEMO_USER = "user_demo_maya"


def test_top_posts_show_the_demo_users_best_posts(page: Page, sign_in, capture):
    sign_in(DEMO_USER)
    panel = page.locator("#top-posts")
    expect(panel).to_have_attribute("data-loaded", "true")

    # supabase/seed.sql: ranked by views (Facebook: post_media_view, so the reel comes last).
    facebook = panel.locator(".top-posts[data-platform=facebook] .post")
    expect(facebook).to_have_count(4)
    first = facebook.first
    expect(first.locator(".post-caption")).to_have_text("Autumn wreaths are back in the shop.")
    expect(first.locator("[data-metric=views] strong")).to_have_text("2,674")
    expect(first.locator("[data-metric=interactions] strong")).to_have_text("188")
    expect(first.get_by_role("link", name="View on Facebook")).to_have_attribute(
        "href", "https://www.facebook.com/104900000000101_18000000000000004")
    expect(facebook.nth(1).locator(".post-caption")).to_have_text("Closed Monday: we are doing a wedding.")
    expect(facebook.last.locator(".post-meta")).to_contain_text("Reel")

    instagram = panel.locator(".top-posts[data-platform=instagram] .post")
    expect(instagram).to_have_count(4)
    expect(instagram.first.locator(".post-caption")).to_have_text("A bridal bouquet, sped up")
    expect(instagram.first.locator("[data-metric=views] strong")).to_have_text("6,120")
    expect(instagram.first.locator("[data-metric=interactions] strong")).to_have_text("578")
    capture("top-posts-demo-user")


def test_top_posts_say_no_posts_yet_for_accounts_without_posts(page: Page, settings_of_new_user, open_view):
    settings_of_new_user("Hana", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect_synced(page, "instagram")
    open_view("Dashboard")
    for platform in ("facebook", "instagram"):
        expect(page.locator(f".top-posts[data-platform={platform}]")).to_contain_text("No posts yet")
