"""The state machines run resources' ASL, log and trace, and may touch only their own targets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template
from chalicelib.core import resources

from infra.constructs.workflows import Workflows
from tests.infra.conftest import Synthesized, empty_stack, join

pytestmark = pytest.mark.infra


def _machines(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {machine["Properties"]["StateMachineName"]: machine
            for machine in synthesized.of_type("AWS::StepFunctions::StateMachine").values()}


def _role_statements(synthesized: Synthesized, machine: dict[str, Any]) -> list[dict[str, Any]]:
    role_id = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    return [statement
            for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _resources_of(statements: list[dict[str, Any]], service: str) -> dict[str, list[Any]]:
    """Action -> resources, for the actions of one service."""
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        for action in _actions(statement):
            if action.startswith(f"{service}:"):
                resource = statement["Resource"]
                granted.setdefault(action, []).extend(resource if isinstance(resource, list) else [resource])
    return granted


@pytest.mark.parametrize("definition", resources.STATE_MACHINES, ids=lambda definition: definition.key)
def test_machine_runs_the_shared_definition(synthesized: Synthesized,
                                            definition: resources.StateMachineDefinition) -> None:
    # Given the synthesized machine of this definition
    machine = _machines(synthesized)[definition.physical_name(synthesized.app_name)]

    # When reading its ASL back
    asl = json.loads(join(machine["Properties"]["DefinitionString"]))

    # Then it is exactly what resources builds
    assert asl == resources.state_machine_definition(definition, synthesized.app_name)
    # And the machine logs every event and is traced
    properties = machine["Properties"]
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["TracingConfiguration"] == {"Enabled": True}


def test_retry_machine_may_send_to_the_send_events_and_media_queues_only(synthesized: Synthesized) -> None:
    # Given the retry machine's role policy
    machine = _machines(synthesized)[resources.DELAYED_RETRY_MACHINE.physical_name(synthesized.app_name)]
    queues = [synthesized.logical_id(synthesized.stack.queues.queue(queue))
              for queue in (resources.SEND_QUEUE, resources.EVENTS_QUEUE, resources.MEDIA_QUEUE)]

    # When collecting its SQS and DynamoDB permissions
    statements = _role_statements(synthesized, machine)

    # Then it may send to the queues whose work it delays (outbound sends, event deliveries, media
    # copies), nothing else
    granted = _resources_of(statements, "sqs")
    assert set(granted) == {"sqs:SendMessage"}
    assert sorted(map(str, granted["sqs:SendMessage"])) == sorted(
        str({"Fn::GetAtt": [queue, "Arn"]}) for queue in queues)
    assert _resources_of(statements, "dynamodb") == {}


def test_auto_delete_machine_may_query_the_due_index_and_request_purges_only(synthesized: Synthesized) -> None:
    # Given the auto-delete machine's role policy
    machine = _machines(synthesized)[resources.AUTO_DELETE_MACHINE.physical_name(synthesized.app_name)]
    table = synthesized.logical_id(synthesized.stack.storage.table)
    purge_queue = synthesized.logical_id(synthesized.stack.queues.queue(resources.PURGE_QUEUE))

    # When collecting its SQS and DynamoDB permissions
    statements = _role_statements(synthesized, machine)

    # Then it may query the due index (nothing else of the table) and send to the purge queue
    assert {action: [join(resource) for resource in granted]
            for action, granted in _resources_of(statements, "dynamodb").items()} == {
        "dynamodb:Query": [f"<{table}.Arn>/index/{resources.DUE_INDEX}"]}
    assert _resources_of(statements, "sqs") == {"sqs:SendMessage": [{"Fn::GetAtt": [purge_queue, "Arn"]}]}


def _tasks(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every Task and Map state of an ASL document, nested iterations included."""
    found = {}
    for name, state in states.items():
        if state["Type"] in {"Task", "Map"}:
            found[name] = state
        if state["Type"] == "Map":
            found.update(_tasks(state["Iterator"]["States"]))
    return found


