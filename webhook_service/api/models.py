"""The API's request and response models: flask-openapi3 validates requests with them and generates
the OpenAPI document from them. A refused parameter answers `{"error": code, "message": text}`
(see `errors.refuse_parameters`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from webhook_service.platforms import PLATFORMS

# Bounds of the read API; the read RPC's own checks use the same numbers (tests/service/test_api_bounds.py).
MAX_HOURS = 24 * 90
MAX_DAYS = 90
ERROR_SCHEMA_REF = {"$ref": "#/components/schemas/Error"}


class Error(BaseModel):
    """Every error the service answers."""

    error: str = Field(description="Stable machine-readable code, e.g. `unauthorized`.")
    message: str = Field(description="Human-readable explanation.")


def error_response(description: str) -> dict[str, Any]:
    """An error answer in the document; `description` names its codes in backquotes."""
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA_REF}}}


# Operation security: a user's JWT, or none.
USER = [{"userJwt": []}]
PUBLIC: list = []

USER_ERRORS = {
    401: error_response("Missing, invalid or expired bearer token (`unauthorized`)."),
    500: error_response("Unexpected failure (`internal_error`)."),
}


INSTAGRAM_LOGIN_UNAVAILABLE = error_response("Instagram Login is not configured (`instagram_login_unavailable`).")


# --- parameters ------------------------------------------------------------------------------------
class Parameters(BaseModel):
    """Query or path parameters. `refusals` gives a field's error code and message for any bad value
    (missing included); without one, a field's own validator or pydantic words it."""

    refusals: ClassVar[dict[str, tuple[str, str]]] = {}
    by_name: ClassVar[dict[str, type[Parameters]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        Parameters.by_name[cls.__name__] = cls


def _ascii_integer(minimum: int, maximum: int):
    def parse(value: object, info: ValidationInfo) -> int:
        # ASCII digits only: int() and str.isdigit() also take '²' or '٣'.
        text = value if isinstance(value, str) else str(value)
        if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
            raise PydanticCustomError("invalid_parameter", "{name} must be an integer from {minimum} to {maximum}.",
                                      {"name": info.field_name, "minimum": minimum, "maximum": maximum})
        return int(text)

    return BeforeValidator(parse)


def bounded_integer(minimum: int, maximum: int) -> Any:
    return Annotated[int, _ascii_integer(minimum, maximum), Field(ge=minimum, le=maximum)]


def _without_nul(value: str, info: ValidationInfo) -> str:
    # Postgres text cannot hold NUL: refused here rather than by the database (a 502).
    if "\x00" in value:
        raise PydanticCustomError("invalid_parameter", "{name} must not contain NUL characters.",
                                  {"name": info.field_name})
    return value


Text = Annotated[str, AfterValidator(_without_nul)]
PlatformName = Literal["facebook", "instagram"]
LoginName = Literal["facebook_login", "instagram_login"]
Hours = bounded_integer(1, MAX_HOURS)
Days = bounded_integer(1, MAX_DAYS)


class ReadQuery(Parameters):
    model_config = ConfigDict(extra="forbid")
    refusals: ClassVar[dict[str, tuple[str, str]]] = {
        "platform": ("invalid_parameter", "platform is required: 'facebook' or 'instagram'."),
        "period": ("invalid_parameter", "period must be 'hour' or 'day'."),
    }

    platform: PlatformName = Field(description="Whose insights: Facebook Pages or Instagram accounts.")
    period: Literal["hour", "day"] = Field("hour", description="Hourly snapshots or Meta's daily values.")
    hours: Hours | None = Field(
        None, description="The current hour and the hours before it (default 24 for `hour`). Not with `days`.")
    days: Days | None = Field(
        None, description="The current UTC day and the days before it (default 7 for `day`). Not with `hours`.")
    account_id: Text | None = Field(None, description="Only this account (Page or Instagram account id).")

    @model_validator(mode="after")
    def _hours_or_days(self) -> ReadQuery:
        if self.hours is not None and self.days is not None:
            raise PydanticCustomError("invalid_parameter", "Give hours or days, not both.")
        return self


MAX_PAGE_SIZE = 100


def _moment(value: object) -> object:
    """A date (its UTC midnight) or an ISO 8601 time with an offset, in UTC: Python takes offsets up
    to ±23:59, Postgres only to ±15:59, so the database is never handed one it refuses."""
    if not isinstance(value, str):
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is a moment in year 0
        raise ValueError("out of range") from None


Moment = Annotated[datetime, BeforeValidator(_moment)]


class PostsQuery(Parameters):
    model_config = ConfigDict(extra="forbid")
    refusals: ClassVar[dict[str, tuple[str, str]]] = {
        "account_id": ("invalid_parameter", "account_id is required: the Page or Instagram account id."),
        "sort": ("invalid_parameter", "sort must be published_at or a metric name such as views or post_media_view."),
        "direction": ("invalid_parameter", "direction must be 'asc' or 'desc'."),
        "since": ("invalid_parameter",
                  "since must be a date (2026-11-01) or a time with an offset (2026-11-01T08:00:00Z)."),
        "until": ("invalid_parameter",
                  "until must be a date (2026-11-01) or a time with an offset (2026-11-01T08:00:00Z)."),
    }

    account_id: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        description="The Page or Instagram account.")
    since: Moment | None = Field(None, description=(
        "Posts published at or after (date or date-time; default: 30 days before `until`)."))
    until: Moment | None = Field(None, description=(
        "Posts published before (date or date-time; default: now). At most 2 years after `since`."))
    sort: str = Field("published_at", pattern=r"^[a-z][a-z0-9_.]{0,63}$", description=(
        "`published_at` or any metric name (e.g. `views`, `post_media_view`); posts without that metric come last."))
    direction: Literal["asc", "desc"] = Field("desc", description="Sort order.")
    page: bounded_integer(1, 1_000_000) = Field(1, description="Page number, from 1.")
    page_size: bounded_integer(1, MAX_PAGE_SIZE) = Field(20, description="Posts per page.")

    @model_validator(mode="after")
    def _since_before_until(self) -> PostsQuery:
        if self.since and self.until and self.since >= self.until:
            raise PydanticCustomError("invalid_parameter", "since must be earlier than until.")
        return self


class SyncQuery(Parameters):
    user_id: Text | None = Field(None, description="Cron only: queue this user's accounts and wait for them.")

    @model_validator(mode="before")
    @classmethod
    def _no_shards(cls, values: Any) -> Any:
        if isinstance(values, dict) and ({"shard", "shards"} & values.keys()):
            raise PydanticCustomError("invalid_parameter", "shard and shards are no longer used: "
                                      "the sync queue spreads the work over every replica.")
        return values


class PreferHeader(BaseModel):
    prefer: str | None = Field(None, alias="Prefer",
                               description="`respond-async` for a 202 at once.")


class LoginStartQuery(Parameters):
    refusals: ClassVar[dict[str, tuple[str, str]]] = {
        "platform": ("unknown_platform", "platform must be 'facebook' or 'instagram'."),
        "login": ("unknown_login", "login must be 'facebook_login' or 'instagram_login'."),
    }

    platform: PlatformName = "facebook"
    login: LoginName = Field("facebook_login", description=(
        "`instagram_login` (with `platform=instagram`) connects an Instagram professional account without a "
        "Facebook Page."))


class LoginCallbackQuery(Parameters):
    # Meta adds parameters of its own (error_description, ...): they are ignored.
    state: str = Field("", description="The signed state from oauth/start (`invalid_state` when missing).")
    code: str | None = None
    error: str | None = None
    error_reason: str | None = None


class PlatformPath(Parameters):
    # Any name routes here: one that is not a platform answers 404 `unknown_platform`.
    platform: str = Field(json_schema_extra={"enum": list(PLATFORMS)})


class DeletionCodePath(Parameters):
    code: str


# --- request bodies (read by the routes themselves; declared here for the document) --------------------
class ConnectBody(BaseModel):
    access_token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = Field(None, description=(
        "Facebook user token (Facebook JS SDK). Without it, only a development setup (ALLOW_ENV_TOKEN=1) "
        "uses FACEBOOK_ACCESS_TOKEN."))


class DisconnectBody(BaseModel):
    account_id: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1)] | None = Field(
        None, description="Only this account (one of several Pages).")


