"""SQL for each kind of request, shaped like PostgREST's (`PostgREST.Query.QueryBuilder`, `Statements`).

Every statement is one `WITH pgrst_source AS (...) SELECT ...` returning a single row: the total
count (when asked for), the page's row count, the response body already rendered as JSON (or CSV)
by the database, the `response.headers` / `response.status` GUCs, and for upserts how many rows were
inserted rather than updated.

Statements are composed with psycopg.sql. Values always travel as named parameters (untyped, so
Postgres infers the column's type as it does for PostgREST's `unknown` parameters). Identifiers
come from the URL or the payload and are quoted with `sql.Identifier`. The only SQL text not built
that way is text the gateway trusts: type names and default expressions read from the catalog, and
casts that the grammar restricts to `[A-Za-z0-9_ $]`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from psycopg import sql

from devstack.rest import errors
from devstack.rest.embedding import find_relationship
from devstack.rest.grammar import (
    FTS_OPERATORS,
    QUANTIFIABLE_OPERATORS,
    SIMPLE_OPERATORS,
    Field,
    Filter,
    LogicTree,
    OrderTerm,
    SelectItem,
)
from devstack.rest.request import ApiRequest, EmbedParams, MediaType, Payload, RowRange
from devstack.rest.schema_cache import Routine, SchemaCache, Table

SOURCE = sql.Identifier("pgrst_source")
IS_SQL = {"null": "NULL", "not_null": "NOT NULL", "true": "TRUE", "false": "FALSE", "unknown": "UNKNOWN"}
CSV_BODY = sql.SQL(
    "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM "
    "(SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a) || chr(10) || "
    "coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')"
)


def identifier(*names: str) -> sql.Identifier:
    # Queries run with parameters, so psycopg reads `%` in the query text as a placeholder marker:
    # a literal `%` inside an identifier has to be doubled.
    return sql.Identifier(*(name.replace("%", "%%") for name in names))


def trusted_sql(text: str) -> sql.SQL:
    """SQL text from the catalog (type names, defaults) or a grammar-checked cast; `%` doubled as above."""
    return sql.SQL(text.replace("%", "%%"))


@dataclass(frozen=True)
class Embedded:
    """An embedding as its parent's filters and order see it."""

    value: sql.Composable  # the embedded JSON (NULL / '[]'-less aggregate when nothing is there)
    alias: sql.Composable  # the lateral subquery
    to_one: bool
    origin: str  # the embedding table's name


@dataclass(frozen=True)
class Statement:
    query: sql.Composable
    params: dict[str, object]
    read_only: bool
    # Prefer: count=planned / estimated: the count query whose EXPLAIN gives the planner's row estimate.
    count_plan: sql.Composable | None = None
    count_mode: str | None = None
    estimate_above: int | None = None  # estimated: the plan is used only past this exact count (db-max-rows)


