"""What surrounds the views: signing in, the session across tabs, the top bar, notices, and the
development Facebook Login switch."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_signed_out_shows_no_nav_and_tab_reaches_the_sign_in(page: Page, capture):
    # Item 3: `hidden` wins over the nav's flex layout; Tab goes to what a signed-out person can use.
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in as Maya (Maya's Flowers)")).to_be_focused()
    capture("sign-in")


def test_a_new_tab_stays_signed_in_and_sign_out_ends_it(page: Page, sign_in, user_id):
    # Item 15: a new tab is signed in as well.
    sign_in(user_id)
    second = page.context.new_page()
    second.goto("/")
    expect(second.get_by_text(f"Signed in as {user_id}")).to_be_visible()
    second.get_by_role("button", name="Sign out").click()
    expect(second.get_by_role("heading", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_post_to_says_it_is_loading_until_the_accounts_arrive(page: Page, sign_in, user_id, stack_env, capture):
    # Item 15: no empty "Post to" box while the accounts load.
    sign_in(user_id)
    held = []
    page.route("**/rest/v1/social_media_accounts*", lambda route: held.append(route))
    page.reload()
    targets = page.get_by_role("group", name="Post to")
    expect(targets).to_contain_text("Loading your accounts\u2026")
    capture("dashboard-loading")
    for route in held:
        route.continue_()
    page.unroute("**/rest/v1/social_media_accounts*")
    expect(targets.get_by_role("link", name="Connect Facebook in Settings")).to_be_visible()
    expect(page.locator("#insights")).to_contain_text("No account is connected yet.")
    capture("dashboard-new-user")


def test_the_facebook_login_switch_shows_whom_it_signs_in_as(page: Page, sign_in, user_id, open_view, capture):
    # Item 6: the switch shows its current choice, and its Meta users are not the app's demo users.
    sign_in(user_id)
    open_view("Settings")
    switch = page.get_by_label("Facebook Login signs in as")
    switch.select_option(label="Meta user Bob: Page without Instagram")
    expect(page.get_by_role("status")).to_contain_text("now signs in as Meta user Bob")
    page.reload()
    expect(switch).to_have_value(switch.locator("option", has_text="Meta user Bob").get_attribute("value"))
    labels = switch.locator("option").all_inner_texts()
    assert not [label for label in labels if "Maya" in label or "Theo" in label]
    capture("settings-new-user")
    switch.select_option(label="Meta user Alice: Page with a linked Instagram account")
    expect(page.get_by_role("status")).to_contain_text("now signs in as Meta user Alice")


def test_notices_can_be_dismissed_and_stay_on_their_page(page: Page, sign_in, user_id, open_view):
    # Item 13.
    sign_in(user_id)
    open_view("Settings")
    page.get_by_label("Facebook Login signs in as").select_option(label="Meta user Carol: declined Instagram permissions")
    notice = page.get_by_role("status")
    expect(notice).to_be_visible()
    notice.get_by_role("button", name="Dismiss notice").click()
    expect(notice).to_be_hidden()
    expect(page.locator("#main")).to_be_focused()

    page.get_by_label("Facebook Login signs in as").select_option(label="Meta user Alice: Page with a linked Instagram account")
    expect(notice).to_be_visible()
    open_view("Dashboard")
    expect(notice).to_be_hidden()
