"""Writes the web app's API types (frontend/src/api-types.ts) from the committed OpenAPI document.

One TypeScript type per schema of docs/openapi.json (``components.schemas``), so the web app
reads the API's shapes from the same pydantic models the API is built from; tests/unit/
test_api_types.py fails when the file drifts from the document. Run: ``python -m local.api_types``
(after ``python -m local.openapi``).

The document's schemas use a small part of JSON Schema (pydantic's output): ``$ref``, ``type``
(one or a list), ``enum``, ``const``, ``anyOf``/``oneOf``, ``allOf`` of one, arrays with
``items`` and objects with ``properties``, ``required``, ``additionalProperties`` and
``propertyNames``. Anything
else fails here, naming the schema, rather than turning into ``unknown`` unnoticed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .openapi import DOCUMENT
from .runtime import ROOT

TYPES = ROOT / "frontend" / "src" / "api-types.ts"
_REF = "#/components/schemas/"
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
# Keywords that describe or constrain a value without changing its TypeScript type.
_ANNOTATIONS = {"title", "description", "default", "examples", "format", "minLength", "maxLength", "pattern",
                "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
                "uniqueItems", "minProperties", "maxProperties", "multipleOf", "readOnly", "writeOnly",
                "deprecated", "discriminator"}
_STRUCTURE = {"$ref", "type", "enum", "const", "anyOf", "oneOf", "allOf", "items", "prefixItems", "properties",
              "required", "additionalProperties", "propertyNames"}
_PRIMITIVES = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean", "null": "null"}


class UnsupportedSchema(ValueError):
    pass


def type_name(schema_name: str) -> str:
    """A schema's name as a TypeScript identifier (pydantic may name one ``Model-Input``)."""
    return re.sub(r"[^A-Za-z0-9_$]", "_", schema_name)


def _union(members: list[str]) -> str:
    unique = list(dict.fromkeys(members))
    return " | ".join(unique)


def _parenthesized(text: str) -> str:
    return f"({text})" if " | " in text else text


def _comment(text: str, indent: str) -> list[str]:
    lines = text.strip().splitlines()
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in lines), f"{indent} */"]


def _object(schema: Mapping[str, Any], indent: str, where: str) -> str:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties")
    if not properties and "propertyNames" in schema:
        keys = ts_type(schema["propertyNames"], indent, where)
        values = "unknown" if extra in (None, True) else ts_type(extra, indent, where)
        return f"Partial<Record<{keys}, {values}>>"
    if not properties:
        if extra is None or extra is True or extra == {}:
            return "Record<string, unknown>"
        if extra is False:
            return "Record<string, never>"
        return f"Record<string, {ts_type(extra, indent, where)}>"
    inner = indent + "  "
    lines = ["{"]
    for name, prop in properties.items():
        if isinstance(prop, Mapping) and prop.get("description"):
            lines += _comment(str(prop["description"]), inner)
        key = name if _IDENTIFIER.match(name) else json.dumps(name)
        optional = "" if name in required else "?"
        lines.append(f"{inner}{key}{optional}: {ts_type(prop, inner, f'{where}.{name}')};")
    if isinstance(extra, Mapping) and extra:
        lines.append(f"{inner}[key: string]: {ts_type(extra, inner, where)};")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


def ts_type(schema: Any, indent: str, where: str) -> str:
    """The TypeScript type of one JSON schema."""
    if schema is True or schema == {}:
        return "unknown"
    if not isinstance(schema, Mapping):
        raise UnsupportedSchema(f"{where}: {schema!r}")
    unknown = set(schema) - _ANNOTATIONS - _STRUCTURE
    if unknown:
        raise UnsupportedSchema(f"{where}: keywords {sorted(unknown)} are not supported")
    combined = _combined(schema, indent, where)
    return combined if combined is not None else _typed(schema, indent, where)


def _combined(schema: Mapping[str, Any], indent: str, where: str) -> str | None:
    """A reference, a literal, an enumeration or a combination of schemas; None for none of these."""
    if "$ref" in schema:
        return type_name(str(schema["$ref"]).removeprefix(_REF))
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return _union([json.dumps(value) for value in schema["enum"]])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return _union([_parenthesized(ts_type(member, indent, where)) for member in schema[combinator]])
    if "allOf" in schema:
        if len(schema["allOf"]) != 1:
            raise UnsupportedSchema(f"{where}: allOf of several schemas")
        return ts_type(schema["allOf"][0], indent, where)
    return None


def _typed(schema: Mapping[str, Any], indent: str, where: str) -> str:
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return _union([ts_type({**schema, "type": kind}, indent, where) for kind in kinds])
    if kinds == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(ts_type(item, indent, where) for item in schema["prefixItems"]) + "]"
        return f"{_parenthesized(ts_type(schema.get('items', {}), indent, where))}[]"
    if kinds == "object" or "properties" in schema:
        return _object(schema, indent, where)
    if kinds in _PRIMITIVES:
        return _PRIMITIVES[kinds]
    if kinds is None:
        return "unknown"
    raise UnsupportedSchema(f"{where}: type {kinds!r}")


def render(document: Mapping[str, Any]) -> str:
    schemas: Mapping[str, Any] = document["components"]["schemas"]
    lines = ["// Generated from docs/openapi.json by `python -m local.api_types`; do not edit.",
             "// tests/unit/test_api_types.py fails when this file and the document differ.", ""]
    for name in sorted(schemas):
        schema = schemas[name]
        if schema.get("description"):
            lines += _comment(str(schema["description"]), "")
        body = ts_type(schema, "", name)
        if body.startswith("{"):
            lines.append(f"export interface {type_name(name)} {body}")
        else:
            lines.append(f"export type {type_name(name)} = {body};")
        lines.append("")
    return "\n".join(lines)


def rendered_from_committed_document() -> str:
    return render(json.loads(DOCUMENT.read_text()))


if __name__ == "__main__":
    TYPES.write_text(rendered_from_committed_document())
    print(f"wrote {TYPES}")
