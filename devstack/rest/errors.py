"""PostgREST's error responses: `{"code","details","hint","message"}` and its HTTP status mapping.

Codes, messages and statuses follow `src/library/PostgREST/Error.hs` (PostgREST 14/16) and
docs/references/errors.rst. Postgres errors keep their SQLSTATE as `code`; the status comes from
`mapSQLtoHTTP`, where `authenticated` means "the role is not the anonymous role".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import psycopg
import psycopg_pool

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    details: str | list | None = None
    hint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> bytes:
        return json.dumps(
            {"code": self.code, "details": self.details, "hint": self.hint, "message": self.message},
            ensure_ascii=False, separators=(",", ":"),
        ).encode()

    def response_headers(self) -> dict[str, str]:
        return {"Content-Type": JSON_CONTENT_TYPE, "Proxy-Status": f"PostgREST; error={self.code}", **self.headers}


# --- request errors (PGRST1xx) ----------------------------------------------------------------

def query_param_error(message: str, details: str) -> ApiError:
    return ApiError(400, "PGRST100", message, details)


def invalid_rpc_method(method: str) -> ApiError:
    return ApiError(405, "PGRST101", f"Cannot use the {method} method on RPC")


def invalid_body(message: str) -> ApiError:
    return ApiError(400, "PGRST102", message)


def invalid_range(details: str) -> ApiError:
    return ApiError(416, "PGRST103", "Requested range not satisfiable", details)


def unacceptable_schema(schema: str, exposed: list[str]) -> ApiError:
    return ApiError(406, "PGRST106", f"Invalid schema: {schema}",
                    hint=f"Only the following schemas are exposed: {', '.join(exposed)}")


def media_type_error(media_types: list[str]) -> ApiError:
    return ApiError(406, "PGRST107", f"None of these media types are available: {', '.join(media_types)}")


def not_embedded(resource: str, alias: str | None = None) -> ApiError:
    hint = (f"Change '{resource}' to '{alias}' in filters, orders or limits." if alias
            else f"Verify that '{resource}' is included in the 'select' query parameter.")
    return ApiError(400, "PGRST108", f"'{resource}' is not an embedded resource in this request", hint=hint)


def singularity_error(rows: int) -> ApiError:
    return ApiError(406, "PGRST116", "Cannot coerce the result to a single JSON object",
                    f"The result contains {rows} rows")


def unsupported_method(method: str) -> ApiError:
    return ApiError(405, "PGRST117", f"Unsupported HTTP method: {method}")


def invalid_preferences(preferences: list[str]) -> ApiError:
    return ApiError(400, "PGRST122", "Invalid preferences given with handling=strict",
                    f"Invalid preferences: {', '.join(preferences)}")


def aggregates_not_allowed() -> ApiError:
    return ApiError(400, "PGRST123", "Use of aggregate functions is not allowed")


def max_affected_violation(rows: int) -> ApiError:
    return ApiError(400, "PGRST124", "Query result exceeds max-affected preference constraint",
                    f"The query affects {rows} rows")


def invalid_resource_path() -> ApiError:
    return ApiError(404, "PGRST125", "Invalid path specified in request URL")


def not_implemented(details: str) -> ApiError:
    return ApiError(400, "PGRST127", "Feature not implemented", details)


# --- schema cache errors (PGRST2xx) -----------------------------------------------------------

def function_not_found(schema: str, name: str, argument_names: list[str], *, json_post: bool,
                       hint: str | None) -> ApiError:
    qualified = f"{schema}.{name}"
    names = sorted(argument_names)
    if names:
        signature = f"({', '.join(names)})"
        searched = f" with parameter{'s' if len(names) > 1 else ''} {', '.join(names)}"
    else:
        signature = searched = " without parameters"
    if json_post:
        searched += " or with a single unnamed json/jsonb parameter"
    return ApiError(404, "PGRST202", f"Could not find the function {qualified}{signature} in the schema cache",
                    f"Searched for the function {qualified}{searched}, but no matches were found in the schema cache.",
                    hint)


def ambiguous_function(signatures: list[str]) -> ApiError:
    return ApiError(300, "PGRST203",
                    f"Could not choose the best candidate function between: {', '.join(signatures)}",
                    hint="Try renaming the parameters or the function itself in the database so function "
                         "overloading can be resolved")


def column_not_found(relation: str, column: str) -> ApiError:
    return ApiError(400, "PGRST204", f"Could not find the '{column}' column of '{relation}' in the schema cache")


def table_not_found(schema: str, name: str, hint: str | None) -> ApiError:
    return ApiError(404, "PGRST205", f"Could not find the table '{schema}.{name}' in the schema cache", hint=hint)


# --- JWT errors (PGRST3xx) --------------------------------------------------------------------

def _invalid_token_header(message: str) -> dict[str, str]:
    # Haskell's `show` of the message: double quotes with backslash escapes.
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    return {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{escaped}"'}


def jwt_decode_error(message: str, details: str | None = None) -> ApiError:
    return ApiError(401, "PGRST301", message, details, headers=_invalid_token_header(message))


def jwt_token_required() -> ApiError:
    return ApiError(401, "PGRST302", "Anonymous access is disabled", headers={"WWW-Authenticate": "Bearer"})


def jwt_claims_error(message: str) -> ApiError:
    return ApiError(401, "PGRST303", message, headers=_invalid_token_header(message))


# --- database errors --------------------------------------------------------------------------

def from_database_error(error: Exception, *, authenticated: bool) -> ApiError:
    if isinstance(error, psycopg_pool.PoolTimeout):
        return ApiError(504, "PGRST003", "Timed out acquiring connection from connection pool.")
    sqlstate = getattr(error, "sqlstate", None)
    if not isinstance(error, psycopg.Error) or not sqlstate:
        return ApiError(503, "PGRST000", "Database connection error.", str(error) or None)
    diag = error.diag
    message = diag.message_primary or str(error)
    if sqlstate == "PGRST":
        return _raised_pgrst_error(message, diag.message_detail)
    api_error = ApiError(_status_for(sqlstate, message, authenticated), sqlstate, message,
                         diag.message_detail, diag.message_hint)
    if api_error.status == 401:
        api_error.headers["WWW-Authenticate"] = "Bearer"
    return api_error


def _status_for(sqlstate: str, message: str, authenticated: bool) -> int:
    """PostgREST's `mapSQLtoHTTP`, in its order."""
    exact = {
        "23503": 409, "23505": 409, "25006": 405, "53400": 500, "57P01": 503,
        "P0001": 400, "42P01": 404, "42P17": 500,
    }
    if sqlstate == "21000":
        # pg-safeupdate's "DELETE requires a WHERE clause" is the client's fault; other cardinality
        # violations (e.g. "ON CONFLICT DO UPDATE command cannot affect row a second time") are not.
        return 400 if message.endswith("requires a WHERE clause") else 500
    if sqlstate == "22023":
        # A JWT `role` naming a role that does not exist (PostgREST issue #3601).
        return 401 if message.startswith("role") and message.endswith("does not exist") else 400
    if sqlstate == "42883":
        return 406 if message.startswith("function xmlagg(") else 404
    if sqlstate == "42501":
        return 403 if authenticated else 401
    if sqlstate in exact:
        return exact[sqlstate]
    by_class = {
        "08": 503, "09": 500, "0L": 403, "0P": 403, "25": 500, "28": 403, "2D": 500, "38": 500,
        "39": 500, "3B": 500, "40": 500, "53": 503, "54": 500, "55": 500, "57": 500, "58": 500,
        "F0": 500, "HV": 500, "P0": 500, "XX": 500,
    }
    if sqlstate[:2] in by_class:
        return by_class[sqlstate[:2]]
    if sqlstate.startswith("PT"):
        # `RAISE SQLSTATE 'PT402'` answers 402; a PT state that is no status number answers 500.
        return int(sqlstate[2:]) if sqlstate[2:].isdigit() else 500
    return 400


def _raised_pgrst_error(message: str, detail: str | None) -> ApiError:
    """`RAISE SQLSTATE 'PGRST' USING message = '{json}', detail = '{json}'`: full control of the response."""
    try:
        body = json.loads(message)
        body["code"], body["message"]
    except (ValueError, TypeError, KeyError):
        return ApiError(500, "PGRST121", "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
                        f"Invalid JSON value for MESSAGE: '{message}'",
                        "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: "
                        "'details', 'hint'.")
    try:
        response = json.loads(detail or "")
        status = int(response["status"])
        headers = {str(key): str(value) for key, value in dict(response["headers"]).items()}
    except (ValueError, TypeError, KeyError):
        details = f"Invalid JSON value for DETAIL: '{detail}'" if detail else "DETAIL is missing in the RAISE statement"
        return ApiError(500, "PGRST121", "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error", details,
                        "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: "
                        "'status_text'.")
    return ApiError(status, str(body["code"]), str(body["message"]), body.get("details"), body.get("hint"), headers)
