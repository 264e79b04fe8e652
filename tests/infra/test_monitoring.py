"""Alarms on everything that can fail silently, all notifying one topic, and one dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from chalicelib.core import resources

from benchmarks import bill
from infra import constants
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _alarms(synthesized: Synthesized) -> list[dict[str, Any]]:
    return [alarm["Properties"] for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()]


def _watching(alarms: list[dict[str, Any]], namespace: str, metric: str, dimension: str) -> list[Any]:
    """The values of ``dimension`` of the alarms on ``namespace``/``metric`` (directly or in a math
    expression's metrics)."""
    found: list[Any] = []
    for alarm in alarms:
        metrics = [alarm] + [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", [])
                             if "MetricStat" in query]
        for candidate in metrics:
            if candidate.get("Namespace") == namespace and candidate.get("MetricName") == metric:
                found.extend(item["Value"] for item in candidate.get("Dimensions", []) if item["Name"] == dimension)
    return found


def test_every_alarm_notifies_the_alarm_topic(synthesized: Synthesized) -> None:
    topic = {"Ref": synthesized.logical_id(synthesized.stack.monitoring.topic)}
    alarms = _alarms(synthesized)
    assert alarms
    assert all(alarm["AlarmActions"] == [topic] for alarm in alarms)
    assert all(constants.RUNBOOK_MARKER in alarm["AlarmDescription"] for alarm in alarms)


def test_queues_alarm_on_dead_letters_and_on_waiting_records(synthesized: Synthesized) -> None:
    alarms = _alarms(synthesized)
    stack = synthesized.stack

    def names(queues: list[Any]) -> set[str]:
        return {str(value) for value in queues}

    depth = names(_watching(alarms, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName"))
    age = names(_watching(alarms, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName"))
    for definition in resources.QUEUES:
        dlq = {"Fn::GetAtt": [synthesized.logical_id(stack.queues.dead_letter_queue(definition)), "QueueName"]}
        queue = {"Fn::GetAtt": [synthesized.logical_id(stack.queues.queue(definition)), "QueueName"]}
        assert str(dlq) in depth, definition.key
        assert str(queue) in age, definition.key


def test_functions_api_table_and_state_machines_alarm(synthesized: Synthesized) -> None:
    alarms = _alarms(synthesized)
    functions = {str({"Ref": synthesized.logical_id(synthesized.stack.api.function(name))})
                 for name in constants.FUNCTION_NAMES}
    for metric in ("Errors", "Throttles", "Duration"):
        # The dimension is the function's name, read back from its ARN (which holds the Ref)
        watched = " ".join(str(value) for value in _watching(alarms, "AWS/Lambda", metric, "FunctionName"))
        assert all(function in watched for function in functions), metric
    api_name = constants.api_name(synthesized.app_name)
    assert api_name in _watching(alarms, "AWS/ApiGateway", "5XXError", "ApiName")
    assert api_name in _watching(alarms, "AWS/ApiGateway", "Latency", "ApiName")
    # And the webhooks' HTTP API (its metrics are keyed by the API's id) alarms on 5xx and latency
    http_api = str({"Ref": synthesized.logical_id(synthesized.stack.webhooks.api)})
    assert http_api in {str(value) for value in _watching(alarms, "AWS/ApiGateway", "5xx", "ApiId")}
    assert http_api in {str(value) for value in _watching(alarms, "AWS/ApiGateway", "Latency", "ApiId")}
    table = str({"Ref": synthesized.logical_id(synthesized.stack.storage.table)})
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"):
        assert table in {str(value) for value in _watching(alarms, "AWS/DynamoDB", metric, "TableName")}, metric
    machines = {str({"Ref": synthesized.logical_id(machine)})
                for machine in synthesized.stack.workflows.machines.values()}
    assert {str(value) for value in _watching(alarms, "AWS/States", "ExecutionsFailed", "StateMachineArn")} >= machines


def test_one_dashboard(synthesized: Synthesized) -> None:
    assert len(synthesized.of_type("AWS::CloudWatch::Dashboard")) == 1


def test_the_monthly_bill_counts_the_alarms_the_stack_has(synthesized: Synthesized) -> None:
    # The bill's fixed line prices each alarm (benchmarks/bill.py): its count is the template's
    assert len(constants.FUNCTION_NAMES) == bill.FUNCTIONS
    assert len(_alarms(synthesized)) == bill.ALARMS
