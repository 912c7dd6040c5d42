"""Insights cards: the seeded demo user, hourly changes, Sync Now, and the layout at 375 px."""

from __future__ import annotations

import psycopg
import requests
from playwright.sync_api import Page, expect

DEMO_USER = "user_demo_alice"
# supabase/seed.sql: followers in the newest hourly row (one hour ago) of each demo account.
SEEDED_FOLLOWERS = {"facebook": 1200 + 71 * 2, "instagram": 800 + 71 * 3}
# What the cards show per platform: ui/js/views/insights-cards.js.
CARD_METRICS = {"facebook": ("page_media_view", "page_post_engagements"),
                "instagram": ("views", "reach", "total_interactions")}


def read_insights(stack_env, token: str, platform: str) -> dict:
    response = requests.get(f"{stack_env['WEBHOOK_URL']}/api/v1/social-media/insights",
                            params={"platform": platform, "period": "hour", "hours": 24},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    response.raise_for_status()
    return response.json()


def shown(value) -> str:
    """A number as the cards print it (en-US), or the dash for a value the API does not have."""
    return "\u2013" if value is None else f"{value:,}"


def test_insights_cards_show_the_seeded_numbers(page: Page, sign_in, open_view, stack_env, user_jwt, screenshot):
    sign_in(DEMO_USER)
    expect(page.locator("#insights-cards")).to_have_attribute("data-loaded", "true")
    for platform, followers in SEEDED_FOLLOWERS.items():
        aggregates = read_insights(stack_env, user_jwt(DEMO_USER), platform)["aggregates"]
        card = page.locator(f".insights-card[data-platform={platform}]")
        expect(card.locator("[data-metric=followers_count] strong")).to_have_text(shown(followers))
        for metric in CARD_METRICS[platform]:
            row = card.locator(f"tr[data-metric={metric}]")
            expect(row.locator("td[data-window=hour]")).to_have_text(shown(aggregates.get(f"last_hour_{metric}")))
            expect(row.locator("td[data-window=day]")).to_have_text(
                shown(aggregates.get(f"sum_{metric}", aggregates.get(f"last_{metric}"))))
    screenshot("insights-demo-user")

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("dashboard-375px")
    open_view("Settings")
    expect(page.locator("#connected-accounts section[data-platform=instagram]")).to_have_attribute("data-status", "connected")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("settings-375px")


def test_sync_now_fills_the_insights_cards(page: Page, settings_of_new_user, open_view, screenshot):
    fake_page = settings_of_new_user("Grace", instagram=True)
    page.get_by_role("button", name="Connect Facebook").click()
    expect(page.locator("#connected-accounts section[data-platform=instagram]")).to_have_attribute("data-status", "connected")
    open_view("Dashboard")
    for platform in CARD_METRICS:
        expect(page.locator(f".insights-card[data-platform={platform}]")).to_contain_text("No data yet")
    screenshot("insights-no-data-yet")

    open_view("Settings")
    page.get_by_role("button", name="Sync now Facebook").click()
    expect(page.get_by_role("status")).to_have_text("Synced 1 Facebook and 1 Instagram account(s).")
    expect(page.locator("#connected-accounts .last-sync time")).to_have_count(2)
    screenshot("settings-after-sync-now")

    open_view("Dashboard")
    followers = {"facebook": fake_page["followers_count"], "instagram": fake_page["instagram"]["followers_count"]}
    for platform, count in followers.items():
        card = page.locator(f".insights-card[data-platform={platform}]")
        expect(card.locator("[data-metric=followers_count] strong")).to_have_text(shown(count))
    screenshot("insights-after-sync-now")


def test_insights_cards_show_hourly_changes(page: Page, sign_in, user_id, database_url, screenshot):
    # 23 hourly rows up to the current hour: all inside the API's 24-hour window even if the hour
    # turns during the test. Views grew by 10 + h in the row h hours ago.
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
    card = page.locator(".insights-card[data-platform=instagram]")
    views = card.locator("tr[data-metric=views]")
    expect(views.locator("td[data-window=hour]")).to_have_text(shown(views_delta[0]))
    expect(views.locator("td[data-window=day]")).to_have_text(shown(sum(views_delta.values())))
    expect(card.locator("tr[data-metric=reach] td[data-window=hour]")).to_have_text(shown(None))
    expect(card.get_by_role("img", name="Views per hour over the last 24 hours")).to_be_visible()
    expect(page.locator(".insights-card[data-platform=facebook]")).to_contain_text("Facebook is not connected")
    screenshot("insights-hourly-changes")