class _Builder:
    """Collects the parameters of one statement while its fragments are composed."""

    def __init__(self):
        self.params: dict[str, object] = {}

    def value(self, value: object) -> sql.Placeholder:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return sql.Placeholder(name)

    def statement(self, query: sql.Composable, *, read_only: bool, count_plan: sql.Composable | None = None,
                  request: ApiRequest | None = None) -> Statement:
        if count_plan is None:
            return Statement(query, self.params, read_only)
        return Statement(query, self.params, read_only, count_plan, request.preferences.count, request.max_rows)

    # --- fields, filters, order, limits -------------------------------------------------------

    def field(self, relation: sql.Composable, field: Field, column_types: dict[str, str]) -> sql.Composable:
        column = sql.SQL("{}.{}").format(relation, identifier(field.name))
        if not field.json_path:
            return column
        if column_types.get(field.name) not in ("json", "jsonb"):
            column = sql.SQL("to_jsonb({})").format(column)
        for step in field.json_path:
            operand = sql.SQL("{}::int").format(self.value(step.key)) if step.is_index else self.value(step.key)
            column = sql.SQL("{}{}{}").format(column, sql.SQL(step.arrow), operand)
        return column

    def select_list(self, relation: sql.Composable, items: list[SelectItem], column_types: dict[str, str]) -> sql.Composable:
        rendered = []
        for item in items:
            if item.field.name == "*":
                rendered.append(sql.SQL("{}.*").format(relation))
                continue
            expression = self.field(relation, item.field, column_types)
            if item.cast:
                expression = sql.SQL("CAST({} AS {})").format(expression, trusted_sql(item.cast))
            if item.output_name:
                expression = sql.SQL("{} AS {}").format(expression, identifier(item.output_name))
            rendered.append(expression)
        return sql.SQL(", ").join(rendered)

    def condition(self, relation: sql.Composable, node: Filter | LogicTree, column_types: dict[str, str],
                  embedded: dict[str, Embedded] | None = None) -> sql.Composable:
        if isinstance(node, LogicTree):
            joined = sql.SQL(f" {node.operator.upper()} ").join(
                self.condition(relation, child, column_types, embedded) for child in node.children)
            return sql.SQL("{}({})").format(sql.SQL("NOT " if node.negated else ""), joined)
        operation = node.operation
        embedding = (embedded or {}).get(node.field.name)
        if embedding and not node.field.json_path and operation.operator == "is" and operation.value in ("null", "not_null"):
            # `rel=not.is.null`: keep the rows whose embedding is not empty (PostgREST >= 11.2).
            test = sql.SQL("{} IS {}").format(embedding.value, sql.SQL(IS_SQL[operation.value]))
            return sql.SQL("NOT ({})").format(test) if node.negated else test
        target = self.field(relation, node.field, column_types)
        if operation.operator in FTS_OPERATORS and column_types.get(node.field.name) != "tsvector":
            target = sql.SQL("to_tsvector({}{})").format(self._fts_language(operation.language), target)
        test = sql.SQL("{} {}").format(target, self._operation(operation))
        return sql.SQL("NOT ({})").format(test) if node.negated else test

    def _operation(self, operation) -> sql.Composable:
        operator, value = operation.operator, operation.value
        if operator == "is":
            return sql.SQL("IS " + IS_SQL[value])
        if operator == "isdistinct":
            return sql.SQL("IS DISTINCT FROM {}").format(self.value(value))
        if operator == "in":
            # `= ANY(array)` rather than IN: an empty list stays valid SQL.
            return sql.SQL("= ANY({})").format(self.value(_array_literal(value)))
        if operator in FTS_OPERATORS:
            return sql.SQL("@@ {}({}{})").format(
                sql.SQL(FTS_OPERATORS[operator]), self._fts_language(operation.language), self.value(value))
        if operator in SIMPLE_OPERATORS:
            return sql.SQL("{} {}").format(sql.SQL(SIMPLE_OPERATORS[operator]), self.value(value))
        if operator in ("like", "ilike"):
            value = value.replace("*", "%")
        operand = self.value(value)
        if operation.quantifier:
            operand = sql.SQL("{}({})").format(sql.SQL(operation.quantifier.upper()), operand)
        return sql.SQL("{} {}").format(sql.SQL(QUANTIFIABLE_OPERATORS[operator]), operand)

    def _fts_language(self, language: str | None) -> sql.Composable:
        return sql.SQL("{}, ").format(self.value(language)) if language else sql.SQL("")

    def where(self, relation: sql.Composable, filters: list, column_types: dict[str, str],
              embedded: dict[str, Embedded] | None = None) -> sql.Composable:
        if not filters:
            return sql.SQL("")
        return sql.SQL(" WHERE {}").format(
            sql.SQL(" AND ").join(self.condition(relation, node, column_types, embedded) for node in filters))

    def order_by(self, relation: sql.Composable, terms: list[OrderTerm], column_types: dict[str, str],
                 embedded: dict[str, Embedded] | None = None) -> sql.Composable:
        if not terms:
            return sql.SQL("")
        rendered = []
        for term in terms:
            words = [term.direction.upper()] if term.direction else []
            if term.nulls:
                words.append("NULLS FIRST" if term.nulls == "nullsfirst" else "NULLS LAST")
            if term.embedding is None:
                target = self.field(relation, term.field, column_types)
            else:
                # `order=rel(col)`: a column the to-one embedding selects.
                embedding = (embedded or {}).get(term.embedding)
                if embedding is None:
                    raise errors.not_embedded(term.embedding)
                if not embedding.to_one:
                    raise errors.ApiError(400, "PGRST118", f"A related order on '{term.embedding}' is not possible",
                                          f"'{embedding.origin}' and '{term.embedding}' do not form a many-to-one "
                                          "or one-to-one relationship")
                target = self.field(embedding.alias, term.field, {})
            rendered.append(sql.SQL("{} {}").format(target, sql.SQL(" ".join(words))))
        return sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(rendered))

    def limit_offset(self, row_range: RowRange) -> sql.Composable:
        if row_range.is_everything:
            return sql.SQL("")
        limit = sql.SQL("ALL") if row_range.limit is None else self.value(row_range.limit)
        return sql.SQL(" LIMIT {} OFFSET {}").format(limit, self.value(row_range.offset))

    # --- resource embedding -------------------------------------------------------------------

    def columns_and_embeddings(self, cache: SchemaCache, request: ApiRequest, relation: sql.Composable, table: Table,
                               items: list[SelectItem], path: tuple[str, ...] = (),
                               aliases: itertools.count | None = None,
                               ) -> tuple[list[sql.Composable], list[sql.Composable], dict[str, Embedded]]:
        """The select list of one node of the embedding tree and the lateral joins of its embeddings,
        shaped like PostgREST's readPlanToQuery: a to-one embedding is `row_to_json` of a lateral
        subquery, a to-many one the `json_agg` of it (`[]` when empty); `!inner` drops the rows
        whose embedding is empty. Also returns the embeddings by key, for the node's filters and order."""
        aliases = aliases if aliases is not None else itertools.count(1)
        types = column_types(table)
        plain = [item for item in items if item.embed is None]
        selects = [self.select_list(relation, plain, types)] if plain else []
        joins = []
        embedded: dict[str, Embedded] = {}
        for item in items:
            if item.embed is None:
                continue
            relationship = find_relationship(cache, (table.schema, table.name), item.field.name, item.embed.hint)
            child = cache.tables[relationship.foreign_table]
            number = next(aliases)
            child_alias = sql.Identifier(f"pgrst_embed_{number}_t")
            aggregate = sql.Identifier(f"pgrst_embed_{number}")
            child_path = path + (item.key,)
            params = request.query.embedded.get(child_path, EmbedParams())
            child_selects, child_joins, child_embedded = self.columns_and_embeddings(
                cache, request, child_alias, child, list(item.embed.select), child_path, aliases)
            child_types = column_types(child)
            conditions, through = _join_conditions(relationship, relation, child_alias, number)
            conditions += [self.condition(child_alias, node, child_types, child_embedded) for node in params.filters]
            subquery = sql.SQL("SELECT {} FROM {} AS {}{}{} WHERE {}{}{}").format(
                sql.SQL(", ").join(child_selects) if child_selects else sql.SQL("1"),
                identifier(child.schema, child.name), child_alias, through,
                sql.SQL("").join(child_joins), sql.SQL(" AND ").join(conditions),
                self.order_by(child_alias, params.order, child_types, child_embedded),
                self.limit_offset(params.range.capped(request.max_rows)))
            join_type = sql.SQL("INNER" if item.embed.join == "inner" else "LEFT")
            output = identifier(item.key)
            embedded[item.key] = Embedded(
                sql.SQL("row_to_json({}.*)").format(aggregate) if relationship.to_one
                else sql.SQL("{0}.{0}").format(aggregate), aggregate, relationship.to_one, table.name)
            if relationship.to_one:
                joins.append(sql.SQL(" {} JOIN LATERAL ({}) AS {} ON TRUE").format(join_type, subquery, aggregate))
                # A spread (`...rel(cols)`) puts the related columns in the row itself.
                shown = (sql.SQL("{}.*").format(aggregate) if item.embed.spread
                         else sql.SQL("row_to_json({}.*)::jsonb AS {}").format(aggregate, output))
            elif item.embed.spread:
                raise errors.not_implemented(
                    "Spreading a to-many embedded resource is not supported by the devstack gateway.")
            else:
                joins.append(sql.SQL(" {0} JOIN LATERAL (SELECT json_agg({1})::jsonb AS {1} FROM ({2}) AS {1}) AS {1} ON {3}")
                             .format(join_type, aggregate, subquery,
                                     sql.SQL("{} IS NOT NULL").format(aggregate) if item.embed.join == "inner"
                                     else sql.SQL("TRUE")))
                shown = sql.SQL("COALESCE({0}.{0}, '[]') AS {1}").format(aggregate, output)
            if item.embed.select:
                selects.append(shown)
        return selects, joins, embedded

    # --- JSON payloads ------------------------------------------------------------------------

    def json_rows(self, payload: Payload, fields: list[tuple[str, str, str | None]], *, apply_defaults: bool,
                  first_only: bool = False) -> sql.Composable:
        """`FROM ... pgrst_body`: the payload as typed rows (PostgREST's fromJsonBodyF).

        `fields` are (name, SQL type, SQL default) triples. With `apply_defaults` (Prefer:
        missing=default) keys absent from an element take the column default instead of NULL.
        """
        sources = [sql.SQL("(SELECT {}::{} AS json_data) pgrst_payload").format(
            self.value(payload.json_text), sql.SQL("jsonb" if apply_defaults else "json"))]
        data, prefix = sql.SQL("pgrst_payload.json_data"), "json_"
        if apply_defaults:
            defaults = sql.SQL("jsonb_build_object({})").format(sql.SQL(", ").join(
                sql.SQL("{}::text, {}").format(self.value(name), trusted_sql(default))
                for name, _, default in fields if default is not None))
            sources.append(
                sql.SQL("LATERAL (SELECT {} || pgrst_payload.json_data AS val) pgrst_json_defs").format(defaults)
                if payload.is_object else
                sql.SQL("LATERAL (SELECT jsonb_agg({} || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data) elem)"
                        " pgrst_json_defs").format(defaults))
            data, prefix = sql.SQL("pgrst_json_defs.val"), "jsonb_"
        if fields:
            function = prefix + ("to_record" if payload.is_object else "to_recordset")
            rows = sql.SQL("{}({}) AS _({}){}").format(
                sql.SQL(function), data,
                sql.SQL(", ").join(sql.SQL("{} {}").format(identifier(name), trusted_sql(type_))
                                   for name, type_, _ in fields),
                sql.SQL(" LIMIT 1" if first_only else ""))
        else:
            # `{}` is one row of defaults, `[{}, {}]` as many rows as elements.
            rows = sql.SQL("(values(1)) _") if payload.is_object else sql.SQL("{}({}) _").format(
                sql.SQL(prefix + "array_elements"), data)
        names = sql.SQL(", ").join(identifier(name) for name, _, _ in fields)
        sources.append(sql.SQL("LATERAL (SELECT {} FROM {}) pgrst_body").format(names, rows))
        return sql.SQL("FROM {}").format(sql.SQL(", ").join(sources))


