"""The devstack's stand-in for Supabase's API gateway (Kong), used only with a real PostgREST.

Supabase serves PostgREST under `/rest/v1`; PostgREST itself serves at `/`. When a `postgrest`
binary is on PATH the devstack runs it on a private port and this proxy maps
`/rest/v1/<path>` to `<upstream>/<path>`, passing method, query, headers and body through.

    python -m devstack.api_gateway --host 127.0.0.1 --port P --upstream http://127.0.0.1:Q
"""

from __future__ import annotations

import argparse
import sys

import requests
import waitress
from werkzeug.wrappers import Request, Response

PREFIX = "/rest/v1"
# Per-connection headers (RFC 9110 section 7.6.1) and those requests re-computes itself.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "host", "content-length", "content-encoding"}


def create_app(upstream: str):
    session = requests.Session()
    upstream = upstream.rstrip("/")

    @Request.application
    def proxy(request: Request) -> Response:
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return Response('{"message":"no route matched"}', status=404, content_type="application/json")
        target = upstream + (request.path[len(PREFIX):] or "/")
        answer = session.request(
            request.method, target, params=request.query_string.decode() or None,
            headers={k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP},
            data=request.get_data(), allow_redirects=False, timeout=120,
        )
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP]
        return Response(answer.content, status=answer.status_code, headers=headers)

    return proxy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.api_gateway")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args(argv)
    waitress.serve(create_app(args.upstream), host=args.host, port=args.port, threads=16, ident="devstack-api")
    return 0


if __name__ == "__main__":
    sys.exit(main())
