"""The connection pool, and one transaction per request the way PostgREST runs it.

Each request borrows a pooled connection of the authenticator role and runs, in one transaction:
PostgREST's pre-query (`select set_config(...)` of search_path, the role's own settings, the role,
the JWT claims and the request's method, path, headers and cookies) and then the statement. Both go
in one pipeline, so a request costs two round trips (statement, then COMMIT).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from devstack.rest.config import Settings
from devstack.rest.query import Statement


@dataclass(frozen=True)
class Result:
    total: int | None  # Prefer: count
    page_total: int  # rows in the response (or affected by a write)
    body: str
    response_headers: str | None  # the response.headers GUC
    response_status: str | None  # the response.status GUC
    inserted: int | None  # upserts: rows inserted rather than updated


@dataclass(frozen=True)
class TransactionSettings:
    """What PostgREST's PreQuery sets, in its order (role settings before the role; see PostgREST #3045)."""

    search_path: str
    role_settings: list[tuple[str, str]]
    role: str
    claims_json: str
    method: str
    path: str
    headers_json: str
    cookies_json: str
    timezone: str | None

    def pairs(self) -> list[tuple[str, str]]:
        pairs = [("search_path", self.search_path), *self.role_settings, ("role", self.role),
                 ("request.jwt.claims", self.claims_json), ("request.method", self.method),
                 ("request.path", self.path), ("request.headers", self.headers_json),
                 ("request.cookies", self.cookies_json)]
        if self.timezone:
            pairs.append(("timezone", self.timezone))
        return pairs


def _with_planned_count(result: Result, statement: Statement, planned: int) -> Result:
    """count=planned: the planner's estimate; count=estimated: the exact count unless it passed
    db-max-rows (or there is no cap), then the larger of it and the estimate."""
    if statement.count_mode == "planned":
        return replace(result, total=planned)
    if statement.estimate_above is None or (result.total or 0) > statement.estimate_above:
        return replace(result, total=max(result.total or 0, planned))
    return result


def quoted_search_path(schemas: list[str]) -> str:
    return ", ".join('"' + schema.replace('"', '""') + '"' for schema in schemas)


def _pre_query(settings: TransactionSettings) -> tuple[sql.Composed, dict[str, str]]:
    params: dict[str, str] = {}
    calls = []
    for index, (name, value) in enumerate(settings.pairs()):
        params[f"name{index}"], params[f"value{index}"] = name, value
        calls.append(sql.SQL("set_config({}, {}, true)").format(
            sql.Placeholder(f"name{index}"), sql.Placeholder(f"value{index}")))
    return sql.SQL("select {}").format(sql.SQL(", ").join(calls)), params


class Database:
    def __init__(self, settings: Settings):
        self.pool = ConnectionPool(
            settings.db_url, min_size=min(4, settings.pool_size), max_size=settings.pool_size,
            timeout=settings.pool_timeout, kwargs={"application_name": "devstack-rest"},
            name="devstack-rest", open=False,
        )

    def open(self, wait_seconds: float = 30) -> None:
        self.pool.open(wait=True, timeout=wait_seconds)

    def close(self) -> None:
        self.pool.close()

    def run(self, settings: TransactionSettings, statement: Statement, check: Callable[[Result], None]) -> Result:
        """Runs the statement in one transaction; `check` may raise to roll it back (e.g. PGRST116)."""
        try:
            return self._run(settings, statement, check)
        except psycopg.OperationalError:
            # Like PostgREST, a lost connection flushes the pool: the idle ones were most likely lost
            # with it (Postgres restarted, the network dropped), and each would fail a request next.
            self.pool.check()
            raise

    def _run(self, settings: TransactionSettings, statement: Statement, check: Callable[[Result], None]) -> Result:
        with self.pool.connection() as connection:
            with connection.pipeline():
                if statement.read_only:
                    connection.execute("set transaction read only")
                connection.execute(*_pre_query(settings))
                cursor = connection.execute(statement.query, statement.params)
                plan = (connection.execute(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(statement.count_plan),
                                           statement.params)
                        if statement.count_plan is not None else None)
            result = Result(*cursor.fetchone())
            if plan is not None:
                result = _with_planned_count(result, statement, plan.fetchone()[0][0]["Plan"]["Plan Rows"])
            check(result)  # an exception here leaves the `with` block, which rolls back
        return result
