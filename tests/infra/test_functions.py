"""The Chalice functions: event sources from the queue definitions, one role each, resolved settings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from chalicelib.core import resources

from benchmarks.cold_start import collector_at_cold_start
from infra import constants
from infra.constructs.api import API_HANDLER_LOGICAL_ID
from tests.infra.conftest import Synthesized, join

pytestmark = pytest.mark.infra

API = constants.API_HANDLER
WEBSOCKET_HANDLERS = {"push_connect": "websocket_connect", "push_message": "websocket_message",
                      "push_disconnect": "websocket_disconnect"}
INTAKE = constants.WEBHOOK_INTAKE


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Chalice function name -> properties of its AWS::Serverless::Function."""
    functions = {}
    for resource in synthesized.of_type("AWS::Serverless::Function").values():
        # The API is its own app (resources.API_FUNCTION_HANDLER); a worker is <its blueprint's
        # module>.<function name>; Chalice names the WebSocket routes' functions itself.
        handler = resource["Properties"]["Handler"]
        name = API if handler == resources.API_FUNCTION_HANDLER else handler.rsplit(".", 1)[-1]
        functions[WEBSOCKET_HANDLERS.get(name, name)] = resource
    return functions


def _of_api(synthesized: Synthesized, resource_type: str, api_id: str) -> list[dict[str, Any]]:
    """The API Gateway v2 resources of one API (the push WebSocket API has its own)."""
    return [resource for resource in synthesized.of_type(resource_type).values()
            if resource["Properties"]["ApiId"] == {"Ref": api_id}]


