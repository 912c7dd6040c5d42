"""gunicorn's gthread worker, answering what gunicorn itself refuses in the API's JSON error form.

gunicorn parses the request line and headers before the app sees them, and answers what it refuses
there (a URL over `limit_request_line`, headers over their limits, a malformed line) with an HTML page.
Clients of this API read `{"error": code, "message": text}` on every 4xx, so those answers are JSON too."""

from __future__ import annotations

import json
from http import HTTPStatus

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

from webhook_service.errors import HTTP_ERROR_CODES

# The first kind an error is an instance of gives its status. Messages never echo the request: its
# query string may hold an OAuth code or state.
REFUSALS = (
    (errors.LimitRequestLine, 414, "The request line is longer than this server accepts."),
    (errors.LimitRequestHeaders, 431, "The request headers are larger than this server accepts."),
    (errors.UnsupportedTransferCoding, 501, "That transfer coding is not supported."),
    (errors.ParseException, 400, "The request is not valid HTTP/1.1."),
)
# Parse errors that are the server's fault, not the client's: gunicorn's own 500 handling stays.
SERVER_FAULTS = (errors.InvalidResponseHeader, errors.InvalidResponseHeaderName, errors.ConfigurationProblem)


class JsonErrorThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        refusal = None if isinstance(exc, SERVER_FAULTS) else next(
            (refusal for refusal in REFUSALS if isinstance(exc, refusal[0])), None)
        if refusal is None:
            return super().handle_error(req, client, addr, exc)
        _, status, message = refusal
        self.log.warning("refused a request before the app: %s", HTTP_ERROR_CODES[status])
        body = json.dumps({"error": HTTP_ERROR_CODES[status], "message": message}).encode()
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode("latin1") + body)
        except Exception:  # the client is gone: nothing to answer
            self.log.debug("could not send the refusal")
