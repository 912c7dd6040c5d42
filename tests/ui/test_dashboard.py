"""Dashboard: KPI tiles read with supabase-js from the insights RPC, the seeded demo businesses,
Sync now, an account that needs reconnecting, and the publishing preview at 375 px."""

from __future__ import annotations

import re

import psycopg
from playwright.sync_api import Page, expect

from tests.ui.channel_cards import close_guidance, expect_synced

MAYA = "user_demo_maya"
THEO = "user_demo_theo"


def tile_number(page: Page, metric: str) -> str:
    return page.locator(f"#insights .tile[data-metric={metric}] .kpi-number").inner_text()


def seeded_yesterday(db, user_id: str, platform: str, metric: str) -> int:
    rows = db.query("select (metrics ->> %s)::int as value from public.social_media_insights"
                    " where user_id = %s and platform = %s and period = 'day'"
                    " and window_start = date_trunc('day', now()) - interval '1 day'", metric, user_id, platform)
    return rows[0]["value"]


def test_demo_businesses_look_different_and_work_offline(page: Page, sign_in, open_view, db, capture, outside_requests):
    # Item 14 and 17: local pictures, no outside request, numbers per business and platform, read
    # with supabase-js from the RPC rather than through the service.
    requests_seen = []
    page.on("request", lambda request: requests_seen.append(request.url))
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(MAYA)
    insights = page.locator("#insights")
    expect(insights).to_have_attribute("data-loaded", "true")
    expect(insights.locator(".insights-account")).to_contain_text("Maya's Flowers")
    expect(insights.locator(".insights-account img.avatar")).to_have_attribute("src", "img/demo/mayas-flowers.svg")
    facebook_views = seeded_yesterday(db, MAYA, "facebook", "page_media_view")
    expect(insights.locator(".tile[data-metric=page_media_view] .kpi-number")).to_have_text(f"{facebook_views:,}")
    for metric in ("followers_count", "page_media_view", "page_total_media_view_unique", "page_post_engagements"):
        expect(insights.locator(f".tile[data-metric={metric}] .sparkline canvas")).to_be_visible()
    expect(insights.locator(".tile[data-metric=page_media_view] .last-hour")).to_have_text(re.compile(r"^Last hour: \+[\d,]+$"))
    capture("dashboard-demo-maya")

    page.get_by_label("Account", exact=True).select_option(label="Maya's Flowers (Instagram)")
    instagram_views = seeded_yesterday(db, MAYA, "instagram", "views")
    expect(insights.locator(".tile[data-metric=views] .kpi-number")).to_have_text(f"{instagram_views:,}")
    assert instagram_views != facebook_views
    capture("dashboard-demo-maya-instagram")

    assert [url for url in requests_seen if "/api/v1/social-media/insights" in url] == []
    assert any(url.endswith("/rest/v1/rpc/get_social_media_insights") for url in requests_seen)
    assert outside_requests == []
    assert console_errors == []
    assert page.request.get("/favicon.ico").status == 200
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "favicon.svg")
    open_view("Settings")
    expect(page.locator("#connected-accounts .account")).to_have_count(2)
    expect(page.locator("#connected-accounts .account .last-sync").first).to_contain_text("synced")
    capture("settings-demo-maya")

    page.get_by_role("button", name="Sign out").click()
    sign_in(THEO)
    expect(insights.locator(".insights-account")).to_contain_text("Theo's Coffee Roasters")
    theo_views = seeded_yesterday(db, THEO, "facebook", "page_media_view")
    expect(insights.locator(".tile[data-metric=page_media_view] .kpi-number")).to_have_text(f"{theo_views:,}")
    assert theo_views != facebook_views
    capture("dashboard-demo-theo")


def test_a_long_word_in_the_post_wraps_at_375_px(page: Page, sign_in, capture):
    # Item 1: a long URL in the post text must not widen the page.
    sign_in(MAYA)
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_label("Post text").fill("Order now: https://mayas-flowers.example/" + "bouquets-for-every-occasion-" * 6)
    expect(page.get_by_role("article", name="Instagram preview")).to_contain_text("bouquets-for-every-occasion")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    capture("preview-long-text")


