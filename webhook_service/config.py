"""The service's settings: one declared, typed and bounded model, read once from the environment.

Every setting is checked at start-up, so a missing or malformed one stops the service with one
line per bad setting naming it (never its value: some are secrets), instead of failing on the
first request that needs it. Each field's environment variable is its name in capitals unless an
alias says otherwise; an empty variable counts as unset. Secrets are left out of the model's repr.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from webhook_service.catalog import FACEBOOK, INSTAGRAM, Request
from webhook_service.insights_config import InsightsSettings
from webhook_service.post_metrics import DEFAULT_POST_METRICS, PostsSettings

META_GRAPH_API_BASE = "https://graph.facebook.com"
META_DIALOG_URL = "https://www.facebook.com/{version}/dialog/oauth"
# Instagram Login's hosts: the authorization window, the code exchange, and its Graph API.
INSTAGRAM_AUTHORIZE_URL = "https://www.instagram.com/oauth/authorize"
INSTAGRAM_API_BASE = "https://api.instagram.com"
INSTAGRAM_GRAPH_API_BASE = "https://graph.instagram.com"
SYNC_DEFAULTS = InsightsSettings()
POSTS_DEFAULTS = PostsSettings()


class ConfigError(Exception):
    """Settings are missing or malformed; `problems` holds one line per bad setting, naming it."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _malformed(expected: str) -> PydanticCustomError:
    return PydanticCustomError("malformed", "expected {expected}", {"expected": expected})


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _malformed("an http(s) URL")
    return value.rstrip("/") if parts.path in ("", "/") else value


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    return value


def _metric_names(names: tuple[str, ...]) -> tuple[str, ...]:
    if not names or not all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in names):
        raise _malformed("comma-separated metric names like page_media_view")
    return names


def _origins(origins: tuple[str, ...]) -> tuple[str, ...]:
    origins = tuple(origin.rstrip("/") for origin in origins)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise _malformed("comma-separated origins like https://app.example.com")
    return origins


def _fernet_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise _malformed("comma-separated Fernet keys") from None
    if not keys:
        raise PydanticCustomError("missing", "is missing")
    return keys


Url = Annotated[str, AfterValidator(_http_url)]
MetricNames = Annotated[tuple[str, ...], BeforeValidator(_comma_separated), AfterValidator(_metric_names)]
Origins = Annotated[tuple[str, ...], BeforeValidator(_comma_separated), AfterValidator(_origins)]
FernetKeys = Annotated[tuple[str, ...], BeforeValidator(_comma_separated), AfterValidator(_fernet_keys)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(lambda value: str(value).upper())]


def secret(**constraints) -> object:
    """A field whose value never appears in the model's repr or in an error."""
    return Field(repr=False, **constraints)


