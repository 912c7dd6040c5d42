"""Top posts panel: the seeded demo user's best posts per platform, "No posts yet" for a user
without any, and the layout at 375 px."""

from __future__ import annotations

from playwright.sync_api import Page, expect

DEMO_USER = "user_demo_alice"


def test_top_posts_show_the_demo_users_best_posts(page: Page, sign_in, screenshot):
    sign_in(DEMO_USER)
    panel = page.locator("#top-posts")
    expect(panel).to_have_attribute("data-loaded", "true")

    # supabase/seed.sql: ranked by views (Facebook: post_media_view, so the reel comes last).
    facebook = panel.locator(".top-posts[data-platform=facebook] .post")
    expect(facebook).to_have_count(4)
    first = facebook.first
    expect(first.locator(".post-caption")).to_have_text("Pumpkin season: our spiced loaf is back.")
    expect(first.locator("[data-metric=views] strong")).to_have_text("2,674")
    expect(first.locator("[data-metric=interactions] strong")).to_have_text("188")
    expect(first.get_by_role("link", name="View on Facebook")).to_have_attribute(
        "href", "https://www.facebook.com/104000000000001_18000000000000004")
    expect(facebook.nth(1).locator(".post-caption")).to_have_text("Closed Monday for a family wedding.")
    expect(facebook.last.locator(".post-meta")).to_contain_text("Reel")

    instagram = panel.locator(".top-posts[data-platform=instagram] .post")
    expect(instagram).to_have_count(4)
    expect(instagram.first.locator(".post-caption")).to_have_text("Croissant lamination, sped up")
    expect(instagram.first.locator("[data-metric=views] strong")).to_have_text("6,120")
    expect(instagram.first.locator("[data-metric=interactions] strong")).to_have_text("578")
    panel.scroll_into_view_if_needed()
    screenshot("top-posts-demo-user")

    page.set_viewport_size({"width": 375, "height": 800})
    panel.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("top-posts-375px")


def test_top_posts_say_no_posts_yet_before_any_sync(page: Page, settings_of_new_user, open_view):
    settings_of_new_user("Hana", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect(page.locator("#connected-accounts section[data-platform=instagram]")).to_have_attribute("data-status", "connected")
    open_view("Dashboard")
    for platform in ("facebook", "instagram"):
        expect(page.locator(f".top-posts[data-platform={platform}]")).to_contain_text("No posts yet")
