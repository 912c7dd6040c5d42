"""PostgREST's `db-max-rows`: every read (table, view, function) returns at most that many rows,
from the asked offset; writes are never capped. What PostgREST documents and its QueryLimitedSpec
states, checked here on a gateway started with `--max-rows 2` (PGRST_DB_MAX_ROWS)."""

from __future__ import annotations

import os

import pytest
import requests

from devstack.stack import SUPABASE_DB_MAX_ROWS


@pytest.fixture(scope="module")
def limited(start_gateway, anon_headers, contract_profile):
    """Sends a request to a gateway capped at 2 rows, as the anonymous role unless headers say otherwise."""
    rest = start_gateway(max_rows=2) + "/rest/v1"

    def send(method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs) -> requests.Response:
        return requests.request(method, f"{rest}/{path}",
                                headers={**anon_headers, **contract_profile, **(headers or {})}, **kwargs)
    return send


def test_a_read_returns_at_most_max_rows(limited):
    response = limited("GET", "items?select=id&order=id")
    assert response.status_code == 200
    assert response.json() == [{"id": 1}, {"id": 2}]
    assert response.headers["Content-Range"] == "0-1/*"


def test_a_larger_limit_is_capped_and_the_offset_kept(limited):
    response = limited("GET", "items?select=id&order=id&limit=5&offset=3")
    assert response.json() == [{"id": 4}, {"id": 5}]
    assert response.headers["Content-Range"] == "3-4/*"


def test_a_smaller_client_range_is_kept(limited):
    response = limited("GET", "items?select=id&order=id", headers={"Range": "0-0"})
    assert response.json() == [{"id": 1}]
    assert response.headers["Content-Range"] == "0-0/*"


def test_limit_zero_stays_empty(limited):
    response = limited("GET", "items?limit=0")
    assert response.json() == []
    assert response.headers["Content-Range"] == "*/*"


def test_an_exact_count_counts_past_the_cap_and_answers_206(limited):
    response = limited("GET", "items?select=id&order=id", headers={"Prefer": "count=exact"})
    assert response.status_code == 206
    assert response.json() == [{"id": 1}, {"id": 2}]
    assert response.headers["Content-Range"] == "0-1/6"


def test_a_function_returning_a_set_is_capped(limited):
    response = limited("GET", "rpc/items_in_category?p_category=fruit&select=id")
    assert response.json() == [{"id": 1}, {"id": 2}]
    assert response.headers["Content-Range"] == "0-1/*"


def test_every_embedded_resource_is_capped_too(limited):
    response = limited("GET", "projects?select=id,tasks(id)&id=eq.1&tasks.order=id")
    assert response.json() == [{"id": 1, "tasks": [{"id": 1}, {"id": 2}]}]  # project 1 has three tasks


def test_an_estimated_count_is_exact_up_to_the_cap_and_the_planners_beyond(limited):
    within = limited("HEAD", "items?id=lt.3", headers={"Prefer": "count=estimated"})
    assert (within.status_code, within.headers["Content-Range"]) == (200, "0-1/2")
    beyond = limited("HEAD", "items", headers={"Prefer": "count=estimated"})
    assert (beyond.status_code, beyond.headers["Content-Range"]) == (206, "0-1/6")  # items is analyzed: 6 rows


def test_writes_are_not_capped(limited, service):
    owner = "max-rows"
    headers = {**service, "Prefer": "return=representation"}
    notes = [{"owner": owner, "slug": slug} for slug in ("a", "b", "c")]
    created = limited("POST", "notes?select=slug", headers=headers, json=notes)
    updated = limited("PATCH", f"notes?owner=eq.{owner}&select=score", headers=headers, json={"score": 1})
    deleted = limited("DELETE", f"notes?owner=eq.{owner}&select=slug&order=slug", headers=headers)
    assert created.status_code == 201 and len(created.json()) == 3
    assert updated.json() == [{"score": 1}] * 3
    assert deleted.json() == [{"slug": "a"}, {"slug": "b"}, {"slug": "c"}]


def test_the_stack_caps_at_supabases_default(stack):
    rest_service = stack._rest_layer({"rest": 1, "postgrest": 2}, "secret")[-1]
    assert SUPABASE_DB_MAX_ROWS == "1000"
    assert rest_service.env["PGRST_DB_MAX_ROWS"] == os.environ.get("PGRST_DB_MAX_ROWS", "1000")
