"""One group of accounts in a sync run: what is fetched for each, and how the answers, errors and
rate limits become rows, an outcome and holds. The run (sync.py) or a queue worker calls
`AccountSync.sync` with the accounts' rows and saves what it yields.

Outcomes: invalid token or a missing permission -> needs_reauth (skipped until reconnected);
code 10 on insights naming no permission (RoleMissing) -> insufficient_page_role (the person's role on the Page cannot read insights, often a
role through a Business portfolio that needs `ads_read`; reconnecting alone does not help) and
the account is held a day; still rate limited after the in-run retries -> rate_limited and held
until Meta's estimate (at least `RATE_LIMIT_BACKOFF`), the whole app when the limit is the app's
(codes 4, 341); anything else -> failed; metrics Meta rejected -> partial. A held account is not
called: its outcome is the hold's, with the time it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from webhook_service.crypto import TokenCipher, TokenDecryptionError
from webhook_service.graph import PermissionMissing, RateLimited, RoleMissing, TokenInvalid
from webhook_service.insights_config import InsightsSettings
from webhook_service.sync_fetch import Account, AccountInsights, InsightsFetcher, MetaDay, meta_days, plan_requests

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
APP_SCOPE = "app"
# Meta's recommended backoff starts at 60 s (graph-api.md §5) when it gives no estimate.
RATE_LIMIT_BACKOFF = timedelta(minutes=1)
# A Page whose role cannot read insights is asked again once a day, not every hour.
ROLE_RECHECK = timedelta(days=1)
UNREADABLE_TOKEN = "The stored token cannot be decrypted; connect the account again."
INSUFFICIENT_ROLE = (
    "Meta refused this Page's insights ({error}). The person who connected it needs a Page role with the "
    "Analyze task (Page settings > Page access). If that role comes through a Business portfolio (an agency "
    "or business manager), the app also needs the ads_read permission: the operator enables "
    "FACEBOOK_LOGIN_ADS_READ and the person connects again. Asked again after {until}.")


@dataclass(frozen=True)
class AccountResult:
    hour_rows: list[dict[str, Any]]
    day_rows: list[dict[str, Any]]
    outcome: dict[str, Any]


def account_of(row: dict[str, Any], token: str, *, first_sync: bool) -> Account:
    """The account of a social_media_sync_accounts row, with its decrypted token."""
    return Account(row["id"], row["user_id"], row["platform"], row["account_id"], token, first_sync=first_sync,
                   login=row["connected_via"])


class AccountSync:
    def __init__(self, *, cipher: TokenCipher, settings: InsightsSettings, holds: HoldStore):
        self.cipher = cipher
        self.settings = settings
        self.holds = holds

    def sync(self, rows: list[dict[str, Any]], fetcher: InsightsFetcher, window_start: datetime,
             now: datetime | None = None) -> Iterator[AccountResult]:
        """Fetches the accounts of `rows` (with their token ciphertext) for the hour starting at
        `window_start`, records new holds, and yields each account's rows and outcome."""
        now = now or datetime.now(UTC)
        held = self.holds.in_force([row["id"] for row in rows])
        collected: dict[str, AccountInsights] = {}
        requests = []
        recent, backfill = meta_days(now, self.settings.refetch_days), meta_days(now, self.settings.backfill_days)
        for row in rows:
            hold = held.get(APP_SCOPE) or held.get(row["id"])
            if hold:
                yield AccountResult([], [], outcome_of(row, hold["status"],
                                                       f"{hold['reason']} Not called until {hold['held_until']}."))
                continue
            try:
                token = self.cipher.decrypt(row["access_token"] or "")
            except TokenDecryptionError:
                log.warning("the stored token of an account matches none of the configured keys",
                            extra={"account_row_id": row["id"], "platform": row["platform"]})
                yield AccountResult([], [], outcome_of(row, "needs_reauth", UNREADABLE_TOKEN))
                continue
            account = account_of(row, token, first_sync=row["last_synced_at"] is None)
            catalog = self.settings.platform(account.platform)
            dropped = fetcher.dropped(account.platform)
            collected[account.row_id] = AccountInsights(
                account, catalog, dropped=set(dropped & {metric.meta_name for metric in catalog.fetched()}))
            requests += plan_requests(account, catalog, backfill if account.first_sync else recent, dropped)

        for request, answer in fetcher.fetch(requests):
            collected[request.account.row_id].record(request, answer)

        results = []
        new_holds: dict[str, dict[str, Any]] = {}
        for account_insights in collected.values():
            hour_rows, day_rows = rows_of(account_insights, window_start, now)
            outcome, hold = account_outcome(account_insights, len(hour_rows), len(day_rows), now)
            if hold:
                new_holds[hold["scope"]] = hold
            results.append(AccountResult(hour_rows, day_rows, outcome))
        if new_holds:
            self.holds.hold(list(new_holds.values()))
        yield from results


