"""POST (insert, upsert), PATCH and DELETE on `rest_contract.notes`, as the service role."""

from __future__ import annotations

import uuid

import pytest
import requests
from postgrest import SyncPostgrestClient
from postgrest.types import ReturnMethod


@pytest.fixture
def owner() -> str:
    """Each test writes rows of its own owner, so tests never see each other's rows."""
    return f"owner-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def notes(rest, service):
    """Sends a request to /notes as the service role: `notes("POST", json=..., prefer=..., query=...)`."""
    def send(method: str, *, query: str = "", prefer: str | None = None, headers: dict[str, str] | None = None,
             **kwargs) -> requests.Response:
        extra = {"Prefer": prefer} if prefer else {}
        return requests.request(method, f"{rest}/notes?{query}", headers={**service, **extra, **(headers or {})},
                                **kwargs)
    return send


def stored(notes, owner: str, select: str = "slug,body,score") -> list[dict]:
    response = notes("GET", query=f"owner=eq.{owner}&select={select}&order=slug")
    assert response.status_code == 200, response.text
    return response.json()


def test_insert_returns_201_and_no_body_by_default(notes, owner):
    response = notes("POST", json={"owner": owner, "slug": "a", "body": "hello"})
    assert response.status_code == 201
    assert response.content == b""
    assert "Content-Type" not in response.headers
    assert response.headers["Content-Range"] == "*/*"
    assert stored(notes, owner) == [{"slug": "a", "body": "hello", "score": 0}]


def test_insert_with_representation_shaped_by_select(notes, owner):
    response = notes("POST", query="select=slug,points:score", prefer="return=representation",
                     json={"owner": owner, "slug": "a"})
    assert response.status_code == 201
    assert response.json() == [{"slug": "a", "points": 0}]
    assert response.headers["Preference-Applied"] == "return=representation"


def test_bulk_insert(notes, owner):
    rows = [{"owner": owner, "slug": slug, "score": score} for slug, score in (("a", 1), ("b", 2), ("c", 3))]
    response = notes("POST", query="select=slug,score", prefer="return=representation,count=exact", json=rows)
    assert response.status_code == 201
    assert response.json() == [{"slug": "a", "score": 1}, {"slug": "b", "score": 2}, {"slug": "c", "score": 3}]
    assert response.headers["Content-Range"] == "*/3"


def test_columns_parameter_picks_the_keys_to_insert(notes, owner):
    rows = [{"owner": owner, "slug": "a", "body": "kept", "score": 9}, {"owner": owner, "slug": "b", "body": "also"}]
    response = notes("POST", query="columns=owner,slug,body", json=rows)
    assert response.status_code == 201, response.text
    assert stored(notes, owner) == [{"slug": "a", "body": "kept", "score": 0}, {"slug": "b", "body": "also", "score": 0}]


def test_bulk_keys_missing_from_an_element_are_null_unless_missing_default(notes, owner):
    rows = [{"owner": owner, "slug": "a", "body": "given"}, {"owner": owner, "slug": "b"}]
    without_defaults = notes("POST", query='columns="owner","slug","body"', json=rows)
    assert (without_defaults.status_code, without_defaults.json()["code"]) == (400, "23502")
    with_defaults = notes("POST", query='columns="owner","slug","body"', prefer="missing=default", json=rows)
    assert with_defaults.status_code == 201
    assert stored(notes, owner) == [{"slug": "a", "body": "given", "score": 0}, {"slug": "b", "body": "empty", "score": 0}]


def test_empty_array_inserts_nothing(rest, service):
    response = requests.post(f"{rest}/notes", headers={**service, "Prefer": "return=representation"}, json=[])
    assert (response.status_code, response.json()) == (201, [])


def test_headers_only_returns_the_location_of_the_row(notes, owner):
    response = notes("POST", prefer="return=headers-only", json={"owner": owner, "slug": "a"})
    assert response.status_code == 201
    note_id = notes("GET", query=f"owner=eq.{owner}&select=id").json()[0]["id"]
    assert response.headers["Location"] == f"/notes?id=eq.{note_id}"


def test_upsert_merge_updates_only_the_columns_sent(notes, owner):
    notes("POST", json=[{"owner": owner, "slug": "a", "body": "first", "score": 7}])
    response = notes("POST", query="on_conflict=owner,slug&select=slug,body,score",
                     prefer="resolution=merge-duplicates,return=representation",
                     json=[{"owner": owner, "slug": "a", "body": "second"}])
    assert response.status_code == 200  # every row was an update
    assert response.json() == [{"slug": "a", "body": "second", "score": 7}]
    assert response.headers["Preference-Applied"] == "resolution=merge-duplicates, return=representation"


def test_upsert_merge_that_inserts_is_201(notes, owner):
    notes("POST", json={"owner": owner, "slug": "a"})
    response = notes("POST", query="on_conflict=owner,slug", prefer="resolution=merge-duplicates",
                     json=[{"owner": owner, "slug": "a", "body": "x"}, {"owner": owner, "slug": "b", "body": "y"}])
    assert response.status_code == 201
    assert stored(notes, owner) == [{"slug": "a", "body": "x", "score": 0}, {"slug": "b", "body": "y", "score": 0}]


