"""/me, /me/permissions, /me/accounts, Page and Instagram nodes, access rules, version prefix."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from devstack.fake_graph import demo
from devstack.fake_graph.fields import Field, parse_fields

from .conftest import error_of, graph_get

ALICE = demo.ALICE_USER_TOKEN
UNSUPPORTED = ("Unsupported get request. Object with ID '{}' does not exist, cannot be loaded due to missing "
               "permissions, or does not support this operation. Please read the Graph API documentation at "
               "https://developers.facebook.com/docs/graph-api")


def test_me_answers_id_and_name_with_the_pinned_version(client):
    response = graph_get(client, "/v26.0/me", ALICE, fields="id,name")
    assert response.status_code == 200
    assert response.get_json() == {"id": demo.ALICE_USER_ID, "name": "Alice"}
    assert response.headers["facebook-api-version"] == "v26.0"


def test_unversioned_calls_work_and_report_the_default_version(client):
    response = graph_get(client, "/me", ALICE)
    assert response.get_json() == {"name": "Alice", "id": demo.ALICE_USER_ID}
    assert response.headers["facebook-api-version"] == "v25.0"


def test_token_may_come_in_the_authorization_header(client):
    for scheme in ("OAuth", "Bearer"):
        response = client.get("/v25.0/me", headers={"Authorization": f"{scheme} {ALICE}"})
        assert response.get_json()["id"] == demo.ALICE_USER_ID


def test_me_with_a_page_token_is_the_page(client):
    response = graph_get(client, "/v25.0/me", demo.ALICE_PAGE_TOKEN)
    assert response.get_json() == {"name": "Alice's Bakery", "id": demo.ALICE_PAGE_ID}


def test_permissions_list_granted_and_declined(client):
    response = graph_get(client, "/v25.0/me/permissions", demo.CAROL_USER_TOKEN)
    assert response.get_json() == {"data": [
        {"permission": "public_profile", "status": "granted"},
        {"permission": "pages_show_list", "status": "granted"},
        {"permission": "pages_read_engagement", "status": "declined"},
        {"permission": "instagram_basic", "status": "declined"},
        {"permission": "instagram_manage_insights", "status": "granted"},
        {"permission": "read_insights", "status": "granted"},
        {"permission": "business_management", "status": "granted"},
    ]}


def test_accounts_render_requested_fields_with_expansion(client):
    fields = ("id,name,username,category,access_token,tasks,picture{url},"
              "instagram_business_account{id,username,name,profile_picture_url}")
    response = graph_get(client, "/v25.0/me/accounts", ALICE, fields=fields)
    assert response.status_code == 200
    body = response.get_json()
    cursor = "MTA0MDAwMDAwMDAwMDAx"  # base64 of the Page id
    assert body == {
        "data": [{
            "id": demo.ALICE_PAGE_ID,
            "name": "Alice's Bakery",
            "username": "alicesbakery",
            "category": "Bakery",
            "access_token": demo.ALICE_PAGE_TOKEN,
            "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            "picture": {"data": {"height": 50, "is_silhouette": False, "width": 50,
                                 "url": f"http://localhost/_assets/pictures/{demo.ALICE_PAGE_ID}.svg"}},
            "instagram_business_account": {
                "id": demo.ALICE_INSTAGRAM_ID, "username": "alices.bakery", "name": "Alice's Bakery",
                "profile_picture_url": f"http://localhost/_assets/pictures/{demo.ALICE_INSTAGRAM_ID}.svg",
            },
        }],
        "paging": {"cursors": {"before": cursor, "after": cursor}},
    }


def test_accounts_default_fields(client):
    body = graph_get(client, "/v25.0/me/accounts", demo.BOB_USER_TOKEN).get_json()
    assert body["data"] == [{"access_token": demo.BOB_PAGE_TOKEN, "category": "Bicycle shop", "name": "Bob's Bikes",
                             "id": demo.BOB_PAGE_ID, "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE",
                                                               "CREATE_CONTENT", "MANAGE"]}]


def test_page_without_linked_instagram_has_no_such_field(client):
    body = graph_get(client, "/v25.0/me/accounts", demo.BOB_USER_TOKEN,
                     fields="id,instagram_business_account{id,username}").get_json()
    assert body["data"] == [{"id": demo.BOB_PAGE_ID}]


def test_accounts_page_through_30_pages_with_absolute_next_links(client):
    pages = [{"name": f"Shop {n}"} for n in range(30)]
    user = client.post("/_control/users", json={"name": "Many", "pages": pages}).get_json()
    first = graph_get(client, "/v25.0/me/accounts", user["access_token"], fields="id").get_json()
    assert [page["id"] for page in first["data"]] == [page["id"] for page in user["pages"][:25]]
    next_url = urlsplit(first["paging"]["next"])
    assert (next_url.scheme, next_url.netloc, next_url.path) == ("http", "localhost", "/v25.0/me/accounts")
    query = {key: values[0] for key, values in parse_qs(next_url.query).items()}
    assert query == {"access_token": user["access_token"], "fields": "id", "after": first["paging"]["cursors"]["after"]}
    assert "previous" not in first["paging"]

    second = client.get(f"{next_url.path}?{next_url.query}").get_json()
    assert [page["id"] for page in second["data"]] == [page["id"] for page in user["pages"][25:]]
    assert "next" not in second["paging"]
    assert "before=" in second["paging"]["previous"]


def test_accounts_limit_and_before_cursor(client):
    user = client.post("/_control/users", json={"name": "Few", "pages": [{}, {}, {}]}).get_json()
    ids = [page["id"] for page in user["pages"]]
    token = user["access_token"]
    first = graph_get(client, "/me/accounts", token, limit="1").get_json()
    middle = graph_get(client, "/me/accounts", token, fields="id", limit="1", after=first["paging"]["cursors"]["after"])
    assert middle.get_json()["data"] == [{"id": ids[1]}]
    back = graph_get(client, "/me/accounts", token, fields="id", limit="1",
                     before=middle.get_json()["paging"]["cursors"]["before"])
    assert back.get_json()["data"] == [{"id": ids[0]}]


def test_accounts_need_pages_show_list(client):
    client.post(f"/_control/users/{demo.ALICE_USER_ID}/permissions", json={"pages_show_list": "declined"})
    response = graph_get(client, "/v25.0/me/accounts", ALICE)
    assert response.status_code == 403
    assert error_of(response) == {"message": "(#200) This endpoint requires the 'pages_show_list' permission.",
                                  "type": "OAuthException", "code": 200}


def test_page_node_fields_with_page_or_owner_token(client):
    fields = "followers_count,fan_count,name,username,picture{url}"
    expected = {"followers_count": 1520, "fan_count": 1480, "name": "Alice's Bakery", "username": "alicesbakery",
                "picture": {"data": {"height": 50, "is_silhouette": False, "width": 50,
                                     "url": f"http://localhost/_assets/pictures/{demo.ALICE_PAGE_ID}.svg"}}}
    for token in (demo.ALICE_PAGE_TOKEN, ALICE):
        response = graph_get(client, f"/v25.0/{demo.ALICE_PAGE_ID}", token, fields=fields)
        assert response.get_json() == expected


def test_page_engagement_fields_need_pages_read_engagement(client):
    response = graph_get(client, f"/v25.0/{demo.CAROL_PAGE_ID}", demo.CAROL_PAGE_TOKEN, fields="followers_count")
    assert response.status_code == 403
    assert error_of(response)["code"] == 10
    ok = graph_get(client, f"/v25.0/{demo.CAROL_PAGE_ID}", demo.CAROL_PAGE_TOKEN, fields="id,username")
    assert ok.get_json() == {"id": demo.CAROL_PAGE_ID, "username": "carolscafe"}


def test_picture_modifier_and_picture_edge(client):
    body = graph_get(client, f"/{demo.ALICE_PAGE_ID}", ALICE, fields="picture.type(large){url}").get_json()
    assert (body["picture"]["data"]["width"], body["picture"]["data"]["height"]) == (200, 200)
    redirect = graph_get(client, f"/{demo.ALICE_PAGE_ID}/picture", ALICE)
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == f"http://localhost/_assets/pictures/{demo.ALICE_PAGE_ID}.svg"
    data = graph_get(client, f"/{demo.ALICE_PAGE_ID}/picture", ALICE, redirect="false").get_json()
    assert data["data"]["url"] == redirect.headers["Location"]
    svg = client.get(f"/_assets/pictures/{demo.ALICE_PAGE_ID}.svg")
    assert svg.mimetype == "image/svg+xml" and b">A</text>" in svg.data


def test_instagram_node_fields(client):
    fields = "id,username,name,profile_picture_url,followers_count,follows_count,media_count"
    response = graph_get(client, f"/v25.0/{demo.ALICE_INSTAGRAM_ID}", demo.ALICE_PAGE_TOKEN, fields=fields)
    assert response.get_json() == {
        "id": demo.ALICE_INSTAGRAM_ID, "username": "alices.bakery", "name": "Alice's Bakery",
        "profile_picture_url": f"http://localhost/_assets/pictures/{demo.ALICE_INSTAGRAM_ID}.svg",
        "followers_count": 2310, "follows_count": 180, "media_count": 142,
    }


def test_instagram_needs_instagram_basic(client):
    response = graph_get(client, f"/v25.0/{demo.CAROL_INSTAGRAM_ID}", demo.CAROL_USER_TOKEN, fields="username")
    assert response.status_code == 403
    assert error_of(response) == {"message": "(#10) This endpoint requires the 'instagram_basic' permission.",
                                  "type": "OAuthException", "code": 10}
    # The link stays visible on the Page, reduced to its id.
    body = graph_get(client, "/me/accounts", demo.CAROL_USER_TOKEN,
                     fields="instagram_business_account{id,username}").get_json()
    assert body["data"] == [{"instagram_business_account": {"id": demo.CAROL_INSTAGRAM_ID}}]


def test_objects_out_of_reach_are_unsupported_get_requests(client):
    for path, token in ((demo.BOB_PAGE_ID, ALICE), (demo.ALICE_INSTAGRAM_ID, demo.BOB_PAGE_TOKEN),
                        (demo.BOB_USER_ID, ALICE), ("999999999", ALICE)):
        response = graph_get(client, f"/v25.0/{path}", token)
        assert response.status_code == 400
        assert error_of(response) == {"message": UNSUPPORTED.format(path), "type": "GraphMethodException",
                                      "code": 100, "error_subcode": 33}


def test_unknown_alias_field_and_edge(client):
    assert error_of(graph_get(client, "/v25.0/nosuchpage", ALICE)) == {
        "message": "(#803) Some of the aliases you requested do not exist: nosuchpage",
        "type": "OAuthException", "code": 803}
    assert error_of(graph_get(client, "/v25.0/me", ALICE, fields="id,email"))["message"] == (
        "(#100) Tried accessing nonexisting field (email) on node type (User)")
    assert error_of(graph_get(client, f"/v25.0/{demo.ALICE_PAGE_ID}/feed", ALICE))["message"] == (
        "(#100) Tried accessing nonexisting field (feed) on node type (Page)")
    assert error_of(graph_get(client, "/v25.0/me/accounts", demo.ALICE_PAGE_TOKEN))["message"] == (
        "(#100) Tried accessing nonexisting field (accounts) on node type (Page)")


def test_missing_token_errors(client):
    assert error_of(graph_get(client, "/v25.0/me")) == {
        "message": "An active access token must be used to query information about the current user.",
        "type": "OAuthException", "code": 2500}
    assert error_of(graph_get(client, f"/v25.0/{demo.ALICE_PAGE_ID}")) == {
        "message": "An access token is required to request this resource.", "type": "OAuthException", "code": 104}


def test_fields_parser_nests_braces_and_keeps_modifiers():
    assert parse_fields("id, a{b,c{d}} ,picture.type(large).width(10){url}") == (
        Field("id"),
        Field("a", (), (Field("b"), Field("c", (), (Field("d"),)))),
        Field("picture", (("type", "large"), ("width", "10")), (Field("url"),)),
    )


def test_fields_syntax_error(client):
    response = graph_get(client, "/me", ALICE, fields="id,{name}")
    assert error_of(response) == {"message": 'Syntax error "Expected field name." at character 3: id,{name}',
                                  "type": "OAuthException", "code": 2500}
