"""The providers' webhooks on an HTTP API of their own, in front of the webhook intake function.

An HTTP API request costs $1.00 per million against a REST API's $3.50, and the webhooks need
nothing only a REST API has: they carry no user, each provider signs its deliveries and the
intake checks the signature over the raw body. The integration uses payload format 1.0, the
REST proxy event's shape, which the intake's Chalice app routes by ``requestContext.resourcePath``
(shared/core/api_gateway.py reads the URL the provider called from it). The API has only the
webhook routes; anything else is answered 404 by API Gateway without invoking the function.

Served on the ``$default`` stage, so a webhook URL is ``<api endpoint>/webhooks/<channel>/<account>``
with nothing between the host and the route. What a WAF would add cannot be had here: AWS WAF
attaches to REST APIs, not HTTP APIs (docs/operations.md says what the webhooks keep instead).
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import CfnResource
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from .api import Throttle
from .nag import acknowledge

DEFAULT_STAGE = "$default"
# One JSON line per request; the request id is the one the intake logs as its correlation id.
ACCESS_LOG_FIELDS: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}


def access_log_format() -> str:
    return "{" + ",".join(f'"{name}":"{value}"' for name, value in ACCESS_LOG_FIELDS.items()) + "}"


class WebhookApi(Construct):
    """``methods``: HTTP method -> the throttle of that method's route on ``path`` (the first is the
    stage's default as well)."""

    def __init__(self, scope: Construct, construct_id: str, *, api_name: str, intake: CfnResource, path: str,
                 methods: Mapping[str, Throttle], log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, construct_id)
        # The intake as an IFunction, so the integration grants API Gateway the invoke per route.
        self.intake = lambda_.Function.from_function_attributes(
            self, "Intake", function_arn=intake.get_att("Arn").to_string(), same_environment=True)
        self.api = apigatewayv2.HttpApi(self, "HttpApi", api_name=api_name, create_default_stage=False,
                                        description="The providers' webhooks (signed deliveries and handshakes)")
        # The invoke permission names this API (every stage and route): the API holds the webhook
        # routes alone, and the grant does not depend on how path parameters show in the source ARN.
        integration = integrations.HttpLambdaIntegration(
            "Intake", self.intake, payload_format_version=apigatewayv2.PayloadFormatVersion.VERSION_1_0,
            scope_permission_to_route=False)
        self.routes: list[apigatewayv2.HttpRoute] = []
        for method in methods:
            self.routes.extend(self.api.add_routes(path=path, methods=[apigatewayv2.HttpMethod(method)],
                                                   integration=integration))
            acknowledge(self.routes[-1], "APIG4", "Providers authenticate by signing each delivery (or answering "
                        "the handshake with the account's verify token); the intake checks the signature before "
                        "anything is queued, and API Gateway authorizers cannot check a signature over the body.")
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention)
        default_throttle = next(iter(methods.values()))
        self.stage = self.api.add_stage(
            "Stage", stage_name=DEFAULT_STAGE, auto_deploy=True, detailed_metrics_enabled=True,
            throttle=apigatewayv2.ThrottleSettings(rate_limit=default_throttle.rate_per_second,
                                                   burst_limit=default_throttle.burst),
            access_log_settings=_AccessLogs(self.access_logs))
        self._throttle_routes(path, methods)
        # https://<api id>.execute-api.<region>.<suffix>: the webhook URLs' base ($default stage, no path).
        self.base_url = self.api.api_endpoint
        self.url = f"{self.base_url}/"

    def _throttle_routes(self, path: str, methods: Mapping[str, Throttle]) -> None:
        """Route settings for the methods whose throttle differs from the stage's default."""
        default = next(iter(methods.values()))
        settings = {f"{method} {path}": {"ThrottlingRateLimit": throttle.rate_per_second,
                                         "ThrottlingBurstLimit": throttle.burst}
                    for method, throttle in methods.items() if throttle != default}
        if not settings:
            return
        stage = self.stage.node.default_child
        assert isinstance(stage, apigatewayv2.CfnStage)
        stage.add_property_override("RouteSettings", settings)
        # A route's settings may only name a route that exists.
        for route in self.routes:
            stage.node.add_dependency(route)


@jsii.implements(apigatewayv2.IAccessLogSettings)
class _AccessLogs:
    """The stage's access log settings: JSON lines to the log group."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigatewayv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigatewayv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return apigateway.AccessLogFormat.custom(access_log_format())
