"""Tokens never reach a response, a redirect or the service's log.

Every test in this folder is checked that way after it runs (see `no_token_leaks` in conftest.py);
this test runs all the connect scenarios in one go and checks explicitly.
"""

from __future__ import annotations

import json

from tests.service.conftest import Secrets


def test_connect_scenarios_leak_no_token(api, anonymous, fake_graph, secrets, received, service_log):
    log_start = service_log.stat().st_size
    linked = fake_graph.create_user(pages=[{"instagram": {}}])
    unlinked = fake_graph.create_user(pages=[{"instagram": None}])
    declined = fake_graph.create_user(pages=[{"instagram": {}}], permissions={"instagram_basic": "declined"})
    revoked = fake_graph.create_user(pages=[{}])
    fake_graph.invalidate(revoked["access_token"])

    for user in (linked, unlinked, declined, revoked, linked):
        api.connect("facebook", user["access_token"])
    api.get("/api/v1/social-media/connected-accounts")
    fake_graph.set_dialog(user_id=unlinked["id"])
    anonymous.get(api.login_redirect("instagram"))
    api.post("/api/v1/social-media/disconnect/facebook")

    page_token = linked["pages"][0]["access_token"]
    assert secrets.leaks_in(page_token), "the scan must recognise a token it knows"
    assert len(received) >= 9
    logged = service_log.read_bytes()[log_start:].decode(errors="replace")
    assert [leak for text in received for leak in secrets.leaks_in(text)] == []
    assert secrets.leaks_in(logged) == []


def test_the_scan_reads_json_log_lines_as_decoded_text():
    # A secret with characters JSON escapes is still found in a JSON log line.
    secret = 'tok"en\\with/odd\u00e9characters'
    line = json.dumps({"level": "info", "message": f"about {secret}"}, ensure_ascii=True)
    assert secret not in line
    assert Secrets({secret}).leaks_in(line) == [f"token {secret[:8]}..."]
