"""Stand-in for pg_net's background worker, for the devstack's SQL-only `pg_net` extension.

`net.http_post` & co. (devstack/extensions/pg_net--*.sql) only queue a row in
`net.http_request_queue` and `pg_notify('pg_net_request', id)`; the notification is delivered on
commit, so, as with pg_net, nothing leaves before the calling transaction commits. This worker
LISTENs on that channel and also polls, so a request whose notification was missed (worker
restarting, connection lost) still goes out on the next poll.

Like pg_net's worker it takes queued rows in batches with `delete ... returning` (a row is gone
once it is picked up), performs each request concurrently with the row's method, URL, headers,
body and `timeout_milliseconds` as a deadline for the whole exchange, records the outcome in
`net._http_response` (status, content type, headers, body, or `timed_out` / `error_msg`), never
retries, and deletes responses older than the TTL (`pg_net.ttl`, 6 hours by default).

    python -m devstack.net_worker --db-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import urllib3
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

log = logging.getLogger("net_worker")

CHANNEL = "pg_net_request"


@dataclass(frozen=True)
class QueuedRequest:
    id: int
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout_milliseconds: int


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    content_type: str | None = None
    headers: dict[str, str] | None = None
    content: str | None = None
    timed_out: bool = False
    error_msg: str | None = None


class NetWorker:
    def __init__(self, db_url: str, *, batch_size: int, concurrency: int, poll_seconds: float,
                 ttl_seconds: float):
        self.db_url = db_url
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.ttl_seconds = ttl_seconds
        self.http = urllib3.PoolManager(maxsize=concurrency, retries=False)
        self.executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="net")
        # Responses are written from the request threads, each with its own connection.
        self.pool = ConnectionPool(db_url, min_size=1, max_size=concurrency, kwargs={"autocommit": True},
                                   open=False)
        self.stopped = threading.Event()

    def run_forever(self) -> None:
        self.pool.open()
        while not self.stopped.is_set():
            try:
                self._listen_and_deliver()
            except psycopg.OperationalError as exc:
                log.warning("database connection lost (%s); reconnecting", exc)
                self.stopped.wait(1)

    def _listen_and_deliver(self) -> None:
        with psycopg.connect(self.db_url, autocommit=True) as listener:
            listener.execute(f"listen {CHANNEL}")
            log.info("listening on %s, polling every %.1f s", CHANNEL, self.poll_seconds)
            while not self.stopped.is_set():
                self.deliver_queued()
                self.expire_responses()
                # Returns at the first notification or after the poll interval, whichever is sooner;
                # the notification's payload (the row id) is not needed: the queue is drained anyway.
                for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1):
                    pass

    def deliver_queued(self) -> None:
        """Takes every queued row, batch by batch, and hands each to a request thread."""
        while True:
            batch = self._take_batch()
            for request in batch:
                self.executor.submit(self._deliver, request)
            if len(batch) < self.batch_size:
                return

    def _take_batch(self) -> list[QueuedRequest]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                """
                delete from net.http_request_queue
                where id in (select id from net.http_request_queue order by id
                             limit %s for update skip locked)
                returning id, method, url, headers, body, timeout_milliseconds
                """,
                (self.batch_size,),
            ).fetchall()
        return [
            QueuedRequest(id=row[0], method=row[1], url=row[2], headers=dict(row[3] or {}),
                          body=bytes(row[4]) if row[4] is not None else None, timeout_milliseconds=row[5])
            for row in sorted(rows)
        ]

    def _deliver(self, request: QueuedRequest) -> None:
        outcome = self.perform(request)
        where = urlsplit(request.url)
        # The URL's query and the headers may carry secrets; only method, host and path are logged.
        log.info("request %d %s %s://%s%s -> %s", request.id, request.method, where.scheme, where.netloc,
                 where.path, outcome.status_code if outcome.status_code is not None else outcome.error_msg)
        try:
            with self.pool.connection() as conn:
                conn.execute(
                    """
                    insert into net._http_response
                      (id, status_code, content_type, headers, content, timed_out, error_msg)
                    values (%s, %s, %s, %s, %s, %s, %s)
                    """,
                    (request.id, outcome.status_code, outcome.content_type,
                     Jsonb(outcome.headers) if outcome.headers is not None else None,
                     outcome.content, outcome.timed_out, outcome.error_msg),
                )
        except psycopg.Error as exc:
            log.error("could not record the response to request %d: %s", request.id, exc)

    def perform(self, request: QueuedRequest) -> Outcome:
        started = time.monotonic()
        dns_ms = _resolve_ms(request.url)
        try:
            response = self.http.request(
                request.method, request.url, body=request.body, headers=request.headers,
                timeout=urllib3.Timeout(total=request.timeout_milliseconds / 1000),
                preload_content=True, redirect=False,
            )
        # NewConnectionError subclasses urllib3's TimeoutError, so it is told apart first.
        except urllib3.exceptions.NewConnectionError:
            return Outcome(error_msg="Couldn't connect to server")
        except urllib3.exceptions.TimeoutError as exc:
            total_ms = (time.monotonic() - started) * 1000
            in_handshake = isinstance(exc, urllib3.exceptions.ConnectTimeoutError)
            return Outcome(timed_out=True, error_msg=timeout_message(
                request.timeout_milliseconds, total_ms, dns_ms,
                handshake_ms=total_ms - dns_ms if in_handshake else 0.0,
                http_ms=0.0 if in_handshake else total_ms - dns_ms))
        except urllib3.exceptions.HTTPError as exc:
            return Outcome(error_msg=f"HTTP error ({type(exc).__name__})")
        return Outcome(
            status_code=response.status,
            content_type=response.headers.get("Content-Type"),
            headers=dict(response.headers),
            content=response.data.decode("utf-8", errors="replace"),
        )

    def expire_responses(self) -> None:
        with self.pool.connection() as conn:
            conn.execute("delete from net._http_response where created < now() - make_interval(secs => %s)",
                         (self.ttl_seconds,))

    def stop(self) -> None:
        self.stopped.set()
        self.executor.shutdown(wait=True)
        self.pool.close()


def timeout_message(timeout_ms: int, total_ms: float, dns_ms: float, *, handshake_ms: float, http_ms: float) -> str:
    """pg_net's timeout error (src/errors.c, detailed_timeout_strerror), with its `%f` numbers. The
    stand-in times name resolution itself; the time after it counts as the handshake when the
    connection timed out, else as the HTTP exchange (urllib3 does not tell the two apart)."""
    return (f"Timeout of {timeout_ms} ms reached. Total time: {total_ms:f} ms (DNS time: {dns_ms:f} ms, "
            f"TCP/SSL handshake time: {handshake_ms:f} ms, HTTP Request/Response time: {http_ms:f} ms)")


def _resolve_ms(url: str) -> float:
    parts = urlsplit(url)
    started = time.monotonic()
    try:
        socket.getaddrinfo(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError, ValueError):
        pass  # the request itself reports it
    return (time.monotonic() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.net_worker", description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", required=True, help="connection URL of a role that may use the net schema (pg_net grants it to PUBLIC)")
    parser.add_argument("--batch-size", type=int, default=200, help="rows taken per batch (pg_net.batch_size)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    parser.add_argument("--poll-seconds", type=float, default=1.0, help="queue poll interval besides LISTEN")
    parser.add_argument("--ttl-seconds", type=float, default=6 * 3600, help="response retention (pg_net.ttl)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = NetWorker(args.db_url, batch_size=args.batch_size, concurrency=args.concurrency,
                       poll_seconds=args.poll_seconds, ttl_seconds=args.ttl_seconds)
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()


if __name__ == "__main__":
    main()