def _join_conditions(relationship, parent: sql.Composable, child: sql.Composable,
                     number: int) -> tuple[list[sql.Composable], sql.Composable]:
    """How an embedded row joins its parent: on the foreign key's columns, or through the junction
    table (joined to the embedded table) for a many-to-many relationship."""
    def equal(left, left_column, right, right_column):
        return sql.SQL("{}.{} = {}.{}").format(left, identifier(left_column), right, identifier(right_column))

    junction = relationship.junction
    if junction is None:
        return [equal(child, theirs, parent, ours) for ours, theirs in relationship.columns], sql.SQL("")
    alias = sql.Identifier(f"pgrst_embed_{number}_j")
    through = sql.SQL(" JOIN {} AS {} ON {}").format(
        identifier(*junction.table), alias,
        sql.SQL(" AND ").join(equal(alias, middle, child, theirs) for theirs, middle in junction.target))
    return [equal(alias, middle, parent, ours) for ours, middle in junction.source], through


def _array_literal(values: tuple[str, ...]) -> str:
    """A Postgres array literal of the `in.(...)` list (PostgREST's pgBuildArrayLiteral)."""
    def element(value: str) -> str:
        escaped = value.replace("\x00", "").replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return "{" + ",".join(element(value) for value in values) + "}"


