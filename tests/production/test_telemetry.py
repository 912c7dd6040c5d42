"""The labels the Graph metrics use: a bounded set of endpoint kinds and outcomes, whatever the
path or the error (no id ever becomes a label value)."""

from __future__ import annotations

import pytest

from webhook_service.graph import GraphError, RateLimited, TokenInvalid
from webhook_service.telemetry import graph_endpoint, graph_outcome


@pytest.mark.parametrize(("path", "kind"), [
    ("/v25.0", "batch"),
    ("/v25.0/", "batch"),
    ("104000000000001/insights?metric=page_media_view&period=day", "insights"),
    ("/v25.0/17841400000000001/insights", "insights"),
    ("17841400000000001?fields=followers_count", "node"),
    ("/v25.0/me", "me"),
    ("/v25.0/me/accounts", "pages"),
    ("/v25.0/me/permissions", "permissions"),
    ("/v25.0/me/businesses", "businesses"),
    ("/v25.0/900000000000001/owned_pages", "businesses"),
    ("/v25.0/oauth/access_token", "oauth_token"),
    ("/oauth/access_token", "oauth_token"),
    ("/access_token", "oauth_token"),
    ("/refresh_access_token", "oauth_token"),
    ("/v25.0/debug_token", "debug_token"),
    ("104000000000001/published_posts?fields=id", "posts"),
    ("17841400000000001/stories", "posts"),
    ("/v25.0/a/b/c", "other"),
])
def test_every_graph_path_has_a_kind_from_a_fixed_set(path, kind):
    assert graph_endpoint(path) == kind


@pytest.mark.parametrize(("error", "outcome"), [
    (None, "ok"),
    (TokenInvalid("expired", status=400, code=190, subcode=463), "190"),
    (RateLimited("limit", status=400, code=80001), "80001"),
    (GraphError("permission", status=403, code=283), "283"),
    (GraphError("something new", status=400, code=987654), "other"),
    (GraphError("Graph API answered HTTP 503", status=503, transient=True), "http_5xx"),
    (GraphError("not JSON", status=200, transient=True), "malformed"),
    (GraphError("unreachable", transient=True), "unreachable"),
])
def test_outcomes_are_meta_codes_from_its_documented_list_or_a_named_kind(error, outcome):
    assert graph_outcome(error) == outcome
