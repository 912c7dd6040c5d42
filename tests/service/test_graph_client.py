"""The Graph client against the fake Graph API: proofs, paging, retries, rate limits, typed errors,
batches and usage headers. Waits are recorded instead of slept."""

from __future__ import annotations

import json
import logging

import pytest

from webhook_service.graph import (
    BatchItem,
    GraphClient,
    GraphError,
    InvalidMetric,
    MetricRejected,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def graph(stack_env, waits) -> GraphClient:
    # The fake checks appsecret_proof (it knows the app secret), so every passing call shows it is sent.
    return GraphClient(base_url=stack_env["GRAPH_API_BASE"], version="v25.0",
                       app_id=stack_env["FACEBOOK_APP_ID"], app_secret=stack_env["FACEBOOK_APP_SECRET"],
                       max_retries=3, max_retry_wait_seconds=120, sleep=waits.append)


@pytest.fixture
def user(fake_graph):
    return fake_graph.create_user(pages=[{"name": f"Page {index}", "instagram": {}} for index in range(5)])


def test_paging_next_is_followed(graph, user):
    pages = graph.get_all("me/accounts", user["access_token"], {"fields": "id", "limit": 2})

    assert [page["id"] for page in pages] == [page["id"] for page in user["pages"]]


def test_transient_failures_are_retried_with_backoff(graph, user, fake_graph, waits):
    fake_graph.add_fault({"match": {"path_regex": "^/me$", "account_id": user["id"]}, "times": 2,
                          "action": {"status": 500}})

    assert graph.get("me", user["access_token"], {"fields": "id"}) == {"id": user["id"]}
    assert len(waits) == 2 and waits[1] > waits[0]


def test_transient_failures_give_up_after_the_retries(graph, user, fake_graph, waits):
    fake_graph.add_fault({"match": {"path_regex": "^/me$", "account_id": user["id"]}, "times": 10,
                          "action": {"graph_error": {"code": 2, "is_transient": True}}})

    with pytest.raises(GraphError) as raised:
        graph.get("me", user["access_token"])

    assert raised.value.code == 2 and raised.value.transient
    assert len(waits) == 3


def rate_limit_fault(page_id: str, code: int, minutes: int) -> dict:
    usage = {page_id: [{"type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 40,
                        "estimated_time_to_regain_access": minutes}]}
    return {"match": {"account_id": page_id}, "times": 1,
            "action": {"graph_error": {"code": code}, "headers": {"X-Business-Use-Case-Usage": json.dumps(usage)}}}


def test_rate_limit_waits_for_metas_estimate_when_short(graph, user, fake_graph, waits):
    page = user["pages"][0]
    fake_graph.add_fault(rate_limit_fault(page["id"], 80001, minutes=1))

    assert graph.get(page["id"], page["access_token"], {"fields": "id"}) == {"id": page["id"]}
    assert waits[0] >= 60


def test_rate_limit_beyond_the_wait_cap_raises_with_retry_after(graph, user, fake_graph, waits):
    page = user["pages"][0]
    fake_graph.add_fault(rate_limit_fault(page["id"], 32, minutes=30))

    with pytest.raises(RateLimited) as raised:
        graph.get(page["id"], page["access_token"])

    assert raised.value.retry_after == 1800
    assert waits == []
    assert graph.usage.percent(page["id"]) == 100


def test_a_caller_can_prefer_giving_up_to_waiting(graph, user, fake_graph, waits):
    page = user["pages"][0]
    fake_graph.add_fault(rate_limit_fault(page["id"], 80001, minutes=1))

    with pytest.raises(RateLimited) as raised:
        graph.with_max_retry_wait(5).get(page["id"], page["access_token"])

    assert raised.value.retry_after == 60
    assert waits == []
    assert graph.max_retry_wait_seconds == 120


def test_invalid_token_is_token_invalid_and_never_quoted(graph, user, fake_graph):
    page = user["pages"][0]
    fake_graph.invalidate(page["access_token"], subcode=492)

    with pytest.raises(TokenInvalid) as raised:
        graph.get(page["id"], page["access_token"])

    assert (raised.value.code, raised.value.subcode) == (190, 492)
    assert page["access_token"] not in str(raised.value)


def test_missing_permission_is_permission_missing(graph, fake_graph):
    user = fake_graph.create_user(pages=[{}], permissions={"read_insights": "declined"})
    page = user["pages"][0]

    with pytest.raises(PermissionMissing):
        graph.get(f"{page['id']}/insights", page["access_token"], {"metric": "page_media_view", "period": "day"})


def test_unknown_metric_is_invalid_metric(graph, user):
    page = user["pages"][0]

    with pytest.raises(InvalidMetric):
        graph.get(f"{page['id']}/insights", page["access_token"], {"metric": "page_impressions", "period": "day"})


def test_instagrams_invalid_metric_wording_is_invalid_metric_naming_its_position(graph, user):
    account = user["pages"][0]["instagram"]

    with pytest.raises(InvalidMetric) as raised:
        graph.get(f"{account['id']}/insights", user["access_token"],
                  {"metric": "reach,impressions", "period": "day", "metric_type": "total_value"})

    assert raised.value.metric_index == 1


def test_another_code_100_on_insights_is_a_metric_rejection_for_the_account(graph, user, fake_graph):
    page = user["pages"][0]
    fake_graph.add_fault({"match": {"path_regex": "/insights$"}, "times": 1, "action": {"graph_error": {
        "code": 100, "message": "(#100) Param metric is not supported for this object"}}})

    with pytest.raises(MetricRejected) as raised:
        graph.get(f"{page['id']}/insights", page["access_token"], {"metric": "page_media_view", "period": "day"})

    assert not isinstance(raised.value, InvalidMetric)


def test_an_error_meta_calls_not_transient_is_not_retried(graph, user, fake_graph, waits):
    page = user["pages"][0]
    # What Meta answers for page_media_view with period=lifetime (3P probe 60497173118 §1.3).
    fake_graph.add_fault({"match": {"path_regex": "/insights$"}, "times": 1, "action": {"graph_error": {
        "code": 1, "error_subcode": 99, "is_transient": False, "message": "An unknown error occurred"}}})

    with pytest.raises(GraphError) as raised:
        graph.get(f"{page['id']}/insights", page["access_token"], {"metric": "page_media_view", "period": "day"})

    assert (raised.value.code, raised.value.transient) == (1, False)
    assert waits == []


@pytest.mark.parametrize("code, app_wide", [(4, True), (341, True), (17, False), (80001, False)])
def test_app_level_rate_limits_are_marked_app_wide(graph, user, fake_graph, code, app_wide):
    page = user["pages"][0]
    fake_graph.add_fault({"match": {"account_id": page["id"]}, "action": {"graph_error": {"code": code}}})

    with pytest.raises(RateLimited) as raised:
        graph.with_max_retry_wait(0).get(page["id"], page["access_token"])

    assert raised.value.app_wide is app_wide


def test_a_timed_out_batch_item_is_transient(graph, user, fake_graph):
    first, second = user["pages"][:2]
    fake_graph.add_fault({"match": {"account_id": first["id"]}, "times": 1, "action": {"timeout": True}})

    results = graph.batch([BatchItem(f"{first['id']}?fields=id", first["access_token"]),
                           BatchItem(f"{second['id']}?fields=id", second["access_token"])])

    assert isinstance(results[0], GraphError) and results[0].transient
    assert results[1] == {"id": second["id"]}


def test_batch_answers_each_item_with_its_result_or_error(graph, user, fake_graph):
    first, second = user["pages"][:2]
    stranger = fake_graph.create_user(pages=[{}])["pages"][0]
    items = [
        BatchItem(f"{first['id']}?fields=id,name", first["access_token"]),
        BatchItem(f"{second['id']}/insights?metric=page_impressions&period=day", second["access_token"]),
        BatchItem(f"{stranger['id']}?fields=id", first["access_token"]),
        BatchItem(f"{second['id']}?fields=id", second["access_token"]),
    ]

    results = graph.batch(items)

    assert results[0] == {"id": first["id"], "name": first["name"]}
    assert isinstance(results[1], InvalidMetric)
    assert isinstance(results[2], GraphError) and results[2].code == 100
    assert results[3] == {"id": second["id"]}


def test_batches_are_split_at_fifty(graph, user):
    page = user["pages"][0]

    results = graph.batch([BatchItem(f"{page['id']}?fields=id", page["access_token"])] * 120)

    assert results == [{"id": page["id"]}] * 120


def test_usage_headers_tell_when_to_slow_down(graph, user, fake_graph):
    page = user["pages"][0]
    usage = {"call_count": 85, "total_cputime": 20, "total_time": 20}
    fake_graph.add_fault({"match": {"account_id": page["id"]}, "times": 1,
                          "action": {"headers": {"X-App-Usage": json.dumps(usage)}}})

    graph.get(page["id"], page["access_token"], {"fields": "id"})

    assert graph.usage.percent() == 85


def test_unreachable_graph_is_a_transient_error_without_the_token(stack_env, waits):
    graph = GraphClient(base_url="http://127.0.0.1:9", version="v25.0", app_id="1", app_secret="s",
                        max_retries=1, sleep=waits.append)

    with pytest.raises(GraphError) as raised:
        graph.get("me", "EAAGsecretsecretsecret")

    assert raised.value.transient
    assert "EAAGsecret" not in str(raised.value)
    assert len(waits) == 1


def test_a_graph_error_logs_its_fbtrace_id(graph, caplog):
    with caplog.at_level(logging.INFO, logger="webhook_service.graph"), pytest.raises(TokenInvalid) as raised:
        graph.get("me", "not-a-token", {"fields": "id"})

    assert raised.value.fbtrace_id
    assert f"fbtrace_id {raised.value.fbtrace_id}" in caplog.text
