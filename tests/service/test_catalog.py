"""The metric catalog: one entry per stored number, and configuration replacing its lists."""

from __future__ import annotations

from webhook_service.catalog import FACEBOOK, INSTAGRAM, Kind, Metric, Request


def test_follows_and_unfollows_is_one_breakdown_request_stored_as_two_metrics():
    assert INSTAGRAM.breakdown_requests()[("follows_and_unfollows", "follow_type")] == (
        Metric("follows", "follows_and_unfollows", Request.BREAKDOWN, Kind.ADDITIVE, "follow_type", "FOLLOWER"),
        Metric("unfollows", "follows_and_unfollows", Request.BREAKDOWN, Kind.ADDITIVE, "follow_type", "NON_FOLLOWER"))
    assert "follows_and_unfollows" not in INSTAGRAM.meta_names(Request.TOTAL_VALUE)
    assert "follows_and_unfollows" in INSTAGRAM.listed(Request.TOTAL_VALUE)


def test_every_metric_has_a_kind_and_reach_like_metrics_are_unique():
    assert FACEBOOK.names(Kind.UNIQUE) == ("page_total_media_view_unique",)
    assert INSTAGRAM.names(Kind.UNIQUE) == ("reach", "accounts_engaged")
    assert FACEBOOK.names(Kind.LEVEL) == ("followers_count", "fan_count", "page_follows")
    assert INSTAGRAM.rates() == {"engagement_rate": ("total_interactions", "reach")}


def test_a_configured_list_keeps_known_entries_and_takes_unknown_names_as_additive():
    configured = INSTAGRAM.replace_lists({Request.TOTAL_VALUE: ("likes", "follows_and_unfollows", "replies")})

    assert [metric.name for metric in configured.fetched() if metric.request != Request.FIELD
            and metric.request != Request.SERIES] == ["likes", "follows", "unfollows", "replies"]
    assert configured.meta_names(Request.SERIES) == ("reach",)
    replies = next(metric for metric in configured.metrics if metric.name == "replies")
    assert (replies.request, replies.kind) == (Request.TOTAL_VALUE, Kind.ADDITIVE)
    # engagement_rate needs total_interactions, which the list left out.
    assert configured.rates() == {}


def test_the_default_configuration_is_the_catalog():
    lists = {request: INSTAGRAM.listed(request) for request in (Request.FIELD, Request.SERIES, Request.TOTAL_VALUE)}
    assert set(INSTAGRAM.replace_lists(lists).metrics) == set(INSTAGRAM.metrics)


def test_the_databases_metric_kinds_are_the_catalogs(db):
    """The read RPC aggregates by `social_media_metric_kinds`; it must say what the catalog says
    (additive metrics are the default there and not listed)."""
    stored = {(row["platform"], row["metric"]): (row["kind"], row["numerator"], row["denominator"])
              for row in db.query("select * from public.social_media_metric_kinds")}
    declared = {(catalog.platform, metric.name): (str(metric.kind), *(metric.parts or (None, None)))
                for catalog in (FACEBOOK, INSTAGRAM) for metric in catalog.metrics if metric.kind != Kind.ADDITIVE}
    assert stored == declared
