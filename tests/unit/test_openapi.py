"""The API's OpenAPI document: valid OpenAPI 3.1, covering every documented route (agent and
administration), and docs/openapi.json is its current copy."""

import json

from chalicelib.api.kit import API_ROUTES
from chalicelib.api.openapi import openapi_document
from openapi_spec_validator import validate

from local.openapi import DOCUMENT, render
from local.runtime import load_functions_app


def test_the_document_is_valid_openapi_and_covers_every_documented_route():
    load_functions_app()
    document = openapi_document()
    validate(document)
    assert document["openapi"] == "3.1.0"
    documented = {(r.method.lower(), r.path) for r in API_ROUTES}
    assert documented == {(method, path) for path, item in document["paths"].items() for method in item}
    for path in ("/users", "/teams/{team_id}/office-hours", "/channel-accounts/{account_id}/routing-rules",
                 "/settings/service", "/me/profile", "/conversations", "/conversations/{conversation_id}/archive",
                 "/conversations/{conversation_id}/uploads", "/me/heartbeat", "/team/online", "/statistics"):
        assert path in document["paths"]


def test_the_committed_copy_has_not_drifted():
    # Regenerate with: python -m local.openapi
    assert json.loads(DOCUMENT.read_text()) == json.loads(render())
