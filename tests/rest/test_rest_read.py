"""GET/HEAD on a table: filters, logic trees, select, order, pagination, counts, media types."""

from __future__ import annotations

import pytest
import requests

ALL_IDS = [1, 2, 3, 4, 5, 6]


@pytest.fixture
def get(rest, anon_headers, contract_profile):
    """GET /items as the anonymous role (it may read `items`), with extra params and headers."""
    def send(query: str = "", *, headers: dict[str, str] | None = None, method: str = "GET") -> requests.Response:
        return requests.request(method, f"{rest}/items?{query}",
                                headers={**anon_headers, **contract_profile, **(headers or {})})
    return send


def ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


@pytest.mark.parametrize("condition, expected", [
    ("id=eq.2", [2]),
    ("id=neq.2", [1, 3, 4, 5, 6]),
    ("price=gt.1.2", [3, 5]),
    ("price=gte.1.2", [1, 3, 5]),
    ("price=lt.0.8", [2]),
    ("price=lte.0.8", [2, 4]),
    ("name=like.c*", [3, 4]),
    ("name=ilike.C*", [3, 4, 5]),
    ("name=match.^[bc]", [2, 3, 4]),
    ("name=imatch.^C", [3, 4, 5]),
    ("id=in.(1,3,99)", [1, 3]),
    ('name=in.("Crab, king",apple)', [1, 5]),
    ("id=in.()", []),
    ("category=is.null", [6]),
    ("category=is.not_null", [1, 2, 3, 4, 5]),
    ("active=is.true", [1, 2, 4]),
    ("active=is.false", [3, 6]),
    ("active=is.unknown", [5]),
    ("category=isdistinct.fruit", [4, 5, 6]),
    ("tags=cs.{red}", [1, 3]),
    ("tags=cd.{red,sweet,yellow}", [1, 2, 3, 5]),
    ("tags=ov.{yellow,orange}", [2, 4]),
    ("name=fts.apple", [1]),
    ("name=plfts(simple).banana", [2]),
    ("name=phfts.crab%20king", [5]),
    ("name=wfts.carrot%20or%20daikon", [4, 6]),
    ("season=ov.[2024-01-15,2024-02-15]", [1, 2]),
    ("season=sl.[2024-02-15,2024-02-20]", [1, 6]),
    ("season=sr.[2024-02-15,2024-02-20]", [3, 5]),
    ("season=nxr.[2024-02-15,2024-02-20]", [1, 6]),
    ("season=nxl.[2024-02-15,2024-02-20]", [3, 5]),
    ("season=adj.[2024-04-01,2024-05-01)", [3, 5]),
    ("name=like(any).{a*,b*}", [1, 2]),
    ("name=like(all).{c*,*t}", [4]),
    ("released=gte.2024-03-01", [3, 5, 6]),
    ("metrics->>views=eq.25", [2]),
    ("metrics->views=gt.20", [2, 5]),
])
def test_filter_operators(get, condition, expected):
    assert ids(get(f"{condition}&order=id")) == expected


@pytest.mark.parametrize("condition, expected", [
    ("id=not.eq.2", [1, 3, 4, 5, 6]),
    ("active=not.is.true", [3, 5, 6]),
    ("id=not.in.(1,2,3)", [4, 5, 6]),
    ("name=not.ilike.c*", [1, 2, 6]),
])
def test_not_negates_an_operator(get, condition, expected):
    assert ids(get(f"{condition}&order=id")) == expected


def test_several_filters_on_one_column_all_apply(get):
    assert ids(get("id=gt.1&id=lt.4&order=id")) == [2, 3]


@pytest.mark.parametrize("tree, expected", [
    ("or=(id.eq.1,id.eq.4)", [1, 4]),
    ("and=(id.gte.2,id.lte.3)", [2, 3]),
    ("or=(category.eq.seafood,and(category.eq.fruit,price.gt.1))", [1, 3, 5]),
    ("not.or=(category.eq.fruit,category.is.null)", [4, 5]),
    ('or=(name.in.("Crab, king",banana),id.eq.6)', [2, 5, 6]),
    ('or=(name.eq."Crab, king",not.and(id.gt.1,id.lt.6))', [1, 5, 6]),
    ("or=(tags.cs.{yellow},tags.cs.{orange})", [2, 4]),
])
def test_logic_trees(get, tree, expected):
    assert ids(get(f"{tree}&order=id")) == expected


@pytest.mark.parametrize("order, expected", [
    ("id.desc", [6, 5, 4, 3, 2, 1]),
    ("category.desc.nullslast,id.desc", [4, 5, 3, 2, 1, 6]),
    ("category.nullsfirst,id", [6, 1, 2, 3, 5, 4]),
    ("metrics->views.desc.nullslast,id", [5, 2, 1, 3, 4, 6]),
])
def test_order(get, order, expected):
    assert ids(get(f"order={order}")) == expected