def test_sync_now_is_busy_once_and_reports_in_words(page: Page, settings_of_new_user, open_view, capture):
    # Item 2: a busy state, and a second press while busy sends nothing.
    settings_of_new_user("Nina", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect_synced(page, "facebook")
    sync_now = page.get_by_role("button", name="Sync now")
    expect(sync_now).to_have_attribute("aria-disabled", "false")

    held = []
    page.route("**/api/v1/social-media/insights/sync", lambda route: held.append(route))
    sync_now.click()
    busy = page.get_by_role("button", name="Syncing\u2026")
    expect(busy).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#connected-accounts .account .status-words").first).to_have_text("Syncing\u2026")
    capture("settings-syncing")
    # Playwright will not click a control that says it is disabled; a person's Enter still reaches it.
    expect(busy).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#sync-now-button').getAttribute('aria-disabled') === 'true'")
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/api/v1/social-media/insights/sync")
    expect(page.get_by_role("status").locator("p")).to_have_text("Done: Synced 2 accounts.")
    expect(sync_now).to_have_attribute("aria-disabled", "false")
    expect(sync_now).to_be_focused()
    assert len(held) == 1


def test_an_account_that_needs_reconnecting_says_so_everywhere(page: Page, settings_of_new_user, fake_graph, open_view, capture):
    # Items 8 and 9: a revoked token makes the sync fail for that account: an error notice naming
    # it, "Needs reconnecting" in Settings and on the Dashboard (not "not connected").
    fake_page = settings_of_new_user("Omar", instagram=False)
    page.get_by_role("button", name="Connect Facebook").click()
    close_guidance(page)
    expect_synced(page, "facebook")
    fake_graph.invalidate_token(fake_page["access_token"])

    page.get_by_role("button", name="Sync now").click()
    notice = page.get_by_role("status")
    expect(notice).to_have_attribute("data-kind", "error")
    expect(notice).to_contain_text("1 account did not sync: Omar's Page (Facebook) needs reconnecting.")
    facebook = page.locator("#connected-accounts section[data-platform=facebook]")
    expect(facebook.locator(".account .status-words")).to_have_text("Needs reconnecting")
    expect(facebook).to_contain_text("choose Reconnect")
    capture("settings-needs-reconnecting")

    open_view("Dashboard")
    insights = page.locator("#insights")
    expect(insights.locator(".needs-reconnecting")).to_contain_text("Needs reconnecting")
    expect(insights).not_to_contain_text("not connected")
    capture("dashboard-needs-reconnecting")


def test_a_service_that_does_not_answer_is_an_error_in_words(page: Page, settings_of_new_user, stack_env, capture):
    # Item 9: not the browser's "Failed to fetch", and in the error style.
    settings_of_new_user("Pia", instagram=False)
    page.route(f"{stack_env['WEBHOOK_URL']}/**", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Connect Facebook").click()
    notice = page.locator("#connected-accounts section[data-platform=facebook] .reason")
    expect(notice).to_have_text("The service did not answer. Check your connection and try again in a moment.")
    expect(page.locator("#connected-accounts section[data-platform=facebook]")).to_have_attribute("data-status", "error")
    capture("settings-service-unreachable")


def test_tiles_fall_back_to_hourly_changes(page: Page, sign_in, user_id, database_url, capture):
    # An account with hourly rows only (no daily rows yet): the tiles add up the last hours.
    views_delta = {h: 10 + h for h in range(23)}
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "insert into public.social_media_accounts (user_id, platform, account_id, account_name, username)"
            " values (%s, 'instagram', %s, 'Hourly Cafe', 'hourly.cafe')", (user_id, f"ig-{user_id}"))
        for hours_ago, delta in views_delta.items():
            connection.execute(
                "insert into public.social_media_insights"
                " (user_id, platform, account_id, period, window_start, window_end, metrics, derived)"
                " select %s, 'instagram', %s, 'hour', start, start + interval '1 hour', %s::jsonb, %s::jsonb"
                " from (select date_trunc('hour', now()) - make_interval(hours => %s) as start) w",
                (user_id, f"ig-{user_id}", '{"followers_count": 500}', f'{{"views_delta": {delta}}}', hours_ago))

    sign_in(user_id)
    views = page.locator("#insights .tile[data-metric=views]")
    expect(views.locator(".kpi-number")).to_have_text(f"{sum(views_delta.values()):,}")
    expect(views.locator(".kpi-period")).to_have_text("in the last 24 hours")
    expect(views.locator(".last-hour")).to_have_text(f"Last hour: +{views_delta[0]}")
    expect(views.get_by_role("img", name=re.compile(r"^Views, per hour, last 24 hours, .* latest 10\.$"))).to_be_visible()
    expect(page.locator("#insights .tile[data-metric=reach]")).to_have_text("ReachCollecting data \u2013 back in about an hour")
    followers = page.locator("#insights .tile[data-metric=followers_count]")
    expect(followers.locator(".kpi-number")).to_have_text("500")
    expect(followers.locator(".change")).to_have_text(re.compile("No change in 24 hours"))
    publishing = page.get_by_role("region", name="Publishing")
    expect(publishing.get_by_role("link", name="Connect Facebook in Settings")).to_be_visible()
    capture("dashboard-hourly-only")
