"""The OpenAPI document describes every route the service has, and is a valid OpenAPI 3.1 document."""

from __future__ import annotations

import re

import schemathesis

from webhook_service import create_app
from webhook_service.config import Config

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_openapi_document_lists_every_route(anonymous, stack_env):
    document = anonymous.get("/api/v1/openapi.json").json()
    app = create_app(Config.from_env(stack_env))

    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() for method in rule.methods - IGNORED_METHODS}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}

    assert document["openapi"] == "3.1.0"
    assert routes == documented


def test_openapi_document_is_valid_and_every_error_uses_the_error_schema(anonymous):
    document = anonymous.get("/api/v1/openapi.json").json()

    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
