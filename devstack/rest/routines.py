"""Which function `/rpc/<name>` calls: PostgREST's findProc over the schema cache's overloads.

A function matches when the argument names cover its required parameters and name no unknown one.
Failing that, a POST with a JSON body goes to a function with a single unnamed json/jsonb parameter,
which receives the whole body.
"""

from __future__ import annotations

from devstack.rest import errors
from devstack.rest.request import ApiRequest
from devstack.rest.schema_cache import LOOSE_MATCH, Routine, SchemaCache, closest_name

JSON_PARAMETER_TYPES = ("json", "jsonb")


def _accepts(routine: Routine, names: set[str]) -> bool:
    required = {parameter.name for parameter in routine.parameters if parameter.required}
    optional = {parameter.name for parameter in routine.parameters if not parameter.required}
    return required <= names and names <= required | optional


def find_routine(cache: SchemaCache, api: ApiRequest, argument_names: set[str]) -> tuple[Routine, bool]:
    """The function to call, and whether it takes the whole JSON body as its single argument."""
    overloads = cache.routines.get((api.schema, api.name), [])
    json_post = api.method == "POST"
    if json_post and api.preferences.single_object:
        single_json = [routine for routine in overloads
                       if len(routine.parameters) == 1 and routine.parameters[0].type in JSON_PARAMETER_TYPES]
        if len(single_json) == 1:
            return single_json[0], True
    matching = [routine for routine in overloads if _accepts(routine, argument_names)]
    unnamed_json = [routine for routine in overloads
                    if json_post and len(routine.parameters) == 1 and routine.parameters[0].name == ""
                    and routine.parameters[0].type in JSON_PARAMETER_TYPES]
    candidates = matching or unnamed_json
    if len(candidates) == 1:
        return candidates[0], not matching
    if candidates:
        raise errors.ambiguous_function([_signature(routine) for routine in candidates])
    raise errors.function_not_found(api.schema, api.name, list(argument_names), json_post=json_post,
                                    hint=_function_hint(cache, api, overloads, argument_names))


def _signature(routine: Routine) -> str:
    parameters = ", ".join(f"{parameter.name} => {parameter.type}" for parameter in routine.parameters)
    return f"{routine.schema}.{routine.name}({parameters})"


def _function_hint(cache: SchemaCache, api: ApiRequest, overloads: list[Routine], names: set[str]) -> str | None:
    prefix = f"Perhaps you meant to call the function {api.schema}."
    if not overloads:
        closest = closest_name(api.name, cache.routine_names(api.schema))
        return prefix + closest if closest else None
    # With overloads, suggest the parameter list closest to the arguments given.
    parameter_lists = ["(" + ", ".join(sorted(parameter.name for parameter in routine.parameters)) + ")"
                       for routine in overloads]
    wanted = "(" + ", ".join(sorted(names)) + ")"
    closest = closest_name(wanted, parameter_lists, cutoff=LOOSE_MATCH)
    return prefix + api.name + closest if closest else None