class SignedRequestForm(BaseModel):
    signed_request: str = Field(description="Meta's HMAC-SHA256 signed request.")


def request_body(model: type[BaseModel], media_type: str = "application/json", *, required: bool) -> dict:
    """An operation's `requestBody`, for bodies the route reads itself (see the route for why)."""
    return {"requestBody": {"required": required, "content": {media_type: {"schema": model.model_json_schema()}}}}


# --- responses ---------------------------------------------------------------------------------------
class Health(BaseModel):
    status: Literal["ok"]


class Account(BaseModel):
    platform: PlatformName
    accountId: str = Field(description="Facebook Page id or Instagram business account id.")  # noqa: N815
    accountName: str | None  # noqa: N815
    username: str | None
    profilePicture: str | None = Field(description="Picture URL (Meta's CDN URLs expire).")  # noqa: N815
    isConnected: bool = Field(description="Active and `connected` or `expiring`.")  # noqa: N815
    status: Literal["connected", "expiring", "needs_reauth", "error"] = Field(description=(
        "`expiring`: works, but the login or data access ends within CONNECTION_EXPIRING_DAYS; reconnect "
        "before `reconnectBy`."))
    lastSyncedAt: str | None = Field(None, json_schema_extra={"format": "date-time"})  # noqa: N815
    lastError: str | None = None  # noqa: N815
    connectedVia: LoginName | None = Field(None, description=(  # noqa: N815
        "Through a Facebook Page, or an Instagram account on its own."))
    loginExpiresAt: str | None = Field(None, json_schema_extra={"format": "date-time"}, description=(  # noqa: N815
        "When the stored login ends; null: it does not (Page tokens)."))
    dataAccessExpiresAt: str | None = Field(None, json_schema_extra={"format": "date-time"}, description=(  # noqa: N815
        "When Facebook's data access ends unless the person returns."))
    reconnectBy: str | None = Field(None, json_schema_extra={"format": "date-time"}, description=(  # noqa: N815
        "The earlier of loginExpiresAt and dataAccessExpiresAt."))
    missingPermissions: list[str] = Field([], description=(  # noqa: N815
        "Permissions the account needs that were not granted."))


