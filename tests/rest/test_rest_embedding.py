"""Resource embedding over foreign keys: what PostgREST's docs (references/api/resource_embedding)
and its spec (EmbedInnerJoinSpec, EmbedDisambiguationSpec, QuerySpec, QueryLimitedSpec) state,
written against this project's own `rest_contract` tables (tests/rest/contract.sql)."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture
def get(rest, anon_headers, contract_profile):
    def send(path: str, *, headers: dict[str, str] | None = None, method: str = "GET") -> requests.Response:
        return requests.request(method, f"{rest}/{path}", headers={**anon_headers, **contract_profile, **(headers or {})})
    return send


def ok(response: requests.Response):
    assert response.status_code == 200, response.text
    return response.json()


def test_many_to_one_embeds_an_object_or_null(get):
    assert ok(get("projects?select=id,clients(id,name)&order=id")) == [
        {"id": 1, "clients": {"id": 1, "name": "Northwind"}}, {"id": 2, "clients": {"id": 1, "name": "Northwind"}},
        {"id": 3, "clients": {"id": 2, "name": "Contoso"}}, {"id": 4, "clients": {"id": 2, "name": "Contoso"}},
        {"id": 5, "clients": None},
    ]


def test_one_to_many_embeds_an_array_empty_when_nothing_refers(get):
    assert ok(get("clients?select=id,projects(id)&order=id&projects.order=id")) == [
        {"id": 1, "projects": [{"id": 1}, {"id": 2}]},
        {"id": 2, "projects": [{"id": 3}, {"id": 4}]},
        {"id": 3, "projects": []},
    ]


def test_one_to_one_embeds_an_object_both_ways(get):
    assert ok(get("clients?select=id,client_profiles(city)&order=id")) == [
        {"id": 1, "client_profiles": {"city": "Seattle"}}, {"id": 2, "client_profiles": {"city": "Lisbon"}},
        {"id": 3, "client_profiles": None},
    ]
    assert ok(get("client_profiles?select=city,clients(name)&client_id=eq.2")) == [
        {"city": "Lisbon", "clients": {"name": "Contoso"}}]


def test_embeddings_nest_and_star_selects_every_column(get):
    assert ok(get("tasks?select=id,projects(name,clients(*))&id=eq.5")) == [
        {"id": 5, "projects": {"name": "Warehouse", "clients": {"id": 2, "name": "Contoso"}}}]
    assert ok(get("projects?select=*,clients(name)&id=eq.1")) == [
        {"id": 1, "name": "Website", "client_id": 1, "clients": {"name": "Northwind"}}]


def test_an_alias_renames_the_embedding_and_addresses_its_filters(get):
    assert ok(get("projects?select=id,owner:clients(name)&owner.name=eq.Contoso&order=id")) == [
        {"id": 1, "owner": None}, {"id": 2, "owner": None}, {"id": 3, "owner": {"name": "Contoso"}},
        {"id": 4, "owner": {"name": "Contoso"}}, {"id": 5, "owner": None},
    ]
    response = get("projects?select=id,owner:clients(name)&clients.name=eq.Contoso")
    assert response.status_code == 400
    assert response.json() == {"code": "PGRST108", "details": None,
                               "hint": "Change 'clients' to 'owner' in filters, orders or limits.",
                               "message": "'clients' is not an embedded resource in this request"}


def test_inner_drops_rows_whose_to_one_embedding_is_null_and_counts_accordingly(get):
    assert ok(get("projects?select=id,clients!inner(id)&order=id")) == [
        {"id": 1, "clients": {"id": 1}}, {"id": 2, "clients": {"id": 1}},
        {"id": 3, "clients": {"id": 2}}, {"id": 4, "clients": {"id": 2}},
    ]
    head = get("projects?select=id,clients!inner(id)", method="HEAD", headers={"Prefer": "count=exact"})
    assert head.headers["Content-Range"] == "0-3/4"
    assert len(ok(get("projects?select=id,clients!left(id)"))) == 5


def test_a_filter_on_an_inner_embedding_filters_the_parents(get):
    assert ok(get("projects?select=id,clients!inner(id)&clients.id=eq.1&order=id")) == [
        {"id": 1, "clients": {"id": 1}}, {"id": 2, "clients": {"id": 1}}]
    head = get("projects?select=id,clients!inner(id)&clients.id=eq.1", method="HEAD", headers={"Prefer": "count=exact"})
    assert head.headers["Content-Range"] == "0-1/2"
    assert ok(get("projects?select=id,clients!inner(id)&clients.id=eq.0")) == []


def test_a_filter_two_levels_down_reaches_the_top_through_inner_joins_only(get):
    assert [row["id"] for row in ok(get(
        "tasks?select=id,projects!inner(id,clients!inner(id))&projects.clients.id=eq.2&order=id"))] == [5, 6, 7, 8]
    rows = ok(get("tasks?select=id,projects(id,clients!inner(id))&projects.clients.id=eq.2&order=id"))
    assert [row["projects"] for row in rows[:4]] == [None] * 4
    assert rows[4] == {"id": 5, "projects": {"id": 3, "clients": {"id": 2}}}


def test_inner_drops_rows_whose_to_many_embedding_is_empty(get):
    assert ok(get("clients?select=id,projects!inner(id)&order=id&projects.order=id")) == [
        {"id": 1, "projects": [{"id": 1}, {"id": 2}]}, {"id": 2, "projects": [{"id": 3}, {"id": 4}]}]
    assert ok(get("clients?select=id,projects!inner(id)&projects.name=eq.Payroll")) == [
        {"id": 2, "projects": [{"id": 4}]}]


def test_embedded_order_limit_and_offset_apply_per_parent(get):
    assert ok(get("clients?select=id,projects(id)&order=id&projects.order=id.desc&projects.limit=1")) == [
        {"id": 1, "projects": [{"id": 2}]}, {"id": 2, "projects": [{"id": 4}]}, {"id": 3, "projects": []}]
    assert ok(get("clients?select=id,projects(id)&id=eq.1&projects.order=id&projects.offset=1")) == [
        {"id": 1, "projects": [{"id": 2}]}]
    assert ok(get("projects?select=id,clients(id)&id=eq.1&clients.offset=1")) == [{"id": 1, "clients": None}]


def test_embedded_or_filters(get):
    assert ok(get("clients?select=id,projects(name)&id=eq.1&projects.or=(name.eq.Website,id.gt.10)")) == [
        {"id": 1, "projects": [{"name": "Website"}]}]


def test_an_empty_embedding_only_filters(get):
    assert ok(get("projects?select=id,clients!inner()&clients.name=eq.Northwind&order=id")) == [{"id": 1}, {"id": 2}]


def test_a_foreign_key_column_or_constraint_names_the_embedding(get):
    assert ok(get("projects?select=id,client_id(name)&id=eq.3")) == [{"id": 3, "client_id": {"name": "Contoso"}}]
    assert ok(get("projects?select=id,projects_client_id_fkey(name)&id=eq.3")) == [
        {"id": 3, "projects_client_id_fkey": {"name": "Contoso"}}]


def test_two_foreign_keys_to_one_table_are_ambiguous_without_a_hint(get):
    response = get("people?select=name,messages(body)")
    assert response.status_code == 300
    body = response.json()
    assert body["code"] == "PGRST201"
    assert body["message"] == "Could not embed because more than one relationship was found for 'people' and 'messages'"
    assert sorted(body["details"], key=lambda item: item["relationship"]) == [
        {"cardinality": "one-to-many", "embedding": "people with messages",
         "relationship": "messages_recipient_id_fkey using people(id) and messages(recipient_id)"},
        {"cardinality": "one-to-many", "embedding": "people with messages",
         "relationship": "messages_sender_id_fkey using people(id) and messages(sender_id)"},
    ]
    assert body["hint"] == ("Try changing 'messages' to one of the following: 'messages!messages_recipient_id_fkey', "
                            "'messages!messages_sender_id_fkey'. Find the desired relationship in the 'details' key.")


def test_a_hint_picks_the_relationship(get):
    assert ok(get("people?select=name,sent:messages!sender_id(body)&id=eq.1&sent.order=id")) == [
        {"name": "ann", "sent": [{"body": "hi bob"}, {"body": "lunch?"}]}]
    assert ok(get("people?select=name,messages!messages_recipient_id_fkey(body)&id=eq.1")) == [
        {"name": "ann", "messages": [{"body": "hi ann"}]}]
    assert ok(get("messages?select=body,from:people!sender_id(name),to:people!recipient_id(name)&id=eq.2")) == [
        {"body": "hi ann", "from": {"name": "bob"}, "to": {"name": "ann"}}]


def test_a_self_reference_embeds_children_by_table_and_parent_by_column(get):
    assert ok(get("employees?select=name,reports:employees(name)&id=eq.1&reports.order=id")) == [
        {"name": "ceo", "reports": [{"name": "cto"}, {"name": "cfo"}]}]
    assert ok(get("employees?select=name,manager_id(name)&id=eq.3")) == [
        {"name": "developer", "manager_id": {"name": "cto"}}]


def test_no_relationship_is_pgrst200_with_a_hint_for_a_near_name(get):
    response = get("items?select=id,clients(*)")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST200",
        "details": "Searched for a foreign key relationship between 'items' and 'clients' in the schema "
                   "'rest_contract', but no matches were found.",
        "hint": None,
        "message": "Could not find a relationship between 'items' and 'clients' in the schema cache",
    }
    typo = get("projects?select=id,clientz(*)").json()
    assert typo["code"] == "PGRST200"
    assert typo["hint"] == "Perhaps you meant 'clients' instead of 'clientz'."
    hinted = get("projects?select=id,clients!no_such_key(*)").json()
    assert hinted["details"] == ("Searched for a foreign key relationship between 'projects' and 'clients' using the "
                                 "hint 'no_such_key' in the schema 'rest_contract', but no matches were found.")


def test_writes_return_their_rows_with_embeddings_in_the_asked_order(rest, service):
    headers = {**service, "Prefer": "return=representation"}
    try:
        created = requests.post(f"{rest}/tasks?select=id,projects(name)&order=id.desc", headers=headers,
                                json=[{"id": 100, "name": "Test", "project_id": 1},
                                      {"id": 101, "name": "Ship", "project_id": 3}])
        assert created.status_code == 201, created.text
        assert created.json() == [{"id": 101, "projects": {"name": "Warehouse"}},
                                  {"id": 100, "projects": {"name": "Website"}}]
        updated = requests.patch(f"{rest}/tasks?id=gte.100&select=id,name&order=id.desc", headers=headers,
                                 json={"name": "Renamed"})
        assert updated.json() == [{"id": 101, "name": "Renamed"}, {"id": 100, "name": "Renamed"}]
    finally:
        deleted = requests.delete(f"{rest}/tasks?id=gte.100&select=id&order=id.desc", headers=headers)
    assert deleted.json() == [{"id": 101}, {"id": 100}]


def test_a_to_one_spread_puts_the_related_columns_in_the_row(get):
    assert ok(get("projects?select=id,...clients(client:name)&id=in.(3,5)&order=id")) == [
        {"id": 3, "client": "Contoso"}, {"id": 5, "client": None}]
    assert ok(get("tasks?select=name,...projects(project:name,...clients(client:name))&id=eq.1")) == [
        {"name": "Design", "project": "Website", "client": "Northwind"}]


def test_a_to_many_spread_is_refused(get):
    response = get("clients?select=id,...projects(name)")
    assert (response.status_code, response.json()["code"]) == (400, "PGRST127")


def test_null_filters_on_an_embedding_keep_or_drop_parents(get):
    assert [row["id"] for row in ok(get("projects?select=id,clients(id)&clients=is.null"))] == [5]
    assert [row["id"] for row in ok(get("clients?select=id,projects(id)&projects.name=eq.Payroll"
                                        "&projects=not.is.null"))] == [2]


def test_order_by_a_column_of_a_to_one_embedding(get):
    rows = ok(get("projects?select=id,clients(name)&order=clients(name).desc.nullslast,id&id=lt.5"))
    assert [row["id"] for row in rows] == [1, 2, 3, 4]  # Northwind before Contoso, descending
    response = get("clients?select=id,projects(name)&order=projects(name)")
    assert response.status_code == 400
    assert response.json() == {"code": "PGRST118", "hint": None,
                               "details": "'clients' and 'projects' do not form a many-to-one or one-to-one relationship",
                               "message": "A related order on 'projects' is not possible"}


def test_many_to_many_through_a_junction_table(get):
    assert ok(get("people?select=name,projects(name)&order=id&projects.order=id")) == [
        {"name": "ann", "projects": [{"name": "Website"}, {"name": "Warehouse"}]},
        {"name": "bob", "projects": [{"name": "Website"}]},
    ]
    assert ok(get("projects?select=id,people!assignments(name)&id=eq.1&people.order=name.desc")) == [
        {"id": 1, "people": [{"name": "bob"}, {"name": "ann"}]}]
    assert ok(get("projects?select=id,people!inner(name)&people.name=eq.bob")) == [{"id": 1, "people": [{"name": "bob"}]}]
    assert ok(get("people?select=name,assignments(role)&id=eq.2")) == [{"name": "bob", "assignments": [{"role": "developer"}]}]
