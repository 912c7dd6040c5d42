"""An HTTP request read the way PostgREST reads it (`PostgREST.ApiRequest` and friends).

Resource and method, schema (Accept-Profile / Content-Profile), `Prefer`, `Accept`, the range
(`Range` header, `limit`, `offset`), the URL grammar and the JSON payload, all validated before any
database work, with PostgREST's errors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from devstack.rest import errors, grammar
from devstack.rest.config import Settings

READ_METHODS = ("GET", "HEAD")


# --- Prefer -----------------------------------------------------------------------------------

PREFERENCE_GROUPS = {
    "resolution": ("merge-duplicates", "ignore-duplicates"),
    "return": ("representation", "minimal", "headers-only"),
    "count": ("exact", "planned", "estimated"),
    # Valid, but without PostgREST's db-tx-end override setting it changes nothing.
    "tx": ("commit", "rollback"),
    "missing": ("default", "null"),
    "handling": ("strict", "lenient"),
    # PostgREST < 12 passed a JSON body to a single-parameter function with this; still honoured.
    "params": ("single-object",),
}


@dataclass(frozen=True)
class Preferences:
    resolution: str | None = None
    representation: str | None = None  # "representation" / "minimal" / "headers-only"
    count: str | None = None
    missing: str | None = None
    handling: str | None = None
    timezone: str | None = None
    max_affected: int | None = None
    single_object: bool = False
    invalid: tuple[str, ...] = ()

    def applied(self, *, resolution: bool, representation: bool, missing: bool, max_affected: bool) -> str | None:
        """The `Preference-Applied` value, in PostgREST's order, for the preferences this action honours."""
        values = [
            f"resolution={self.resolution}" if resolution and self.resolution else None,
            f"missing={self.missing}" if missing and self.missing else None,
            f"return={self.representation}" if representation and self.representation else None,
            f"count={self.count}" if self.count else None,
            f"handling={self.handling}" if self.handling else None,
            f"timezone={self.timezone}" if self.timezone else None,
            f"max-affected={self.max_affected}"
            if max_affected and self.handling == "strict" and self.max_affected is not None else None,
        ]
        return ", ".join(value for value in values if value) or None


def parse_preferences(header_values: list[str]) -> Preferences:
    tokens = [token.strip() for value in header_values for token in value.split(",") if token.strip()]
    chosen: dict[str, str] = {}
    invalid = []
    timezone = max_affected = None
    for token in tokens:
        name, _, value = token.partition("=")
        if value in PREFERENCE_GROUPS.get(name, ()):
            chosen.setdefault(name, value)  # the first one wins, as in PostgREST
        elif name == "timezone" and value:
            timezone = timezone or value
        elif name == "max-affected" and value.lstrip("-").isdigit():
            max_affected = max_affected if max_affected is not None else int(value)
        else:
            invalid.append(token)
    return Preferences(
        resolution=chosen.get("resolution"), representation=chosen.get("return"), count=chosen.get("count"),
        missing=chosen.get("missing"), handling=chosen.get("handling"), timezone=timezone,
        max_affected=max_affected, single_object="params" in chosen, invalid=tuple(invalid),
    )


# --- Accept -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MediaType:
    content_type: str
    singular: bool = False
    strip_nulls: bool = False
    csv: bool = False


JSON = MediaType("application/json; charset=utf-8")
OPENAPI = MediaType("application/openapi+json; charset=utf-8")


def negotiate(accept: str | None) -> MediaType:
    """The first acceptable media type of `Accept` (by quality), else PGRST107."""
    if not accept:
        return JSON
    ranked = []
    for position, entry in enumerate(accept.split(",")):
        mime, *raw_parameters = [part.strip() for part in entry.split(";")]
        parameters = {}
        for raw in raw_parameters:
            key, _, value = raw.partition("=")
            parameters[key.strip().lower()] = value.strip().strip('"')
        try:
            quality = float(parameters.pop("q", "1"))
        except ValueError:
            quality = 1.0
        ranked.append((-quality, position, mime.lower(), parameters))
    ranked.sort()
    for _, _, mime, parameters in ranked:
        media_type = _supported_media_type(mime, parameters.get("nulls") == "stripped")
        if media_type:
            return media_type
    raise errors.media_type_error([mime for _, _, mime, _ in ranked])


def _supported_media_type(mime: str, strip_nulls: bool) -> MediaType | None:
    if mime in ("application/json", "*/*"):
        return JSON
    if mime in ("application/vnd.pgrst.array+json", "application/vnd.pgrst.array"):
        return MediaType("application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8", strip_nulls=True) \
            if strip_nulls else JSON
    if mime in ("application/vnd.pgrst.object+json", "application/vnd.pgrst.object"):
        suffix = ";nulls=stripped" if strip_nulls else ""
        return MediaType(f"application/vnd.pgrst.object+json{suffix}; charset=utf-8", singular=True,
                         strip_nulls=strip_nulls)
    if mime == "text/csv":
        return MediaType("text/csv; charset=utf-8", csv=True)
    return None


