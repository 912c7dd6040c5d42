"""The service's settings: read once from the environment into one frozen object.

Every setting is checked here, at start-up, so a missing or malformed one stops the service with a
single line that names it instead of failing on the first request that needs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from webhook_service.insights_config import FACEBOOK, INSTAGRAM, InsightsSettings, PlatformMetrics

META_GRAPH_API_BASE = "https://graph.facebook.com"
META_DIALOG_URL = "https://www.facebook.com/{version}/dialog/oauth"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and fits on one line."""


@dataclass(frozen=True)
class Config:
    supabase_url: str
    supabase_service_role_key: str
    supabase_jwt_secret: str | None
    auth_jwks_url: str | None
    jwt_audience: str
    graph_api_base: str
    graph_api_version: str
    graph_timeout_seconds: float
    graph_max_retries: int
    graph_max_retry_wait_seconds: float
    graph_concurrency: int
    facebook_app_id: str
    facebook_app_secret: str
    facebook_dialog_url: str
    oauth_redirect_url: str
    oauth_state_secret: str
    oauth_state_ttl_seconds: int
    frontend_url: str
    cors_origins: tuple[str, ...]
    public_url: str | None
    token_encryption_keys: tuple[str, ...]
    cron_secret: str
    allow_env_token: bool
    facebook_access_token: str | None
    max_request_bytes: int
    host: str
    port: int
    workers: int
    threads: int
    log_level: str
    insights: InsightsSettings

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = _Reader(os.environ if environ is None else environ)
        graph_api_base = env.url("GRAPH_API_BASE", default=META_GRAPH_API_BASE)
        graph_api_version = env.matching("GRAPH_API_VERSION", r"v\d+\.\d+", "a version like v25.0", default="v25.0")
        frontend_url = env.url("FRONTEND_URL")
        jwt_secret = env.optional("SUPABASE_JWT_SECRET")
        jwks_url = env.url("AUTH_JWKS_URL", default="") or None
        if not (jwt_secret or jwks_url):
            raise ConfigError("SUPABASE_JWT_SECRET or AUTH_JWKS_URL must be set (neither is)")
        allow_env_token = env.boolean("ALLOW_ENV_TOKEN", default=False)
        env_token = env.optional("FACEBOOK_ACCESS_TOKEN")
        return cls(
            supabase_url=env.url("SUPABASE_URL"),
            supabase_service_role_key=env.required("SUPABASE_SERVICE_ROLE_KEY"),
            supabase_jwt_secret=jwt_secret,
            auth_jwks_url=jwks_url,
            jwt_audience=env.required("JWT_AUDIENCE", default="authenticated"),
            graph_api_base=graph_api_base,
            graph_api_version=graph_api_version,
            graph_timeout_seconds=env.number("GRAPH_TIMEOUT_SECONDS", default=10.0, minimum=0.1),
            graph_max_retries=int(env.number("GRAPH_MAX_RETRIES", default=3, minimum=0, integer=True)),
            graph_max_retry_wait_seconds=env.number("GRAPH_MAX_RETRY_WAIT_SECONDS", default=30.0, minimum=0),
            graph_concurrency=int(env.number("GRAPH_CONCURRENCY", default=10, minimum=1, integer=True)),
            facebook_app_id=env.matching("FACEBOOK_APP_ID", r"\d+", "the numeric app id"),
            facebook_app_secret=env.required("FACEBOOK_APP_SECRET"),
            facebook_dialog_url=env.url(
                "FACEBOOK_DIALOG_URL", default=_default_dialog_url(graph_api_base, graph_api_version),
            ).replace("{version}", graph_api_version),
            oauth_redirect_url=env.url("OAUTH_REDIRECT_URL"),
            oauth_state_secret=env.secret("OAUTH_STATE_SECRET", min_length=32),
            oauth_state_ttl_seconds=int(env.number("OAUTH_STATE_TTL_SECONDS", default=600, minimum=30, integer=True)),
            frontend_url=frontend_url,
            cors_origins=env.origins("CORS_ORIGINS", default=_origin(frontend_url)),
            public_url=env.url("PUBLIC_URL", default="") or None,
            token_encryption_keys=env.fernet_keys("TOKEN_ENCRYPTION_KEY"),
            cron_secret=env.secret("CRON_SECRET", min_length=16),
            allow_env_token=allow_env_token,
            facebook_access_token=env_token if allow_env_token else None,
            max_request_bytes=int(env.number("MAX_REQUEST_BYTES", default=64 * 1024, minimum=1024, integer=True)),
            host=env.required("HOST", default="127.0.0.1"),
            port=int(env.number("PORT", default=8000, minimum=0, integer=True)),
            workers=int(env.number("WEB_CONCURRENCY", default=2, minimum=1, integer=True)),
            threads=int(env.number("GUNICORN_THREADS", default=8, minimum=1, integer=True)),
            log_level=env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), default="INFO"),
            insights=_insights_settings(env),
        )