def test_upsert_ignore_keeps_existing_rows(notes, owner):
    notes("POST", json={"owner": owner, "slug": "a", "body": "original"})
    response = notes("POST", query="on_conflict=owner,slug&select=slug,body",
                     prefer="resolution=ignore-duplicates,return=representation",
                     json=[{"owner": owner, "slug": "a", "body": "ignored"}, {"owner": owner, "slug": "b", "body": "new"}])
    assert response.status_code == 201
    assert response.json() == [{"slug": "b", "body": "new"}]
    assert stored(notes, owner) == [{"slug": "a", "body": "original", "score": 0}, {"slug": "b", "body": "new", "score": 0}]


def test_upsert_defaults_to_the_primary_key(notes, owner):
    note_id = str(uuid.uuid4())
    notes("POST", json={"id": note_id, "owner": owner, "slug": "a"})
    response = notes("POST", prefer="resolution=merge-duplicates",
                     json={"id": note_id, "owner": owner, "slug": "a", "score": 5})
    assert response.status_code == 200
    assert stored(notes, owner) == [{"slug": "a", "body": "empty", "score": 5}]


def test_postgrest_py_upsert_as_the_service_uses_it(rest, service_headers, owner):
    """What `upsert(..., on_conflict=..., returning=minimal, default_to_null=False)` sends, twice."""
    client = SyncPostgrestClient(rest, schema="rest_contract", headers=service_headers)
    rows = [{"owner": owner, "slug": "a", "body": "one"}, {"owner": owner, "slug": "b", "score": 2}]
    for _ in range(2):
        response = client.table("notes").upsert(rows, on_conflict="owner,slug", returning=ReturnMethod.minimal,
                                                default_to_null=False).execute()
        assert response.data == []
    stored_rows = client.table("notes").select("slug,body,score").eq("owner", owner).order("slug").execute().data
    assert stored_rows == [{"slug": "a", "body": "one", "score": 0}, {"slug": "b", "body": "empty", "score": 2}]


def test_the_same_key_twice_in_one_upsert_is_21000(notes, owner):
    response = notes("POST", query="on_conflict=owner,slug", prefer="resolution=merge-duplicates",
                     json=[{"owner": owner, "slug": "a"}, {"owner": owner, "slug": "a"}])
    assert response.status_code == 500
    assert response.json()["code"] == "21000"
    assert "cannot affect row a second time" in response.json()["message"]


def test_duplicate_key_without_resolution_is_409(notes, owner):
    notes("POST", json={"owner": owner, "slug": "a"})
    response = notes("POST", json={"owner": owner, "slug": "a"})
    assert (response.status_code, response.json()["code"]) == (409, "23505")


@pytest.mark.parametrize("row, status, code", [
    ({"slug": "a", "item_id": 999}, 409, "23503"),
    ({"slug": "a", "body": None}, 400, "23502"),
    ({"slug": "a", "score": "lots"}, 400, "22P02"),
])
def test_constraint_and_type_errors(notes, owner, row, status, code):
    response = notes("POST", json={"owner": owner, **row})
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_unknown_payload_key_is_pgrst204(notes, owner):
    response = notes("POST", json={"owner": owner, "slug": "a", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["code"] == "PGRST204"
    assert response.json()["message"] == "Could not find the 'colour' column of 'notes' in the schema cache"


@pytest.mark.parametrize("body, message", [
    ("{not json", "Empty or invalid json"),
    ('[{"owner": "x", "slug": "a"}, {"owner": "x"}]', "All object keys must match"),
])
def test_invalid_payloads_are_pgrst102(notes, body, message):
    response = notes("POST", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "PGRST102"
    assert response.json()["message"] == message


def test_patch_updates_the_filtered_rows(notes, owner):
    notes("POST", json=[{"owner": owner, "slug": slug} for slug in "abc"])
    response = notes("PATCH", query=f"owner=eq.{owner}&slug=in.(a,b)", json={"score": 4})
    assert response.status_code == 204
    assert response.headers["Content-Range"] == "0-1/*"
    assert [row["score"] for row in stored(notes, owner)] == [4, 4, 0]


def test_patch_with_representation_and_count(notes, owner):
    notes("POST", json=[{"owner": owner, "slug": slug} for slug in "ab"])
    response = notes("PATCH", query=f"owner=eq.{owner}&select=slug,score&order=slug",
                     prefer="return=representation,count=exact", json={"score": 1})
    assert response.status_code == 200
    assert response.json() == [{"slug": "a", "score": 1}, {"slug": "b", "score": 1}]
    assert response.headers["Content-Range"] == "0-1/2"


def test_patch_that_matches_nothing(notes, owner):
    response = notes("PATCH", query=f"owner=eq.{owner}", json={"score": 1})
    assert (response.status_code, response.headers["Content-Range"]) == (204, "*/*")


def test_singular_patch_of_two_rows_is_406_and_rolled_back(notes, owner):
    notes("POST", json=[{"owner": owner, "slug": slug} for slug in "ab"])
    response = notes("PATCH", query=f"owner=eq.{owner}", prefer="return=representation", json={"score": 3},
                     headers={"Accept": "application/vnd.pgrst.object+json"})
    assert (response.status_code, response.json()["code"]) == (406, "PGRST116")
    assert [row["score"] for row in stored(notes, owner)] == [0, 0]


def test_delete(notes, owner):
    notes("POST", json=[{"owner": owner, "slug": slug} for slug in "abc"])
    response = notes("DELETE", query=f"owner=eq.{owner}&slug=neq.c", prefer="count=exact")
    assert (response.status_code, response.headers["Content-Range"]) == (204, "*/2")
    response = notes("DELETE", query=f"owner=eq.{owner}&select=slug", prefer="return=representation")
    assert (response.status_code, response.json()) == (200, [{"slug": "c"}])
    assert stored(notes, owner) == []