def test_the_sweep_retries_and_catches_every_task_and_uses_service_integrations_only() -> None:
    # Given the auto-deletion sweep's ASL
    asl = resources.auto_delete_definition("t")
    tasks = _tasks(asl["States"])

    # Then it queries the due index and sends to SQS, and nothing else (no Lambda)
    assert {state["Resource"] for state in tasks.values() if state["Type"] == "Task"} == {
        "arn:aws:states:::aws-sdk:dynamodb:query", "arn:aws:states:::sqs:sendMessage"}
    # And every task and the shard map retry passing errors and end in a failure state otherwise
    for name, state in tasks.items():
        assert state["Retry"], name
        assert [catch["ErrorEquals"] for catch in state["Catch"]] == [["States.ALL"]], name
    # And pages are bounded and read by deadline up to the sweep's moment
    queries = [state["Parameters"] for state in tasks.values() if state.get("Resource", "").endswith("dynamodb:query")]
    assert {query["IndexName"] for query in queries} == {resources.DUE_INDEX}
    assert {query["Limit"] for query in queries} == {resources.DUE_PAGE_SIZE}
    assert {query["KeyConditionExpression"] for query in queries} == {"due_pk = :shard AND due_sk <= :as_of"}
    # And it reads every shard
    assert asl["States"]["Shards"]["Result"] == [resources.due_partition(n) for n in range(resources.DUE_SHARDS)]


def test_an_hourly_schedule_starts_the_sweep_and_its_silence_and_failures_alarm(synthesized: Synthesized) -> None:
    # Given the stack's schedule
    (schedule,) = synthesized.of_type("AWS::Scheduler::Schedule").values()
    properties = schedule["Properties"]
    machine = synthesized.stack.workflows.machine(resources.AUTO_DELETE_MACHINE)
    purge_queue = synthesized.logical_id(synthesized.stack.queues.queue(resources.PURGE_QUEUE))
    dead_letters = synthesized.logical_id(synthesized.stack.auto_delete.dead_letter_queue)

    # Then it starts the auto-delete machine every hour, with the scheduled time and the purge queue
    assert properties["ScheduleExpression"] == resources.AUTO_DELETE_SCHEDULE == "rate(1 hour)"
    target = properties["Target"]
    assert target["Arn"] == {"Ref": synthesized.logical_id(machine)}
    assert json.loads(join(target["Input"])) == resources.auto_delete_sweep_input(
        "<aws.scheduler.scheduled-time>", f"<{purge_queue}>")
    # And a start that keeps failing lands in a dead-letter queue of its own
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [dead_letters, "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    # And its role may start that machine only (and write its dead letters)
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    statements = [statement for policy in synthesized.of_type("AWS::IAM::Policy").values()
                  if {"Ref": role_id} in policy["Properties"]["Roles"]
                  for statement in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert _resources_of(statements, "states") == {"states:StartExecution": [{"Ref": synthesized.logical_id(machine)}]}
    assert synthesized.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "scheduler.amazonaws.com"}
    # And three alarms notify the alarm topic: a failed sweep, no successful sweep in three hours, dead letters
    topic = {"Ref": synthesized.logical_id(synthesized.stack.monitoring.topic)}
    alarms = {alarm["Properties"].get("AlarmName", logical_id): alarm["Properties"]
              for logical_id, alarm in synthesized.of_type("AWS::CloudWatch::Alarm").items()
              if topic in alarm["Properties"].get("AlarmActions", [])}
    machine_name = resources.AUTO_DELETE_MACHINE.physical_name(synthesized.app_name)

    def dimension_values(alarm: dict[str, Any]) -> str:
        return json.dumps(alarm.get("Dimensions", [])) + json.dumps(alarm.get("Metrics", []))

    failed = [name for name, alarm in alarms.items() if "AutoDelete" in name
              and "ExecutionsFailed" in json.dumps(alarm)]
    assert failed, (machine_name, sorted(alarms))
    silence = alarms[f"{synthesized.app_name}-auto-delete-no-successful-sweep"]
    assert (silence["MetricName"], silence["Period"], silence["TreatMissingData"]) == (
        "ExecutionsSucceeded", 3 * 3600, "breaching")
    assert any(dead_letters in dimension_values(alarm) for alarm in alarms.values())


def test_workflows_construct_alone() -> None:
    # Given the workflows construct in an empty stack
    stack = empty_stack()
    workflows = Workflows(stack, "Workflows", app_name="unit", definitions=resources.STATE_MACHINES,
                          log_retention=logs.RetentionDays.ONE_WEEK)

    # When
    template = Template.from_stack(stack)

    # Then each machine is a standard machine with its own log group
    template.resource_count_is("AWS::StepFunctions::StateMachine", len(resources.STATE_MACHINES))
    template.resource_count_is("AWS::Logs::LogGroup", len(resources.STATE_MACHINES))
    template.has_resource_properties("AWS::StepFunctions::StateMachine", {
        "StateMachineName": resources.AUTO_DELETE_MACHINE.physical_name("unit"),
        "StateMachineType": "STANDARD",
        "LoggingConfiguration": Match.object_like({"IncludeExecutionData": False, "Level": "ALL"}),
    })
    assert set(workflows.machines) == {machine.key for machine in resources.STATE_MACHINES}
