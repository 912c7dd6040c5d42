"""The process's queue workers: a fixed number of threads (`messages_in_flight`) that drain the
sync queues whenever the process is poked, shared by cron work and Sync Now.

A poke (the hourly job, the kick job, a Sync Now) wakes the threads; each claims one message at a
time (the high-priority queue first) until both queues are empty, then sleeps until the next poke.
No request ever starts a thread, and the Graph requests of every message share the process's one
Graph pool, so `GRAPH_CONCURRENCY` and `INSIGHTS_MESSAGES_IN_FLIGHT` bound the whole process.

A message is handled by the handler of its `kind`. A handler that raises PoisonMessage gets the
message dead-lettered at once with the reason; any other failure is recorded as the message's last
error and the message comes back when its visibility timeout ends (a worker that cannot reach the
REST layer releases nothing: the timeout alone brings the message back). The claim RPC
dead-letters a message delivered more than `max_deliveries` times.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from webhook_service.insights_config import InsightsSettings
from webhook_service.logs import log_context
from webhook_service.sync import PoisonMessage
from webhook_service.sync_store import ClaimedMessage, SyncStore

log = logging.getLogger(__name__)

Handler = Callable[[ClaimedMessage], None]


class SyncWorker:
    def __init__(self, *, store: SyncStore, settings: InsightsSettings, handlers: Mapping[str, Handler]):
        self.store = store
        self.settings = settings
        self.handlers = dict(handlers)
        self._poked = threading.Event()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()

    def poke(self) -> None:
        """Starts the worker threads on first use (after gunicorn's fork), then wakes them."""
        with self._start_lock:
            if not self._threads:
                self._threads = [threading.Thread(target=self._run, name=f"sync-worker-{number}", daemon=True)
                                 for number in range(self.settings.messages_in_flight)]
                for thread in self._threads:
                    thread.start()
        self._poked.set()

    def _run(self) -> None:
        while True:
            self._poked.wait()
            self._poked.clear()
            self.drain()

    def drain(self) -> None:
        """Works messages until the queues have none visible."""
        while True:
            try:
                message = self.store.claim(self.settings.visibility_timeout_seconds, self.settings.max_deliveries)
            except Exception:
                log.exception("could not claim a sync message; waiting for the next poke")
                return
            if message is None:
                return
            self.work(message)

    def work(self, message: ClaimedMessage) -> None:
        with log_context(queue=message.queue, message_id=message.msg_id):
            self._work(message)

    def _work(self, message: ClaimedMessage) -> None:
        handler = self.handlers.get(message.kind)
        try:
            if handler is None:
                raise PoisonMessage(f"Unknown message kind {message.kind!r}")
            handler(message)
        except PoisonMessage as poison:
            log.warning("sync message %s/%s dead-lettered: %s", message.queue, message.msg_id, poison)
            self._report(self.store.dead_letter, message, str(poison))
        except Exception as error:
            log.exception("sync message %s/%s failed (delivery %d); it comes back after its visibility timeout",
                          message.queue, message.msg_id, message.deliveries)
            self._report(self.store.release, message, f"{type(error).__name__}: {error}")

    @staticmethod
    def _report(call: Callable[[ClaimedMessage, str], None], message: ClaimedMessage, reason: str) -> None:
        try:
            call(message, reason)
        except Exception:
            log.exception("could not record the outcome of sync message %s/%s", message.queue, message.msg_id)
