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


def test_auto_delete_machine_may_read_the_table_and_request_purges_only(synthesized: Synthesized) -> None:
    # Given the auto-delete machine's role policy
    machine = _machines(synthesized)[resources.AUTO_DELETE_MACHINE.physical_name(synthesized.app_name)]
    table = synthesized.logical_id(synthesized.stack.storage.table)
    purge_queue = synthesized.logical_id(synthesized.stack.queues.queue(resources.PURGE_QUEUE))

    # When collecting its SQS and DynamoDB permissions
    statements = _role_statements(synthesized, machine)

    # Then it may get items from the table (no index) and send to the purge queue
    assert _resources_of(statements, "dynamodb") == {"dynamodb:GetItem": [{"Fn::GetAtt": [table, "Arn"]}]}
    assert _resources_of(statements, "sqs") == {"sqs:SendMessage": [{"Fn::GetAtt": [purge_queue, "Arn"]}]}


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
