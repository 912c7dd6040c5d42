"""The devstack's pg_net worker (devstack/net_worker.py) as pg_net behaves: a request leaves only
after its transaction commits, its outcome lands in net._http_response, a slow answer is recorded
as timed out and never retried, and old responses expire."""

from __future__ import annotations

import re
import time

import psycopg

from devstack.postgres import free_port

from .conftest import wait_for


def response_of(db, request_id: int) -> dict:
    return wait_for(lambda: db.query("select * from net._http_response where id = %s", request_id),
                    what=f"the response to request {request_id}")[0]


def test_a_request_leaves_after_commit_and_its_response_is_recorded(db, stack_env):
    with psycopg.connect(db.url) as connection:
        request_id = connection.execute("select net.http_get(%s, timeout_milliseconds := 5000)",
                                        (f"{stack_env['GRAPH_API_BASE']}/_control/stats",)).fetchone()[0]
        time.sleep(0.3)  # well past the worker's wake-up, were the request visible
        assert db.query("select 1 from net._http_response where id = %s", request_id) == []
    # Leaving the `with` block committed the transaction.

    response = response_of(db, request_id)

    assert (response["status_code"], response["timed_out"], response["error_msg"]) == (200, False, None)
    assert response["content_type"].startswith("application/json")
    assert "calls" in response["content"]
    assert {name.lower() for name in response["headers"]} >= {"content-type"}


def test_a_slow_answer_times_out_and_is_not_retried(db, stack_env, fake_graph):
    node = "990000000000123"  # no such node: the fake answers an error, after the delay
    fake_graph.add_fault(node, {"delay_ms": 1500}, path_regex=f"^/{node}$")
    request_id = db.query("select net.http_get(%s, timeout_milliseconds := 200) as id",
                          f"{stack_env['GRAPH_API_BASE']}/v25.0/{node}")[0]["id"]

    response = response_of(db, request_id)

    assert response["timed_out"] is True and response["status_code"] is None
    # pg_net's format: the total, then where it went (the answer never came: the HTTP exchange).
    assert re.fullmatch(r"Timeout of 200 ms reached\. Total time: (\d+\.\d{6}) ms \(DNS time: \d+\.\d{6} ms, "
                        r"TCP/SSL handshake time: 0\.000000 ms, HTTP Request/Response time: \d+\.\d{6} ms\)",
                        response["error_msg"]), response["error_msg"]
    calls = wait_for(lambda: [entry for entry in fake_graph.request_log() if entry["path"] == f"/{node}"],
                     what="the fake to log the call")
    time.sleep(0.5)
    assert len(calls) == len([entry for entry in fake_graph.request_log() if entry["path"] == f"/{node}"]) == 1


def test_an_unreachable_server_is_recorded_as_an_error(db):
    request_id = db.query("select net.http_post(%s, timeout_milliseconds := 2000) as id",
                          f"http://127.0.0.1:{free_port()}/nothing-listens-here")[0]["id"]

    response = response_of(db, request_id)

    assert response["status_code"] is None and response["timed_out"] is False
    assert response["error_msg"] == "Couldn't connect to server"


def test_responses_older_than_the_ttl_expire(db):
    db.query("insert into net._http_response (id, status_code, created) values (-1, 200, now() - interval '7 hours')")

    wait_for(lambda: not db.query("select 1 from net._http_response where id = -1"), what="the old response to expire")
