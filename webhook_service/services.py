"""The long-lived objects a request needs, built once per process from the configuration, and the
one accessor the routes use to reach them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from webhook_service.config import Config
from webhook_service.crypto import TokenCipher
from webhook_service.graph import GraphClient
from webhook_service.instagram_graph import InstagramClient
from webhook_service.logs import ContextThreadPoolExecutor
from webhook_service.posts import PostsSync
from webhook_service.posts_store import PostsStore
from webhook_service.store import Store
from webhook_service.sync import ACCOUNT_KINDS, POSTS_KIND, InsightsSync
from webhook_service.sync_store import SyncStore
from webhook_service.sync_worker import SyncWorker
from webhook_service.token_refresh import KIND as TOKEN_REFRESH
from webhook_service.token_refresh import TokenRefresher
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
    worker: SyncWorker
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
        # Each gthread request thread and each queue worker may hold a REST connection, each Graph
        # pool thread a Graph connection.
        store = Store(config, pool_size=max(config.threads, config.graph_concurrency)
                      + config.insights.messages_in_flight)
        posts = PostsSync(PostsStore(store.rest), config.insights.posts, config.insights.rows_per_save)
        instagram = InstagramClient.from_config(config, graph) if config.instagram_login_enabled else None
        sync_store = SyncStore(store.rest)
        # The process's one bound on Graph requests in flight, whichever message they serve. Its
        # threads start when first used, so after gunicorn's fork.
        graph_pool = ContextThreadPoolExecutor(config.graph_concurrency, thread_name_prefix="graph-batch")
        sync = InsightsSync(graph=graph, cipher=cipher, store=sync_store, settings=config.insights,
                            graph_pool=graph_pool, posts=posts, instagram=instagram)
        # Instagram Login tokens are refreshed through the same queue (token_refresh.py).
        refresher = TokenRefresher(instagram=instagram, cipher=cipher, store=store, sync_store=sync_store,
                                   window_days=config.connection_expiring_days)
        worker = SyncWorker(store=sync_store, settings=config.insights,
                            handlers={**{kind: sync.sync_message for kind in ACCOUNT_KINDS},
                                      POSTS_KIND: sync.sync_posts_message, TOKEN_REFRESH: refresher.handle})
        return cls(config=config, verifier=TokenVerifier(config), cipher=cipher, graph=graph, store=store, sync=sync,
                   worker=worker, instagram=instagram)

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self


def services() -> Services:
    """The current application's services."""
    return current_app.extensions[EXTENSION]