# --- ranges -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowRange:
    offset: int = 0
    limit: int | None = None  # None: no upper bound

    @property
    def is_everything(self) -> bool:
        return self.offset == 0 and self.limit is None

    def capped(self, max_rows: int | None) -> RowRange:
        """PostgREST's restrictRange for `db-max-rows`: at most `max_rows` rows from the same offset."""
        if max_rows is None or self.limit == 0:
            return self
        return RowRange(self.offset, max_rows if self.limit is None else min(self.limit, max_rows))


def _integer(text: str | None) -> int | None:
    return int(text) if text is not None and re.fullmatch(r"-?\d+", text.strip()) else None


def top_level_range(method: str, range_header: str | None, limit: str | None, offset: str | None) -> RowRange:
    """`Range: a-b` (GET only, as RFC 9110 says) intersected with `limit`/`offset`."""
    header_match = re.fullmatch(r"(\d+)-(\d*)", range_header.strip()) if method == "GET" and range_header else None
    header_lower = int(header_match.group(1)) if header_match else 0
    header_upper = int(header_match.group(2)) if header_match and header_match.group(2) else None
    limit_value, offset_value = _integer(limit), _integer(offset)
    param_lower = max(offset_value or 0, 0)
    param_upper = param_lower + limit_value - 1 if limit_value is not None else None
    lower = max(header_lower, param_lower)
    uppers = [bound for bound in (header_upper, param_upper) if bound is not None]
    upper = min(uppers) if uppers else None
    if limit_value == 0:
        return RowRange(lower, 0)  # `limit=0` is allowed: an empty page, still with the count
    if upper is not None and upper < lower:
        header_is_empty = header_upper is not None and header_upper < header_lower
        raise errors.invalid_range(
            "The lower boundary must be lower than or equal to the upper boundary in the Range header."
            if header_is_empty else "Limit should be greater than or equal to zero.")
    return RowRange(lower, None if upper is None else upper - lower + 1)


# --- payload ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Payload:
    json_text: str  # what the database parses
    keys: tuple[str, ...]  # the columns / arguments it sets
    is_object: bool


def parse_payload(body: bytes, content_type: str | None, columns: list[str] | None, *, for_routine: bool) -> Payload:
    mime = (content_type or "application/json").split(";")[0].strip().lower()
    if mime != "application/json":
        raise errors.invalid_body(f"Content-Type not acceptable: {mime}")
    text = body.decode("utf-8", errors="replace")
    if columns is not None:
        # With ?columns the body is handed to the database unparsed (PostgREST's RawJSON); it is the
        # fast path clients use for bulk writes.
        return Payload(text, tuple(dict.fromkeys(columns)), text.lstrip(" \t\r\n").startswith("{"))
    if not text.strip() and for_routine:
        return Payload("{}", (), True)
    try:
        value = json.loads(text)
    except ValueError:
        raise errors.invalid_body("Empty or invalid json") from None
    if isinstance(value, dict):
        return Payload(text, tuple(value), True)
    if isinstance(value, list) and value:
        first = value[0]
        if not isinstance(first, dict):
            raise errors.invalid_body("All object keys must match")
        keys = set(first)
        if any(not isinstance(item, dict) or item.keys() != keys for item in value):
            raise errors.invalid_body("All object keys must match")
        return Payload(text, tuple(first), False)
    return Payload("[]", (), False)  # PostgREST truncates anything else to an empty array


# --- the request ------------------------------------------------------------------------------

@dataclass
class QueryParams:
    select: list[grammar.SelectItem] = field(default_factory=lambda: [grammar.SelectItem(grammar.Field("*"))])
    filters: list[grammar.Filter | grammar.LogicTree] = field(default_factory=list)
    order: list[grammar.OrderTerm] = field(default_factory=list)
    columns: list[str] | None = None
    on_conflict: list[str] | None = None
    rpc_arguments: dict[str, list[str]] = field(default_factory=dict)  # GET /rpc/f?name=value (repeatable)
    limit: str | None = None
    offset: str | None = None
    canonical: str = ""
    # `rel.col=eq.x`, `rel.order=...`, `rel.limit=...`: per embedding path (aliases or names).
    embedded: dict[tuple[str, ...], EmbedParams] = field(default_factory=dict)

    def node(self, path: tuple[str, ...]) -> QueryParams | EmbedParams:
        return self if not path else self.embedded.setdefault(path, EmbedParams())