def _statements(synthesized: Synthesized, role_id: str) -> list[dict[str, Any]]:
    return [statement
            for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def _granted(statements: list[dict[str, Any]], action: str) -> list[Any]:
    granted: list[Any] = []
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if action in actions:
            resource = statement["Resource"]
            granted.extend(resource if isinstance(resource, list) else [resource])
    return granted


def _role_id(function: dict[str, Any]) -> str:
    role_id: str = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_id


def test_the_infrastructure_knows_every_chalice_function(synthesized: Synthesized) -> None:
    assert set(_functions(synthesized)) == set(constants.FUNCTION_NAMES)


def test_the_api_function_runs_its_own_app_and_no_function_runs_the_packaged_one(synthesized: Synthesized) -> None:
    # Given the functions Chalice packaged, by logical id
    functions = synthesized.of_type("AWS::Serverless::Function")
    handlers = {logical_id: function["Properties"]["Handler"] for logical_id, function in functions.items()}
    # Then the API function keeps Chalice's logical id and runs the app of the agents' routes alone
    # (shared/api/api_handler.py), not the app.app every function is registered in for packaging
    assert handlers[API_HANDLER_LOGICAL_ID] == resources.API_FUNCTION_HANDLER
    assert "app.app" not in handlers.values()
    # and every other function keeps the handler of its own module (the WebSocket routes' push.py's)
    assert {handler.rsplit(".", 1)[0] for logical_id, handler in handlers.items()
            if logical_id != API_HANDLER_LOGICAL_ID} == {
        "chalicelib.api.workers", "chalicelib.api.push_worker", "chalicelib.api.webhook_intake", "chalicelib.api.push"}
    assert len(functions) == len(constants.FUNCTION_NAMES)



def test_every_function_loads_its_handler_module_without_collector_passes(synthesized: Synthesized) -> None:
    # Given each handler the template gives a function (a module per kind of function)
    handlers = {function["Properties"]["Handler"]
                for function in synthesized.of_type("AWS::Serverless::Function").values()}
    by_module = {handler.rpartition(".")[0]: handler for handler in sorted(handlers)}
    for module, handler in by_module.items():
        # When a fresh interpreter imports it as Lambda does (_HANDLER set)
        seen = collector_at_cold_start(module, handler)
        # Then the cycle collector made no pass during the import and runs after it, with what the
        # import built frozen (shared/api/cold_start.py): a module that never called loaded() would
        # leave the function without a collector
        assert (seen["passes"], seen["enabled"], seen["frozen"] > 10_000) == (0, True, True), handler
    assert len(by_module) == 5  # the API, the queue workers, the push worker, the intake, the WebSocket routes'


@pytest.mark.parametrize(("name", "queue"), constants.QUEUE_CONSUMERS.items())
def test_consumer_polls_its_queue_as_defined(synthesized: Synthesized, name: str,
                                            queue: resources.QueueDefinition) -> None:
    # Given the function's event sources
    function = _functions(synthesized)[name]
    (event,) = function["Properties"]["Events"].values()

    # Then it polls its queue (by the installation's name) in batches of the defined size
    assert event["Type"] == "SQS"
    properties = event["Properties"]
    assert properties["Queue"]["Fn::Sub"].endswith(f":{queue.physical_name(synthesized.app_name)}")
    assert properties["BatchSize"] == queue.batch_size
    assert properties["MaximumBatchingWindowInSeconds"] == queue.batching_window_seconds
    # And reports partial batch failures, so only failed records return to the queue
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # And it is created after its queue and its role's policy, which SQS polling needs
    queue_id = synthesized.logical_id(synthesized.stack.queues.queue(queue))
    policies = {policy_id for policy_id, policy in synthesized.of_type("AWS::IAM::Policy").items()
                if {"Ref": _role_id(function)} in policy["Properties"]["Roles"]}
    assert policies
    assert {queue_id, *policies} <= set(function["DependsOn"])
    # And it finishes within the queue's visibility timeout
    assert function["Properties"]["Timeout"] <= queue.visibility_timeout_seconds


def test_each_function_has_a_role_of_its_own(synthesized: Synthesized) -> None:
    functions = _functions(synthesized)
    roles = {name: _role_id(function) for name, function in functions.items()}
    assert len(set(roles.values())) == len(functions)
    assert set(roles.values()) <= set(synthesized.of_type("AWS::IAM::Role"))


def test_environment_names_every_resource_with_resolved_values(synthesized: Synthesized) -> None:
    for name, function in _functions(synthesized).items():
        variables = function["Properties"]["Environment"]["Variables"]
        # Every value is a literal or a CloudFormation reference, never an unresolved CDK token
        assert not [key for key, value in variables.items() if "${Token[" in str(value)], name
        assert variables[resources.ENV_APP_NAME] == synthesized.app_name
        assert {resources.queue_url_env(queue) for queue in resources.QUEUES} <= set(variables)
        assert variables[resources.ENV_USER_POOL_ID] == {
            "Ref": synthesized.logical_id(synthesized.stack.identity.user_pool)}
        assert variables[resources.ENV_RETRY_MACHINE_ARN] == {
            "Ref": synthesized.logical_id(synthesized.stack.workflows.machine(resources.DELAYED_RETRY_MACHINE))}
        assert variables[resources.ENV_MEDIA_BUCKET] == {
            "Ref": synthesized.logical_id(synthesized.stack.storage.media_bucket)}


def test_webhooks_reach_their_own_function_through_their_own_http_api(synthesized: Synthesized) -> None:
    # Given the webhooks' HTTP API, its routes and integrations, and the intake function
    http_api_id = synthesized.logical_id(synthesized.stack.webhooks.api)
    http_api = synthesized.resources[http_api_id]
    routes = _of_api(synthesized, "AWS::ApiGatewayV2::Route", http_api_id)
    integrations = synthesized.of_type("AWS::ApiGatewayV2::Integration")
    intake_id = synthesized.logical_id(synthesized.stack.api.function(INTAKE))

    # Then it is an HTTP API with a route per webhook method on the webhook path and nothing else
    assert http_api["Properties"]["ProtocolType"] == "HTTP"
    assert sorted(route["Properties"]["RouteKey"] for route in routes) == [
        f"GET {constants.WEBHOOK_PATH}", f"POST {constants.WEBHOOK_PATH}"]
    # And every route goes to the intake as a Lambda proxy in payload format 1.0 (the REST event's shape)
    for route in routes:
        integration_id = join(route["Properties"]["Target"]).removeprefix("integrations/").strip("<>")
        integration = integrations[integration_id]["Properties"]
        assert integration["ApiId"] == {"Ref": http_api_id}
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["PayloadFormatVersion"] == "1.0"
        assert f"<{intake_id}.Arn>" in join(integration["IntegrationUri"])
    # And API Gateway may invoke the intake from this API only
    permissions = [permission["Properties"] for permission in synthesized.of_type("AWS::Lambda::Permission").values()
                   if permission["Properties"]["FunctionName"] == {"Fn::GetAtt": [intake_id, "Arn"]}]
    assert permissions
    assert all(f":<{http_api_id}>/" in join(permission["SourceArn"]) for permission in permissions)
    # And the agents' REST API has no webhook method left
    (rest_api,) = synthesized.of_type("AWS::Serverless::Api").values()
    assert not [path for path in rest_api["Properties"]["DefinitionBody"]["paths"] if path.startswith("/webhooks")]
    assert not [permission for permission in synthesized.of_type("AWS::Lambda::Permission").values()
                if permission["Properties"]["FunctionName"] == {"Ref": intake_id}]
    # And its concurrency is its own
    assert _functions(synthesized)[INTAKE]["Properties"]["ReservedConcurrentExecutions"] == (
        constants.DEFAULT_WEBHOOK_RESERVED_CONCURRENCY)
    # And it reads inbound mail only under the prefix SES writes to
    statements = _statements(synthesized, _role_id(_functions(synthesized)[INTAKE]))
    assert [join(resource) for resource in _granted(statements, "s3:GetObject")] == [
        f"<{synthesized.logical_id(synthesized.stack.storage.media_bucket)}.Arn>/inbound-mail/*"]


def test_replies_are_sent_only_from_the_receiving_domains_identities(synthesized: Synthesized) -> None:
    # Given a deployment with email accounts (tests/infra/conftest.py) and the send worker's role
    statements = _statements(synthesized, _role_id(_functions(synthesized)["send_outbound"]))
    assert synthesized.stack.email is not None
    identities = synthesized.stack.email.identities.values()
    # Then it may send email from those identities only
    assert sorted(map(str, _granted(statements, "ses:SendEmail"))) == sorted(
        str(synthesized.stack.resolve(identity.email_identity_arn)) for identity in identities)


def test_the_webhooks_stage_is_throttled_per_route_and_logged(synthesized: Synthesized) -> None:
    # Given the webhooks' HTTP API stage
    (stage,) = _of_api(synthesized, "AWS::ApiGatewayV2::Stage", synthesized.logical_id(synthesized.stack.webhooks.api))
    properties = stage["Properties"]
    deliveries, handshakes = constants.WEBHOOK_THROTTLES["POST"], constants.WEBHOOK_THROTTLES["GET"]
    # Then it is the $default stage (no stage in the webhook URLs), deployed on every change
    assert properties["StageName"] == "$default"
    assert properties["AutoDeploy"] is True
    # And deliveries get the stage's default throttle, handshakes a much smaller one of their own
    assert properties["DefaultRouteSettings"]["ThrottlingRateLimit"] == deliveries.rate_per_second
    assert properties["DefaultRouteSettings"]["ThrottlingBurstLimit"] == deliveries.burst
    assert properties["RouteSettings"] == {f"GET {constants.WEBHOOK_PATH}": {
        "ThrottlingRateLimit": handshakes.rate_per_second, "ThrottlingBurstLimit": handshakes.burst}}
    # And every request is logged as a JSON line into the API's own access log group
    access = properties["AccessLogSettings"]
    assert access["DestinationArn"] == {
        "Fn::GetAtt": [synthesized.logical_id(synthesized.stack.webhooks.access_logs), "Arn"]}
    assert json.loads(access["Format"])["requestId"] == "$context.requestId"


def test_the_api_handler_shows_webhook_urls_on_the_webhooks_api(synthesized: Synthesized) -> None:
    # Given the functions' environment
    functions = _functions(synthesized)
    api_handler = functions[constants.API_HANDLER]["Properties"]["Environment"]["Variables"]
    # Then the API handler (which shows the webhook URLs) has the HTTP API's endpoint as their base
    http_api_id = synthesized.logical_id(synthesized.stack.webhooks.api)
    assert join(api_handler[resources.ENV_PUBLIC_WEBHOOK_URL]) == f"<{http_api_id}.ApiEndpoint>"
    # And the intake, which its own API depends on, does not reference it
    assert resources.ENV_PUBLIC_WEBHOOK_URL not in functions[INTAKE]["Properties"]["Environment"]["Variables"]


def test_rest_api_is_regional_on_the_api_stage(synthesized: Synthesized) -> None:
    (api,) = synthesized.of_type("AWS::Serverless::Api").values()
    assert api["Properties"]["StageName"] == constants.API_STAGE
    assert api["Properties"]["EndpointConfiguration"] == "REGIONAL"
    assert api["Properties"]["TracingEnabled"] is True


def test_template_has_no_dependency_cycle(synthesized: Synthesized) -> None:
    """CloudFormation refuses circular references; only a deployment would tell otherwise."""
    graph = {logical_id: _references(resource) & set(synthesized.resources)
             for logical_id, resource in synthesized.resources.items()}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"dependency cycle: {' -> '.join((*path, node))}"
        if node in done:
            return
        for target in graph[node]:
            visit(target, (*path, node))
        done.add(node)

    for node in graph:
        visit(node, ())


def _references(resource: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    depends_on = resource.get("DependsOn", [])
    found.update([depends_on] if isinstance(depends_on, str) else depends_on)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str):
                    found.add(value)
                elif key == "Fn::GetAtt":
                    found.add(value[0] if isinstance(value, list) else value.split(".")[0])
                elif key == "Fn::Sub":
                    text = value if isinstance(value, str) else value[0]
                    found.update(name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text))
                    walk(value if isinstance(value, str) else value[1])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(resource.get("Properties", {}))
    return found
