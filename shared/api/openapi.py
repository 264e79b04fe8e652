"""The API's OpenAPI 3.1 document, built from the routes the kit registered and their pydantic
models (docs/openapi.json is a copy, checked for drift by tests/unit/test_openapi.py)."""

from __future__ import annotations

import json
import re
from typing import Any

from chalice import Response  # type: ignore[attr-defined]
from chalicelib.api.kit import API_ROUTES, RouteBlueprint
from chalicelib.core.model_base import Model
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

blueprint = RouteBlueprint(__name__)
_PATH_PARAMETER = re.compile(r"{(\w+)}")


class ErrorDetail(Model):
    code: str
    message: str
    field: str | None = None


class ErrorBody(Model):
    """Every 4xx answer of the API."""

    error: ErrorDetail


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 of the documented routes, schemas straight from their pydantic models."""
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = {(ErrorBody, "serialization")}
    for entry in API_ROUTES:
        models.update((model, "validation") for model in (entry.body, entry.query) if model is not None)
        if entry.response is not None:
            models.add((entry.response, "serialization"))
    refs, top = models_json_schema(sorted(models, key=lambda pair: (pair[0].__name__, pair[1])),
                                   ref_template="#/components/schemas/{model}")
    schemas = dict(top.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for entry in API_ROUTES:
        operation: dict[str, Any] = {
            "summary": entry.summary, "description": f"Roles: {entry.access}.",
            "operationId": re.sub(r"[^a-z0-9]+", "_", f"{entry.method} {entry.path}".lower()).strip("_"),
            "security": [] if entry.access == "public" else [{"bearer": []}],
            "responses": {
                str(entry.status): {"description": "OK"} if entry.response is None else {
                    "description": "OK",
                    "content": {"application/json": {"schema": refs[(entry.response, "serialization")]}}},
                "default": {"description": "An error: 400 invalid input, 401 no valid token, 403 role or team, "
                                           "404 unknown, 409 conflict (e.g. no_free_seat)",
                            "content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}},
            },
        }
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in _PATH_PARAMETER.findall(entry.path)]
        if entry.query is not None:
            # The query model is among the schemas above, so its enums' refs resolve there.
            properties = entry.query.model_json_schema(ref_template="#/components/schemas/{model}")["properties"]
            parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                           for name, schema in properties.items()]
        if parameters:
            operation["parameters"] = parameters
        if entry.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(entry.body, "validation")]}}}
        paths.setdefault(entry.path, {})[entry.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Open Contact API", "version": "1",
                 "description": "Sign in with POST /auth/login and send the id_token as a Bearer token. "
                                "Roles are checked on every request."},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


@blueprint.undocumented("/openapi.json", "GET")
def openapi() -> Response:
    return Response(body=json.dumps(openapi_document()), status_code=200,
                    headers={"Content-Type": "application/json"})
