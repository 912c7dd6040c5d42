"""Which foreign key an embedding (`select=*,clients(*)`) follows: PostgREST's findRel.

An embedding names the related table, a foreign key constraint, or a referencing column; a hint
(`clients!projects_client_id_fkey(*)`, `clients!client_id(*)`) picks one of several. No match is
PostgREST's PGRST200 (400), several are PGRST201 (300) with the candidates in `details`. Resolved
over foreign keys between tables of the exposed schemas, and many-to-many through a junction table
whose primary key holds both foreign keys; relationships through views and computed relationships
are not followed (PGRST200).
"""

from __future__ import annotations

from devstack.rest import errors
from devstack.rest.schema_cache import LOOSE_MATCH, Relationship, SchemaCache, closest_name


def find_relationship(cache: SchemaCache, origin: tuple[str, str], target: str, hint: str | None) -> Relationship:
    candidates = [relationship for relationship in cache.relationships.get(origin, [])
                  if _matches(relationship, target, hint)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise _no_relationship(cache, origin, target, hint)
    raise errors.ApiError(
        300, "PGRST201",
        f"Could not embed because more than one relationship was found for '{origin[1]}' and '{target}'",
        [_described(relationship) for relationship in candidates],
        f"Try changing '{target}' to one of the following: "
        + ", ".join(f"'{relationship.foreign_table[1]}!{relationship.constraint}'" for relationship in candidates)
        + ". Find the desired relationship in the 'details' key.",
    )


def _single_column(relationship: Relationship, *, foreign: bool) -> str | None:
    if len(relationship.columns) != 1:
        return None
    return relationship.columns[0][1 if foreign else 0]


def _matches(relationship: Relationship, target: str, hint: str | None) -> bool:
    foreign_name = relationship.foreign_table[1]
    if relationship.junction is not None:
        # Many-to-many: the embedded table's name, the junction's name as the hint.
        return target == foreign_name and (hint is None or hint == relationship.junction.table[1])
    own_column = _single_column(relationship, foreign=False)
    foreign_column = _single_column(relationship, foreign=True)
    if relationship.is_self:
        # One foreign key, two ways: the table's name picks the one-to-many way (children),
        # the referencing column the many-to-one way (parent).
        if hint is None:
            return ((target == foreign_name and relationship.cardinality == "one-to-many")
                    or (target == own_column and relationship.cardinality == "many-to-one"))
        return target == foreign_name and relationship.cardinality == "one-to-many" and hint == foreign_column
    if hint is None:
        return target in (foreign_name, relationship.constraint, own_column)
    return target == foreign_name and hint in (relationship.constraint, own_column, foreign_column)


def _no_relationship(cache: SchemaCache, origin: tuple[str, str], target: str, hint: str | None) -> errors.ApiError:
    schema, parent = origin
    if origin in cache.relationships:
        children = sorted({relationship.foreign_table[1] for relationship in cache.relationships[origin]})
        suggestion = closest_name(target, [name for name in children if name != target], cutoff=LOOSE_MATCH)
        perhaps = f"Perhaps you meant '{suggestion}' instead of '{target}'." if suggestion else None
    else:
        parents = sorted({table[1] for table in cache.relationships if table[0] == schema})
        suggestion = closest_name(parent, parents)
        perhaps = f"Perhaps you meant '{suggestion}' instead of '{parent}'." if suggestion else None
    using = f"' using the hint '{hint}" if hint else ""
    return errors.ApiError(
        400, "PGRST200", f"Could not find a relationship between '{parent}' and '{target}' in the schema cache",
        f"Searched for a foreign key relationship between '{parent}' and '{target}{using}' "
        f"in the schema '{schema}', but no matches were found.",
        perhaps,
    )


def _described(relationship: Relationship) -> dict[str, str]:
    table, foreign = relationship.table[1], relationship.foreign_table[1]
    junction = relationship.junction
    if junction is not None:
        source = ", ".join(column for _, column in junction.source)
        target = ", ".join(column for _, column in junction.target)
        return {"cardinality": "many-to-many", "embedding": f"{table} with {foreign}",
                "relationship": f"{junction.table[1]} using {junction.source_constraint}({source}) and "
                                f"{junction.target_constraint}({target})"}
    own = ", ".join(column for column, _ in relationship.columns)
    theirs = ", ".join(column for _, column in relationship.columns)
    return {
        "cardinality": relationship.cardinality,
        "embedding": f"{table} with {foreign}",
        "relationship": f"{relationship.constraint} using {table}({own}) and {foreign}({theirs})",
    }
