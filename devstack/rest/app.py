"""The HTTP side: `/rest/v1/...` routes, CORS, and PostgREST's status codes and headers per action.

Statuses, `Content-Range` forms and `Preference-Applied` follow `PostgREST.Response`; CORS follows
`PostgREST.Cors` (wai-cors with any origin allowed).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import psycopg
import psycopg_pool
from flask import Flask, Response
from flask import request as http_request

from devstack.rest import errors, openapi, query
from devstack.rest.auth import Authenticator, AuthResult
from devstack.rest.config import Settings
from devstack.rest.db import Database, Result, TransactionSettings, quoted_search_path
from devstack.rest.request import ApiRequest, RowRange, build, parse_payload
from devstack.rest.routines import find_routine
from devstack.rest.schema_cache import SchemaCache, SchemaCacheHolder, Table, closest_name

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"]
CORS_ALLOWED_METHODS = "GET, POST, PATCH, PUT, DELETE, OPTIONS"
CORS_EXPOSED_HEADERS = ("Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, "
                        "Server, Transfer-Encoding, Range-Unit")


def create_app(settings: Settings) -> Flask:
    database = Database(settings)
    database.open()
    cache = SchemaCacheHolder(database.pool, settings.db_url, settings.schemas, settings.channel)
    cache.start_listener()
    gateway = Gateway(settings, database, cache, Authenticator(settings))

    app = Flask(__name__)
    app.extensions["devstack.rest"] = gateway

    def rest(path: str = "") -> Response:
        return gateway.handle(path)

    for rule in ("/rest/v1", "/rest/v1/", "/rest/v1/<path:path>"):
        app.add_url_rule(rule, endpoint=f"rest{rule}", view_func=rest, methods=METHODS,
                         provide_automatic_options=False, strict_slashes=False)
    return app


def content_range(lower: int, upper: int, total: int | None) -> str:
    """PostgREST's contentRangeH: `0-24/3573458`, `*/0`, `0-9/*`, `*/*`."""
    in_range = total != 0 and lower <= upper
    return f"{f'{lower}-{upper}' if in_range else '*'}/{'*' if total is None else total}"


def range_status(row_range: RowRange, page_total: int, total: int | None) -> tuple[int, str]:
    lower = row_range.offset
    upper = lower + page_total - 1
    header = content_range(lower, upper, total)
    if total is None:
        return 200, header
    if lower > total:
        return 416, header
    return (206 if page_total < total else 200), header


