"""Fault rules, latency, counters, the request log and the usage headers."""

from __future__ import annotations

import json

import pytest

from devstack.fake_graph import demo
from devstack.fake_graph.faults import MALFORMED_BODY

from .conftest import error_of, graph_get

ALICE = demo.ALICE_USER_TOKEN
PAGE_INSIGHTS = f"/v25.0/{demo.ALICE_PAGE_ID}/insights"


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Records the server's sleeps instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr("devstack.fake_graph.faults.time.sleep", recorded.append)
    return recorded


def _faults(client, *rules):
    response = client.post("/_control/faults", json=list(rules))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["rules"]


def _insights(client, page_id=demo.ALICE_PAGE_ID, token=demo.ALICE_PAGE_TOKEN):
    return graph_get(client, f"/v25.0/{page_id}/insights", token, metric="page_media_view")


def test_status_fault_answers_a_non_graph_body_then_runs_out(client):
    _faults(client, {"match": {"path_regex": "/insights$"}, "times": 1, "action": {"status": 503}})
    failed = _insights(client)
    assert (failed.status_code, failed.mimetype) == (503, "text/plain")
    assert failed.get_data(as_text=True) == "fake Graph API: injected HTTP 503\n"
    assert _insights(client).status_code == 200
    assert client.get("/_control/faults").get_json() == {"rules": []}


def test_rate_limit_error_with_buc_header(client):
    usage = {demo.ALICE_PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 60,
                                   "estimated_time_to_regain_access": 12}]}
    _faults(client, {"match": {"path_regex": "/insights$", "account_id": demo.ALICE_PAGE_ID},
                     "action": {"graph_error": {"code": 80001, "is_transient": True},
                                "headers": {"X-Business-Use-Case-Usage": usage}}})
    response = _insights(client)
    assert response.status_code == 400
    assert error_of(response) == {
        "message": "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
        "type": "OAuthException", "code": 80001, "is_transient": True}
    assert json.loads(response.headers["X-Business-Use-Case-Usage"]) == usage
    # Another Page is not matched; the rule (times: null) stays.
    assert _insights(client, demo.BOB_PAGE_ID, demo.BOB_PAGE_TOKEN).status_code == 200
    assert _insights(client).status_code == 400


def test_graph_error_with_every_field(client):
    _faults(client, {"match": {"path_regex": "^/me$"}, "times": 1, "action": {"graph_error": {
        "code": 17, "error_subcode": 2446079, "is_transient": True, "message": "(#17) User request limit reached",
        "error_user_title": "Slow down", "error_user_msg": "Too many calls", "http_status": 429}}})
    response = graph_get(client, "/me", ALICE)
    assert response.status_code == 429
    assert error_of(response) == {"message": "(#17) User request limit reached", "type": "OAuthException",
                                  "code": 17, "error_subcode": 2446079, "is_transient": True,
                                  "error_user_title": "Slow down", "error_user_msg": "Too many calls"}


def test_account_id_matches_me_by_its_token_owner(client):
    _faults(client, {"match": {"account_id": demo.BOB_USER_ID}, "action": {"status": 500}})
    assert graph_get(client, "/me", demo.BOB_USER_TOKEN).status_code == 500
    assert graph_get(client, "/me", ALICE).status_code == 200


def test_delay_sleeps_then_answers(client, sleeps):
    _faults(client, {"match": {"path_regex": "^/me$"}, "times": 1, "action": {"delay_ms": 250}})
    assert graph_get(client, "/me", ALICE).status_code == 200
    assert sleeps == [0.25]


def test_delay_with_error(client, sleeps):
    _faults(client, {"action": {"delay_ms": 20, "graph_error": {"code": 2}}, "times": 1})
    response = graph_get(client, "/me", ALICE)
    assert (response.status_code, error_of(response)["code"], sleeps) == (500, 2, [0.02])


def test_reset_aborts_the_connection(client):
    _faults(client, {"match": {"path_regex": "^/me$"}, "times": 1, "action": {"reset": True}})
    with pytest.raises(ConnectionAbortedError):
        graph_get(client, "/me", ALICE)
    assert graph_get(client, "/me", ALICE).status_code == 200


def test_malformed_body(client):
    _faults(client, {"match": {"path_regex": "^/me/accounts$"}, "times": 1, "action": {"malformed": True}})
    response = graph_get(client, "/me/accounts", ALICE)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == MALFORMED_BODY
    with pytest.raises(ValueError):
        json.loads(response.get_data(as_text=True))


def test_rules_apply_in_order_and_count_down(client):
    rules = _faults(client, {"match": {"path_regex": "^/me$"}, "times": 2, "action": {"status": 502}},
                    {"match": {"path_regex": "^/me"}, "action": {"status": 503}})
    assert rules[0] == {"match": {"path_regex": "^/me$", "method": None, "account_id": None}, "times": 2,
                        "action": {"status": 502}}
    codes = [graph_get(client, "/me", ALICE).status_code for _ in range(3)]
    assert codes == [502, 502, 503]
    assert client.delete("/_control/faults").get_json() == {"rules": []}
    assert graph_get(client, "/me", ALICE).status_code == 200


