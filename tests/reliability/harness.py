"""Machinery for the reliability suite: counting what it tries, injecting Graph faults and counting
the ones that fired, cutting a TCP path on purpose, and private service processes a test may stop
and start without touching the session's shared stack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from devstack.postgres import free_port
from devstack.stack import PROJECT_ROOT, python_module, wait_until_ready

ARTIFACT = PROJECT_ROOT / "artifacts" / "reliability.json"


class Ledger:
    """What the suite tried, by kind: fuzz inputs, 5xx answers, faults fired, RLS cells...
    Written to artifacts/reliability.json at the end of the session and printed in its summary."""

    def __init__(self):
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[name] += amount

    def write(self, selection: str) -> Path:
        """artifacts/reliability.json, or reliability-soak.json for the soak selection (`-m soak`)."""
        path = ARTIFACT.with_name("reliability-soak.json") if selection == "soak" else ARTIFACT
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"selection": selection, "counts": dict(sorted(self.counts.items()))},
                                   indent=2) + "\n")
        return path


class GraphFaults:
    """Fault rules on the fake Graph API (devstack/fake_graph/faults.py), every rule with a finite
    `times` so that, afterwards, the rules' remaining counts tell how many faults really fired."""

    def __init__(self, graph_url: str, ledger: Ledger):
        self.url = f"{graph_url}/_control/faults"
        self.ledger = ledger
        self.added: list[dict[str, Any]] = []

    def add(self, kind: str, action: dict[str, Any], *, times: int, path_regex: str = "/insights$",
            account_id: str | None = None) -> None:
        """`kind` names the fault in the counts, e.g. "rate_limit_17"."""
        rule = {"match": {"path_regex": path_regex, "account_id": account_id}, "times": times, "action": action}
        response = requests.post(self.url, json=rule, timeout=10)
        assert response.status_code == 200, response.text
        self.added.append({"kind": kind, "match": rule["match"], "times": times})

    def remaining(self) -> dict[tuple, int]:
        rules = requests.get(self.url, timeout=10).json()["rules"]
        return {(rule["match"]["path_regex"], rule["match"]["account_id"]): rule["times"] for rule in rules}

    def fired(self) -> dict[str, int]:
        """How often each added rule answered a call so far, by kind (rules are keyed by their
        match, so a test gives each rule its own path or account)."""
        left = self.remaining()
        fired: Counter[str] = Counter()
        for rule in self.added:
            key = (rule["match"]["path_regex"], rule["match"]["account_id"])
            fired[rule["kind"]] += rule["times"] - left.get(key, 0)
        return dict(fired)

    def clear(self) -> None:
        """Removes every rule and counts the faults that fired into the ledger."""
        for kind, count in self.fired().items():
            self.ledger.add("graph_faults_fired", count)
            self.ledger.add(f"graph_faults_fired.{kind}", count)
        requests.delete(self.url, timeout=10).raise_for_status()
        self.added.clear()


class TcpProxy:
    """A loopback TCP relay to `upstream_port` that a test can cut (every connection reset, new ones
    refused) and restore on the same port: a database or an API that is away for a while."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.connections_cut = 0
        self.restore()

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the port comes back
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close alone may not
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        self.connections_cut += len(sockets) // 2
        for sock in sockets:
            _reset(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                _reset(sock)
            with self._lock:
                self._sockets.difference_update((source, target))


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    except OSError:
        pass


class PrivateService:
    """`python -m <module> <args>` as a test's own process (own port, own log), so the test may stop,
    kill and restart it while the session's stack keeps running."""

    def __init__(self, module: str, args: list[str], env: dict[str, str], ready_path: str, log: Path,
                 port: int | None = None):
        self.port = port or free_port()
        self.module = module
        self.args = [arg.replace("{port}", str(self.port)) for arg in args]
        self.env = {**os.environ, **env, "PORT": str(self.port)}
        self.url = f"http://127.0.0.1:{self.port}"
        self.ready_path = ready_path
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateService:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(python_module(self.module, *self.args), cwd=PROJECT_ROOT,
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=self.env, start_new_session=True)
        wait_until_ready(self.module, f"{self.url}{self.ready_path}", self.process, self.log)
        return self

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Sends `sig` to the process group and waits for it to end (SIGKILL after 15 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

