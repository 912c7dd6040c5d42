"""`python -m webhook_service`: serves the app with gunicorn (gthread workers) on HOST:PORT.

Settings are checked here, before any worker starts, so a bad one ends the process with one line.
"""

from __future__ import annotations

import logging
import sys

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from webhook_service import REQUEST_ID_ENVIRON, create_app
from webhook_service.config import Config, ConfigError
from webhook_service.logs import JsonFormatter, log_line
from webhook_service.metrics_endpoint import prepare_multiprocess_dir, start_metrics_listener, worker_exited


class JsonGunicornLogger(glogging.Logger):
    """gunicorn's own lines (start-up, workers) and its access log, as JSON lines like the app's."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = int(str(resp.status).split(None, 1)[0])
        # The path only: a query string may carry an OAuth code or state, which have no place in a log.
        self.access_log.info("%s %s %s", req.method, req.path, status, extra={
            "method": req.method, "path": req.path, "status": status, "bytes": resp.sent,
            "duration_ms": round(request_time.total_seconds() * 1000, 1), "remote_addr": req.remote_addr,
            "request_id": environ.get(REQUEST_ID_ENVIRON),
        })


class Server(BaseApplication):
    def __init__(self, config: Config):
        self.service_config = config
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": f"{self.service_config.host}:{self.service_config.port}",
            "workers": self.service_config.workers,
            "worker_class": "webhook_service.gunicorn_worker.JsonErrorThreadWorker",
            "threads": self.service_config.threads,
            "accesslog": "-",
            "logger_class": JsonGunicornLogger,
            "child_exit": lambda _server, worker: worker_exited(worker.pid),
            "graceful_timeout": 10,
            # Several stacks (make run, the test session) run side by side; one shared control
            # socket path would collide, and nothing here uses it.
            "control_socket_disable": True,
        }
        if self.service_config.metrics_port:
            settings["when_ready"] = lambda _server: start_metrics_listener(self.service_config)
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
            print(log_line(logging.ERROR, f"configuration error: {problem}"), file=sys.stderr)
        return 2
    if (config.metrics_token or config.metrics_port) and config.workers > 1 and not config.prometheus_multiproc_dir:
        # Each worker would count on its own and a scrape would see one of them at random.
        print(log_line(logging.ERROR, "configuration error: PROMETHEUS_MULTIPROC_DIR must be set when metrics are "
                                      "served (METRICS_TOKEN or METRICS_PORT) by more than one worker "
                                      "(WEB_CONCURRENCY)"), file=sys.stderr)
        return 2
    prepare_multiprocess_dir()
    Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