def column_types(table: Table) -> dict[str, str]:
    return {column.name: column.type for column in table.columns.values()}


# --- the statement's final SELECT -------------------------------------------------------------

def _body(media: MediaType | None, *, scalar: bool = False, single: bool = False) -> sql.Composable:
    if media is None:
        return sql.SQL("''")
    if media.csv:
        return CSV_BODY
    aggregate = "json_agg(_postgrest_t.pgrst_scalar)" if scalar else "json_agg(_postgrest_t)"
    single = single or media.singular
    if single:
        aggregate += "->0"
    if media.strip_nulls:
        aggregate = f"json_strip_nulls({aggregate})"
    return sql.SQL(f"coalesce({aggregate}, '{'null' if single else '[]'}')")


def _result(ctes: list[sql.Composable], rows: sql.Composable, *, body: sql.Composable,
            total: sql.Composable = sql.SQL("NULL::bigint"), inserted: sql.Composable = sql.SQL("NULL::int")) -> sql.Composed:
    return sql.SQL(
        "WITH {ctes} SELECT {total} AS total, pg_catalog.count(_postgrest_t) AS page_total, ({body})::text AS body, "
        "nullif(current_setting('response.headers', true), '') AS response_headers, "
        "nullif(current_setting('response.status', true), '') AS response_status, "
        "{inserted} AS inserted FROM ({rows}) _postgrest_t"
    ).format(ctes=sql.SQL(", ").join(ctes), total=total, body=body, inserted=inserted, rows=rows)