class HoldStore:
    """The holds between runs (private.social_media_sync_holds), through the service-role REST client."""

    def __init__(self, rest):
        self.rest = rest

    def in_force(self, account_ids: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.rest.rpc("social_media_sync_holds_for", {"p_account_ids": account_ids}).execute().data or []
        return {row["scope"]: row for row in rows}

    def hold(self, holds: list[dict[str, Any]]) -> None:
        self.rest.rpc("hold_social_media_sync", {"p_holds": holds}).execute()


def rows_of(collected: AccountInsights, window_start: datetime, fetched: datetime) -> tuple[list[dict], list[dict]]:
    account = collected.account
    key = {"user_id": account.user_id, "platform": account.platform, "account_id": account.account_id}
    fetched_at = iso(fetched)
    # Each metric's newest value Meta has, with the end of the Meta day it belongs to: Pages'
    # values update about once a day and Instagram's arrive late, so it is not always today's.
    newest: dict[str, float] = {}
    end_times: dict[str, int] = {}
    for day, metrics in sorted(collected.days.items()):
        newest.update(metrics)
        end_times.update(dict.fromkeys(metrics, MetaDay(day).until))
    snapshot = {**collected.fields, **newest}
    hour_rows = [{**key, "period": "hour", "window_start": iso(window_start), "window_end": iso(window_start + HOUR),
                  "metrics": snapshot, "end_times": compact_end_times(end_times), "fetched_at": fetched_at}
                 ] if snapshot else []
    day_rows = []
    for day, metrics in sorted(collected.days.items()):
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        day_rows.append({**key, "period": "day", "window_start": iso(start),
                         "window_end": iso(start + timedelta(days=1)), "metrics": metrics, "fetched_at": fetched_at})
    return hour_rows, day_rows


def compact_end_times(end_times: dict[str, int]) -> dict[str, int]:
    """`{"*": the end most values share, <metric>: its end where it differs}`: most of an hour row's
    values belong to the same Meta day, so naming each metric again would store them twice."""
    if not end_times:
        return {}
    ends = list(end_times.values())
    common = max(set(ends), key=ends.count)
    return {"*": common, **{metric: end for metric, end in end_times.items() if end != common}}


def account_outcome(collected: AccountInsights, hour_rows: int, day_rows: int,
                    now: datetime) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The account's outcome, and the hold it earned, if any."""
    errors = list(collected.errors)
    dropped = set(collected.dropped)
    if collected.refused:
        # Refused one by one while nothing else worked: the account's problem, not the metrics'.
        if errors or not collected.days:
            errors.append(next(iter(collected.refused.values())))
        else:
            dropped |= collected.refused.keys()
    refused = [error for error in errors if isinstance(error, RoleMissing)]
    invalid = [error for error in errors if isinstance(error, (TokenInvalid, PermissionMissing))
               and not isinstance(error, RoleMissing)]
    limited = [error for error in errors if isinstance(error, RateLimited)]
    account = collected.account
    scope = account.row_id
    hold = None
    if invalid:
        status, message = "needs_reauth", str(invalid[0])
    elif refused:
        until = now + ROLE_RECHECK
        status, message = "insufficient_page_role", INSUFFICIENT_ROLE.format(error=refused[0], until=iso(until))
        hold = {"scope": scope, "held_until": iso(until), "status": status, "reason": message}
    elif limited:
        error = limited[0]
        until = now + max(RATE_LIMIT_BACKOFF, timedelta(seconds=error.retry_after or 0))
        who = "the app (every account)" if error.app_wide else "this account"
        status, message = "rate_limited", f"Still rate limited; {who} is not called until {iso(until)}: {error}"
        hold = {"scope": APP_SCOPE if error.app_wide else scope, "held_until": iso(until), "status": status,
                "reason": f"Meta rate-limits {who}."}
    elif errors:
        status, message = "failed", str(errors[0])
    elif dropped:
        status, message = "partial", f"Meta rejected metrics: {', '.join(sorted(dropped))}"
    else:
        status, message = "synced", None
    outcome = {**outcome_of({"id": account.row_id, "user_id": account.user_id, "platform": account.platform,
                             "account_id": account.account_id}, status, message),
               "dropped_metrics": sorted(dropped if status == "partial" else collected.dropped),
               "hour_rows": hour_rows, "day_rows": day_rows}
    return outcome, hold


def outcome_of(row: dict[str, Any], status: str, error: str | None) -> dict[str, Any]:
    return {"social_media_account_id": row["id"], "user_id": row["user_id"], "platform": row["platform"],
            "account_id": row["account_id"], "status": status, "error": error}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
