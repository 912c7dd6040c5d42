"""The Graph API of Instagram Login (graph.instagram.com) and its token calls.

Requests differ from graph.facebook.com's only in host, app (the Instagram app's id and secret) and
token, so the client is the Graph client with those, plus the token calls whose hosts and grant
types are Instagram's own (see instagram_login.py for the flow and its sources).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from webhook_service.config import Config
from webhook_service.graph import GraphClient, GraphError


@dataclass(frozen=True)
class IssuedToken:
    value: str = field(repr=False)
    expires_at: datetime


@dataclass
class InstagramClient(GraphClient):
    """A Graph client for graph.instagram.com under the Instagram app's id and secret, with the
    token calls of Instagram Login (whose hosts and grant types differ from Facebook Login's)."""

    api_base: str = ""

    @classmethod
    def from_config(cls, config: Config, graph: GraphClient) -> InstagramClient:
        return cls(base_url=config.instagram_graph_api_base, version=config.graph_api_version,
                   app_id=config.instagram_app_id or "", app_secret=config.instagram_app_secret or "",
                   timeout_seconds=graph.timeout_seconds, max_retries=graph.max_retries,
                   max_retry_wait_seconds=graph.max_retry_wait_seconds, concurrency=graph.concurrency,
                   api_base=config.instagram_api_base)

    def exchange_login_code(self, code: str, redirect_uri: str) -> tuple[str, set[str]]:
        """The short-lived token a window `code` stands for, and the permissions granted with it."""
        answer = self._send("POST", f"{self.api_base}/oauth/access_token", None, data={
            "client_id": self.app_id, "client_secret": self.app_secret, "grant_type": "authorization_code",
            "redirect_uri": redirect_uri, "code": code,
        })
        # The documentation shows the answer inside `data: [...]`; it is also seen flat.
        if isinstance(answer, dict) and isinstance(answer.get("data"), list) and answer["data"]:
            answer = answer["data"][0]
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise GraphError("Instagram's code exchange answered without an access token")
        permissions = answer.get("permissions") or []
        if isinstance(permissions, str):
            permissions = permissions.split(",")
        return token, {str(permission).strip() for permission in permissions}

    def long_lived(self, short_lived_token: str) -> IssuedToken:
        return self._issued(self._send("GET", f"{self.base_url}/access_token", short_lived_token, params={
            "grant_type": "ig_exchange_token", "client_secret": self.app_secret}))

    def refresh(self, token: str) -> IssuedToken:
        """A token valid for 60 days from now, for a long-lived one at least a day old."""
        return self._issued(self._send("GET", f"{self.base_url}/refresh_access_token", token,
                                       params={"grant_type": "ig_refresh_token"}))

    @staticmethod
    def _issued(answer: Any) -> IssuedToken:
        token = answer.get("access_token") if isinstance(answer, dict) else None
        seconds = answer.get("expires_in") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token or not isinstance(seconds, int):
            raise GraphError("Instagram answered without a token or its lifetime")
        return IssuedToken(token, datetime.now(timezone.utc) + timedelta(seconds=seconds))