def _count(request: ApiRequest, ctes: list[sql.Composable], count_source: sql.Composable,
           plan_source: sql.Composable | None = None) -> tuple[sql.Composable, sql.Composable | None]:
    """The total for `Prefer: count=...`, and the query to EXPLAIN for a planned or estimated one
    (PostgREST's countF and its planned/estimated handling): `planned` is the planner's estimate,
    `estimated` the exact count up to db-max-rows and the larger of it and the estimate beyond.
    `plan_source` is the count query standing alone, when `count_source` needs the statement's CTEs."""
    count = request.preferences.count
    plan_source = plan_source if plan_source is not None else count_source
    if count is None:
        return sql.SQL("NULL::bigint"), None
    if count == "planned":
        return sql.SQL("NULL::bigint"), plan_source
    plan = plan_source if count == "estimated" else None
    if request.range.is_everything and not (count == "estimated" and request.max_rows is not None):
        return sql.SQL("pg_catalog.count(_postgrest_t)"), plan  # the page is everything
    if count == "estimated" and request.max_rows is not None:
        count_source = sql.SQL("{} LIMIT {}").format(count_source, sql.Literal(request.max_rows + 1))
    ctes.append(sql.SQL("pgrst_source_count AS ({})").format(count_source))
    return sql.SQL("(SELECT pg_catalog.count(*) FROM pgrst_source_count)"), plan


# --- reads ------------------------------------------------------------------------------------

def read(request: ApiRequest, table: Table, cache: SchemaCache) -> Statement:
    builder = _Builder()
    relation = identifier(table.schema, table.name)
    types = column_types(table)
    query = request.query
    selects, joins, embedded = builder.columns_and_embeddings(cache, request, relation, table, query.select)
    from_clause = sql.SQL("{}{}{}").format(relation, sql.SQL("").join(joins),
                                          builder.where(relation, query.filters, types, embedded))
    rows = sql.SQL("SELECT {} FROM {}{}{}").format(
        sql.SQL(", ").join(selects) if selects else sql.SQL("1"), from_clause,
        builder.order_by(relation, query.order, types, embedded), builder.limit_offset(request.range))
    ctes = [sql.SQL("pgrst_source AS ({})").format(rows)]
    total, count_plan = _count(request, ctes, sql.SQL("SELECT 1 FROM {}").format(from_clause))
    body = _body(None if request.method == "HEAD" else request.media)
    return builder.statement(_result(ctes, sql.SQL("SELECT * FROM pgrst_source"), body=body, total=total),
                             read_only=True, count_plan=count_plan, request=request)


# --- writes -----------------------------------------------------------------------------------

def _payload_fields(table: Table, payload: Payload) -> list[tuple[str, str, str | None]]:
    fields = []
    for key in payload.keys:
        column = table.columns.get(key)
        if column is None:
            raise errors.column_not_found(table.name, key)
        fields.append((column.name, column.type, column.default))
    return fields


def returns_location(request: ApiRequest, table: Table) -> bool:
    return request.preferences.representation == "headers-only" and request.method == "POST" and bool(table.primary_key)


