"""The cost probe's Lambda duration (benchmarks/cost_probe.py ``Phase.lambda_seconds``): the handlers'
CPU time and a wait per AWS call a function makes; the event source mapping's receives and deletes
are SQS requests on the bill, not time a function waits."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks import prices
from benchmarks.cost_probe import EMPTY_RECEIVE, FIFO, Phase

pytestmark = pytest.mark.unit


def phase(requests: dict[str, int], cpu_seconds: float = 0.0) -> Phase:
    return Phase("unit", 1, Counter(requests), read_units=0.0, write_units=0.0, lambda_invocations=2,
                 api_requests=0, webhook_requests=1, cpu_seconds=cpu_seconds)


def test_only_the_functions_own_calls_add_wait_to_their_duration() -> None:
    measured = phase({
        "dynamodb:PutItem": 2, "dynamodb:GetItem": 1, "sqs:SendMessageBatch" + FIFO: 1,  # the functions'
        "sqs:ReceiveMessage" + FIFO: 1, "sqs:DeleteMessageBatch" + FIFO: 1,  # the mapping's
        "sqs:ReceiveMessage": 1, "sqs:DeleteMessageBatch": 1, f"sqs:{EMPTY_RECEIVE}": 5,
    })

    assert measured.function_calls == 4
    assert measured.lambda_seconds() == pytest.approx(4 * prices.AWS_CALL_SECONDS)
    # Every request but the idle polling is still billed by SQS and DynamoDB.
    assert measured.billed_requests == 8


def test_cpu_time_is_scaled_to_the_vcpu_share_of_the_functions_memory() -> None:
    share = prices.LAMBDA_MEMORY_GB * 1024 / prices.LAMBDA_MB_PER_VCPU

    assert phase({}, cpu_seconds=0.01).lambda_seconds() == pytest.approx(0.01 / share)
