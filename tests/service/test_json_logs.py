"""The service's log is one JSON object per line, and each line says what it belongs to: the
request (`request_id`), the sync run (`run_id`), the user and platform where they apply."""

from __future__ import annotations

import json

SYNC = "/api/v1/social-media/insights/sync"


def test_every_line_of_a_connect_and_a_sync_is_json_and_carries_the_ids_it_belongs_to(http_api, fake_graph, service_log,
                                                                                      user_id):
    start = service_log.stat().st_size
    user = fake_graph.create_user(pages=[{"instagram": {}}])
    connect = http_api.post("/api/v1/social-media/connect/facebook", json={"access_token": user["access_token"]})
    # The first batch call of the run fails once: the Graph client's retry is logged from a pool thread.
    fake_graph.add_fault({"match": {"path_regex": "^/$", "method": "POST"}, "times": 1, "action": {"status": 503}})
    sync = http_api.post(SYNC)
    lines = service_log.read_bytes()[start:].decode().splitlines()

    assert (connect.status_code, sync.status_code) == (200, 200), sync.text
    entries = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) and {"time", "level", "logger", "message"} <= entry.keys()
               for entry in entries)
    connect_id, sync_id, run_id = connect.headers["X-Request-ID"], sync.headers["X-Request-ID"], sync.json()["run_id"]

    connect_lines = [entry for entry in entries if entry.get("request_id") == connect_id]
    assert [(entry["logger"], entry.get("user_id"), entry.get("platform")) for entry in connect_lines] == [
        ("webhook_service.connect", user_id, "facebook"), ("gunicorn.access", None, None)]
    assert connect_lines[0]["message"] == f"connect for user {user_id}: facebook=connected, instagram=connected"
    assert (connect_lines[1]["path"], connect_lines[1]["status"]) == ("/api/v1/social-media/connect/facebook", 200)

    run_lines = [entry for entry in entries if entry.get("run_id") == run_id]
    sync_lines = [entry["message"].split(":")[0] for entry in run_lines if entry["logger"] == "webhook_service.sync"]
    # Queued by the request, its one message saved by a queue worker thread, awaited by the request.
    assert [line.split(" (delivery")[0].rsplit("/", 1)[0] for line in sync_lines] == [
        f"sync run {run_id} queued", "sync message social_link_sync_low", f"sync run {run_id} succeeded"]
    # The worker's lines also name the queue message they work on, the Graph client's too.
    message = next(entry for entry in run_lines if entry["message"].startswith("sync message"))
    assert message["message"].startswith(f"sync message {message['queue']}/{message['message_id']} ")
    retry = [entry for entry in run_lines if entry["logger"] == "webhook_service.graph"]
    assert len(retry) == 1 and retry[0]["message"].startswith("Graph POST /v25.0 failed") and retry[0]["level"] == "warning"
    assert (retry[0]["queue"], retry[0]["message_id"]) == (message["queue"], message["message_id"])
    # Every line that names the run carries its id, whatever thread logged it.
    assert [entry for entry in entries if run_id in entry["message"] and entry.get("run_id") != run_id] == []
    assert {entry.get("request_id") for entry in run_lines} <= {sync_id, None}
