"""The Chalice app (REST API and queue workers), packaged by ``chalice package`` during synthesis.

Chalice's own per-function role settings (``lambda_functions.<name>.iam_role_arn``) are read only
from ``.chalice/config.json``, never from the ``stage_config`` the CDK construct passes, so the
construct hands Chalice one pre-created role (``manage_iam_role: false``) and then points every
generated function at its own role with a property override. Each role starts with logging to its
function's log group and X-Ray; everything else is granted in the stack.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource, Fn
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from .nag import acknowledge
from .naming import pascal

REST_API_LOGICAL_ID = "RestAPI"
# Chalice renames the REST API's handler function to this logical id.
API_HANDLER_LOGICAL_ID = "APIHandler"
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


@contextmanager
def _chalice_app_importable(source_dir: Path) -> Iterator[None]:
    """``chalice package`` imports the Chalice app as the module ``app``: make sure that name finds
    ``<source_dir>/app.py`` first (the repository root holds the CDK app under the same name)."""
    loaded = sys.modules.get("app")
    if loaded is not None and Path(str(loaded.__file__)).resolve() != (source_dir / "app.py").resolve():
        raise RuntimeError(f"another module named 'app' is already imported: {loaded.__file__}")
    entry = str(source_dir)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        sys.path.remove(entry)


class ChaliceApi(Construct):
    """``roles`` and ``log_groups`` are keyed by Chalice function name (``api_handler`` for the API)."""

    def __init__(self, scope: Construct, construct_id: str, *, source_dir: Path, api_handler: str,
                 consumers: Mapping[str, sqs.IQueue], environment: Mapping[str, str], api_stage: str,
                 memory_mb: int, timeout_seconds: int, log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, construct_id)
        self.api_handler = api_handler
        self.consumers = dict(consumers)
        self.api_stage = api_stage
        names = (api_handler, *consumers)
        self.log_groups = {name: logs.LogGroup(self, f"{pascal(name)}Logs", retention=log_retention)
                           for name in names}
        self.roles = {name: self._role(name, self.log_groups[name]) for name in names}

        stage_config: dict[str, Any] = {
            "api_gateway_stage": api_stage,
            # CloudFront fronts the API, so an edge-optimized endpoint would add a second CDN hop.
            "api_gateway_endpoint_type": "REGIONAL",
            "manage_iam_role": False,
            "autogen_policy": False,
            "iam_role_arn": self.roles[api_handler].role_arn,
            "xray": True,
            "lambda_memory_size": memory_mb,
            "lambda_timeout": timeout_seconds,
            "environment_variables": dict(environment),
        }
        self.stage_config = stage_config
        with _chalice_app_importable(source_dir):
            self.chalice = Chalice(self, "Chalice", source_dir=str(source_dir), stage_config=stage_config)

        for name in names:
            function = self.function(name)
            function.add_property_override("Role", self.roles[name].role_arn)
            function.add_property_override("LoggingConfig", {"LogGroup": self.log_groups[name].log_group_name})
            # The role's policy (queue access included) must exist before SQS polling starts.
            function.node.add_dependency(self.roles[name])
        for name, queue in self.consumers.items():
            function = self.function(name)
            # Chalice names the queue, so CloudFormation cannot see that the function needs it.
            function.node.add_dependency(queue)
            function.add_property_override(
                f"Events.{self.event_source_logical_id(name)}.Properties.FunctionResponseTypes",
                [REPORT_BATCH_ITEM_FAILURES])

        self.rest_api: CfnResource = self.chalice.get_resource(REST_API_LOGICAL_ID)
        self.rest_api.add_property_override("TracingEnabled", True)
        self.domain_name = Fn.join("", [self.rest_api.ref, ".execute-api.", Aws.REGION, ".", Aws.URL_SUFFIX])
        # The URL as API clients and providers see it: the execute-api domain and the stage.
        self.base_url = Fn.join("", ["https://", self.domain_name, f"/{api_stage}"])
        self.url = Fn.join("", [self.base_url, "/"])

    @staticmethod
    def function_logical_id(name: str, *, api_handler: bool = False) -> str:
        return API_HANDLER_LOGICAL_ID if api_handler else to_cfn_resource_name(name)

    @staticmethod
    def event_source_logical_id(name: str) -> str:
        return to_cfn_resource_name(f"{name}-sqs-event-source")

    def function(self, name: str) -> CfnResource:
        """The AWS::Serverless::Function Chalice generated for the named function."""
        logical_id = self.function_logical_id(name, api_handler=name == self.api_handler)
        resource: CfnResource = self.chalice.get_resource(logical_id)
        return resource

    def _role(self, name: str, log_group: logs.LogGroup) -> iam.Role:
        role = iam.Role(self, f"{pascal(name)}Role",
                        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"Runs the {name} function of the contact inbox")
        role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                               resources=[log_group.log_group_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                               resources=["*"]))
        acknowledge(role, "IAM5", "X-Ray trace submission (PutTraceSegments, PutTelemetryRecords) does "
                    "not support resource-level permissions.", "Resource::*")
        return role
