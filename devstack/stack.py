"""Brings the local Supabase-shaped stack up and down.

One folder (`.stack/` for `make run`, another for the test session) holds the Postgres cluster,
the stack's secrets, the process ids and logs of its services, and `env`: the `KEY=value` lines a
developer or a test needs to talk to it. Re-running `up` reuses what is already there.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from cryptography.fernet import Fernet

from devstack import keys
from devstack.extension_files import install_extension_files
from devstack.postgres import SUPERUSER, Cluster, free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SQL = Path(__file__).parent / "platform.sql"
SUPABASE_CLI = ["npx", "--no-install", "supabase"]
DEMO_APP_ID = "100000000000001"
# PostgREST's db-max-rows as Supabase sets it (API settings, "Max rows": 1000 by default).
SUPABASE_DB_MAX_ROWS = "1000"
DEMO_INSTAGRAM_APP_ID = "200000000000001"


@dataclass
class Service:
    """A long-running process of the stack, ready once `ready_url` answers (if it has one)."""

    name: str
    command: list[str]
    ready_url: str | None
    env: dict[str, str] = field(default_factory=dict)


def python_module(module: str, *args: str) -> list[str]:
    """The command that runs a module of this repository with the project's interpreter."""
    return [sys.executable, "-m", module, *args]


