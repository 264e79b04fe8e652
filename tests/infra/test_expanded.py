"""What the SAM transform makes of Chalice's resources: functions, event source mappings, the REST
API's one stage, and the deployment package they run."""

from __future__ import annotations

import re
import zipfile
from email.parser import Parser
from typing import Any

import pytest
from chalicelib.core import resources

from infra import constants
from infra.constructs.api import ChaliceApi, system_log_level
from tests.infra.conftest import Expanded, Synthesized

pytestmark = pytest.mark.infra

# Python runtimes Lambda runs on Amazon Linux 2023.
AL2023_PYTHON_RUNTIMES = {"python3.12", "python3.13", "python3.14"}


def _function(expanded: Expanded, name: str) -> dict[str, Any]:
    logical_id = ChaliceApi.function_logical_id(name, api_handler=name == constants.API_HANDLER)
    properties: dict[str, Any] = expanded.template["Resources"][logical_id]["Properties"]
    return properties


@pytest.mark.parametrize(("name", "queue"), constants.QUEUE_CONSUMERS.items())
def test_queue_hides_a_record_six_times_as_long_as_its_worker_may_take(
        synthesized: Synthesized, expanded: Expanded, name: str, queue: resources.QueueDefinition) -> None:
    # Given the worker function and the event source mapping SAM makes from its SQS event
    function = _function(expanded, name)
    mapping_id = ChaliceApi.function_logical_id(name) + ChaliceApi.event_source_logical_id(name)
    mapping = expanded.template["Resources"][mapping_id]["Properties"]
    queue_properties = synthesized.resources[synthesized.logical_id(synthesized.stack.queues.queue(queue))][
        "Properties"]

    # Then the worker's timeout is its queue's worst case, and the queue waits six times that
    assert function["Timeout"] == queue.consumer_timeout_seconds
    # (plus the batching window, AWS's guidance for a mapping that gathers records)
    assert queue_properties["VisibilityTimeout"] >= 6 * function["Timeout"] + queue.batching_window_seconds
    # And the mapping reads the defined batches within the defined window, reports partial
    # failures and caps its concurrency
    assert mapping["BatchSize"] == queue.batch_size
    assert mapping.get("MaximumBatchingWindowInSeconds", 0) == queue.batching_window_seconds
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": queue.max_concurrency}
    assert queue.max_concurrency >= 2  # Lambda's minimum


def test_every_function_runs_a_python_that_lambda_supports_on_amazon_linux_2023(expanded: Expanded) -> None:
    for name in constants.FUNCTION_NAMES:
        assert _function(expanded, name)["Runtime"] in AL2023_PYTHON_RUNTIMES, name
    assert _function(expanded, constants.API_HANDLER)["Timeout"] <= 30  # API Gateway gives up at 29 s


def test_the_rest_api_has_one_stage_throttled_logged_and_compressed(expanded: Expanded) -> None:
    # Given the REST API, its deployments and stages
    (api,) = expanded.of_type("AWS::ApiGateway::RestApi").values()
    (stage,) = expanded.of_type("AWS::ApiGateway::Stage").values()
    deployments = expanded.of_type("AWS::ApiGateway::Deployment").values()

    # Then there is no stray stage "Stage" (SAM adds one through the deployment's StageName)
    assert stage["Properties"]["StageName"] == constants.API_STAGE
    assert all("StageName" not in deployment["Properties"] for deployment in deployments)
    # And responses are compressed from the configured size on
    assert api["Properties"]["MinimumCompressionSize"] == constants.API_MINIMUM_COMPRESSION_BYTES
    # And every request is logged as JSON into the API's access log group
    assert "$context.requestId" in stage["Properties"]["AccessLogSetting"]["Format"]
    assert "DestinationArn" in stage["Properties"]["AccessLogSetting"]
    # And the stage is throttled, sign-in with less room than the rest (the webhooks have an API
    # and a throttle of their own, infra/constructs/webhook_api.py)
    settings = {(setting["HttpMethod"], setting["ResourcePath"]): setting
                for setting in stage["Properties"]["MethodSettings"]}
    default = settings[("*", "/*")]
    login = settings[("POST", "/~1auth~1login")]
    assert default["ThrottlingRateLimit"] > login["ThrottlingRateLimit"]
    assert default["ThrottlingBurstLimit"] > login["ThrottlingBurstLimit"]
    assert not [path for _, path in settings if "webhooks" in path]
    # And each overridden route exists in the API's definition
    paths = api["Properties"]["Body"]["paths"]
    for method, resource_path in settings:
        if resource_path != "/*":
            assert method.lower() in paths[resource_path.removeprefix("/").replace("~1", "/")], resource_path


def test_the_package_brings_boto3_with_the_botocore_it_was_released_against(
        synthesized: Synthesized, expanded: Expanded) -> None:
    # Given the deployment package every function runs
    keys = {_function(expanded, name)["Code"]["S3Key"] for name in constants.FUNCTION_NAMES}
    (key,) = keys
    with zipfile.ZipFile(synthesized.outdir / f"asset.{key}") as package:
        metadata = {name.split("-")[0]: Parser().parsestr(package.read(name).decode())
                    for name in package.namelist() if re.fullmatch(r"(boto3|botocore)-[^/]+\.dist-info/METADATA", name)}

    # Then botocore (which pynamodb needs) comes with the boto3 that requires exactly its version
    # range, so the runtime's own boto3 never runs on a botocore it was not released with
    assert set(metadata) == {"boto3", "botocore"}
    botocore_version = tuple(int(part) for part in metadata["botocore"]["Version"].split("."))
    (requirement,) = [line for line in metadata["boto3"].get_all("Requires-Dist", [])
                      if line.startswith("botocore") and "extra ==" not in line]
    bounds = dict(re.findall(r"(>=|<)\s*([\d.]+)", requirement))
    assert tuple(int(part) for part in bounds[">="].split(".")) <= botocore_version
    assert botocore_version < tuple(int(part) for part in bounds["<"].split("."))


def test_functions_log_json_at_the_level_the_deployment_sets(expanded: Expanded) -> None:
    for name in constants.FUNCTION_NAMES:
        function = _function(expanded, name)
        assert function["LoggingConfig"]["LogFormat"] == "JSON", name
        assert function["LoggingConfig"]["ApplicationLogLevel"] == "INFO", name  # the default
        # and no start and report lines of Lambda's own for a successful invocation (INFO): the
        # cost probe counts none (benchmarks/cost_probe.py)
        assert function["LoggingConfig"]["SystemLogLevel"] == "WARN", name
        assert function["Environment"]["Variables"]["POWERTOOLS_LOG_LEVEL"] == "INFO", name
        assert function["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == constants.METRICS_NAMESPACE


@pytest.mark.parametrize(("log_level", "system"), [("DEBUG", "INFO"), ("INFO", "WARN"), ("WARNING", "WARN"),
                                                    ("ERROR", "WARN"), ("CRITICAL", "WARN")])
def test_lambda_writes_its_own_invocation_lines_only_at_debug(log_level: str, system: str) -> None:
    # Given the functions' log level an operator deploys with (-c log_level, docs/deploy.md)
    # Then Lambda's start and report lines (INFO) are written only while investigating at DEBUG
    assert system_log_level(log_level) == system