class Gateway:
    def __init__(self, settings: Settings, database: Database, cache: SchemaCacheHolder, authenticator: Authenticator):
        self.settings = settings
        self.database = database
        self.cache = cache
        self.authenticator = authenticator

    # --- entry point --------------------------------------------------------------------------

    def handle(self, path: str) -> Response:
        headers = http_request.headers
        origin = headers.get("Origin")
        if http_request.method == "OPTIONS" and origin and "Access-Control-Request-Method" in headers:
            return self._preflight()
        try:
            auth = self.authenticator.authenticate(headers.get("Authorization"))
            api = build(self.settings, http_request.method, path, headers, list(http_request.args.items(multi=True)))
            response = self._dispatch(api, auth)
        except errors.ApiError as error:
            response = error_response(error)
        except Exception:
            log.exception("%s %s failed", http_request.method, http_request.full_path)
            response = error_response(errors.ApiError(500, "PGRSTX00", "Internal error in the devstack gateway"))
        if origin:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response

    def _preflight(self) -> Response:
        requested = http_request.headers.get("Access-Control-Request-Headers", "")
        allowed = ", ".join(["Authorization", *(name.strip() for name in requested.split(",") if name.strip())])
        return http_response("", 200, {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": CORS_ALLOWED_METHODS,
            "Access-Control-Allow-Headers": allowed,
            "Access-Control-Max-Age": "86400",
        })

    def _dispatch(self, api: ApiRequest, auth: AuthResult) -> Response:
        cache = self.cache.current
        if api.kind == "schema":
            if api.method == "OPTIONS":
                return _info_response("OPTIONS,GET,HEAD")
            document = openapi.document(cache, api.schema, http_request.host)
            body = b"" if api.method == "HEAD" else json.dumps(document).encode()
            return http_response(body, 200, {"Content-Type": api.media.content_type, **_profile_header(api)})
        if api.kind == "routine":
            return self._call(api, auth, cache)
        table = cache.tables.get((api.schema, api.name))
        if table is None:
            hint = closest_name(api.name, cache.table_names(api.schema))
            raise errors.table_not_found(api.schema, api.name,
                                         f"Perhaps you meant the table '{api.schema}.{hint}'" if hint else None)
        if api.method == "OPTIONS":
            return _info_response("OPTIONS,GET,HEAD,POST,PATCH,DELETE")
        if api.method in ("GET", "HEAD"):
            return self._read(api, auth, table)
        return self._write(api, auth, table)

    # --- actions ------------------------------------------------------------------------------

    def _run(self, api: ApiRequest, auth: AuthResult, statement: query.Statement, *, max_affected: bool) -> Result:
        def check(result: Result) -> None:
            if api.media.singular and result.page_total != 1:
                raise errors.singularity_error(result.page_total)
            preferences = api.preferences
            if (max_affected and preferences.handling == "strict" and preferences.max_affected is not None
                    and result.page_total > preferences.max_affected):
                raise errors.max_affected_violation(result.page_total)

        try:
            return self.database.run(self._transaction_settings(api, auth), statement, check)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as error:
            raise errors.from_database_error(error, authenticated=auth.authenticated) from error

    def _transaction_settings(self, api: ApiRequest, auth: AuthResult) -> TransactionSettings:
        headers = {name.lower(): value for name, value in http_request.headers.items() if name.lower() != "cookie"}
        return TransactionSettings(
            search_path=quoted_search_path([api.schema, *self.settings.extra_search_path]),
            role_settings=self.cache.current.role_settings.get(auth.role, []),
            role=auth.role,
            claims_json=json.dumps(auth.claims),
            method=api.method,
            path=api.path,
            headers_json=json.dumps(headers),
            cookies_json=json.dumps(dict(http_request.cookies)),
            timezone=api.preferences.timezone,
        )

    def _read(self, api: ApiRequest, auth: AuthResult, table: Table) -> Response:
        result = self._run(api, auth, query.read(api, table, self.cache.current), max_affected=False)
        status, range_header = range_status(api.range, result.page_total, result.total)
        body = result.body
        if status == 416:
            body = _out_of_bounds(api.range, result.total).body().decode()
        location = f"/{table.name}" + (f"?{api.query.canonical}" if api.query.canonical else "")
        headers = {"Content-Range": range_header, "Content-Location": location,
                   "Content-Type": api.media.content_type, **_profile_header(api),
                   **_applied(api, resolution=False, representation=False, missing=False, max_affected=False)}
        return _response(result, api, status, headers, body)

    def _write(self, api: ApiRequest, auth: AuthResult, table: Table) -> Response:
        preferences = api.preferences
        cache = self.cache.current
        if api.method == "DELETE":
            statement = query.delete(api, table, cache)
        else:
            payload = parse_payload(http_request.get_data(), http_request.headers.get("Content-Type"),
                                    api.query.columns, for_routine=False)
            statement = (query.insert if api.method == "POST" else query.update)(api, table, cache, payload)
        result = self._run(api, auth, statement, max_affected=api.method != "POST")
        count = result.page_total if preferences.count else None
        headers: dict[str, str] = {}
        if api.method == "POST":
            merged = preferences.resolution == "merge-duplicates"
            status = 200 if merged and not (result.inserted or 0) > 0 else 201
            headers["Content-Range"] = content_range(1, 0, count)
            if query.returns_location(api, table):
                headers.update(_location(table, result))
            has_conflict_target = bool(table.primary_key or api.query.on_conflict)
            headers.update(_applied(api, resolution=has_conflict_target, representation=True, missing=True,
                                    max_affected=False))
        else:
            status = 200 if preferences.representation == "representation" else 204
            headers["Content-Range"] = (content_range(0, result.page_total - 1, count) if api.method == "PATCH"
                                        else content_range(1, 0, count))
            headers.update(_applied(api, resolution=False, representation=True, missing=api.method == "PATCH",
                                    max_affected=True))
        if preferences.representation != "representation":
            return _response(result, api, status, headers, "")
        headers.update({"Content-Type": api.media.content_type, **_profile_header(api)})
        return _response(result, api, status, headers, result.body)

    def _call(self, api: ApiRequest, auth: AuthResult, cache: SchemaCache) -> Response:
        if api.method == "OPTIONS":
            overloads = cache.routines.get((api.schema, api.name), [])
            if not overloads:
                raise errors.function_not_found(api.schema, api.name, [], json_post=False, hint=None)
            return _info_response("OPTIONS,POST" if overloads[0].is_volatile else "OPTIONS,GET,HEAD,POST")
        payload = None
        if api.method == "POST":
            payload = parse_payload(http_request.get_data(), http_request.headers.get("Content-Type"),
                                    api.query.columns, for_routine=True)
            argument_names = set(payload.keys)
        else:
            argument_names = set(api.query.rpc_arguments)
        routine, pass_whole_body = find_routine(cache, api, argument_names)
        result = self._run(api, auth, query.call(api, routine, payload=payload, pass_whole_body=pass_whole_body),
                           max_affected=True)
        status, range_header = range_status(api.range, result.page_total, result.total)
        headers = {"Content-Range": range_header,
                   **_applied(api, resolution=False, representation=False, missing=False, max_affected=True)}
        if routine.returns_void:
            return _response(result, api, 204, headers, "")
        body = _out_of_bounds(api.range, result.total).body().decode() if status == 416 else result.body
        headers.update({"Content-Type": api.media.content_type, **_profile_header(api)})
        return _response(result, api, status, headers, body)