def test_select_aliases_casts_and_json_paths(get):
    response = get("select=id,title:name,price::text,views:metrics->>views,metrics->likes&id=eq.1")
    assert response.json() == [{"id": 1, "title": "apple", "price": "1.20", "views": "10", "likes": 1}]


def test_select_star_returns_every_column_in_table_order(get):
    row = get("id=eq.4").json()[0]
    assert list(row) == ["id", "name", "category", "price", "tags", "metrics", "active", "released", "season"]
    assert row["tags"] == ["orange"] and row["metrics"] is None


def test_limit_and_offset(get):
    response = get("order=id&limit=2&offset=1")
    assert ids(response) == [2, 3]
    assert response.headers["Content-Range"] == "1-2/*"


def test_range_header(get):
    response = get("order=id", headers={"Range-Unit": "items", "Range": "0-1"})
    assert ids(response) == [1, 2]
    assert response.headers["Content-Range"] == "0-1/*"


def test_exact_count_of_a_page_is_206_with_the_total(get):
    response = get("order=id&limit=2", headers={"Prefer": "count=exact"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "0-1/6"
    assert response.headers["Preference-Applied"] == "count=exact"


def test_exact_count_of_everything_is_200(get):
    response = get("order=id", headers={"Prefer": "count=exact"})
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "0-5/6"


def test_exact_count_with_filters_and_no_rows(get):
    response = get("id=gt.100", headers={"Prefer": "count=exact"})
    assert (response.status_code, response.json(), response.headers["Content-Range"]) == (200, [], "*/0")


def test_planned_count_answers_with_a_total(get):
    response = get("category=eq.fruit&limit=1", headers={"Prefer": "count=planned"})
    assert response.headers["Content-Range"].startswith("0-0/")
    assert response.headers["Content-Range"] != "0-0/*"


def test_limit_zero_still_counts(get):
    response = get("limit=0", headers={"Prefer": "count=exact"})
    assert (response.status_code, response.json(), response.headers["Content-Range"]) == (206, [], "*/6")


def test_offset_past_the_end_is_416(get):
    response = get("offset=10", headers={"Prefer": "count=exact"})
    assert response.status_code == 416
    assert response.json()["code"] == "PGRST103"
    assert response.json()["details"] == "An offset of 10 was requested, but there are only 6 rows."
    assert response.headers["Content-Range"] == "*/6"


@pytest.mark.parametrize("query, headers", [("limit=-1", {}), ("", {"Range": "3-1"})])
def test_invalid_ranges_are_416(get, query, headers):
    response = get(query, headers=headers)
    assert (response.status_code, response.json()["code"]) == (416, "PGRST103")


def test_head_counts_without_a_body(get):
    response = get("order=id", headers={"Prefer": "count=exact"}, method="HEAD")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Range"] == "0-5/6"


def test_single_object_accept(get):
    response = get("id=eq.3", headers={"Accept": "application/vnd.pgrst.object+json"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.pgrst.object+json; charset=utf-8"
    assert response.json()["name"] == "cherry"


@pytest.mark.parametrize("condition, rows", [("category=eq.fruit", 3), ("id=eq.99", 0)])
def test_single_object_accept_needs_exactly_one_row(get, condition, rows):
    response = get(condition, headers={"Accept": "application/vnd.pgrst.object+json"})
    assert response.status_code == 406
    assert response.json() == {"code": "PGRST116", "details": f"The result contains {rows} rows", "hint": None,
                               "message": "Cannot coerce the result to a single JSON object"}


def test_stripped_nulls(get):
    response = get("id=eq.6", headers={"Accept": "application/vnd.pgrst.array+json;nulls=stripped"})
    assert response.json() == [{"id": 6, "name": "daikon", "tags": ["white"], "active": False, "released": "2024-06-01",
                                "season": "[2023-01-01,2023-06-01)"}]


def test_csv(get):
    response = get("select=id,name&id=in.(1,5)&order=id", headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.text == 'id,name\n1,apple\n5,"Crab, king"'


def test_a_browser_accept_header_gets_json(get):
    response = get("id=eq.1", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_unavailable_media_type_is_406(get):
    response = get(headers={"Accept": "text/html"})
    assert (response.status_code, response.json()["code"]) == (406, "PGRST107")


@pytest.mark.parametrize("query", ["id=equals.1", "select=id,,name", "order=id.sideways", "or=(id.eq.1"])
def test_malformed_query_is_pgrst100(get, query):
    response = get(query)
    assert (response.status_code, response.json()["code"]) == (400, "PGRST100")


def test_unknown_column_is_postgres_42703(get):
    response = get("nope=eq.1")
    assert (response.status_code, response.json()["code"]) == (400, "42703")

