"""`STACK=containers make test`: the same tests on Supabase's and PostgREST's own images.

A thin layer over `Stack`: the database is a `supabase/postgres` container (Supabase's roles,
supautils, pg_cron, pg_net, pgmq and Vault, with `postgres` not a superuser) and the REST layer a
`postgrest/postgrest` container on the same Docker network, behind the devstack's API-gateway
stand-in at `/rest/v1`; the migrations are pushed by the real CLI as in the default mode. The fake
Graph API, the service and the UI run as local processes, as they do in the default devstack. The
real pg_net inside the container delivers the cron job's requests itself, so the devstack's pg_net
worker is not started; those requests only reach the local service when the container can reach
this host (Docker Desktop's host.docker.internal).

Needs a Docker daemon (testcontainers); `docker_unavailable` says why there is none.
"""

from __future__ import annotations

import os
import secrets
import time

import docker
import psycopg
from docker.errors import DockerException
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network
from testcontainers.core.waiting_utils import wait_for_logs

from devstack.stack import Service, Stack, python_module

# The images the Supabase CLI in package.json (3.1.0) pins for a Postgres 15 project; overridable.
SUPABASE_POSTGRES_IMAGE = os.environ.get("SUPABASE_POSTGRES_IMAGE", "supabase/postgres:15.19.0.018")
POSTGREST_IMAGE = os.environ.get("POSTGREST_IMAGE", "postgrest/postgrest:v16.5")
DATABASE_ALIAS = "db"


def docker_unavailable() -> str | None:
    """Why no Docker daemon answers, or None when one does."""
    try:
        docker.from_env().ping()
    except DockerException as error:
        return str(error).splitlines()[0]
    return None


class ContainerDatabase:
    """The `supabase/postgres` container, with the attributes `Stack` reads from its cluster."""

    def __init__(self, network: Network):
        self.password = secrets.token_urlsafe(16)
        self.container = (DockerContainer(SUPABASE_POSTGRES_IMAGE)
                          .with_env("POSTGRES_PASSWORD", self.password)
                          .with_exposed_ports(5432)
                          .with_network(network)
                          .with_network_aliases(DATABASE_ALIAS))

    def start(self, seconds: float = 180) -> None:
        self.container.start()
        # The image's entrypoint runs its init scripts on a temporary server, then restarts it.
        wait_for_logs(self.container, "PostgreSQL init process complete", timeout=seconds)
        deadline = time.monotonic() + seconds
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def dsn_for(self, user: str) -> str:
        host = self.container.get_container_host_ip()
        port = self.container.get_exposed_port(5432)
        return f"postgresql://{user}:{self.password}@{host}:{port}/postgres"

    def inner_dsn_for(self, user: str) -> str:
        """The same database as other containers on the network reach it."""
        return f"postgresql://{user}:{self.password}@{DATABASE_ALIAS}:5432/postgres"

    @property
    def url(self) -> str:
        return self.dsn_for("postgres")

    @property
    def admin_url(self) -> str:
        return self.dsn_for("supabase_admin")

    def stop(self) -> None:
        self.container.stop()


class ContainerStack(Stack):
    def start_database(self) -> None:
        self.network = Network().create()
        self.cluster = ContainerDatabase(self.network)
        self.cluster.start()
        self.push_migrations()

    def _rest_layer(self, ports: dict[str, int], jwt_secret: str) -> list[Service]:
        self.postgrest = (DockerContainer(POSTGREST_IMAGE)
                          .with_env("PGRST_DB_URI", self.cluster.inner_dsn_for("authenticator"))
                          .with_env("PGRST_DB_SCHEMAS", "public")
                          .with_env("PGRST_DB_ANON_ROLE", "anon")
                          .with_env("PGRST_DB_EXTRA_SEARCH_PATH", "public, extensions")
                          .with_env("PGRST_DB_MAX_ROWS", "1000")
                          .with_env("PGRST_JWT_SECRET", jwt_secret)
                          .with_exposed_ports(3000)
                          .with_network(self.network))
        self.postgrest.start()
        wait_for_logs(self.postgrest, "Schema cache loaded", timeout=120)
        upstream = f"http://{self.postgrest.get_container_host_ip()}:{self.postgrest.get_exposed_port(3000)}"
        return [Service("rest", python_module(
            "devstack.api_gateway", "--host", "127.0.0.1", "--port", str(ports["rest"]), "--upstream", upstream,
        ), f"http://127.0.0.1:{ports['rest']}/rest/v1/")]

    def services(self, ports: dict[str, int]) -> list[Service]:
        return [service for service in super().services(ports) if service.name != "net_worker"]

    def down(self) -> None:
        super().down()
        if getattr(self, "postgrest", None) is not None:
            self.postgrest.stop()
        if getattr(self, "network", None) is not None:
            self.network.remove()
