"""The long-lived objects a request needs, built once per process from the configuration."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from webhook_service.auth import TokenVerifier
from webhook_service.config import Config
from webhook_service.crypto import TokenCipher
from webhook_service.graph import GraphClient
from webhook_service.store import Store


@dataclass(frozen=True)
class Services:
    config: Config
    verifier: TokenVerifier
    cipher: TokenCipher
    graph: GraphClient
    store: Store

    @classmethod
    def build(cls, config: Config) -> Services:
        graph = GraphClient(
            base_url=config.graph_api_base,
            version=config.graph_api_version,
            app_id=config.facebook_app_id,
            app_secret=config.facebook_app_secret,
            timeout_seconds=config.graph_timeout_seconds,
            max_retries=config.graph_max_retries,
            max_retry_wait_seconds=config.graph_max_retry_wait_seconds,
            concurrency=config.graph_concurrency,
        )
        # Each gthread worker thread may hold a Graph and a REST connection at once.
        pool_size = max(config.threads, config.graph_concurrency)
        return cls(
            config=config,
            verifier=TokenVerifier(config),
            cipher=TokenCipher(config.token_encryption_keys),
            graph=graph,
            store=Store(config, pool_size=pool_size),
        )


def services() -> Services:
    """The current application's services."""
    return current_app.extensions["social_link"]
