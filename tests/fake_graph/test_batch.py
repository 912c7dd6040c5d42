"""Batch requests: per-item results as JSON strings, per-item tokens and proofs, limits, counting."""

from __future__ import annotations

import json

from devstack.fake_graph import demo
from devstack.fake_graph.oauth import appsecret_proof

from .conftest import APP_ID, APP_SECRET, error_of

APP_TOKEN = f"{APP_ID}|{APP_SECRET}"


def _batch(client, items, token=demo.ALICE_USER_TOKEN, **form):
    return client.post("/v25.0/", data={"access_token": token, "batch": json.dumps(items), **form})


def test_mixed_batch_completes_every_item(client):
    response = _batch(client, [
        {"method": "GET", "relative_url": "me?fields=id,name"},
        {"method": "GET", "relative_url": f"{demo.ALICE_PAGE_ID}/insights?metric=page_impressions"},
        {"method": "GET", "relative_url": f"{demo.ALICE_PAGE_ID}?fields=fan_count",
         "access_token": demo.ALICE_PAGE_TOKEN},
    ])
    assert response.status_code == 200
    answers = response.get_json()
    assert [answer["code"] for answer in answers] == [200, 400, 200]
    assert all(isinstance(answer["body"], str) for answer in answers)
    assert json.loads(answers[0]["body"]) == {"id": demo.ALICE_USER_ID, "name": "Alice"}
    error = json.loads(answers[1]["body"])["error"]
    # Page insights want a Page token: the item ran as the envelope's user token.
    assert (error["code"], error["message"]) == (190, "(#190) This method must be called with a Page Access Token")
    assert json.loads(answers[2]["body"]) == {"fan_count": 1480}
    headers = {header["name"]: header["value"] for header in answers[2]["headers"]}
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert json.loads(headers["X-Business-Use-Case-Usage"])[demo.ALICE_PAGE_ID][0]["type"] == "pages"


def test_removed_metric_fails_only_its_item(client):
    answers = _batch(client, [
        {"method": "GET", "relative_url": f"v25.0/{demo.ALICE_PAGE_ID}/insights?metric=page_fans"
                                          f"&access_token={demo.ALICE_PAGE_TOKEN}"},
        {"method": "GET", "relative_url": f"/{demo.ALICE_PAGE_ID}/insights?metric=page_follows"
                                          f"&access_token={demo.ALICE_PAGE_TOKEN}"},
    ]).get_json()
    assert answers[0]["code"] == 400
    assert json.loads(answers[0]["body"])["error"]["message"] == "(#100) The value must be a valid insights metric"
    assert answers[1]["code"] == 200
    assert json.loads(answers[1]["body"])["data"][0]["name"] == "page_follows"


def test_include_headers_false_leaves_headers_out_also_unversioned(client):
    answers = client.post("/", data={"access_token": demo.ALICE_USER_TOKEN, "include_headers": "false",
                                     "batch": json.dumps([{"method": "GET", "relative_url": "me"}])}).get_json()
    assert answers == [{"code": 200, "body": json.dumps({"name": "Alice", "id": demo.ALICE_USER_ID},
                                                       separators=(",", ":"))}]


def test_more_than_50_items_fail_the_batch(client):
    response = _batch(client, [{"method": "GET", "relative_url": "me"}] * 51)
    assert response.status_code == 500
    assert error_of(response) == {"message": "(#1) Too many requests in batch message. Maximum batch size is 50",
                                  "type": "OAuthException", "code": 1}


def test_top_level_token_is_required(client):
    response = client.post("/v25.0/", data={"batch": json.dumps([
        {"method": "GET", "relative_url": f"me?access_token={demo.ALICE_USER_TOKEN}"}])})
    assert error_of(response)["code"] == 104


def test_with_a_secret_each_item_token_needs_its_own_proof(secured_client):
    page_token = demo.ALICE_PAGE_TOKEN
    proof = appsecret_proof(APP_SECRET, page_token)
    answers = _batch(secured_client, [
        {"method": "GET", "relative_url": f"me?access_token={page_token}&appsecret_proof={proof}"},
        {"method": "GET", "relative_url": f"me?access_token={page_token}"},
        {"method": "GET", "relative_url": f"{demo.ALICE_PAGE_ID}?fields=id",
         "access_token": page_token, "appsecret_proof": proof},
    ], token=APP_TOKEN).get_json()
    assert [answer["code"] for answer in answers] == [200, 400, 200]
    assert json.loads(answers[1]["body"])["error"]["message"] == (
        "API calls from the server require an appsecret_proof argument")


def test_envelope_proof_covers_items_without_their_own_token(secured_client):
    token = demo.ALICE_USER_TOKEN
    items = [{"method": "GET", "relative_url": "me?fields=id"}]
    without = _batch(secured_client, items, token=token)
    assert error_of(without)["message"] == "API calls from the server require an appsecret_proof argument"
    answers = _batch(secured_client, items, token=token, appsecret_proof=appsecret_proof(APP_SECRET, token)).get_json()
    assert answers[0]["code"] == 200


def test_batch_is_one_http_request_and_one_call_per_item(client):
    client.post("/_control/stats/reset")
    _batch(client, [{"method": "GET", "relative_url": "me"}, {"method": "GET", "relative_url": "me/permissions"},
                    {"method": "GET", "relative_url": "me/accounts"}])
    assert client.get("/_control/stats").get_json() == {
        "http_requests": 1, "calls": 3, "by_path": {"/me": 1, "/me/permissions": 1, "/me/accounts": 1}}
    log = client.get("/_control/requests").get_json()["data"]
    assert [(entry["path"], entry.get("in_batch")) for entry in log] == [
        ("/me", True), ("/me/permissions", True), ("/me/accounts", True), ("/", None)]
    assert log[-1]["batch_size"] == 3 and "batch" not in log[-1]["params"]


def test_item_methods_other_than_get_are_unsupported(client):
    answers = _batch(client, [{"method": "POST", "relative_url": f"{demo.ALICE_PAGE_ID}/feed"}]).get_json()
    assert answers[0]["code"] == 400
    assert json.loads(answers[0]["body"])["error"]["error_subcode"] == 33
