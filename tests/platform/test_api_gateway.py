"""The API-gateway stand-in that puts a real PostgREST under /rest/v1 (used when one is on PATH)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.test import Client

from devstack.api_gateway import create_app


@pytest.fixture(scope="module")
def upstream():
    """Echoes what it received, as JSON, with a header of its own."""

    class Echo(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.dumps({
                "method": self.command, "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "prefer": self.headers.get("Prefer"),
                "body": self.rfile.read(length).decode(),
            }).encode()
            self.send_response(201 if self.command == "POST" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Range", "0-0/1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_rest_v1_is_mapped_to_the_upstream_root_with_query_headers_and_body(upstream):
    client = Client(create_app(upstream))
    response = client.post("/rest/v1/social_media_accounts?on_conflict=user_id&columns=a",
                           data='[{"a": 1}]', headers={"Authorization": "Bearer t", "Prefer": "return=minimal",
                                                       "Content-Type": "application/json"})
    assert response.status_code == 201
    assert response.headers["Content-Range"] == "0-0/1"
    assert response.get_json() == {
        "method": "POST", "path": "/social_media_accounts?on_conflict=user_id&columns=a",
        "authorization": "Bearer t", "prefer": "return=minimal", "body": '[{"a": 1}]',
    }


def test_paths_outside_rest_v1_are_not_proxied(upstream):
    response = Client(create_app(upstream)).get("/auth/v1/user")
    assert response.status_code == 404
