"""The service's REST access: a REST replica that is briefly unreachable costs a write nothing.

postgrest-py already retries reads (GET) on network errors; writes and RPCs are POSTs, which it
never retries. The store's transport retries a POST whose connection could not be made, which is
safe because nothing was sent."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devstack.postgres import free_port
from webhook_service.config import Config
from webhook_service.store import Store


class EmptyRpc(BaseHTTPRequestHandler):
    """A REST layer whose functions return no rows, recording the paths it was asked for."""

    paths: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


def test_an_rpc_to_a_rest_layer_that_starts_listening_a_moment_late_still_succeeds(stack_env):
    port = free_port()
    store = Store(Config.from_env({**stack_env, "SUPABASE_URL": f"http://127.0.0.1:{port}"}))
    server: list[ThreadingHTTPServer] = []

    def start_late():
        server.append(ThreadingHTTPServer(("127.0.0.1", port), EmptyRpc))
        threading.Thread(target=server[0].serve_forever, daemon=True).start()

    # The first connection is refused; the REST layer is up before the retries run out.
    late = threading.Timer(0.2, start_late)
    late.start()
    try:
        assert store.disconnect("user_late", "facebook") == []
    finally:
        late.join()
        server[0].shutdown()
    assert EmptyRpc.paths == ["/rest/v1/rpc/disconnect_social_media_accounts"]