class ConnectedOutcome(BaseModel):
    connected: Literal[True]
    accountId: str  # noqa: N815
    accountName: str | None  # noqa: N815
    username: str | None
    profilePicture: str | None  # noqa: N815


class NotConnectedOutcome(BaseModel):
    connected: Literal[False]
    reason: Literal["no_pages", "no_instagram_business_account", "missing_permissions", "token_invalid"]
    message: str
    missingPermissions: list[str]  # noqa: N815


PlatformOutcome = Annotated[ConnectedOutcome | NotConnectedOutcome, Field(
    description="What connecting did for one platform. Connected: the first stored account of the platform. "
                "Not connected: why, in words, and which permissions were declined.")]


class SkippedPage(BaseModel):
    id: str
    name: str | None = None
    reason: Literal["no_page_token", "no_analyze_task"]
    message: str


class ConnectResult(BaseModel):
    success: bool = Field(description="At least one account row was written.")
    facebook: PlatformOutcome
    instagram: PlatformOutcome
    skippedPages: list[SkippedPage] = Field([], description=(  # noqa: N815
        "Pages found (also through Business portfolios) that were not stored, and why: `no_page_token` (no role "
        "on the Page) or `no_analyze_task` (the role cannot see insights)."))
    accounts: list[Account] = Field(description="All of the user's active accounts after the connect.")


class ConnectedAccounts(BaseModel):
    accounts: list[Account]
    total: int


class Disconnected(BaseModel):
    success: bool
    platform: str
    disconnected: int = Field(description="Accounts deactivated.")


class LoginStarted(BaseModel):
    url: str = Field(description="The Facebook Login dialog URL to send the browser to.")


class Deauthorized(BaseModel):
    success: bool
    deactivated: int


class DeletionRequested(BaseModel):
    url: str
    confirmation_code: str


class DeletionStatus(BaseModel):
    confirmation_code: str
    status: Literal["pending", "completed"]
    requested_at: str = Field(json_schema_extra={"format": "date-time"})
    completed_at: str | None = Field(json_schema_extra={"format": "date-time"})


class SyncWindow(BaseModel):
    period: Literal["hour"]
    window_start: str = Field(description="The run's UTC hour.", json_schema_extra={"format": "date-time"})
    window_end: str = Field(json_schema_extra={"format": "date-time"})


class SyncStarted(BaseModel):
    success: Literal[True]
    run_id: str | None = Field(None, json_schema_extra={"format": "uuid"}, description="Absent for a poke.")
    status: Literal["running", "working"] = Field(description=(
        "`running`: the run is queued and goes on; `working`: a poke woke this replica's queue workers."))
    queued: int | None = Field(None, description="Accounts this run queued.")
    joined: int | None = Field(None, description="Accounts already queued for this hour by another run.")
    window: SyncWindow | None = None


class PerPlatform(BaseModel):
    facebook: int = 0
    instagram: int = 0


class AccountProblem(BaseModel):
    platform: str
    account_id: str
    status: Literal["partial", "needs_reauth", "rate_limited", "failed"]
    error: str | None


