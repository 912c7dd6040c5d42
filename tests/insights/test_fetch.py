"""The fetcher's rules in isolation, with a scripted Graph client: a rejected metric is found by
halving and dropped for the rest of the run, transient failures are retried, and the sync pauses
once Meta reports 80% usage."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from webhook_service.account_sync import compact_end_times
from webhook_service.graph import (
    GraphClient,
    GraphError,
    InvalidMetric,
    MetricRejected,
    RateLimited,
    UsageTracker,
    error_from,
)
from webhook_service.sync_fetch import SERIES, TOTALS, Account, GraphRequest, InsightsFetcher, Throttle, meta_days

ACCOUNT = Account("row-1", "user_1", "facebook", "104", "page-token", first_sync=False)
DAYS = tuple(meta_days(datetime(2026, 11, 24, 12, tzinfo=UTC), 3))


class ScriptedGraph(GraphClient):
    """Answers each batch item from `answer(metrics)`; records the metric lists it was asked for."""

    def __init__(self, answer):
        super().__init__("http://graph.test", "v25.0", "1", "secret", backoff_seconds=0.01, sleep=lambda _: None)
        self.answer = answer
        self.asked: list[list[str]] = []

    def batch(self, items):
        results = []
        for item in items:
            metrics = parse_qs(urlsplit(item.relative_url).query)["metric"][0].split(",")
            self.asked.append(metrics)
            results.append(self.answer(metrics))
        return results


@pytest.fixture
def fetcher_for():
    """`fetcher_for(graph)`: a fetcher as one sync run has it, over `graph`."""
    with ThreadPoolExecutor(2) as pool:
        yield lambda graph: InsightsFetcher(graph, pool, Throttle(UsageTracker(), 80, 0))


def test_a_rejected_metric_is_found_by_halving_and_dropped_for_the_run(fetcher_for):
    graph = ScriptedGraph(lambda metrics: InvalidMetric("(#100) The value must be a valid insights metric")
                          if "page_impressions" in metrics else {"data": []})
    request = GraphRequest(ACCOUNT, SERIES, ("page_media_view", "page_impressions", "page_views_total",
                                             "page_follows"), DAYS)

    fetcher = fetcher_for(graph)
    answers = list(fetcher.fetch([request]))

    assert fetcher.dropped("facebook") == {"page_impressions"}
    rejected = [part.names for part, answer in answers if isinstance(answer, InvalidMetric)]
    stored = sorted(name for part, answer in answers if not isinstance(answer, GraphError) for name in part.names)
    assert rejected == [("page_impressions",)]
    assert stored == ["page_follows", "page_media_view", "page_views_total"]
    assert len(graph.asked) == 5  # all four, two halves, the bad half's two quarters

    # Another request of the same run leaves the known-bad metric out after one refusal.
    graph.asked.clear()
    later = list(fetcher.fetch([request]))
    assert graph.asked == [["page_media_view", "page_impressions", "page_views_total", "page_follows"],
                           ["page_media_view", "page_views_total", "page_follows"]]
    assert [part.names for part, answer in later if isinstance(answer, InvalidMetric)] == [("page_impressions",)]


def test_instagrams_wording_drops_only_the_metric_it_names(fetcher_for):
    account = Account("row-2", "user_1", "instagram", "178", "page-token", first_sync=False)
    asked_for = ("views", "accounts_engaged", "impressions", "likes")
    graph = ScriptedGraph(lambda metrics: _instagram_rejection(metrics, "impressions"))

    fetcher = fetcher_for(graph)
    answers = list(fetcher.fetch([GraphRequest(account, TOTALS, asked_for, DAYS[-1:])]))

    assert fetcher.dropped("instagram") == {"impressions"}
    assert [(part.names, type(answer).__name__) for part, answer in answers] == [
        (("impressions",), "InvalidMetric"), (("views", "accounts_engaged", "likes"), "dict")]
    assert graph.asked == [list(asked_for), ["views", "accounts_engaged", "likes"]]


def _instagram_rejection(metrics: list[str], removed: str):
    if removed not in metrics:
        return {"data": []}
    return _error_of({"error": {"code": 100, "message": f"(#100) metric[{metrics.index(removed)}] must be one of "
                                "the following values: reach, views, likes", "type": "OAuthException"}})


def _error_of(payload) -> GraphError:
    return error_from(400, payload, {}, "/178/insights", None)


def test_an_unfamiliar_code_100_is_split_down_and_drops_the_metric_for_that_account_only(fetcher_for):
    graph = ScriptedGraph(lambda metrics: _error_of({"error": {"code": 100, "message": "(#100) Unsupported"}})
                          if "page_video_views" in metrics else {"data": []})
    request = GraphRequest(ACCOUNT, SERIES, ("page_media_view", "page_video_views", "page_views_total"), DAYS)

    fetcher = fetcher_for(graph)
    answers = list(fetcher.fetch([request]))

    assert fetcher.dropped("facebook") == frozenset()
    refused = [part.names for part, answer in answers if isinstance(answer, MetricRejected)]
    assert refused == [("page_video_views",)]
    assert not any(isinstance(answer, InvalidMetric) for _, answer in answers)


def test_a_short_rate_limit_and_a_500_are_retried_until_they_clear(fetcher_for):
    script = iter([RateLimited("(#17) User request limit reached", retry_after=1),
                   GraphError("HTTP 500", status=500, transient=True),
                   {"data": []}])
    graph = ScriptedGraph(lambda metrics: next(script))

    answers = list(fetcher_for(graph).fetch([GraphRequest(ACCOUNT, SERIES, ("page_media_view",), DAYS)]))

    assert [answer for _, answer in answers] == [{"data": []}]
    assert len(graph.asked) == 3


def test_the_sync_pauses_when_meta_reports_80_percent_usage():
    pauses = []
    usage = UsageTracker()
    throttle = Throttle(usage, 80, 2.0, sleep=pauses.append)

    throttle.wait({"104"})
    usage.record({"X-App-Usage": '{"call_count": 79, "total_time": 10, "total_cputime": 10}'})
    throttle.wait({"104"})
    usage.record({"X-Business-Use-Case-Usage": '{"104": [{"type": "pages", "call_count": 85}]}'})
    throttle.wait({"104"})
    throttle.wait({"105"})

    assert pauses == [2.0]


def test_end_times_name_only_the_metrics_off_the_common_meta_day():
    assert compact_end_times({"reach": 200, "views": 200, "likes": 200, "page_follows": 100}) == {
        "*": 200, "page_follows": 100}
    assert compact_end_times({}) == {}