def _returning(request: ApiRequest, table: Table, relation: sql.Composable) -> sql.Composable:
    """The RETURNING list: what the response shows, the primary key for a Location, or just 1."""
    if request.preferences.representation == "representation":
        query = request.query
        if query.order or any(item.field.name == "*" or item.embed for item in query.select):
            return sql.SQL("{}.*").format(relation)
        names = list(dict.fromkeys(item.field.name for item in request.query.select))
    elif returns_location(request, table):
        names = list(table.primary_key)
    else:
        # Nothing to show: RETURNING 1 still counts the rows, and needs no SELECT privilege.
        return sql.SQL("1")
    return sql.SQL(", ").join(sql.SQL("{}.{}").format(relation, identifier(name)) for name in names)


def _mutation_result(builder: _Builder, request: ApiRequest, table: Table, cache: SchemaCache,
                     mutation: sql.Composable, *, inserted: sql.Composable = sql.SQL("NULL::int")) -> Statement:
    ctes = [sql.SQL("pgrst_source AS ({})").format(mutation)]
    representation = request.preferences.representation
    if representation == "representation":
        selects, joins, embedded = builder.columns_and_embeddings(cache, request, SOURCE, table, request.query.select)
        rows = sql.SQL("SELECT {} FROM pgrst_source{}{}").format(
            sql.SQL(", ").join(selects) if selects else sql.SQL("1"), sql.SQL("").join(joins),
            builder.order_by(SOURCE, request.query.order, column_types(table), embedded))
        body = _body(request.media)
    elif returns_location(request, table):
        rows = sql.SQL("SELECT * FROM pgrst_source")
        body = _body(MediaType("application/json"))  # the primary key, for the Location header
    else:
        rows = sql.SQL("SELECT * FROM pgrst_source")
        body = _body(None)
    return builder.statement(_result(ctes, rows, body=body, inserted=inserted), read_only=False)


def insert(request: ApiRequest, table: Table, cache: SchemaCache, payload: Payload) -> Statement:
    builder = _Builder()
    relation = identifier(table.schema, table.name)
    fields = _payload_fields(table, payload)
    preferences = request.preferences
    merge = preferences.resolution == "merge-duplicates"
    names = [identifier(name) for name, _, _ in fields]
    # For upserts PostgREST counts inserted rows in a transaction-local setting: +1 per candidate
    # row, -1 per row that took the DO UPDATE path. 201 vs 200 depends on it.
    count_inserted = sql.SQL(
        " WHERE set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0)"
        " {} 1)::text, true) <> {}")
    statement = sql.SQL("INSERT INTO {}{} SELECT {} {}{}").format(
        relation,
        sql.SQL("({})").format(sql.SQL(", ").join(names)) if names else sql.SQL(""),
        sql.SQL(", ").join(sql.SQL("pgrst_body.{}").format(name) for name in names),
        builder.json_rows(payload, fields, apply_defaults=preferences.missing == "default"),
        count_inserted.format(sql.SQL("+"), sql.SQL("'0'")) if merge else sql.SQL(""),
    )
    conflict_columns = request.query.on_conflict or list(table.primary_key)
    if preferences.resolution and conflict_columns:
        conflict = sql.SQL(" ON CONFLICT ({}) ").format(sql.SQL(", ").join(identifier(name) for name in conflict_columns))
        if merge and names:
            conflict += sql.SQL("DO UPDATE SET {}{}").format(
                sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(name) for name in names),
                count_inserted.format(sql.SQL("-"), sql.SQL("'-1'")))
        else:
            conflict += sql.SQL("DO NOTHING")
        statement += conflict
    statement += sql.SQL(" RETURNING {}").format(_returning(request, table, relation))
    inserted = sql.SQL("nullif(current_setting('pgrst.inserted', true), '')::int") if merge else sql.SQL("NULL::int")
    return _mutation_result(builder, request, table, cache, statement, inserted=inserted)


def update(request: ApiRequest, table: Table, cache: SchemaCache, payload: Payload) -> Statement:
    builder = _Builder()
    relation = identifier(table.schema, table.name)
    fields = _payload_fields(table, payload)
    returning = _returning(request, table, relation)
    if not fields:
        # `UPDATE t SET` with no column is invalid SQL; an empty result with the right shape instead.
        statement = sql.SQL("SELECT {} FROM {} WHERE false").format(returning, relation)
    else:
        statement = sql.SQL("UPDATE {} SET {} {}{} RETURNING {}").format(
            relation,
            sql.SQL(", ").join(sql.SQL("{0} = pgrst_body.{0}").format(identifier(name)) for name, _, _ in fields),
            builder.json_rows(payload, fields, apply_defaults=request.preferences.missing == "default"),
            builder.where(relation, request.query.filters, column_types(table)),
            returning)
    return _mutation_result(builder, request, table, cache, statement)


