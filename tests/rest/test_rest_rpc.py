"""/rpc/<function>: arguments, result shapes, filters on results, volatility, errors."""

from __future__ import annotations

import uuid

import pytest
import requests


@pytest.fixture
def rpc(rest, service):
    """Calls a `rest_contract` function as the service role: `rpc("add", json={...})`."""
    def call(name: str, *, method: str = "POST", query: str = "", headers: dict[str, str] | None = None,
             **kwargs) -> requests.Response:
        return requests.request(method, f"{rest}/rpc/{name}?{query}", headers={**service, **(headers or {})}, **kwargs)
    return call


def test_setof_function_with_filters_order_and_select(rpc):
    response = rpc("items_in_category", query="select=id,name&price=gt.1&order=id.desc", json={"p_category": "fruit"})
    assert response.status_code == 200
    assert response.json() == [{"id": 3, "name": "cherry"}, {"id": 1, "name": "apple"}]


def test_setof_function_with_count_and_limit(rpc):
    response = rpc("items_in_category", query="limit=1", headers={"Prefer": "count=exact"},
                   json={"p_category": "fruit"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "0-0/3"


def test_get_passes_query_arguments_and_keeps_filters(rpc):
    response = rpc("items_in_category", method="GET", query="p_category=fruit&id=eq.2&select=name")
    assert (response.status_code, response.json()) == (200, [{"name": "banana"}])


@pytest.mark.parametrize("method, arguments, expected", [
    ("POST", {"a": 2, "b": 3}, 5),
    ("POST", {"a": 2}, 3),  # b has a default
    ("GET", {"a": "1", "b": "1"}, 2),
])
def test_scalar_function(rpc, method, arguments, expected):
    response = rpc("add", method=method, **({"json": arguments} if method == "POST" else {"params": arguments}))
    assert (response.status_code, response.json()) == (200, expected)


@pytest.mark.parametrize("body", [{"any": [1, {"nested": True}]}, [{"a": 1}, {"a": 2}]])
def test_single_unnamed_jsonb_parameter_takes_the_whole_body(rpc, body):
    assert rpc("echo", json=body).json() == body


def test_named_jsonb_parameter(rpc):
    assert rpc("count_keys", json={"payload": {"a": 1}}).json() == 1


def test_params_single_object_passes_the_body_to_a_single_json_parameter(rpc):
    """PostgREST before v12 behaviour, which the devstack gateway keeps (v12+ ignores the preference)."""
    response = rpc("count_keys", headers={"Prefer": "params=single-object"}, json={"a": 1, "b": 2})
    assert response.json() == 2


def test_function_sets_response_status_and_headers(rpc):
    response = rpc("queue_job", json={})
    assert (response.status_code, response.headers["Location"], response.json()) == (202, "/jobs/7", {"queued": True})


def test_table_returning_function(rpc):
    response = rpc("tag_counts", method="GET", query="items=gt.1")
    assert response.json() == [{"tag": "red", "items": 2}]


def test_void_function_is_204(rpc, rest, service):
    owner = f"owner-{uuid.uuid4().hex[:12]}"
    requests.post(f"{rest}/notes", headers=service, json={"owner": owner, "slug": "a"}).raise_for_status()
    response = rpc("bump_scores", json={"p_owner": owner})
    assert (response.status_code, response.content) == (204, b"")
    assert requests.get(f"{rest}/notes?owner=eq.{owner}&select=score", headers=service).json() == [{"score": 1}]


def test_get_runs_in_a_read_only_transaction(rpc):
    response = rpc("bump_scores", method="GET", query="p_owner=nobody")
    assert (response.status_code, response.json()["code"]) == (405, "25006")


def test_raise_exception_is_400_with_message_and_hint(rpc):
    response = rpc("fail", json={"p_message": "nope"})
    assert response.status_code == 400
    assert response.json() == {"code": "P0001", "details": None, "hint": "raised on purpose", "message": "nope"}


def test_unknown_function_is_pgrst202(rpc):
    response = rpc("addd", json={"a": 1})
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "PGRST202"
    assert body["message"] == "Could not find the function rest_contract.addd(a) in the schema cache"
    assert body["hint"] == "Perhaps you meant to call the function rest_contract.add"


def test_unknown_argument_is_pgrst202(rpc):
    response = rpc("add", json={"a": 1, "c": 2})
    assert (response.status_code, response.json()["code"]) == (404, "PGRST202")


def test_request_context_inside_the_transaction(rpc):
    response = rpc("request_context", headers={"X-Probe": "probe-value"}, json={})
    context = response.json()
    assert context["current_user"] == "service_role"
    assert context["claims"]["role"] == "service_role"
    assert (context["method"], context["path"], context["probe"]) == ("POST", "/rpc/request_context", "probe-value")
    assert context["search_path"].replace('"', '').startswith("rest_contract, public")
    assert context["read_only"] == "on"  # a stable function, even on POST