class Stack:
    """`fast`: a throwaway cluster without fsync. `hourly_sync`: point the hourly pg_cron job at this
    stack's service (test sessions leave it unset, so no sync starts at five past the hour while
    tests run; the cron tests set the Vault secrets themselves)."""

    def __init__(self, root: Path, *, fast: bool = False, hourly_sync: bool = True):
        self.root = root.resolve()
        self.hourly_sync = hourly_sync
        self.cluster = Cluster(self.root / "pg", fast=fast)
        self.logs = self.root / "logs"
        self.run = self.root / "run"

    # --- secrets -------------------------------------------------------------------------------
    def secrets(self) -> dict[str, str]:
        path = self.root / "secrets.json"
        stored = json.loads(path.read_text()) if path.exists() else {}
        # A secret added since the file was written is generated and kept with the others.
        values = {
            "jwt_secret": secrets.token_urlsafe(48),
            "cron_secret": secrets.token_urlsafe(32),
            "token_encryption_key": Fernet.generate_key().decode(),
            "facebook_app_secret": secrets.token_hex(16),
            "instagram_app_secret": secrets.token_hex(16),
            "oauth_state_secret": secrets.token_urlsafe(32),
            "metrics_token": secrets.token_urlsafe(32),
            **stored,
        }
        if values != stored:
            self.root.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
            path.chmod(0o600)
        return values

    # --- database ------------------------------------------------------------------------------
    def start_database(self) -> None:
        created = self.cluster.init()
        install_extension_files()
        self.cluster.start()
        if created:
            self.cluster.psql("-f", str(PLATFORM_SQL), url=self.cluster.admin_url)
        elif not self.cluster.has_role(SUPERUSER):
            raise RuntimeError(
                f"{self.cluster.root} was created before the devstack followed Supabase's role model "
                f"({SUPERUSER} the superuser, postgres not one). Remove it (`make clean`) to start afresh.")
        self.push_migrations()

    def push_migrations(self) -> None:
        """Applies supabase/migrations and the seed with the real Supabase CLI, as in production: as
        `postgres`, which is not a superuser."""
        result = subprocess.run(
            [*SUPABASE_CLI, "db", "push", f"--remote={self.cluster.url}?sslmode=disable",
             "--yes", "--include-seed"],
            cwd=PROJECT_ROOT, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"supabase db push failed:\n{result.stdout}\n{result.stderr}")

    # --- services ------------------------------------------------------------------------------
    def services(self, ports: dict[str, int]) -> list[Service]:
        values = self.secrets()
        graph_url = f"http://127.0.0.1:{ports['graph']}"
        return [
            *self._rest_layer(ports, values["jwt_secret"]),
            Service("graph", python_module(
                "devstack.fake_graph", "--host", "127.0.0.1", "--port", str(ports["graph"]), "--demo",
                "--app-id", DEMO_APP_ID, "--app-secret", values["facebook_app_secret"],
                "--instagram-app-id", DEMO_INSTAGRAM_APP_ID, "--instagram-app-secret", values["instagram_app_secret"],
            ), f"{graph_url}/_control/stats"),
            Service("net_worker", python_module("devstack.net_worker", "--db-url", self.cluster.url), None),
            Service("webhook", python_module("webhook_service"), f"http://127.0.0.1:{ports['webhook']}/healthz",
                    env={"HOST": "127.0.0.1", "PORT": str(ports["webhook"]),
                         "PROMETHEUS_MULTIPROC_DIR": str(self.run / "prometheus")}),
            Service("ui", python_module("devstack.ui_server", "--host", "127.0.0.1", "--port", str(ports["ui"])),
                    f"http://127.0.0.1:{ports['ui']}/"),
        ]

    def _rest_layer(self, ports: dict[str, int], jwt_secret: str) -> list[Service]:
        """`/rest/v1`: a real PostgREST behind the API-gateway stand-in when a `postgrest` binary is
        on PATH, otherwise the compatible gateway of devstack/rest."""
        rest_url = f"http://127.0.0.1:{ports['rest']}"
        max_rows = {"PGRST_DB_MAX_ROWS": os.environ.get("PGRST_DB_MAX_ROWS", SUPABASE_DB_MAX_ROWS)}
        if shutil.which("postgrest"):
            postgrest_url = f"http://127.0.0.1:{ports['postgrest']}"
            return [
                Service("postgrest", ["postgrest"], f"{postgrest_url}/", env={
                    "PGRST_DB_URI": self.cluster.dsn_for("authenticator"),
                    "PGRST_DB_SCHEMAS": "public",
                    "PGRST_DB_ANON_ROLE": "anon",
                    "PGRST_DB_EXTRA_SEARCH_PATH": "public, extensions",
                    "PGRST_JWT_SECRET": jwt_secret,
                    "PGRST_SERVER_HOST": "127.0.0.1",
                    "PGRST_SERVER_PORT": str(ports["postgrest"]),
                    **max_rows,
                }),
                Service("rest", python_module(
                    "devstack.api_gateway", "--host", "127.0.0.1", "--port", str(ports["rest"]),
                    "--upstream", postgrest_url,
                ), f"{rest_url}/rest/v1/"),
            ]
        return [Service("rest", python_module(
            "devstack.rest", "--host", "127.0.0.1", "--port", str(ports["rest"]),
            "--db-url", self.cluster.dsn_for("authenticator"), f"--jwt-secret={jwt_secret}",
        ), f"{rest_url}/rest/v1/", env=max_rows)]

    def env(self, ports: dict[str, int]) -> dict[str, str]:
        values = self.secrets()
        webhook_url = f"http://127.0.0.1:{ports['webhook']}"
        ui_url = f"http://127.0.0.1:{ports['ui']}"
        return {
            "DATABASE_URL": self.cluster.url,
            # The platform's superuser (supabase_admin), which a Supabase project never hands out:
            # for tests that must look past every grant.
            "ADMIN_DATABASE_URL": self.cluster.admin_url,
            "SUPABASE_URL": f"http://127.0.0.1:{ports['rest']}",
            "SUPABASE_ANON_KEY": keys.api_key(values["jwt_secret"], "anon"),
            "SUPABASE_SERVICE_ROLE_KEY": keys.api_key(values["jwt_secret"], "service_role"),
            "SUPABASE_JWT_SECRET": values["jwt_secret"],
            "GRAPH_API_BASE": f"http://127.0.0.1:{ports['graph']}",
            "FACEBOOK_APP_ID": DEMO_APP_ID,
            "FACEBOOK_APP_SECRET": values["facebook_app_secret"],
            "INSTAGRAM_APP_ID": DEMO_INSTAGRAM_APP_ID,
            "INSTAGRAM_APP_SECRET": values["instagram_app_secret"],
            "OAUTH_REDIRECT_URL": f"{webhook_url}/api/v1/social-media/oauth/callback",
            "OAUTH_STATE_SECRET": values["oauth_state_secret"],
            "FRONTEND_URL": f"{ui_url}/",
            "CORS_ORIGINS": ui_url,
            "WEBHOOK_URL": webhook_url,
            "UI_URL": f"{ui_url}/",
            "CRON_SECRET": values["cron_secret"],
            "METRICS_TOKEN": values["metrics_token"],
            "TOKEN_ENCRYPTION_KEY": values["token_encryption_key"],
        }

    def _ports(self) -> dict[str, int]:
        path = self.run / "ports.json"
        ports = json.loads(path.read_text()) if path.exists() else {}
        for name in ("rest", "postgrest", "graph", "webhook", "ui"):
            ports.setdefault(name, free_port())
        return ports

    def start_services(self) -> dict[str, str]:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.run.mkdir(parents=True, exist_ok=True)
        ports = self._ports()
        (self.run / "ports.json").write_text(json.dumps(ports))
        env = self.env(ports)
        self.write_env(env)
        for service in self.services(ports):
            self.start_service(service, env)
        if self.hourly_sync:
            self._point_the_hourly_job_at(env)
        return env

    def _point_the_hourly_job_at(self, env: dict[str, str]) -> None:
        """Sets the Vault secrets the hourly pg_cron job reads (see the cron migration), so the
        local job reaches the local service as the production one reaches production."""
        secrets_by_name = {
            "social_link_sync_url": f"{env['WEBHOOK_URL']}/api/v1/social-media/insights/sync",
            "social_link_cron_secret": env["CRON_SECRET"],
            # The daily token-refresh and health-check jobs (connection-health migrations).
            "social_link_service_url": env["WEBHOOK_URL"],
        }
        with psycopg.connect(self.cluster.url, autocommit=True) as db:
            for name, value in secrets_by_name.items():
                existing = db.execute("select id from vault.secrets where name = %s", (name,)).fetchone()
                if existing:
                    db.execute("select vault.update_secret(%s, %s)", (existing[0], value))
                else:
                    db.execute("select vault.create_secret(%s, %s)", (value, name))

    def start_service(self, service: Service, env: dict[str, str]) -> None:
        """Starts `service` unless its process is alive, and waits until it is ready."""
        pid_file = self.run / f"{service.name}.pid"
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            return
        # The child keeps its own copy of the log's file descriptor; ours is closed at once.
        with open(self.logs / f"{service.name}.log", "ab") as log:
            process = subprocess.Popen(
                service.command,
                cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **env, **service.env}, start_new_session=True,
            )
        pid_file.write_text(str(process.pid))
        if service.ready_url:
            wait_until_ready(service.name, service.ready_url, process, self.logs / f"{service.name}.log")

    def write_env(self, env: dict[str, str]) -> None:
        path = self.root / "env"
        path.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        path.chmod(0o600)

    def up(self) -> dict[str, str]:
        self.start_database()
        return self.start_services()

    def stop_service(self, name: str) -> None:
        """Stops a service of the stack (its process group) and forgets its pid."""
        pid_file = self.run / f"{name}.pid"
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)
            _wait_dead(pid)
        pid_file.unlink()

    def down(self) -> None:
        if self.run.exists():
            for pid_file in self.run.glob("*.pid"):
                self.stop_service(pid_file.stem)
            (self.run / "ports.json").unlink(missing_ok=True)
        self.cluster.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child (exited, not yet reaped) still answers kill(0); treat it as dead.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:
        return True


def _wait_dead(pid: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            return
        time.sleep(0.05)


def wait_until_ready(name: str, ready_url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Waits until `ready_url` answers below 500; fails with the log's tail if the process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(ready_url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} was not ready at {ready_url} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")
