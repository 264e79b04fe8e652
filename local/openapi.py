"""Writes the API's OpenAPI document (agent and administration routes) to docs/openapi.json.

The document is built by ``chalicelib.api.openapi`` (``openapi_document``) from the route table and
pydantic models, and served at GET /openapi.json; this copy is for readers of the repository,
and tests/unit/test_openapi.py fails when it drifts. Run: ``python -m local.openapi``.
"""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.api.openapi import openapi_document

from .runtime import ROOT, load_functions_app

DOCUMENT = ROOT / "docs" / "openapi.json"


def render() -> str:
    load_functions_app()  # registers every route
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def main(target: Path = DOCUMENT) -> None:
    target.write_text(render())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
