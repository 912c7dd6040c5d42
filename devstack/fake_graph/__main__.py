"""`python -m devstack.fake_graph --host 127.0.0.1 --port 0 [--latency-ms N] [--app-id ID
--app-secret S] [--demo]`: serves the fake on loopback and prints `listening on http://HOST:PORT`.

Werkzeug's threaded server gives every connection its own thread, so hundreds of calls can sleep
through injected latency at once; it closes each connection after one response (no keep-alive).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import create_app
from .demo import load_demo
from .oauth import DEFAULT_APP_ID, DEFAULT_INSTAGRAM_APP_ID
from .world import World


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass  # benchmarks make tens of thousands of calls; errors are still logged

    def connection_dropped(self, error, environ=None):
        # Also what a `reset` fault ends in: do not wait for another request on this socket.
        self.close_connection = True


class FakeGraphServer(ThreadedWSGIServer):
    request_queue_size = 1024  # room for bursts of a few hundred simultaneous connects

    def __init__(self, host: str, port: int, app):
        super().__init__(host, port, app, handler=_QuietHandler)


def _loopback(host: str) -> str:
    try:
        is_loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        is_loopback = False
    if not is_loopback:
        raise argparse.ArgumentTypeError("the fake Graph API only binds loopback addresses")
    return host


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.fake_graph", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", type=_loopback, default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=int, default=0, help="sleep this long before answering each request")
    parser.add_argument("--app-id", default=DEFAULT_APP_ID)
    parser.add_argument("--app-secret", help="when given, calls with user or Page tokens need appsecret_proof")
    parser.add_argument("--instagram-app-id", default=DEFAULT_INSTAGRAM_APP_ID)
    parser.add_argument("--instagram-app-secret", help="the Instagram app's secret (Instagram Login)")
    parser.add_argument("--demo", action="store_true", help="load the demo users (see demo.py)")
    args = parser.parse_args(argv)

    world = World()
    if args.demo:
        load_demo(world)
    app = create_app(world, app_id=args.app_id, app_secret=args.app_secret, latency_ms=args.latency_ms,
                     instagram_app_id=args.instagram_app_id, instagram_app_secret=args.instagram_app_secret)
    server = FakeGraphServer(args.host, args.port, app)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"listening on http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