class SyncResult(BaseModel):
    success: bool = Field(description="False only when the run itself could not go on.")
    run_id: str = Field(json_schema_extra={"format": "uuid"})
    status: Literal["succeeded", "partial", "failed"]
    synced: PerPlatform = Field(description="Accounts stored, per platform.")
    failed: PerPlatform = Field(description="Accounts not (fully) stored, per platform.")
    dropped_metrics: dict[str, list[str]] = Field(
        description="Metrics Meta rejected (error 100) during the run, per platform.")
    errors: list[AccountProblem] = Field(
        description="Accounts that did not sync cleanly (at most 100; all are in social_media_sync_run_accounts).")
    queued: int = Field(description="Accounts this run queued.")
    joined: int = Field(description=(
        "Accounts already queued for this hour by another run; the answer waited for them too, and their "
        "outcomes are in that run."))
    dead_lettered: int = Field(description="Accounts whose message was given up (dead-lettered).")
    window: SyncWindow


class InsightsRow(BaseModel):
    account_id: str
    window_start: str = Field(json_schema_extra={"format": "date-time"})
    window_end: str = Field(json_schema_extra={"format": "date-time"})
    metrics: dict[str, float] = Field(description=(
        "Hour rows: a snapshot (the account's fields, and the newest value Meta has of each daily metric); day "
        "rows: Meta's values for that day. A metric without data is absent, never 0."))
    derived: dict[str, float] = Field(description=(
        "`<metric>_delta` against the previous hour, only where Meta changed the value (never for unique "
        "metrics); `engagement_rate`."))


class AccountFreshness(BaseModel):
    account_id: str
    fetched_at: str | None = Field(json_schema_extra={"format": "date-time"})
    oldest_end_time: str | None = Field(json_schema_extra={"format": "date-time"})
    newest_end_time: str | None = Field(json_schema_extra={"format": "date-time"})


class Insights(BaseModel):
    platform: PlatformName
    period: Literal["hour", "day"]
    since: str = Field(description="Start of the first window included.", json_schema_extra={"format": "date-time"})
    series: list[InsightsRow]
    aggregates: dict[str, float] = Field(description=(
        "Each metric by its kind (`kinds`), added up over the accounts: additive `sum_<m>` = the sum of the hourly "
        "deltas (hour rows; 'last 24 hours') or of the day values (day rows) and `last_hour_<m>` = the newest "
        "hour's delta; level `last_<m>` = the newest value and `change_<m>` = its change over the window; unique "
        "`last_<m>` = Meta's newest day value, never summed; rate `<m>` = recomputed from its parts' aggregates "
        "(numerator / denominator)."))
    kinds: dict[str, Literal["additive", "unique", "level", "rate"]] = Field(description=(
        "The kind of each metric shown (table `social_media_metric_kinds`)."))
    freshness: list[AccountFreshness] = Field(description=(
        "Per account: when its newest row was fetched, and the oldest and newest Meta `end_time` of that row's "
        "values. Meta updates most Page metrics about once a day and Instagram's may arrive up to 48 hours late, "
        "so values can belong to an earlier day than the row's hour."))


# --- the daily connection-health jobs ---------------------------------------------------------------
class HealthChecked(BaseModel):
    success: bool
    checked: int = 0
    needs_reauth: int = 0
    unreachable: int = 0


class TaskStarted(BaseModel):
    """With `Prefer: respond-async`: started; the outcome is logged."""

    success: bool
    status: Literal["running"]


# --- posts -------------------------------------------------------------------------------------------
class Post(BaseModel):
    post_id: str = Field(description="Meta's id of the post, reel, media or story.")
    platform: PlatformName
    account_id: str
    media_type: str | None = Field(None, description="IMAGE, VIDEO or CAROUSEL_ALBUM.")
    media_product_type: Literal["POST", "FEED", "REELS", "STORY"]
    caption_excerpt: str | None = None
    permalink: str | None = None
    media_url: str | None = None
    thumbnail_url: str | None = None
    published_at: str = Field(json_schema_extra={"format": "date-time"})
    expires_at: str | None = Field(None, description="Stories only.", json_schema_extra={"format": "date-time"})
    metrics: dict[str, float] = Field(description=(
        "Latest lifetime values; reactions by type also as `<metric>.<reaction>`. A metric without data is absent, "
        "never 0."))
    metrics_fetched_at: str | None = Field(None, json_schema_extra={"format": "date-time"})


class Posts(BaseModel):
    account_id: str
    since: str = Field(json_schema_extra={"format": "date-time"})
    until: str = Field(json_schema_extra={"format": "date-time"})
    sort: str
    direction: Literal["asc", "desc"]
    page: int
    page_size: int
    total: int = Field(description="Posts in the range, over all pages.")
    posts: list[Post]
