"""The webhook intake function (its own Lambda in AWS) serves the webhook routes from a module of its own."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from chalice.local import LambdaContext

from local.runtime import load_functions_app

pytestmark = pytest.mark.unit


def _proxy_event(method: str, channel: str, account: str) -> dict[str, Any]:
    """The webhooks' HTTP API event for the webhook route (payload format 1.0, $default stage)."""
    return {
        "version": "1.0",
        "resource": "/webhooks/{channel}/{account}", "path": f"/webhooks/{channel}/{account}", "httpMethod": method,
        "headers": {"host": "abc.execute-api.us-east-1.amazonaws.com"}, "multiValueHeaders": {},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": {"channel": channel, "account": account}, "stageVariables": None, "body": None,
        "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/webhooks/{channel}/{account}", "httpMethod": method,
                           "path": f"/webhooks/{channel}/{account}", "stage": "$default", "requestId": "req-1",
                           "domainName": "abc.execute-api.us-east-1.amazonaws.com",
                           "identity": {"sourceIp": "203.0.113.9"}},
    }


def test_the_intake_function_has_a_handler_module_of_its_own() -> None:
    # Given the Chalice app as the packaging reads it
    app = load_functions_app().app
    # When the webhook intake's handler string is looked up
    handlers = {function.name: function.handler_string for function in app.pure_lambda_functions}
    # Then Lambda imports the intake's own module, not the API's app with every route
    assert handlers["webhook_intake"] == "chalicelib.api.webhook_intake.webhook_intake"


def test_the_intake_answers_a_webhook_route_through_the_route_kit() -> None:
    # Given the webhook function's handler, as Lambda calls it
    load_functions_app()
    module = importlib.import_module("chalicelib.api.webhook_intake")
    context = LambdaContext("open-contact-dev-webhook_intake", memory_size=256)
    # When a provider calls the webhook of a channel that does not exist
    answer = module.webhook_intake(_proxy_event("GET", "carrier-pigeon", "acc-1"), context)
    # Then the route kit answers with a 4xx JSON error naming the problem (not a missing route)
    assert answer["statusCode"] == 404, answer
    assert json.loads(answer["body"])["error"] == {"code": "not_found", "field": "channel",
                                                   "message": "channel 'carrier-pigeon' is not supported"}