class Config(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=str.upper, extra="ignore")

    supabase_url: Url
    supabase_service_role_key: str = secret()
    supabase_jwt_secret: str | None = secret(default=None)
    auth_jwks_url: Url | None = None
    jwt_audience: str = "authenticated"
    graph_api_base: Url = META_GRAPH_API_BASE
    graph_api_version: str = Field("v25.0", pattern=r"^v\d+\.\d+$", description="a version like v25.0")
    graph_timeout_seconds: float = Field(10.0, ge=0.1)
    graph_max_retries: int = Field(3, ge=0)
    graph_max_retry_wait_seconds: float = Field(30.0, ge=0)
    graph_concurrency: int = Field(10, ge=1)
    facebook_app_id: str = Field(pattern=r"^\d+$", description="the numeric app id")
    facebook_app_secret: str = secret()
    # `{version}` is replaced by GRAPH_API_VERSION; unset, Meta's dialog (or a stand-in Graph API's).
    facebook_dialog_url_template: Url | None = Field(None, alias="FACEBOOK_DIALOG_URL")
    # Facebook Login for Business: a configuration of the app dashboard, used instead of `scope`.
    facebook_login_config_id: str | None = Field(None, pattern=r"^\d+$", description="the numeric configuration id")
    # Adds `ads_read` to the Login scopes: needed when a person's Page role comes through a Business
    # portfolio (agencies); the app must have ads_read approved in App Review to use it.
    facebook_login_ads_read: bool = False
    oauth_redirect_url: Url
    # Instagram Login (Business Login for Instagram), offered when both are set. Its redirect URI
    # is OAUTH_REDIRECT_URL too; its deauthorize and data-deletion callbacks are signed with this secret.
    instagram_app_id: str | None = Field(None, pattern=r"^\d+$", description="the numeric Instagram app id")
    instagram_app_secret: str | None = secret(default=None)
    # Unset: Meta's hosts, or a stand-in Graph API's `/instagram` (the devstack's fake).
    instagram_authorize_url_setting: Url | None = Field(None, alias="INSTAGRAM_AUTHORIZE_URL")
    instagram_api_base_setting: Url | None = Field(None, alias="INSTAGRAM_API_BASE")
    instagram_graph_api_base_setting: Url | None = Field(None, alias="INSTAGRAM_GRAPH_API_BASE")
    # Connection health: an account whose token or data access ends within this many days is `expiring`.
    connection_expiring_days: int = Field(7, ge=1, le=60)
    oauth_state_secret: str = secret(min_length=32)
    oauth_state_ttl_seconds: int = Field(600, ge=30)
    frontend_url: Url
    # Unset: the frontend's origin.
    cors_origins_setting: Origins | None = Field(None, alias="CORS_ORIGINS")
    public_url: Url | None = None
    token_encryption_keys: FernetKeys = secret(alias="TOKEN_ENCRYPTION_KEY")
    cron_secret: str = secret(min_length=16)
    allow_env_token: bool = False
    env_facebook_access_token: str | None = secret(default=None, alias="FACEBOOK_ACCESS_TOKEN")
    max_request_bytes: int = Field(64 * 1024, ge=1024)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0)
    workers: int = Field(2, ge=1, alias="WEB_CONCURRENCY")
    threads: int = Field(8, ge=1, alias="GUNICORN_THREADS")
    log_level: LogLevel = "INFO"

    # Prometheus metrics (metrics_endpoint.py): served nowhere unless a token or a port is set.
    metrics_token: str | None = secret(default=None, min_length=16)
    metrics_port: int | None = Field(None, ge=1, le=65535)
    metrics_host: str | None = None
    # prometheus_client's multiprocess mode: where gunicorn's workers write their metrics (read
    # by prometheus_client itself, at import; `python -m webhook_service` requires it with workers).
    prometheus_multiproc_dir: str | None = None

    # The insights sync (insights_config.InsightsSettings).
    # Meta's names per request, replacing that list of the metric catalog (catalog.py).
    insights_facebook_fields: MetricNames = FACEBOOK.listed(Request.FIELD)
    insights_facebook_metrics: MetricNames = FACEBOOK.listed(Request.SERIES)
    insights_instagram_fields: MetricNames = INSTAGRAM.listed(Request.FIELD)
    insights_instagram_series_metrics: MetricNames = INSTAGRAM.listed(Request.SERIES)
    insights_instagram_total_metrics: MetricNames = INSTAGRAM.listed(Request.TOTAL_VALUE)
    insights_refetch_days: int = Field(SYNC_DEFAULTS.refetch_days, ge=1, le=30)
    insights_backfill_days: int = Field(SYNC_DEFAULTS.backfill_days, ge=1, le=90)
    insights_accounts_per_page: int = Field(SYNC_DEFAULTS.accounts_per_page, ge=1, le=5000)
    insights_accounts_per_message: int = Field(SYNC_DEFAULTS.accounts_per_message, ge=1, le=5000)
    insights_rows_per_save: int = Field(SYNC_DEFAULTS.rows_per_save, ge=100, le=20000)
    insights_messages_in_flight: int = Field(SYNC_DEFAULTS.messages_in_flight, ge=1, le=64)
    insights_visibility_timeout_seconds: int = Field(SYNC_DEFAULTS.visibility_timeout_seconds, ge=1, le=43200)
    insights_max_deliveries: int = Field(SYNC_DEFAULTS.max_deliveries, ge=1, le=100)
    insights_sync_wait_seconds: int = Field(SYNC_DEFAULTS.sync_wait_seconds, ge=0, le=600)
    insights_throttle_pause_seconds: int = Field(SYNC_DEFAULTS.throttle_pause_seconds, ge=0, le=600)

    # Posts, reels and stories (post_metrics.PostsSettings): refresh cadence by age, metric lists.
    posts_sync_enabled: bool = POSTS_DEFAULTS.enabled
    posts_hourly_hours: int = Field(POSTS_DEFAULTS.hourly_hours, ge=0, le=24 * 30)
    posts_daily_days: int = Field(POSTS_DEFAULTS.daily_days, ge=0, le=730)
    posts_weekly_days: int = Field(POSTS_DEFAULTS.weekly_days, ge=0, le=730)
    posts_listing_limit: int = Field(POSTS_DEFAULTS.listing_limit, ge=1, le=100)
    posts_facebook_post_metrics: MetricNames = DEFAULT_POST_METRICS["facebook", "POST"]
    posts_facebook_reels_metrics: MetricNames = DEFAULT_POST_METRICS["facebook", "REELS"]
    posts_instagram_feed_metrics: MetricNames = DEFAULT_POST_METRICS["instagram", "FEED"]
    posts_instagram_reels_metrics: MetricNames = DEFAULT_POST_METRICS["instagram", "REELS"]
    posts_instagram_story_metrics: MetricNames = DEFAULT_POST_METRICS["instagram", "STORY"]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The settings in `environ` (default: the process environment); ConfigError if any is unusable."""
        present = {name: value.strip() for name, value in (os.environ if environ is None else environ).items()
                   if value.strip()}
        try:
            return cls.model_validate(present)
        except ValidationError as error:
            raise ConfigError([_problem(problem) for problem in error.errors()]) from None

    @model_validator(mode="after")
    def _needs_a_way_to_verify_user_tokens(self) -> Config:
        if not (self.supabase_jwt_secret or self.auth_jwks_url):
            raise PydanticCustomError("missing", "SUPABASE_JWT_SECRET or AUTH_JWKS_URL must be set (neither is)")
        return self

    @model_validator(mode="after")
    def _post_cadence_slows_with_age(self) -> Config:
        if not self.posts_hourly_hours <= self.posts_daily_days * 24 or not self.posts_daily_days <= self.posts_weekly_days:
            raise PydanticCustomError("malformed", "POSTS_HOURLY_HOURS, POSTS_DAILY_DAYS and POSTS_WEEKLY_DAYS must "
                                                   "not shrink (hourly hours <= daily days x 24 <= weekly days x 24)")
        return self

    @property
    def facebook_dialog_url(self) -> str:
        template = self.facebook_dialog_url_template
        if template is None:
            # Meta serves the Login dialog from www.facebook.com; a stand-in Graph API (the
            # devstack's fake) serves it next to its Graph endpoints instead.
            template = (META_DIALOG_URL if self.graph_api_base == META_GRAPH_API_BASE
                        else f"{self.graph_api_base}/{{version}}/dialog/oauth")
        return template.replace("{version}", self.graph_api_version)

    @property
    def instagram_login_enabled(self) -> bool:
        return bool(self.instagram_app_id and self.instagram_app_secret)

    @property
    def instagram_authorize_url(self) -> str:
        return self.instagram_authorize_url_setting or self._instagram_host(INSTAGRAM_AUTHORIZE_URL, "/oauth/authorize")

    @property
    def instagram_api_base(self) -> str:
        return self.instagram_api_base_setting or self._instagram_host(INSTAGRAM_API_BASE)

    @property
    def instagram_graph_api_base(self) -> str:
        return self.instagram_graph_api_base_setting or self._instagram_host(INSTAGRAM_GRAPH_API_BASE)

    def _instagram_host(self, meta_url: str, path: str = "") -> str:
        if self.graph_api_base == META_GRAPH_API_BASE:
            return meta_url
        return f"{self.graph_api_base}/instagram{path}"

    @property
    def cors_origins(self) -> tuple[str, ...]:
        if self.cors_origins_setting is not None:
            return self.cors_origins_setting
        parts = urlsplit(self.frontend_url)
        return (f"{parts.scheme}://{parts.netloc}",)

    @property
    def facebook_access_token(self) -> str | None:
        """The development-only token from the environment, when ALLOW_ENV_TOKEN permits it."""
        return self.env_facebook_access_token if self.allow_env_token else None

    @cached_property
    def insights(self) -> InsightsSettings:
        return InsightsSettings(
            facebook=FACEBOOK.replace_lists({Request.FIELD: self.insights_facebook_fields,
                                             Request.SERIES: self.insights_facebook_metrics}),
            instagram=INSTAGRAM.replace_lists({Request.FIELD: self.insights_instagram_fields,
                                               Request.SERIES: self.insights_instagram_series_metrics,
                                               Request.TOTAL_VALUE: self.insights_instagram_total_metrics}),
            refetch_days=self.insights_refetch_days,
            backfill_days=self.insights_backfill_days,
            accounts_per_page=self.insights_accounts_per_page,
            accounts_per_message=self.insights_accounts_per_message,
            rows_per_save=self.insights_rows_per_save,
            messages_in_flight=self.insights_messages_in_flight,
            visibility_timeout_seconds=self.insights_visibility_timeout_seconds,
            max_deliveries=self.insights_max_deliveries,
            sync_wait_seconds=self.insights_sync_wait_seconds,
            throttle_pause_seconds=self.insights_throttle_pause_seconds,
            posts=PostsSettings(
                enabled=self.posts_sync_enabled,
                metrics={(platform, media_type): getattr(self, f"posts_{platform}_{media_type.lower()}_metrics")
                         for platform, media_type in DEFAULT_POST_METRICS},
                hourly_hours=self.posts_hourly_hours, daily_days=self.posts_daily_days,
                weekly_days=self.posts_weekly_days, listing_limit=self.posts_listing_limit),
        )


def _problem(error: dict) -> str:
    """One line naming the setting; the value is never quoted (it may be a secret)."""
    if not error["loc"]:
        return error["msg"]
    name = str(error["loc"][0])
    if error["type"] in ("missing", "missing_argument"):
        return f"{name} is missing"
    field = next((field for field in Config.model_fields.values() if field.alias == name), None)
    expected = field.description if field is not None and error["type"] == "string_pattern_mismatch" else None
    return f"{name} is malformed: {expected and f'expected {expected}' or error['msg']}"
