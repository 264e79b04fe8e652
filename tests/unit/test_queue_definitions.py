"""The queue definitions hold to what Lambda's SQS event source mapping accepts, so a wrong batch
size or window fails here and not in the middle of a ``cdk deploy``."""

from __future__ import annotations

import pytest
from chalicelib.core import resources
from chalicelib.core.resources import QueueDefinition

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("queue", resources.QUEUES, ids=lambda queue: queue.key)
def test_every_queue_is_read_as_lambda_allows(queue: QueueDefinition) -> None:
    assert 0 <= queue.batching_window_seconds <= 300
    assert 1 <= queue.batch_size <= (10_000 if queue.batching_window_seconds and not queue.fifo else 10)
    # AWS's guidance: the visibility timeout is six times the function's timeout plus the window
    assert queue.visibility_timeout_seconds == 6 * queue.consumer_timeout_seconds + queue.batching_window_seconds


def test_the_notices_gather_for_a_second_into_batches_of_up_to_a_hundred() -> None:
    assert (resources.NOTICES_QUEUE.batching_window_seconds, resources.NOTICES_QUEUE.batch_size) == (1, 100)


@pytest.mark.parametrize(("fifo", "batch_size", "window", "problem"), [
    (False, 11, 0, "above 10 only from a standard queue with a batching window"),
    (True, 11, 1, "above 10 only from a standard queue with a batching window"),
    (False, 10_001, 1, "batches of 1 to 10000"),
    (False, 0, 0, "batches of 1 to 10"),
    (False, 10, 301, "a batching window is 0 to 300 seconds"),
])
def test_a_batch_or_window_lambda_would_refuse_is_refused_when_defined(
        fifo: bool, batch_size: int, window: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        QueueDefinition("q", fifo=fifo, consumer_timeout_seconds=30, max_receive_count=3, batch_size=batch_size,
                        max_concurrency=2, batching_window_seconds=window)
