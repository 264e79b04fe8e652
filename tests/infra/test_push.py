"""The WebSocket API: Chalice's routes to the handlers of shared/api/push.py, one role per handler,
and only the push worker may post to connections, on this API's stage."""

from __future__ import annotations

from typing import Any

import pytest

from infra import constants
from infra.constructs.api import ChaliceApi
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _function(synthesized: Synthesized, name: str) -> dict[str, Any]:
    return synthesized.resources[ChaliceApi.function_logical_id(name, api_handler=name == constants.API_HANDLER)]


def _statements(synthesized: Synthesized, name: str) -> list[dict[str, Any]]:
    role_id = _function(synthesized, name)["Properties"]["Role"]["Fn::GetAtt"][0]
    return [statement for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def test_the_websocket_api_routes_connect_messages_and_disconnect_to_the_push_handlers(
        synthesized: Synthesized) -> None:
    # (the webhooks' HTTP API is the other API Gateway v2 API of the stack)
    (api_id, _), = [(logical_id, resource) for logical_id, resource
                    in synthesized.of_type("AWS::ApiGatewayV2::Api").items()
                    if resource["Properties"]["ProtocolType"] == "WEBSOCKET"]
    routes = {route["Properties"]["RouteKey"] for route in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
              if route["Properties"]["ApiId"] == {"Ref": api_id}}
    assert routes == {"$connect", "$default", "$disconnect"}
    (stage,) = [stage for stage in synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
                if stage["Properties"]["ApiId"] == {"Ref": api_id}]
    assert stage["Properties"]["StageName"] == constants.API_STAGE
    handlers = {name: _function(synthesized, name)["Properties"]["Handler"] for name in constants.WEBSOCKET_FUNCTIONS}
    assert handlers == {"websocket_connect": "chalicelib.api.push.push_connect",
                        "websocket_message": "chalicelib.api.push.push_message",
                        "websocket_disconnect": "chalicelib.api.push.push_disconnect"}
    assert api_id == "WebsocketAPI"


def test_only_the_push_worker_manages_connections_and_only_of_this_api(synthesized: Synthesized) -> None:
    for name in constants.FUNCTION_NAMES:
        granted = [s for s in _statements(synthesized, name) if "execute-api:ManageConnections" in (
            s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
        if name != constants.PUSH_WORKER:
            assert granted == [], name
            continue
        (statement,) = granted
        resource = str(statement["Resource"])
        assert "{'Ref': 'WebsocketAPI'}" in resource
        assert f"/{constants.API_STAGE}/*/@connections/*" in resource


def test_the_worker_knows_the_management_endpoint_and_the_api_the_browsers_url(synthesized: Synthesized) -> None:
    from chalicelib.core import resources

    worker = _function(synthesized, constants.PUSH_WORKER)["Properties"]["Environment"]["Variables"]
    api = _function(synthesized, constants.API_HANDLER)["Properties"]["Environment"]["Variables"]
    assert "https://" in str(worker[resources.ENV_PUSH_ENDPOINT])
    assert "{'Ref': 'WebsocketAPI'}" in str(worker[resources.ENV_PUSH_ENDPOINT])
    assert "wss://" in str(api[resources.ENV_PUSH_URL])


def test_connections_live_in_the_table_whose_ttl_expires_them(synthesized: Synthesized) -> None:
    from chalicelib.core import resources
    from chalicelib.storage.connections import CONNECTION_LIFETIME

    (table,) = synthesized.of_type("AWS::DynamoDB::Table").values()
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": resources.TABLE.ttl_attribute,
                                                              "Enabled": True}
    # API Gateway closes a connection after two hours; the items outlive that only by a margin.
    assert 2 < CONNECTION_LIFETIME.total_seconds() / 3600 <= 4
    # And each WebSocket handler may write its connection or presence items (which actions exactly:
    # tests/infra/test_least_privilege.py)
    writes = {"dynamodb:PutItem", "dynamodb:BatchWriteItem"}
    for name in constants.WEBSOCKET_FUNCTIONS:
        assert any(writes & set(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
                   for s in _statements(synthesized, name)), name