def _insights_settings(env: _Reader) -> InsightsSettings:
    defaults = InsightsSettings()
    return InsightsSettings(
        facebook=PlatformMetrics(
            platform="facebook",
            fields=env.metric_names("INSIGHTS_FACEBOOK_FIELDS", FACEBOOK.fields),
            series=env.metric_names("INSIGHTS_FACEBOOK_METRICS", FACEBOOK.series),
            totals=(),
            levels=FACEBOOK.levels,
            engagement_rate=FACEBOOK.engagement_rate,
        ),
        instagram=PlatformMetrics(
            platform="instagram",
            fields=env.metric_names("INSIGHTS_INSTAGRAM_FIELDS", INSTAGRAM.fields),
            series=env.metric_names("INSIGHTS_INSTAGRAM_SERIES_METRICS", INSTAGRAM.series),
            totals=env.metric_names("INSIGHTS_INSTAGRAM_TOTAL_METRICS", INSTAGRAM.totals),
            engagement_rate=INSTAGRAM.engagement_rate,
        ),
        refetch_days=env.integer("INSIGHTS_REFETCH_DAYS", defaults.refetch_days, 1, 30),
        backfill_days=env.integer("INSIGHTS_BACKFILL_DAYS", defaults.backfill_days, 1, 90),
        accounts_per_page=env.integer("INSIGHTS_ACCOUNTS_PER_PAGE", defaults.accounts_per_page, 1, 5000),
        rows_per_save=env.integer("INSIGHTS_ROWS_PER_SAVE", defaults.rows_per_save, 100, 20000),
        pages_in_flight=env.integer("INSIGHTS_PAGES_IN_FLIGHT", defaults.pages_in_flight, 1, 64),
        throttle_pause_seconds=env.integer("INSIGHTS_THROTTLE_PAUSE_SECONDS", defaults.throttle_pause_seconds, 0, 600),
    )


def _default_dialog_url(graph_api_base: str, version: str) -> str:
    # Meta serves the Login dialog from www.facebook.com; a stand-in Graph API (the devstack's
    # fake) serves it next to its Graph endpoints instead.
    if graph_api_base.rstrip("/") == META_GRAPH_API_BASE:
        return META_DIALOG_URL.format(version=version)
    return f"{graph_api_base.rstrip('/')}/{version}/dialog/oauth"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Reader:
    """Reads one variable at a time and raises ConfigError naming it when it is unusable."""

    _UNSET = object()

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ

    def optional(self, name: str) -> str | None:
        return self.environ.get(name, "").strip() or None

    def required(self, name: str, default: object = _UNSET) -> str:
        value = self.optional(name)
        if value is not None:
            return value
        if default is self._UNSET:
            raise ConfigError(f"{name} is missing")
        return default

    def matching(self, name: str, pattern: str, expected: str, default: object = _UNSET) -> str:
        value = self.required(name, default)
        if not re.fullmatch(pattern, value):
            raise ConfigError(f"{name} is malformed: expected {expected}")
        return value

    def url(self, name: str, default: object = _UNSET) -> str:
        value = self.required(name, default)
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{name} is malformed: expected an http(s) URL")
        return value.rstrip("/") if parts.path in ("", "/") else value

    def secret(self, name: str, min_length: int) -> str:
        value = self.required(name)
        if len(value) < min_length:
            raise ConfigError(f"{name} is malformed: it must be at least {min_length} characters")
        return value

    def number(self, name: str, default: float, minimum: float, integer: bool = False) -> float:
        raw = self.optional(name)
        if raw is None:
            return default
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise ConfigError(f"{name} is malformed: expected {kind}") from None
        if value < minimum:
            raise ConfigError(f"{name} is malformed: it must be at least {minimum}")
        return value

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        value = int(self.number(name, default, minimum, integer=True))
        if value > maximum:
            raise ConfigError(f"{name} is malformed: it must be at most {maximum}")
        return value

    def metric_names(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.optional(name)
        if raw is None:
            return default
        names = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
        if not names or not all(re.fullmatch(r"[a-z][a-z0-9_]*", part) for part in names):
            raise ConfigError(f"{name} is malformed: expected comma-separated metric names like page_media_view")
        return names

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.optional(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} is malformed: expected 1 or 0")

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.required(name, default).upper()
        if value not in choices:
            raise ConfigError(f"{name} is malformed: expected one of {', '.join(choices)}")
        return value

    def origins(self, name: str, default: str) -> tuple[str, ...]:
        raw = self.required(name, default)
        origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise ConfigError(f"{name} is malformed: expected comma-separated origins like https://app.example.com")
        return origins

    def fernet_keys(self, name: str) -> tuple[str, ...]:
        keys = tuple(key.strip() for key in self.required(name).split(",") if key.strip())
        for key in keys:
            try:
                Fernet(key)
            except ValueError:
                raise ConfigError(f"{name} is malformed: expected comma-separated Fernet keys") from None
        if not keys:
            raise ConfigError(f"{name} is missing")
        return keys
