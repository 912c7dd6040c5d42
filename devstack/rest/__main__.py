"""`python -m devstack.rest ...`: serves the gateway with waitress (see the package docstring)."""

from __future__ import annotations

import logging
import signal
import sys

import waitress

from devstack.rest.app import create_app
from devstack.rest.config import parse_args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = parse_args(argv)
    app = create_app(settings)
    gateway = app.extensions["devstack.rest"]
    # Like PostgREST: SIGUSR1 reloads the schema cache (NOTIFY pgrst, 'reload schema' does too).
    signal.signal(signal.SIGUSR1, lambda *_: gateway.cache.reload())
    logging.getLogger("devstack.rest").info(
        "serving /rest/v1 on http://%s:%d (schemas %s)", settings.host, settings.port, ",".join(settings.schemas))
    # More threads than connections: requests that need no database (errors, CORS) never wait.
    waitress.serve(app, host=settings.host, port=settings.port, threads=settings.pool_size + 4,
                   ident="devstack-rest", connection_limit=1000, channel_timeout=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