@dataclass
class EmbedParams:
    filters: list[grammar.Filter | grammar.LogicTree] = field(default_factory=list)
    order: list[grammar.OrderTerm] = field(default_factory=list)
    limit: str | None = None
    offset: str | None = None

    @property
    def range(self) -> RowRange:
        return top_level_range("GET", None, self.limit, self.offset)


def parse_query(items: list[tuple[str, str]], *, routine_read: bool) -> QueryParams:
    params = QueryParams()
    for key, value in items:
        words = key.split(".")
        last_word = words[-1]
        if key == "select":
            params.select = grammar.parse_select(value) or params.select
        elif key == "columns":
            params.columns = grammar.parse_columns("columns parameter", value)
        elif key == "on_conflict":
            params.on_conflict = grammar.parse_columns("on_conflict parameter", value)
        elif last_word == "order":
            params.node(tuple(words[:-1])).order.extend(grammar.parse_order(value))
        elif last_word in ("limit", "offset"):
            setattr(params.node(tuple(words[:-1])), last_word, value)
        elif grammar.is_logic_key(key):
            path, tree = grammar.parse_logic(key, value)
            params.node(path).filters.append(tree)
        elif routine_read and not grammar.parses_as_filter(value):
            params.rpc_arguments.setdefault(key, []).append(value)
        else:
            path, condition = grammar.parse_filter_value(key, value)
            params.node(path).filters.append(condition)
    _check_embedded_paths(params)
    params.canonical = urlencode(sorted(items))
    return params


def _check_embedded_paths(params: QueryParams) -> None:
    """Every `rel.` prefix must name an embedding of `select` (by its alias when it has one)."""
    for path in params.embedded:
        items = params.select
        for name in path:
            match = next((item for item in items if item.embed and item.key == name), None)
            if match is None:
                aliased = next((item for item in items if item.embed and item.field.name == name and item.alias), None)
                raise errors.not_embedded(name, aliased.alias if aliased else None)
            items = list(match.embed.select)


@dataclass
class ApiRequest:
    method: str
    kind: str  # "schema", "relation" or "routine"
    name: str
    schema: str
    negotiated_by_profile: bool
    preferences: Preferences
    media: MediaType
    query: QueryParams
    range: RowRange
    path: str  # as PostgREST sees it behind Supabase's gateway: without /rest/v1
    max_rows: int | None = None  # db-max-rows, for embedded resources (the top-level range is capped already)


def resolve_schema(settings: Settings, method: str, headers) -> tuple[str, bool]:
    profile = headers.get("Content-Profile" if method in ("POST", "PATCH", "PUT", "DELETE") else "Accept-Profile")
    if profile is None:
        # With several schemas PostgREST treats the default one as negotiated and names it.
        return settings.schemas[0], len(settings.schemas) != 1
    if profile not in settings.schemas:
        raise errors.unacceptable_schema(profile, list(settings.schemas))
    return profile, True


def resource_of(path: str) -> tuple[str, str]:
    parts = [part for part in path.split("/") if part] if path.strip("/") else []
    if not parts:
        return "schema", ""
    if len(parts) == 1:
        return "relation", parts[0]
    if len(parts) == 2 and parts[0] == "rpc":
        return "routine", parts[1]
    raise errors.invalid_resource_path()


def build(settings: Settings, method: str, path: str, headers, query_items: list[tuple[str, str]]) -> ApiRequest:
    kind, name = resource_of(path)
    if kind == "routine" and method not in ("GET", "HEAD", "POST", "OPTIONS"):
        raise errors.invalid_rpc_method(method)
    if kind == "relation" and method == "PUT":
        raise errors.not_implemented("PUT (single-row upsert) is not supported by the devstack gateway.")
    if method not in {"relation": ("GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"),
                      "routine": ("GET", "HEAD", "POST", "OPTIONS"),
                      "schema": ("GET", "HEAD", "OPTIONS")}[kind]:
        raise errors.unsupported_method(method)
    schema, negotiated = resolve_schema(settings, method, headers)
    query = parse_query(query_items, routine_read=kind == "routine" and method in READ_METHODS)
    preferences = parse_preferences(headers.getlist("Prefer"))
    if preferences.invalid and preferences.handling == "strict":
        raise errors.invalid_preferences(list(preferences.invalid))
    row_range = top_level_range(method, headers.get("Range"), query.limit, query.offset)
    if kind == "routine" or method in READ_METHODS:
        # db-max-rows caps what is read (tables, views, functions), never what a write affects.
        row_range = row_range.capped(settings.max_rows)
    return ApiRequest(
        method=method, kind=kind, name=name, schema=schema, negotiated_by_profile=negotiated,
        preferences=preferences,
        media=OPENAPI if kind == "schema" else negotiate(headers.get("Accept")),
        query=query,
        range=row_range,
        path="/" + path,
        max_rows=settings.max_rows,
    )
