"""`GET /rest/v1/`: a small Swagger 2.0 description of the schema, like PostgREST's root endpoint.

It lists every relation and function of the requested schema with their columns and parameters
(PostgREST's `openapi-mode = ignore-privileges`); descriptions, security definitions and the shared
parameter definitions of PostgREST's full document are left out.
"""

from __future__ import annotations

from devstack.rest.schema_cache import SchemaCache

# JSON Schema types of common Postgres types; anything else is described as a string.
JSON_TYPES = {
    "smallint": "integer", "integer": "integer", "bigint": "integer",
    "numeric": "number", "real": "number", "double precision": "number",
    "boolean": "boolean", "json": "object", "jsonb": "object",
}


def _property(type_name: str) -> dict[str, str]:
    if type_name.endswith("[]"):
        return {"format": type_name, "type": "array"}
    return {"format": type_name, "type": JSON_TYPES.get(type_name.split("(")[0], "string")}


def document(cache: SchemaCache, schema: str, host: str) -> dict:
    paths: dict[str, dict] = {"/": {"get": {"produces": ["application/openapi+json", "application/json"],
                                            "responses": {"200": {"description": "OK"}},
                                            "summary": "OpenAPI description (this document)"}}}
    definitions = {}
    for name in cache.table_names(schema):
        table = cache.tables[(schema, name)]
        reference = {"$ref": f"#/definitions/{name}"}
        paths[f"/{name}"] = {
            "get": {"responses": {"200": {"description": "OK", "schema": {"type": "array", "items": reference}},
                                  "206": {"description": "Partial Content"}}},
            "post": {"responses": {"201": {"description": "Created"}}},
            "patch": {"responses": {"204": {"description": "No Content"}}},
            "delete": {"responses": {"204": {"description": "No Content"}}},
        }
        definitions[name] = {
            "type": "object",
            "required": [column.name for column in table.columns.values() if not column.nullable and column.default is None],
            "properties": {column.name: _property(column.type) for column in table.columns.values()},
        }
    for name in cache.routine_names(schema):
        for routine in cache.routines[(schema, name)]:
            body = {"type": "object",
                    "required": [parameter.name for parameter in routine.parameters if parameter.required],
                    "properties": {parameter.name: _property(parameter.type) for parameter in routine.parameters}}
            operations = {"post": {"parameters": [{"in": "body", "name": "args", "required": True, "schema": body}],
                                   "responses": {"200": {"description": "OK"}}}}
            if not routine.is_volatile:
                operations["get"] = {"responses": {"200": {"description": "OK"}}}
            paths[f"/rpc/{name}"] = operations
    return {
        "swagger": "2.0",
        "info": {"title": "PostgREST API (devstack stand-in)", "version": "devstack",
                 "description": f"Relations and functions of the schema {schema!r}."},
        "host": host,
        "basePath": "/rest/v1",
        "schemes": ["http"],
        "consumes": ["application/json", "application/vnd.pgrst.object+json", "text/csv"],
        "produces": ["application/json", "application/vnd.pgrst.object+json", "text/csv"],
        "paths": paths,
        "definitions": definitions,
    }