def delete(request: ApiRequest, table: Table, cache: SchemaCache) -> Statement:
    builder = _Builder()
    relation = identifier(table.schema, table.name)
    statement = sql.SQL("DELETE FROM {}{} RETURNING {}").format(
        relation, builder.where(relation, request.query.filters, column_types(table)),
        _returning(request, table, relation))
    return _mutation_result(builder, request, table, cache, statement)


# --- functions --------------------------------------------------------------------------------

def call(request: ApiRequest, routine: Routine, *, payload: Payload | None, pass_whole_body: bool) -> Statement:
    """`/rpc/<name>`: call with named arguments, then filter, order and page the result like a table.

    Arguments come from the JSON body (typed by the parameters through json_to_record), from the
    query string on GET, or, for a function with a single json/jsonb parameter, as the whole body.
    """
    if any(item.embed for item in request.query.select):
        raise errors.not_implemented("Embedding in the result of a function is not supported by the devstack gateway.")
    builder = _Builder()
    parameters = {parameter.name: parameter for parameter in routine.parameters}

    def named(name: str) -> sql.Composable:
        # A VARIADIC parameter takes its array in named notation only with the keyword.
        return sql.SQL("{}{}").format(sql.SQL("VARIADIC " if parameters[name].variadic else ""), identifier(name))

    body_rows = None
    if pass_whole_body:
        arguments = sql.SQL("{}::{}").format(builder.value(payload.json_text), trusted_sql(routine.parameters[0].type))
    elif payload is not None:
        fields = [(key, parameters[key].type, None) for key in payload.keys]
        if fields:
            body_rows = builder.json_rows(payload, fields, apply_defaults=False, first_only=True)
        arguments = sql.SQL(", ").join(sql.SQL("{} := pgrst_body.{}").format(named(key), identifier(key))
                                       for key in payload.keys)
    else:
        # GET: a repeated parameter fills a VARIADIC one (`?v=a&v=b`); otherwise the last one counts.
        arguments = sql.SQL(", ").join(
            sql.SQL("{} := {}::{}").format(
                named(name), builder.value(_array_literal(tuple(values)) if parameters[name].variadic else values[-1]),
                trusted_sql(parameters[name].type))
            for name, values in request.query.rpc_arguments.items())
    invocation = sql.SQL("{}({})").format(identifier(routine.schema, routine.name), arguments)
    if routine.returns_composite:
        column, target = sql.SQL("pgrst_call.*"), invocation
    else:
        column, target = sql.SQL("pgrst_call.pgrst_scalar"), sql.SQL("(SELECT {} pgrst_scalar)").format(invocation)
    from_clause = (sql.SQL("{}, LATERAL {} pgrst_call").format(body_rows, target) if body_rows is not None
                   else sql.SQL("FROM {} pgrst_call").format(target))
    ctes = [sql.SQL("pgrst_source AS (SELECT {} {})").format(column, from_clause)]

    query = request.query
    select = query.select if routine.returns_composite else [SelectItem(Field("*"))]
    rows = sql.SQL("SELECT {} FROM pgrst_source{}{}{}").format(
        builder.select_list(SOURCE, select, {}), builder.where(SOURCE, query.filters, {}),
        builder.order_by(SOURCE, query.order, {}), builder.limit_offset(request.range))
    where = builder.where(SOURCE, query.filters, {})
    total, count_plan = _count(request, ctes, sql.SQL("SELECT 1 FROM pgrst_source{}").format(where),
                               sql.SQL("WITH {} SELECT 1 FROM pgrst_source{}").format(ctes[0], where))
    media = None if request.method == "HEAD" or routine.returns_void else request.media
    body = _body(media, scalar=routine.returns_scalar, single=not routine.returns_set)
    read_only = request.method != "POST" or not routine.is_volatile
    return builder.statement(_result(ctes, rows, body=body, total=total), read_only=read_only,
                             count_plan=count_plan, request=request)
