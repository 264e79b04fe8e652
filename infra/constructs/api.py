"""The Chalice app (the agents' REST API, the webhook intake and the queue workers), packaged by
``chalice package`` during synthesis. The webhook intake is reached through an HTTP API of its
own (webhook_api.py), not through the REST API, which has no webhook method.

Chalice's own per-function role settings (``lambda_functions.<name>.iam_role_arn``) are read only
from ``.chalice/config.json``, never from the ``stage_config`` the CDK construct passes, so the
construct hands Chalice one pre-created role (``manage_iam_role: false``) and then points every
generated function at its own role with a property override. Each role starts with logging to its
function's log group and X-Ray; everything else is granted in the stack.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, Aws, CfnResource, Fn
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from chalice import api as chalice_api
from chalice.cdk import Chalice
from chalice.config import Config
from chalice.deploy.packager import PipRunner
from chalice.utils import to_cfn_resource_name
from chalicelib.core.resources import API_FUNCTION_HANDLER, QueueDefinition
from constructs import Construct

from .bytecode import Compiled, runtime_interpreter, with_runtime_bytecode
from .nag import SERVERLESS, acknowledge
from .naming import pascal

REST_API_LOGICAL_ID = "RestAPI"
# Chalice renames the REST API's handler function to this logical id.
API_HANDLER_LOGICAL_ID = "APIHandler"
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
# Python's level names -> Lambda's application log levels.
LAMBDA_LOG_LEVELS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR", "CRITICAL": "FATAL"}
# SAM adds a stage named "Stage" beside the configured one unless the API names an OpenAPI version;
# "2.0" is what Chalice's definition is written in, so SAM leaves the definition as it is.
OPENAPI_VERSION = "2.0"


def system_log_level(log_level: str) -> str:
    """Lambda's level for its own lines at the functions' ``log_level`` (Python's names). Its start and
    report lines for every invocation (platform.start and platform.report, INFO) are left out, WARN:
    the duration, memory and errors they carry are in Lambda's CloudWatch metrics, and at about 260
    bytes an invocation they would be more than half of a message's log bytes (the cost probe counts
    none). At DEBUG, which an operator sets while investigating (docs/deploy.md), they are written."""
    return "INFO" if log_level == "DEBUG" else "WARN"


@dataclass(frozen=True)
class Consumer:
    """A queue worker: the queue's definition (batch size, timeout, concurrency) and the queue."""

    definition: QueueDefinition
    queue: sqs.IQueue


@dataclass(frozen=True)
class Throttle:
    """Steady requests per second and burst of one stage or route (API Gateway's token bucket)."""

    rate_per_second: float
    burst: int


@dataclass(frozen=True)
class RouteThrottle:
    method: str
    path: str
    throttle: Throttle


@dataclass(frozen=True)
class StageSettings:
    """How the REST API's stage takes traffic: a default throttle, per-route overrides, and the
    smallest response body (bytes) it compresses for clients that accept gzip."""

    throttle: Throttle
    route_throttles: Sequence[RouteThrottle]
    minimum_compression_bytes: int


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


@contextmanager
def _packaged_for(runtime: str) -> Iterator[None]:
    """Have ``chalice package`` build for the Lambda ``runtime`` (``pythonX.Y``) rather than for the
    interpreter running the synthesis.

    Chalice takes the runtime from ``sys.version_info`` and asks pip for manylinux wheels of that
    runtime's ABI, but without ``--python-version``, so pip still filters by the running
    interpreter's version and finds no wheel of a compiled dependency (pydantic-core) for another
    Python. Both are put right for the duration of the packaging only.
    """
    version = runtime.removeprefix("python")
    runtime_property = Config.lambda_python_version
    download = PipRunner.download_manylinux_wheels

    def download_for_runtime(runner: PipRunner, abi: str, packages: list[str], directory: str,
                             platforms: list[str] | None = None) -> None:
        platform_arguments = [argument for platform in platforms or ["manylinux2014_x86_64"]
                              for argument in ("--platform", platform)]
        for package in packages:  # one at a time, as Chalice does: pip gives up on the first miss
            runner._execute("download", [
                "--only-binary=:all:", "--no-deps", *platform_arguments, "--implementation", "cp",
                "--abi", abi, "--python-version", version, "--dest", directory, package])

    Config.lambda_python_version = property(lambda _config: runtime)  # type: ignore[assignment,method-assign]
    PipRunner.download_manylinux_wheels = download_for_runtime  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Config.lambda_python_version = runtime_property  # type: ignore[method-assign]
        PipRunner.download_manylinux_wheels = download  # type: ignore[method-assign]


