"""Every queue of resources.QUEUES exists with its dead-letter queue, as defined."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template
from chalicelib.core import resources

from infra.constructs.queues import Queues
from tests.infra.conftest import Synthesized, empty_stack

pytestmark = pytest.mark.infra


def _by_name(synthesized: Synthesized) -> dict[str, tuple[str, dict[str, Any]]]:
    return {queue["Properties"]["QueueName"]: (logical_id, queue["Properties"])
            for logical_id, queue in synthesized.of_type("AWS::SQS::Queue").items()}


def _attributes(properties: dict[str, Any]) -> dict[str, str]:
    """The template's queue properties in the shape of QueueDefinition.attributes()."""
    names = ("VisibilityTimeout", "MessageRetentionPeriod", "FifoQueue", "ContentBasedDeduplication",
             "DeduplicationScope", "FifoThroughputLimit")
    return {name: str(properties[name]).lower() if isinstance(properties[name], bool) else str(properties[name])
            for name in names if name in properties}


@pytest.mark.parametrize("definition", resources.QUEUES, ids=lambda definition: definition.key)
def test_queue_matches_its_definition(synthesized: Synthesized, definition: resources.QueueDefinition) -> None:
    # Given the synthesized queues by name
    queues = _by_name(synthesized)

    # When looking up the queue and its dead-letter queue
    _, queue = queues[definition.physical_name(synthesized.app_name)]
    dlq_id, dlq = queues[definition.dlq_physical_name(synthesized.app_name)]

    # Then the queue has the definition's attributes and redrives to its dead-letter queue
    assert _attributes(queue) == definition.attributes()
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                                      "maxReceiveCount": definition.max_receive_count}
    # And the dead-letter queue is of the same kind and keeps messages longer
    assert dlq.get("FifoQueue", False) is definition.fifo
    assert dlq["MessageRetentionPeriod"] == definition.dlq_retention_days * 86400
    # And both are encrypted with SQS-managed keys
    assert queue["SqsManagedSseEnabled"] is True
    assert dlq["SqsManagedSseEnabled"] is True


def test_every_queue_refuses_plain_http(synthesized: Synthesized) -> None:
    # Given the queue policies
    denied: set[str] = set()
    for policy in synthesized.of_type("AWS::SQS::QueuePolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        if any(s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements):
            denied.update(queue["Ref"] for queue in policy["Properties"]["Queues"])

    # Then every queue, dead-letter queues included, denies requests without TLS
    assert denied == set(synthesized.of_type("AWS::SQS::Queue"))


def test_queues_construct_alone() -> None:
    # Given the queues construct in an empty stack
    stack = empty_stack()
    queues = Queues(stack, "Queues", app_name="unit", definitions=resources.QUEUES)

    # When
    template = Template.from_stack(stack)

    # Then there are two queues per definition, each exposed by key
    template.resource_count_is("AWS::SQS::Queue", 2 * len(resources.QUEUES))
    assert set(queues.queues) == set(queues.dead_letter_queues) == {q.key for q in resources.QUEUES}
    assert queues.queue(resources.SEND_QUEUE).fifo is True
    assert queues.dead_letter_queue(resources.PURGE_QUEUE).fifo is False
