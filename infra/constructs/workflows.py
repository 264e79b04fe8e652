"""The Step Functions state machines, their ASL built by ``resources.state_machine_definition``.

Each machine gets its own role, log group (all events, without execution data: the inputs carry
customer messages) and X-Ray tracing. What a machine may touch is granted in the stack: the ASL
takes queue URLs from the execution input, so the role's policy is what limits them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from chalicelib.core import resources
from constructs import Construct

from .nag import acknowledge
from .naming import pascal


class Workflows(Construct):
    """``machines`` is keyed by ``StateMachineDefinition.key``."""

    def __init__(self, scope: Construct, construct_id: str, *, app_name: str,
                 definitions: Iterable[resources.StateMachineDefinition],
                 log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, construct_id)
        self.machines: dict[str, sfn.StateMachine] = {}
        for definition in definitions:
            construct_name = pascal(definition.key)
            log_group = logs.LogGroup(self, f"{construct_name}Logs", retention=log_retention)
            machine = sfn.StateMachine(
                self, construct_name,
                state_machine_name=definition.physical_name(app_name),
                state_machine_type=sfn.StateMachineType.STANDARD,
                definition_body=sfn.DefinitionBody.from_string(
                    json.dumps(resources.state_machine_definition(definition, app_name))),
                logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL,
                                    include_execution_data=False),
                tracing_enabled=True,
            )
            acknowledge(machine.role, "IAM5",
                        "CloudWatch Logs vended-log delivery and X-Ray trace submission do not support "
                        "resource-level permissions; CDK grants exactly these actions on '*'.",
                        "Resource::*")
            self.machines[definition.key] = machine

    def machine(self, definition: resources.StateMachineDefinition) -> sfn.StateMachine:
        return self.machines[definition.key]