def test_faults_hit_single_batch_items(client):
    _faults(client, {"match": {"path_regex": "/permissions$"}, "action": {"graph_error": {"code": 4}}})
    answers = client.post("/v25.0/", data={"access_token": ALICE, "batch": json.dumps([
        {"method": "GET", "relative_url": "me"}, {"method": "GET", "relative_url": "me/permissions"}])}).get_json()
    assert [answer["code"] for answer in answers] == [200, 400]
    assert json.loads(answers[1]["body"])["error"]["message"] == "(#4) Application request limit reached"


def test_a_timed_out_batch_item_answers_null_and_the_others_complete(client):
    _faults(client, {"match": {"path_regex": "/permissions$"}, "times": 1, "action": {"timeout": True}})
    answers = client.post("/v25.0/", data={"access_token": ALICE, "batch": json.dumps([
        {"method": "GET", "relative_url": "me/permissions"}, {"method": "GET", "relative_url": "me"}])}).get_json()
    assert answers[0] is None
    assert answers[1]["code"] == 200


def test_headers_only_rule_decorates_a_normal_answer(client):
    _faults(client, {"times": 1, "action": {"headers": {"x-app-usage": {"call_count": 95, "total_cputime": 10,
                                                                         "total_time": 20}}}})
    response = graph_get(client, "/me", ALICE)
    assert response.status_code == 200
    assert json.loads(response.headers["X-App-Usage"]) == {"call_count": 95, "total_cputime": 10, "total_time": 20}


@pytest.mark.parametrize("rule, message", [
    ({"action": {"status": 500, "reset": True}},
     "an action takes at most one of status, graph_error, reset, timeout, malformed"),
    ({"action": {"explode": True}}, "unknown action keys: explode"),
    ({"match": {"path_regex": "("}, "action": {}}, "path_regex: missing ), unterminated subpattern at position 0"),
    ({"times": 0, "action": {}}, "times must be a positive integer or null"),
    ({"action": {"graph_error": {"message": "no code"}}}, "graph_error.code must be an integer"),
])
def test_bad_rules_are_refused(client, rule, message):
    response = client.post("/_control/faults", json=[rule])
    assert (response.status_code, response.get_json()) == (400, {"error": message})


def test_latency_is_one_sleep_per_http_request(client, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("devstack.fake_graph.app.time.sleep", slept.append)
    assert client.post("/_control/latency", json={"ms": 100}).get_json() == {"ms": 100}
    graph_get(client, "/me", ALICE)
    client.post("/v25.0/", data={"access_token": ALICE, "batch": json.dumps(
        [{"method": "GET", "relative_url": "me"}] * 3)})
    client.get("/_control/stats")  # control calls are never delayed
    assert slept == [0.1, 0.1]


def test_stats_count_requests_calls_and_templates(client):
    graph_get(client, "/me", ALICE)
    _insights(client)
    _insights(client, demo.BOB_PAGE_ID, demo.BOB_PAGE_TOKEN)
    graph_get(client, f"/{demo.ALICE_INSTAGRAM_ID}", ALICE)
    graph_get(client, "/123", ALICE)
    assert client.get("/_control/stats").get_json() == {"http_requests": 5, "calls": 5, "by_path": {
        "/me": 1, "/{page-id}/insights": 2, "/{ig-user-id}": 1, "/{unknown-id}": 1}}
    assert client.post("/_control/stats/reset").get_json() == {"http_requests": 0, "calls": 0, "by_path": {}}
    assert client.get("/_control/requests").get_json() == {"data": []}


def test_request_log_hides_secrets_and_shows_version_and_proof(client):
    graph_get(client, "/v26.0/me", ALICE, appsecret_proof="abc123", fields="id")
    graph_get(client, "/me/accounts", ALICE)
    client.get("/oauth/access_token", query_string={"client_id": "1", "client_secret": "s", "code": "c"})
    log = client.get("/_control/requests").get_json()["data"]
    assert log[0] == {"method": "GET", "path": "/me", "version": "v26.0",
                      "params": {"access_token": "<redacted>", "appsecret_proof": "abc123", "fields": "id"},
                      "token": {"kind": "user", "id": demo.ALICE_USER_ID}, "status": 200, "in_batch": False}
    assert log[1]["version"] is None
    assert log[2]["params"] == {"client_id": "1", "client_secret": "<redacted>", "code": "<redacted>"}
    assert log[2]["token"] is None
    assert client.get("/_control/requests?limit=1").get_json()["data"] == log[-1:]


def test_usage_headers(client):
    # Five demo Facebook users: the app may make 1000 calls an hour; the 20th call is at 2%.
    for _ in range(19):
        graph_get(client, "/me", ALICE)
    response = graph_get(client, "/me", ALICE)
    assert json.loads(response.headers["X-App-Usage"]) == {"call_count": 2, "total_cputime": 2, "total_time": 2}
    assert "X-Business-Use-Case-Usage" not in response.headers

    page = _insights(client)
    assert json.loads(page.headers["X-Business-Use-Case-Usage"]) == {demo.ALICE_PAGE_ID: [
        {"type": "pages", "call_count": 0, "total_cputime": 0, "total_time": 0, "estimated_time_to_regain_access": 0}]}
    instagram = graph_get(client, f"/{demo.ALICE_INSTAGRAM_ID}", demo.ALICE_PAGE_TOKEN)
    assert set(json.loads(instagram.headers["X-Business-Use-Case-Usage"])) == {
        demo.ALICE_PAGE_ID, demo.ALICE_INSTAGRAM_ID}
