"""The unified connect flow: one Facebook user token in, the user's Pages and their linked Instagram
business accounts stored, and a per-platform outcome out.

Connecting either platform runs the same steps, because both come from the same Facebook Login:
each Page becomes a `facebook` row and each Instagram account linked to a Page an `instagram` row,
both holding the (encrypted) Page token. A platform counts as connected exactly when at least one
of its rows was written, so the UI never highlights an account that is not stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from webhook_service.account_view import account_view
from webhook_service.connection_health import facebook_health, missing_permissions
from webhook_service.graph import GraphClient, GraphError, PermissionMissing, TokenInvalid
from webhook_service.platforms import FACEBOOK_LOGIN, PLATFORM_NAMES, PLATFORMS
from webhook_service.services import Services

log = logging.getLogger(__name__)

# Asked for in the Login dialog; business_management reaches Pages owned through a Business portfolio.
LOGIN_SCOPES = ("pages_show_list", "pages_read_engagement", "instagram_basic",
                "instagram_manage_insights", "read_insights", "business_management")
# Insights of a Page (or its Instagram account) whose role comes through a Business portfolio also
# need ads_read or ads_management (IG User Insights reference): asked only with FACEBOOK_LOGIN_ADS_READ.
ADS_READ = "ads_read"


def login_scopes(ads_read: bool) -> tuple[str, ...]:
    return (*LOGIN_SCOPES, ADS_READ) if ads_read else LOGIN_SCOPES

PAGE_FIELDS = ("id,name,username,access_token,tasks,picture{url},"
               "instagram_business_account{id,username,name,profile_picture_url}")
# Page insights need a Page token of someone who can perform this task on the Page
# (https://developers.facebook.com/docs/graph-api/reference/v17.0/insights).
ANALYZE_TASK = "ANALYZE"
BUSINESS_PERMISSION = "business_management"
SKIP_REASONS = {
    "no_page_token": "You have no role on this Page, so Facebook gives no access to it.",
    "no_analyze_task": "Your role on this Page cannot see its insights (it lacks the Analyze task).",
}
PAGES_PER_REQUEST = 100
# Someone is waiting for the answer: a longer rate limit is reported (503 + Retry-After) instead.
INTERACTIVE_MAX_RETRY_WAIT_SECONDS = 5.0

MESSAGES = {
    "token_invalid": "Your Facebook login has expired or was revoked. Please connect again.",
    "missing_permissions": "Facebook did not grant the permissions {platform} needs: {permissions}. "
                           "Connect again and allow them.",
    "no_pages": "No Facebook Page was found for your account. Create a Page, or make sure you selected it "
                "when logging in, then connect again.",
    "no_instagram_business_account": "No Instagram business account is linked to your Facebook Page",
}


@dataclass
class Outcome:
    """What happened to one platform."""

    connected: bool
    reason: str | None = None
    missing_permissions: list[str] = field(default_factory=list)
    account: dict[str, Any] | None = None

    def view(self, platform: str) -> dict[str, Any]:
        if self.connected:
            return {"connected": True, **{key: self.account[key] for key in
                                          ("accountId", "accountName", "username", "profilePicture")}}
        message = MESSAGES[self.reason].format(platform=PLATFORM_NAMES[platform],
                                               permissions=", ".join(self.missing_permissions))
        return {"connected": False, "reason": self.reason, "message": message,
                "missingPermissions": self.missing_permissions}


@dataclass
class FacebookUser:
    """What Meta tells about the person behind a user token: their permissions, the Pages that can
    be synced, and the Pages found that cannot (with why)."""

    meta_user_id: str
    permissions: dict[str, str]  # permission -> granted | declined | expired
    pages: list[dict[str, Any]]
    skipped_pages: list[dict[str, str]] = field(default_factory=list)

    @property
    def granted(self) -> set[str]:
        return {permission for permission, status in self.permissions.items() if status == "granted"}


def read_facebook_user(graph: GraphClient, user_token: str) -> FacebookUser:
    permissions = {entry.get("permission"): entry.get("status") for entry in graph.get_all("me/permissions", user_token)}
    meta_user_id = graph.get("me", user_token, {"fields": "id"})["id"]
    try:
        pages = graph.get_all("me/accounts", user_token, {"fields": PAGE_FIELDS, "limit": PAGES_PER_REQUEST})
    except PermissionMissing:
        # Meta refuses the listing without pages_show_list, whatever /me/permissions said.
        permissions["pages_show_list"] = "declined"
        pages = []
    if permissions.get(BUSINESS_PERMISSION) == "granted":
        pages += _business_portfolio_pages(graph, user_token)
    usable, skipped, seen = [], [], set()
    for page in pages:
        if page.get("id") in seen:
            continue  # a Page both listed and in a portfolio, or in two portfolios
        seen.add(page.get("id"))
        reason = _unusable_because(page)
        if reason:
            skipped.append({"id": page["id"], "name": page.get("name"), "reason": reason,
                            "message": SKIP_REASONS[reason]})
        else:
            usable.append(page)
    return FacebookUser(meta_user_id, permissions, usable, skipped)


def _business_portfolio_pages(graph: GraphClient, user_token: str) -> list[dict[str, Any]]:
    """The Pages the person's Business portfolios own or manage for clients, which /me/accounts
    leaves out (https://developers.facebook.com/docs/graph-api/reference/user/businesses/)."""
    pages: list[dict[str, Any]] = []
    try:
        for business in graph.get_all("me/businesses", user_token, {"fields": "id,name"}):
            for edge in ("owned_pages", "client_pages"):
                pages += graph.get_all(f"{business['id']}/{edge}", user_token,
                                       {"fields": PAGE_FIELDS, "limit": PAGES_PER_REQUEST})
    except PermissionMissing as error:
        log.info("Business portfolio Pages not listed: %s", error)
    return pages


def _unusable_because(page: dict[str, Any]) -> str | None:
    """Why a Page cannot be synced: no Page token (no role on it), or no Analyze task."""
    if not page.get("access_token"):
        return "no_page_token"
    if "tasks" in page and ANALYZE_TASK not in (page.get("tasks") or []):
        return "no_analyze_task"
    return None


def connect_with_user_token(services: Services, user_id: str, user_token: str) -> dict[str, Any]:
    """Runs the flow for a Facebook user token (short- or long-lived) and returns the response body.

    The token is first exchanged for a long-lived one: Page tokens derived from a short-lived user
    token expire within the hour, those from a long-lived one do not, and the hourly sync needs them.
    """
    graph = services.graph.with_max_retry_wait(INTERACTIVE_MAX_RETRY_WAIT_SECONDS)
    try:
        long_lived_token = graph.long_lived_token(user_token)
        facebook_user = read_facebook_user(graph, long_lived_token)
    except TokenInvalid as error:
        log.info("connect for user %s: Facebook token rejected (%s)", user_id, error)
        return _response(services, user_id, {platform: Outcome(False, "token_invalid") for platform in PLATFORMS})

    rows: list[dict[str, Any]] = []
    outcomes: dict[str, Outcome] = {}
    for platform in PLATFORMS:
        missing = missing_permissions(FACEBOOK_LOGIN, platform, facebook_user.granted)
        linked = [page for page in facebook_user.pages
                  if platform == "facebook" or page.get("instagram_business_account")]
        if missing:
            outcomes[platform] = Outcome(False, "missing_permissions", missing)
        elif not facebook_user.pages:
            outcomes[platform] = Outcome(False, "no_pages")
        elif not linked:
            outcomes[platform] = Outcome(False, "no_instagram_business_account")
        else:
            rows.extend(_row(services, user_id, facebook_user, platform, page) for page in linked)

    saved = _with_health(services, graph, long_lived_token, services.store.upsert_accounts(rows))
    for platform in PLATFORMS:
        first = next((row for row in saved if row["platform"] == platform), None)
        if first is not None:
            outcomes[platform] = Outcome(True, account=account_view(first))
    log.info("connect for user %s: %s", user_id,
             ", ".join(f"{platform}={'connected' if outcomes[platform].connected else outcomes[platform].reason}"
                       for platform in PLATFORMS))
    return _response(services, user_id, outcomes, facebook_user.skipped_pages)


def _with_health(services: Services, graph: GraphClient, user_token: str,
                 saved: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The saved rows after recording their health from `debug_token` of the person's token; when
    Meta cannot say, only how they were connected (the daily check learns the rest)."""
    if not saved:
        return saved
    try:
        debug = graph.debug_token(user_token)
    except GraphError as error:
        log.warning("connect: debug_token failed (%s); health is checked again by the daily job", error)
        return services.store.record_health([{"id": row["id"], "connected_via": FACEBOOK_LOGIN} for row in saved])
    # Page tokens made from a long-lived user token do not expire: only data access ends.
    debug = {**debug, "expires_at": 0}
    return services.store.record_health(facebook_health(
        [row["id"] for row in saved], {row["id"]: row["platform"] for row in saved}, debug,
        services.config.connection_expiring_days))


def _row(services: Services, user_id: str, facebook_user: FacebookUser, platform: str,
         page: dict[str, Any]) -> dict[str, Any]:
    """The RPC element for one account. Status and last_error are left out so they reset to
    `connected` and empty: a reconnect is what clears `needs_reauth`."""
    if platform == "facebook":
        account = {"account_id": page["id"], "account_name": page.get("name"), "username": page.get("username"),
                   "profile_picture_url": ((page.get("picture") or {}).get("data") or {}).get("url")}
    else:
        instagram = page["instagram_business_account"]
        account = {"account_id": instagram["id"], "account_name": instagram.get("name"),
                   "username": instagram.get("username"),
                   "profile_picture_url": instagram.get("profile_picture_url")}
    return {
        "user_id": user_id,
        "platform": platform,
        **account,
        "is_active": True,
        "permissions": {status: sorted(permission for permission, given in facebook_user.permissions.items()
                                       if given == status) for status in ("granted", "declined")},
        "meta_user_id": facebook_user.meta_user_id,
        "access_token": services.cipher.encrypt(page["access_token"]),
    }


def _response(services: Services, user_id: str, outcomes: dict[str, Outcome],
              skipped_pages: list[dict[str, str]] | None = None) -> dict[str, Any]:
    views = {platform: outcomes[platform].view(platform) for platform in PLATFORMS}
    # Kept per platform, so the UI can still explain a failure after a reload.
    services.store.record_connect_outcomes(user_id, views)
    return {
        "success": any(outcome.connected for outcome in outcomes.values()),
        **views,
        "skippedPages": skipped_pages or [],
        "accounts": [account_view(row) for row in services.store.connected_accounts(user_id)],
    }
