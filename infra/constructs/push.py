"""The WebSocket API that pushes changes to the agents' browsers.

Chalice builds the API itself (``AWS::ApiGatewayV2::Api`` with the ``$connect``, ``$default`` and
``$disconnect`` routes, their Lambda integrations, a deployment and a stage named like the REST API's)
from the handlers in ``shared/api/push.py``, which the local runtime serves too. This construct gives
each of the three handler functions a role and a log group of its own, and tells the push worker where
the management API is (``post_to_connection``). Grants are made in the stack.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, CfnResource, Fn
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from chalicelib.core import resources
from constructs import Construct

from .api import LAMBDA_LOG_LEVELS, ChaliceApi, system_log_level
from .nag import SERVERLESS, acknowledge
from .naming import pascal

WEBSOCKET_API_LOGICAL_ID = "WebsocketAPI"


class PushApi(Construct):
    """``roles`` is keyed by Chalice function name, like ``ChaliceApi.roles``."""

    def __init__(self, scope: Construct, construct_id: str, *, api: ChaliceApi, functions: tuple[str, ...],
                 push_worker: str, log_retention: logs.RetentionDays, log_level: str) -> None:
        super().__init__(scope, construct_id)
        self.websocket_api: CfnResource = api.chalice.get_resource(WEBSOCKET_API_LOGICAL_ID)
        self.stage = api.api_stage
        domain = Fn.join("", [self.websocket_api.ref, ".execute-api.", Aws.REGION, ".", Aws.URL_SUFFIX])
        # Browsers connect here; the push worker posts to the same stage over HTTPS.
        self.url = Fn.join("", ["wss://", domain, f"/{self.stage}"])
        self.management_endpoint = Fn.join("", ["https://", domain, f"/{self.stage}"])
        # What ManageConnections is granted on: this API's stage, its connections only.
        self.connections_arn = Fn.join("", [
            "arn:", Aws.PARTITION, ":execute-api:", Aws.REGION, ":", Aws.ACCOUNT_ID, ":", self.websocket_api.ref,
            f"/{self.stage}/*/@connections/*"])
        self.log_groups = {name: logs.LogGroup(self, f"{pascal(name)}Logs", retention=log_retention)
                           for name in functions}
        self.roles: dict[str, iam.Role] = {}
        for name in functions:
            role = iam.Role(self, f"{pascal(name)}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                            description=f"Runs the {name} function of the contact inbox")
            role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                                   resources=[self.log_groups[name].log_group_arn]))
            role.add_to_policy(iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                                   resources=["*"]))
            acknowledge(role, "IAM5", "X-Ray trace submission (PutTraceSegments, PutTelemetryRecords) does "
                        "not support resource-level permissions.", "Resource::*")
            self.roles[name] = role
            function = api.function(name)
            function.add_property_override("Role", role.role_arn)
            function.add_property_override("LoggingConfig", {
                "LogGroup": self.log_groups[name].log_group_name, "LogFormat": "JSON",
                "ApplicationLogLevel": LAMBDA_LOG_LEVELS[log_level], "SystemLogLevel": system_log_level(log_level)})
            function.node.add_dependency(role)
            acknowledge(function, "LambdaDLQ", "Invoked synchronously by API Gateway's WebSocket route, which "
                        "answers the browser (a refused handshake, a dropped message) with the error.", pack=SERVERLESS)
        api.function(push_worker).add_property_override(
            f"Environment.Variables.{resources.ENV_PUSH_ENDPOINT}", self.management_endpoint)
        # The web app asks the REST API where to connect (GET /push).
        api.function(api.api_handler).add_property_override(
            f"Environment.Variables.{resources.ENV_PUSH_URL}", self.url)
        for route in ("WebsocketConnectRoute", "WebsocketMessageRoute", "WebsocketDisconnectRoute"):
            acknowledge(api.chalice.get_resource(route), "APIG4",
                        "$connect verifies the Cognito ID token (offered as a subprotocol) and the team in the "
                        "handler, with the REST API's own verifier, and refuses the handshake otherwise; messages "
                        "and $disconnect only ever come from a connection admitted that way.")
        stage = api.chalice.get_resource("WebsocketAPIStage")
        # Every route throttled: a browser in a reconnect loop, or a flood of handshakes, is answered 429.
        stage.add_property_override("DefaultRouteSettings", {"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200})
        acknowledge(stage, "APIGWDefaultThrottling", "DefaultRouteSettings above sets the rate and burst of every "
                    "route explicitly; the rule looks for method settings of a REST stage.", pack=SERVERLESS)
        acknowledge(stage, "APIGWAccessLogging", "The handlers log every connection, refusal (with its reason) "
                    "and disconnection as JSON with the Lambda context; see APIG1.", pack=SERVERLESS)
        acknowledge(api.chalice.get_resource("WebsocketAPIStage"), "APIG1",
                    "The handlers log every connection, refusal (with its reason) and disconnection; stage access "
                    "logs would need the account-wide API Gateway CloudWatch role, which this stack does not own.")
        CfnOutput(self, "PushUrl", value=self.url,
                  description="The WebSocket API the web app connects to for pushed changes")
