"""The web app's API types (frontend/src/api-types.ts) are generated from the committed OpenAPI
document: the file is its current rendering, and the generator refuses what it cannot type."""

import pytest

from local.api_types import TYPES, UnsupportedSchema, render, rendered_from_committed_document, ts_type


def test_the_committed_types_have_not_drifted_from_the_document():
    # Regenerate with: python -m local.openapi && python -m local.api_types
    assert TYPES.read_text() == rendered_from_committed_document()


def test_a_schema_becomes_its_typescript_shape():
    # Given a model as pydantic describes it: required and defaulted fields, a nullable ref, an enum
    document = {"components": {"schemas": {
        "Kind": {"enum": ["a", "b"], "type": "string"},
        "Thing": {"type": "object", "required": ["id"], "description": "One thing.", "properties": {
            "id": {"type": "string"},
            "kind": {"anyOf": [{"$ref": "#/components/schemas/Kind"}, {"type": "null"}], "default": None},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "tags": {"type": "array", "items": {"type": "string"}, "default": []}}},
    }}}
    # Then each becomes a named type, optional where the field has a default
    assert render(document).split("\n")[3:] == [
        'export type Kind = "a" | "b";', "",
        "/** One thing. */",
        "export interface Thing {",
        "  id: string;",
        "  kind?: Kind | null;",
        "  counts?: Record<string, number>;",
        "  tags?: string[];",
        "}", ""]


def test_an_unknown_keyword_is_refused_not_typed_as_unknown():
    with pytest.raises(UnsupportedSchema, match=r"Thing\.when"):
        ts_type({"type": "object", "properties": {"when": {"if": {"type": "string"}}}}, "", "Thing")
