"""The devstack's own Postgres 15 cluster: initdb, start with pg_cron preloaded, stop.

The cluster lives in `<stack dir>/pg` with its unix socket in the same folder and a free loopback
port remembered in `<stack dir>/pg/port`. Debian's server binaries refuse to run as root, so as root
the commands run as the `postgres` user, which then owns the folder. That user must also be able
to pass through the folders above it (a clone in a `mktemp -d` folder or in /root is mode 0700):
such a folder gets an ACL entry letting `postgres` through (search only, no listing).
"""

from __future__ import annotations

import os
import pwd
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# As on Supabase: the cluster's superuser is supabase_admin; the project's role, postgres, is not
# one (devstack/platform.sql creates and demotes it).
SUPERUSER = "supabase_admin"
PROJECT_ROLE = "postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class Cluster:
    root: Path  # <stack dir>/pg
    fast: bool = False  # no fsync: for throwaway test clusters

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def port(self) -> int:
        return int(self.port_file.read_text())

    @property
    def url(self) -> str:
        """The project's connection (`postgres`, not a superuser), as Supabase hands it out."""
        return self.dsn_for(PROJECT_ROLE)

    @property
    def admin_url(self) -> str:
        """The platform's superuser, for what only the platform may do."""
        return self.dsn_for(SUPERUSER)

    def dsn_for(self, user: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/postgres"

    def is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        result = subprocess.run(
            _as_server_user([str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True,
        )
        return result.returncode == 0

    def init(self) -> bool:
        """Creates the cluster if there is none. Returns True when it was created."""
        if (self.data_dir / "PG_VERSION").exists():
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            _let_the_server_user_through(self.root.parent)
        subprocess.run(
            _as_server_user([
                str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
            ]),
            check=True, capture_output=True,
        )
        return True

    def start(self) -> None:
        if self.is_running():
            return
        if not self.port_file.exists() or not _port_is_free(self.port):
            self.port_file.write_text(str(free_port()))
        options = [
            f"-c port={self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.root}",
            "-c shared_preload_libraries=pg_cron",
            "-c cron.database_name=postgres",
            "-c cron.use_background_workers=on",
            "-c max_worker_processes=32",
            "-c max_connections=300",
            "-c timezone=UTC",
        ]
        if self.fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        subprocess.run(
            _as_server_user([
                str(PG_BIN / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data_dir),
                "-l", str(self.root / "server.log"), "-o", " ".join(options),
            ]),
            check=True, capture_output=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        for _ in range(200):
            result = subprocess.run(
                [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
            )
            if result.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"postgres on port {self.port} did not become ready; see {self.root}/server.log")

    def stop(self) -> None:
        if self.is_running():
            subprocess.run(
                _as_server_user([str(PG_BIN / "pg_ctl"), "stop", "-m", "fast", "-D", str(self.data_dir)]),
                check=True, capture_output=True,
            )

    def has_role(self, role: str) -> bool:
        """Whether `role` exists and can log in."""
        probe = subprocess.run(["psql", "-X", "-q", "-d", self.dsn_for(role), "-c", "select 1"],
                               capture_output=True, text=True)
        return probe.returncode == 0

    def psql(self, *args: str, input_sql: str | None = None, url: str | None = None) -> str:
        result = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url or self.url, *args],
            input=input_sql, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout


def _let_the_server_user_through(folder: Path) -> None:
    """Gives `postgres` search permission on `folder` and every folder above it that others may
    not pass through."""
    for ancestor in (folder, *folder.parents):
        if not ancestor.stat().st_mode & stat.S_IXOTH:
            subprocess.run(["setfacl", "-m", "u:postgres:x", str(ancestor)], check=True, capture_output=True)

