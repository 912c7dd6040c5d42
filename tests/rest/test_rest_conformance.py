"""PostgREST behaviours the gateway once missed, each as PostgREST's spec states it (RpcSpec,
InsertSpec, QuerySpec, RangeSpec, QueryLimitedSpec, ErrorSpec, HttpHeaderSpec), written against
this project's own `rest_contract` fixtures."""

from __future__ import annotations

import psycopg
import pytest
import requests


@pytest.fixture
def call(rest, service):
    def send(method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs) -> requests.Response:
        return requests.request(method, f"{rest}/{path}", headers={**service, **(headers or {})}, **kwargs)
    return send


# --- function result shapes -------------------------------------------------------------------

@pytest.mark.parametrize("method, path, kwargs, expected", [
    ("GET", "rpc/plus_one?num=5", {}, {"num_plus_one": 6}),  # a single OUT parameter is still an object
    ("POST", "rpc/plus_one", {"json": {"num": 1}}, {"num_plus_one": 2}),
    ("GET", "rpc/letters", {}, [{"letter": "A"}, {"letter": "B"}]),  # single-column TABLE: objects
    ("POST", "rpc/first_item", {"json": {}}, {"id": 1, "name": "apple"}),  # record keeps its column names
    ("POST", "rpc/fruit_records", {"json": {}},
     [{"id": 1, "name": "apple"}, {"id": 2, "name": "banana"}, {"id": 3, "name": "cherry"}]),
])
def test_function_result_shapes(call, method, path, kwargs, expected):
    response = call(method, path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.json() == expected


def test_a_single_column_table_can_be_filtered_by_its_column(call):
    assert call("GET", "rpc/letters?letter=eq.B").json() == [{"letter": "B"}]


@pytest.mark.parametrize("method, path, kwargs, expected", [
    ("POST", "rpc/joined", {"json": {"words": ["hi", "hello", "there"]}}, "hi hello there"),
    ("GET", "rpc/joined", {}, ""),  # through the DEFAULT
    ("GET", "rpc/joined?words=hi", {}, "hi"),
    ("GET", "rpc/joined?words=hi&words=there", {}, "hi there"),  # repeated parameters fill a VARIADIC one
])
def test_variadic_functions(call, method, path, kwargs, expected):
    response = call(method, path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.json() == expected


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "rpc/fixed_width?code=abc&flags=1010", {}),
    ("POST", "rpc/fixed_width", {"json": {"code": "abc", "flags": "1010"}}),
])
def test_character_and_bit_arguments_keep_their_length(call, method, path, kwargs):
    response = call(method, path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.json() == "abc:1010"


# --- errors and headers -----------------------------------------------------------------------

def test_a_raised_pt_state_is_its_http_status(call):
    response = call("POST", "rpc/payment_required", json={})
    assert response.status_code == 402
    assert response.json() == {"code": "PT402", "details": "Quota exceeded", "hint": "Upgrade your plan",
                               "message": "Payment Required"}


def test_a_pt_state_that_is_no_status_is_500(call):
    response = call("POST", "rpc/bad_status", json={})
    assert response.status_code == 500
    assert response.json() == {"code": "PT40A", "details": None, "hint": None, "message": "Wrong"}


def test_every_set_cookie_of_response_headers_is_sent(call):
    response = call("POST", "rpc/two_cookies", json={})
    assert response.status_code == 200
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]


@pytest.mark.parametrize("condition, expected", [("id=in.(    )", []), ("id=in.( 2 , 3 )", [2, 3])])
def test_in_list_elements_lose_their_blanks(call, condition, expected):
    response = call("GET", f"items?select=id&order=id&{condition}", headers={"Accept-Profile": "rest_contract"})
    assert response.status_code == 200, response.text
    assert [row["id"] for row in response.json()] == expected


def test_an_in_list_with_a_blank_element_is_an_invalid_integer(call):
    response = call("GET", "items?id=in.( ,3)", headers={"Accept-Profile": "rest_contract"})
    assert response.status_code == 400
    assert response.json()["message"] == 'invalid input syntax for type integer: ""'


# --- Prefer: missing=default ------------------------------------------------------------------

def test_missing_default_fills_identity_column_and_domain_defaults(call):
    headers = {"Prefer": "return=representation,missing=default"}
    try:
        response = call("POST", "entries?columns=id,label,score,kind&select=label,score,kind", headers=headers,
                        json=[{"label": "first"}, {"label": "second", "score": 3, "kind": "special"}])
        assert response.status_code == 201, response.text
        assert response.json() == [{"label": "first", "score": 7, "kind": "plain"},
                                   {"label": "second", "score": 3, "kind": "special"}]
        assert response.headers["Preference-Applied"] == "missing=default, return=representation"
        ids = [row["id"] for row in call("GET", "entries?select=id&order=id").json()]
        assert len(ids) == 2 and ids[0] < ids[1]
    finally:
        call("DELETE", "entries?id=gt.0")


def test_without_missing_default_an_absent_key_is_null(call):
    response = call("POST", "entries?columns=id,label", json=[{"label": "x"}])
    assert response.status_code == 400
    assert response.json()["code"] == "23502"


# --- counts -----------------------------------------------------------------------------------

def planner_rows(database_url: str, query: str) -> int:
    with psycopg.connect(database_url) as db:
        return db.execute(f"explain (format json) {query}").fetchone()[0][0]["Plan"]["Plan Rows"]


def test_planned_count_is_the_planners_estimate(call, contract_database_url):
    estimate = planner_rows(contract_database_url, "select 1 from rest_contract.items where id > 1")
    response = call("GET", "items?select=id&id=gt.1&limit=2", headers={"Prefer": "count=planned"})
    assert response.headers["Content-Range"] == f"0-1/{estimate}"
    assert response.status_code == (206 if estimate > 2 else 200)


def test_estimated_count_is_exact_without_a_cap_past_the_estimate(call, contract_database_url):
    estimate = planner_rows(contract_database_url, "select 1 from rest_contract.items")
    response = call("HEAD", "items?limit=1", headers={"Prefer": "count=estimated"})
    assert response.headers["Content-Range"] == f"0-0/{max(6, estimate)}"
    assert response.status_code == 206
