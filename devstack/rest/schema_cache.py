"""What the gateway knows about the exposed schemas: tables, columns, keys, functions, role settings.

Loaded once at start and again on `NOTIFY pgrst, 'reload schema'` (or `'reload config'`, or an empty
payload), like PostgREST's schema cache; requests never query the catalog themselves. Type names
and column defaults are read with an empty search_path, so they come back schema-qualified and can
be spliced into statements whatever the request's search_path.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

TABLES_QUERY = """
select n.nspname, c.relname,
  coalesce((select array_agg(a.attname::text order by array_position(con.conkey, a.attnum))
            from pg_catalog.pg_constraint con
            join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = any(con.conkey)
            where con.conrelid = c.oid and con.contype = 'p'), '{}') as primary_key,
  coalesce((select json_agg(json_build_object(
              'name', a.attname,
              'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
              'nullable', not a.attnotnull,
              -- What `Prefer: missing=default` inserts: the column's default, an identity's next
              -- value, else its domain's default (PostgREST's order).
              'default', case when a.attgenerated = '' then coalesce(
                pg_catalog.pg_get_expr(d.adbin, d.adrelid),
                (select pg_catalog.format('nextval(%%L::regclass)', seq.oid::regclass::text)
                 from pg_catalog.pg_depend dep join pg_catalog.pg_class seq on seq.oid = dep.objid
                 where a.attidentity <> '' and dep.refobjid = c.oid and dep.refobjsubid = a.attnum
                   and dep.deptype = 'i' and seq.relkind = 'S'),
                (select pg_catalog.pg_get_expr(t.typdefaultbin, 0) from pg_catalog.pg_type t
                 where t.oid = a.atttypid and t.typtype = 'd')) end
            ) order by a.attnum)
            from pg_catalog.pg_attribute a
            left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'v', 'm', 'f', 'p') and not c.relispartition and n.nspname = any(%(schemas)s)
"""

ROUTINES_QUERY = """
select n.nspname, p.proname, p.provolatile::text, p.proretset,
  p.prorettype = 'pg_catalog.void'::pg_catalog.regtype as returns_void,
  -- Rows with named columns: a composite type, or OUT/INOUT/TABLE parameters (even a single one).
  -- A bare `record` is rendered like a scalar: to_json keeps the names of the row it carries.
  t.typtype = 'c' or coalesce(p.proargmodes::text[] && '{o,b,t}', false) as returns_composite,
  p.pronargdefaults,
  coalesce(p.proargnames, '{}') as argument_names,
  coalesce(p.proargmodes::text[], '{}') as argument_modes,
  -- Without a length `character` and `bit` mean one character / bit: name the unbounded types.
  array(select case u.type when 'pg_catalog.bpchar'::pg_catalog.regtype then 'bpchar'
                           when 'pg_catalog.bit'::pg_catalog.regtype then '"bit"'
                           else pg_catalog.format_type(u.type, null) end
        from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(type, position)
        order by u.position) as argument_types
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type t on t.oid = p.prorettype
where p.prokind = 'f' and p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
  and n.nspname = any(%(schemas)s)
"""

# Foreign keys between relations of the exposed schemas (PostgREST's allM2OandO2ORels, tables only):
# each gives a many-to-one relationship from the referencing table and a one-to-many one back, or
# one-to-one both ways when the referencing columns are also a primary key or unique.
RELATIONSHIPS_QUERY = """
select ns.nspname, c.relname, fns.nspname, fc.relname, con.conname,
  array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, position)
        join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.position),
  array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, position)
        join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.position),
  exists(select from pg_catalog.pg_constraint u where u.conrelid = con.conrelid and u.contype in ('p', 'u')
         and u.conkey @> con.conkey and u.conkey <@ con.conkey) as one_to_one
from pg_catalog.pg_constraint con
join pg_catalog.pg_class c on c.oid = con.conrelid
join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
join pg_catalog.pg_class fc on fc.oid = con.confrelid
join pg_catalog.pg_namespace fns on fns.oid = fc.relnamespace
where con.contype = 'f' and ns.nspname = any(%(schemas)s) and fns.nspname = any(%(schemas)s)
order by con.conname
"""

# PostgREST's queryRoleSettings: settings (ALTER ROLE ... SET) of the roles the authenticator can
# switch to. `SET ROLE` does not apply them, so the gateway sets them in each transaction.
ROLE_SETTINGS_QUERY = """
with role_setting as (
  select r.rolname, unnest(r.rolconfig) as setting
  from pg_catalog.pg_auth_members m
  join pg_catalog.pg_roles r on r.oid = m.roleid
  where m.member = pg_catalog.quote_ident(current_user)::regrole::oid
), kv as (
  select rolname, substr(setting, 1, strpos(setting, '=') - 1) as key,
         substr(setting, strpos(setting, '=') + 1) as value
  from role_setting
)
select kv.rolname, kv.key, kv.value
from kv
join pg_catalog.pg_settings ps on ps.name = kv.key
where kv.key <> 'default_transaction_isolation'
  and (ps.context = 'user' or pg_catalog.has_parameter_privilege(current_user, ps.name, 'set'))