@contextmanager
def _compiled_by(interpreter: str | None) -> Iterator[list[Compiled]]:
    """Have the package ``chalice package`` builds rid of the bytecode Chalice copied from the
    source tree and, with an ``interpreter``, compiled by it (bytecode.py), before the Chalice
    construct makes it an asset; yields where the compilation's outcome is put."""
    outcomes: list[Compiled] = []
    package_app = chalice_api.package_app

    def package_and_compile(project_dir: str, output_dir: str, stage: str,
                            chalice_config: dict[str, Any] | None = None, package_format: str = "cloudformation",
                            template_format: str = "json") -> None:
        package_app(project_dir, output_dir, stage, chalice_config, package_format, template_format)
        compiled = with_runtime_bytecode(Path(output_dir) / "deployment.zip", interpreter)
        if compiled is not None:
            outcomes.append(compiled)

    chalice_api.package_app = package_and_compile
    try:
        yield outcomes
    finally:
        chalice_api.package_app = package_app


class ChaliceApi(Construct):
    """``roles`` and ``log_groups`` are keyed by Chalice function name (``api_handler`` for the API)."""

    def __init__(self, scope: Construct, construct_id: str, *, source_dir: Path, api_handler: str,
                 webhook_handler: str, webhook_reserved_concurrency: int,
                 consumers: Mapping[str, Consumer], environment: Mapping[str, str], api_name: str,
                 api_stage: str, stage_settings: StageSettings, runtime: str, log_level: str, memory_mb: int,
                 timeout_seconds: int, log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, construct_id)
        self.api_handler = api_handler
        self.consumers = {name: consumer.queue for name, consumer in consumers.items()}
        self.api_name = api_name
        self.api_stage = api_stage
        self.webhook_handler = webhook_handler
        names = (api_handler, webhook_handler, *consumers)
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
        interpreter = runtime_interpreter(runtime)
        with _chalice_app_importable(source_dir), _packaged_for(runtime), _compiled_by(interpreter) as compiled:
            self.chalice = Chalice(self, "Chalice", source_dir=str(source_dir), stage_config=stage_config)
        self._report_bytecode(runtime, compiled)

        # Chalice gives the API function the app it packages (``app.app``: every function registered);
        # it runs the app of the agents' routes alone (shared/api/api_handler.py), so its cold start
        # imports no worker.
        self.function(api_handler).add_property_override("Handler", API_FUNCTION_HANDLER)
        for name in names:
            function = self.function(name)
            function.add_property_override("Role", self.roles[name].role_arn)
            # JSON from Lambda too, its application level the same as Powertools' (Powertools
            # follows Lambda's when both are set), its own lines at system_log_level's.
            function.add_property_override("LoggingConfig", {
                "LogGroup": self.log_groups[name].log_group_name, "LogFormat": "JSON",
                "ApplicationLogLevel": LAMBDA_LOG_LEVELS[log_level], "SystemLogLevel": system_log_level(log_level)})
            # The role's policy (queue access included) must exist before SQS polling starts.
            function.node.add_dependency(self.roles[name])
            acknowledge(function, "LambdaDLQ", (
                "Invoked synchronously by API Gateway, which answers the caller with the error."
                if name in (api_handler, webhook_handler) else
                "Invoked synchronously by its SQS event source mapping: a record that keeps failing goes to "
                "the queue's own dead-letter queue (redrive policy), which is what a function DLQ would hold."),
                pack=SERVERLESS)
        for name, consumer in consumers.items():
            function = self.function(name)
            # Chalice names the queue, so CloudFormation cannot see that the function needs it.
            function.node.add_dependency(consumer.queue)
            # A worker's timeout is its queue's worst case, and the queue's visibility timeout six times it.
            function.add_property_override("Timeout", consumer.definition.consumer_timeout_seconds)
            event_source = f"Events.{self.event_source_logical_id(name)}.Properties"
            function.add_property_override(f"{event_source}.FunctionResponseTypes", [REPORT_BATCH_ITEM_FAILURES])
            function.add_property_override(f"{event_source}.ScalingConfig",
                                           {"MaximumConcurrency": consumer.definition.max_concurrency})
            acknowledge(function, "LambdaEventSourceMappingDestination",
                        "Lambda takes no on-failure destination for an SQS event source (only for streams and "
                        "Kafka); failed records reach the queue's dead-letter queue by its redrive policy.",
                        pack=SERVERLESS)

        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention)
        self.rest_api: CfnResource = self.chalice.get_resource(REST_API_LOGICAL_ID)
        # The stage the SAM transform creates, named as SAM names it (<api><stage>Stage).
        self.stage_logical_id = f"{REST_API_LOGICAL_ID}{api_stage}Stage"
        self._configure_stage(stage_settings)
        if webhook_reserved_concurrency:
            self.function(webhook_handler).add_property_override("ReservedConcurrentExecutions",
                                                                 webhook_reserved_concurrency)
        self.domain_name = Fn.join("", [self.rest_api.ref, ".execute-api.", Aws.REGION, ".", Aws.URL_SUFFIX])
        # The URL as API clients see it: the execute-api domain and the stage.
        self.base_url = Fn.join("", ["https://", self.domain_name, f"/{api_stage}"])
        self.url = Fn.join("", [self.base_url, "/"])

    def _report_bytecode(self, runtime: str, compiled: list[Compiled]) -> None:
        """Warn at synthesis when the package goes without bytecode, or without some of it."""
        if not compiled:
            Annotations.of(self).add_warning_v2("open-contact:package-without-bytecode", (
                f"No {runtime} on PATH: the functions' package holds sources only, so every cold start "
                f"compiles each module it imports (about four times as long; docs/deploy.md, 'Bytecode'). "
                f"Install {runtime} on this machine and deploy again."))
        elif compiled[0].failures:
            Annotations.of(self).add_warning_v2("open-contact:modules-without-bytecode", (
                f"{runtime} could not compile some modules of the package; they are shipped as sources: "
                f"{compiled[0].failures[:2000]}"))

    def _configure_stage(self, settings: StageSettings) -> None:
        api = self.rest_api
        # A name of our own: CloudWatch's API Gateway metrics are keyed by it (ApiName).
        api.add_property_override("Name", self.api_name)
        api.add_property_override("OpenApiVersion", OPENAPI_VERSION)
        api.add_property_override("TracingEnabled", True)
        api.add_property_override("MinimumCompressionSize", settings.minimum_compression_bytes)
        api.add_property_override("AccessLogSetting", {
            "DestinationArn": self.access_logs.log_group_arn,
            "Format": apigateway.AccessLogFormat.json_with_standard_fields(
                caller=False, http_method=True, ip=True, protocol=True, request_time=True, resource_path=True,
                response_length=True, status=True, user=True).to_string(),
        })
        acknowledge(api, "APIG2", "Chalice's API definition has no request models to validate against; each "
                    "handler validates its input with pydantic and answers a 400 JSON error naming the problem.")
        acknowledge(api, "APIG6", "Execution logging needs the account-wide API Gateway CloudWatch role, which "
                    "one installation must not own; the stage writes JSON access logs and every handler logs "
                    "each request with its request id.")
        api.add_property_override("MethodSettings", [
            _method_setting("*", "/*", settings.throttle),
            *(_method_setting(route.method, route.path, route.throttle) for route in settings.route_throttles),
        ])

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


def _method_setting(method: str, path: str, throttle: Throttle) -> dict[str, Any]:
    """A stage method setting; a resource path is written with its slashes as ``~1`` after a leading
    slash (``/auth/login`` is ``/~1auth~1login``)."""
    resource_path = path if path == "/*" else "/" + path.replace("/", "~1")
    return {"HttpMethod": method, "ResourcePath": resource_path, "MetricsEnabled": True,
            "ThrottlingRateLimit": throttle.rate_per_second, "ThrottlingBurstLimit": throttle.burst}
