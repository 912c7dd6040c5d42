"""`python -m webhook_service`: serves the app with gunicorn (gthread workers) on HOST:PORT.

Settings are checked here, before any worker starts, so a bad one ends the process with one line.
"""

from __future__ import annotations

import sys

from gunicorn.app.base import BaseApplication

from webhook_service import create_app
from webhook_service.config import Config, ConfigError

# Paths only: a query string may carry an OAuth code or state, which have no place in a log.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class Server(BaseApplication):
    def __init__(self, config: Config):
        self.service_config = config
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": f"{self.service_config.host}:{self.service_config.port}",
            "workers": self.service_config.workers,
            "worker_class": "gthread",
            "threads": self.service_config.threads,
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "graceful_timeout": 10,
            # Several stacks (make run, the test session) run side by side; one shared control
            # socket path would collide, and nothing here uses it.
            "control_socket_disable": True,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        # Called in each worker after the fork, so no connection pool is shared between processes.
        return create_app(self.service_config)


def main() -> int:
    try:
        config = Config.from_env()
    except ConfigError as error:
        for problem in error.problems:
            print(f"webhook_service: configuration error: {problem}", file=sys.stderr)
        return 2
    Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