"""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # SQL type name, schema-qualified when needed, e.g. `character varying(255)`
    nullable: bool
    default: str | None  # SQL expression of the column default


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: dict[str, Column]  # in table order
    primary_key: tuple[str, ...]


@dataclass(frozen=True)
class Relationship:
    """One way of a foreign key: from `table` to `foreign_table`. `columns` pairs a column of
    `table` with the one of `foreign_table` it joins on. A many-to-many one goes through a
    `junction` table instead (`columns` empty)."""

    table: tuple[str, str]
    foreign_table: tuple[str, str]
    constraint: str
    columns: tuple[tuple[str, str], ...]
    cardinality: str  # "many-to-one", "one-to-many", "one-to-one" or "many-to-many"
    is_self: bool
    junction: Junction | None = None

    @property
    def to_one(self) -> bool:
        return self.cardinality in ("many-to-one", "one-to-one")


@dataclass(frozen=True)
class Junction:
    """A table whose primary key holds two foreign keys: `source` pairs columns of the embedding
    table with the junction's, `target` columns of the embedded table with the junction's."""

    table: tuple[str, str]
    source_constraint: str
    source: tuple[tuple[str, str], ...]
    target_constraint: str
    target: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Parameter:
    name: str  # "" for an unnamed parameter
    type: str
    required: bool  # has no default
    variadic: bool = False  # VARIADIC: called with `VARIADIC name := array`


@dataclass(frozen=True)
class Routine:
    schema: str
    name: str
    parameters: tuple[Parameter, ...]
    returns_set: bool
    returns_void: bool
    returns_composite: bool
    volatility: str  # "v" volatile, "s" stable, "i" immutable

    @property
    def returns_scalar(self) -> bool:
        return not self.returns_composite and not self.returns_void

    @property
    def is_volatile(self) -> bool:
        return self.volatility == "v"


@dataclass(frozen=True)
class SchemaCache:
    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    routines: dict[tuple[str, str], list[Routine]] = field(default_factory=dict)
    role_settings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    relationships: dict[tuple[str, str], list[Relationship]] = field(default_factory=dict)  # by origin table

    def table_names(self, schema: str) -> list[str]:
        return sorted(name for table_schema, name in self.tables if table_schema == schema)

    def routine_names(self, schema: str) -> list[str]:
        return sorted(name for routine_schema, name in self.routines if routine_schema == schema)


LOOSE_MATCH = 0.33  # the fuzzy set's default minimum score


def closest_name(name: str, candidates: list[str], cutoff: float = 0.75) -> str | None:
    """The "Perhaps you meant ..." suggestion: the most similar name, if similar enough. PostgREST
    asks its fuzzy set for 0.75 for table and function names and 0.33 (the library's default) for
    parameter lists and embedded tables; the score here is the fuzzy set's final one, the
    Levenshtein similarity 1 - distance / longer length (case-insensitive)."""
    scored = [(_similarity(name.lower(), candidate.lower()), candidate) for candidate in candidates]
    best = max(scored, default=(0.0, None), key=lambda pair: pair[0])
    return best[1] if best[0] >= cutoff else None


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return 1 - previous[-1] / max(len(a), len(b))


def load(connection: psycopg.Connection, schemas: tuple[str, ...]) -> SchemaCache:
    with connection.transaction():
        connection.execute("set local search_path = ''")
        tables = {}
        for schema, name, primary_key, columns in connection.execute(TABLES_QUERY, {"schemas": list(schemas)}):
            tables[(schema, name)] = Table(
                schema, name,
                {column["name"]: Column(column["name"], column["type"], column["nullable"], column["default"])
                 for column in columns},
                tuple(primary_key),
            )
        routines: dict[tuple[str, str], list[Routine]] = {}
        for row in connection.execute(ROUTINES_QUERY, {"schemas": list(schemas)}):
            routine = _routine(*row)
            routines.setdefault((routine.schema, routine.name), []).append(routine)
        role_settings: dict[str, list[tuple[str, str]]] = {}
        for role, key, value in connection.execute(ROLE_SETTINGS_QUERY):
            role_settings.setdefault(role, []).append((key, value))
        relationships: dict[tuple[str, str], list[Relationship]] = {}
        for row in connection.execute(RELATIONSHIPS_QUERY, {"schemas": list(schemas)}):
            for relationship in _both_ways(*row):
                relationships.setdefault(relationship.table, []).append(relationship)
        for relationship in _through_junctions(tables, relationships):
            relationships.setdefault(relationship.table, []).append(relationship)
    return SchemaCache(tables, routines, role_settings, relationships)


def _through_junctions(tables: dict[tuple[str, str], Table],
                       relationships: dict[tuple[str, str], list[Relationship]]) -> list[Relationship]:
    """Many-to-many relationships (PostgREST's addM2MRels): two foreign keys of one table whose
    columns are all part of its primary key make it a junction between the tables they reference."""
    found = []
    for junction_name, table in tables.items():
        outgoing = [relationship for relationship in relationships.get(junction_name, [])
                    if relationship.to_one and not relationship.is_self]
        for first in outgoing:
            for second in outgoing:
                own_columns = {column for column, _ in first.columns + second.columns}
                if first is second or not own_columns <= set(table.primary_key):
                    continue
                junction = Junction(junction_name, first.constraint, tuple((b, a) for a, b in first.columns),
                                    second.constraint, tuple((b, a) for a, b in second.columns))
                found.append(Relationship(first.foreign_table, second.foreign_table, junction_name[1], (),
                                          "many-to-many", first.foreign_table == second.foreign_table, junction))
    return found


def _both_ways(schema, name, foreign_schema, foreign_name, constraint, columns, foreign_columns,
               one_to_one) -> tuple[Relationship, Relationship]:
    table, foreign_table = (schema, name), (foreign_schema, foreign_name)
    is_self = table == foreign_table
    pairs = tuple(zip(columns, foreign_columns, strict=True))
    return (
        Relationship(table, foreign_table, constraint, pairs, "one-to-one" if one_to_one else "many-to-one", is_self),
        Relationship(foreign_table, table, constraint, tuple((b, a) for a, b in pairs),
                     "one-to-one" if one_to_one else "one-to-many", is_self),
    )


def _routine(schema, name, volatility, returns_set, returns_void, returns_composite, default_count,
             argument_names, argument_modes, argument_types) -> Routine:
    modes = argument_modes or ["i"] * len(argument_types)
    names = argument_names or [""] * len(argument_types)
    inputs = [(names[index], argument_types[index], mode == "v")
              for index, mode in enumerate(modes) if mode in ("i", "b", "v")]
    required_count = len(inputs) - default_count
    parameters = tuple(Parameter(param_name, param_type, index < required_count, variadic)
                       for index, (param_name, param_type, variadic) in enumerate(inputs))
    return Routine(schema, name, parameters, returns_set, returns_void, returns_composite, volatility)


class SchemaCacheHolder:
    """The current cache, swapped whole on reload so request threads never see a half-built one."""

    def __init__(self, pool, db_url: str, schemas: tuple[str, ...], channel: str):
        self._pool = pool
        self._db_url = db_url
        self._schemas = schemas
        self._channel = channel
        self._lock = threading.Lock()
        self.current = SchemaCache()
        self.reload()

    def reload(self) -> None:
        with self._lock, self._pool.connection() as connection:
            self.current = load(connection, self._schemas)
        log.info("schema cache loaded: %d relations, %d functions",
                 len(self.current.tables), len(self.current.routines))

    def start_listener(self) -> threading.Thread:
        thread = threading.Thread(target=self._listen_forever, name="schema-cache-listener", daemon=True)
        thread.start()
        return thread

    def _listen_forever(self) -> None:
        reconnected = False
        while True:
            try:
                with psycopg.connect(self._db_url, autocommit=True) as connection:
                    connection.execute(sql.SQL("listen {}").format(sql.Identifier(self._channel)))
                    if reconnected:
                        # Notifications sent while disconnected are lost; reload as PostgREST does.
                        self.reload()
                    for notification in connection.notifies():
                        if notification.payload in ("", "reload schema", "reload config"):
                            self.reload()
            except psycopg.Error as error:
                log.warning("schema cache listener: %s; reconnecting", error)
                reconnected = True
                time.sleep(1)