# --- response helpers -------------------------------------------------------------------------

def http_response(body: str | bytes, status: int, headers: dict[str, str]) -> Response:
    """A response with exactly these headers: no Content-Type unless given (Flask would add text/html)."""
    response = Response(body, status, headers=headers)
    if "Content-Type" not in headers:
        del response.headers["Content-Type"]
    return response


def error_response(error: errors.ApiError) -> Response:
    return http_response(error.body(), error.status, error.response_headers())


def _info_response(allow: str) -> Response:
    return http_response("", 200, {"Allow": allow, "Access-Control-Allow-Origin": "*"})


def _profile_header(api: ApiRequest) -> dict[str, str]:
    return {"Content-Profile": api.schema} if api.negotiated_by_profile else {}


def _applied(api: ApiRequest, **honoured: bool) -> dict[str, str]:
    value = api.preferences.applied(**honoured)
    return {"Preference-Applied": value} if value else {}


def _out_of_bounds(row_range: RowRange, total: int | None) -> errors.ApiError:
    return errors.invalid_range(f"An offset of {row_range.offset} was requested, but there are only {total or 0} rows.")


def _location(table: Table, result: Result) -> dict[str, str]:
    """`Location: /table?pk=eq.value` for a single inserted row (Prefer: return=headers-only)."""
    rows = json.loads(result.body)
    if len(rows) != 1:
        return {}
    query_string = urlencode([(key, "is.null" if value is None else f"eq.{_text(value)}")
                              for key, value in rows[0].items() if key in table.primary_key])
    return {"Location": f"/{table.name}?{query_string}"}


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _response(result: Result, api: ApiRequest, status: int, headers: dict[str, str], body: str) -> Response:
    """Applies the `response.status` / `response.headers` GUCs, which win over PostgREST's own values."""
    if result.response_status is not None:
        if not result.response_status.strip().isdigit():
            raise errors.ApiError(500, "PGRST112", "response.status guc must be a valid status code")
        status = int(result.response_status)
    if result.response_headers is not None:
        try:
            overrides = json.loads(result.response_headers)
            pairs = [next(iter(item.items())) for item in overrides if isinstance(item, dict) and len(item) == 1]
            if len(pairs) != len(overrides) or not all(isinstance(value, str) for _, value in pairs):
                raise ValueError
        except (ValueError, TypeError):
            raise errors.ApiError(500, "PGRST111", "response.headers guc must be a JSON array composed of objects "
                                                    "with a single key and a string value") from None
    else:
        pairs = []
    # A header the GUC names replaces PostgREST's own; repeated ones (Set-Cookie) are all sent.
    named = {name.lower() for name, _ in pairs}
    headers = {name: value for name, value in headers.items() if name.lower() not in named}
    if api.method == "HEAD":
        body = ""
    response = http_response(body, status, headers)
    for name, value in pairs:
        response.headers.add(name, value)
    return response
