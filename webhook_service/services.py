"""The long-lived objects a request needs, built once per process from the configuration, and the
one accessor the routes use to reach them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from webhook_service.config import Config
from webhook_service.crypto import TokenCipher
from webhook_service.graph import GraphClient
from webhook_service.instagram_graph import InstagramClient
from webhook_service.posts import PostsSync
from webhook_service.posts_store import PostsStore
from webhook_service.store import Store
from webhook_service.sync import InsightsSync
from webhook_service.sync_store import SyncStore
from webhook_service.user_tokens import TokenVerifier

EXTENSION = "social_link"


@dataclass(frozen=True)
class Services:
    config: Config
    verifier: TokenVerifier
    cipher: TokenCipher
    graph: GraphClient
    store: Store
    sync: InsightsSync
    # graph.instagram.com for accounts connected with Instagram Login; None when it is not configured.
    instagram: InstagramClient | None = None

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
        cipher = TokenCipher(config.token_encryption_keys)
        # Each gthread worker thread may hold a Graph and a REST connection at once.
        store = Store(config, pool_size=max(config.threads, config.graph_concurrency))
        posts = PostsSync(PostsStore(store.rest), config.insights.posts, config.insights.rows_per_save)
        instagram = InstagramClient.from_config(config, graph) if config.instagram_login_enabled else None
        sync = InsightsSync(graph=graph, cipher=cipher, store=SyncStore(store.rest), settings=config.insights,
                            graph_concurrency=config.graph_concurrency, posts=posts, instagram=instagram)
        return cls(config=config, verifier=TokenVerifier(config), cipher=cipher, graph=graph, store=store, sync=sync,
                   instagram=instagram)

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self


def services() -> Services:
    """The current application's services."""
    return current_app.extensions[EXTENSION]
