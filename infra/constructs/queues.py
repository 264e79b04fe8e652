"""One SQS queue and its dead-letter queue per ``resources.QueueDefinition``."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from chalicelib.core.resources import QueueDefinition
from constructs import Construct

from .nag import SERVERLESS, acknowledge
from .naming import pascal


class Queues(Construct):
    """``queues`` and ``dead_letter_queues`` are keyed by ``QueueDefinition.key``."""

    def __init__(self, scope: Construct, construct_id: str, *, app_name: str,
                 definitions: Iterable[QueueDefinition]) -> None:
        super().__init__(scope, construct_id)
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for definition in definitions:
            dead_letter_queue = self._queue(
                f"{pascal(definition.key)}Dlq", definition,
                name=definition.dlq_physical_name(app_name), retention_days=definition.dlq_retention_days)
            self.dead_letter_queues[definition.key] = dead_letter_queue
            acknowledge(dead_letter_queue, "SQSRedrivePolicy", "This is the dead-letter queue: records that failed "
                        "max_receive_count times end here and stay for its retention, watched by a depth alarm "
                        "(docs/operations.md); a redrive policy on it would only move them to yet another queue.",
                        pack=SERVERLESS)
            self.queues[definition.key] = self._queue(
                pascal(definition.key), definition,
                name=definition.physical_name(app_name), retention_days=definition.retention_days,
                visibility_timeout=Duration.seconds(definition.visibility_timeout_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=definition.max_receive_count,
                                                      queue=dead_letter_queue),
            )

    def queue(self, definition: QueueDefinition) -> sqs.Queue:
        return self.queues[definition.key]

    def dead_letter_queue(self, definition: QueueDefinition) -> sqs.Queue:
        return self.dead_letter_queues[definition.key]

    def _queue(self, construct_id: str, definition: QueueDefinition, *, name: str, retention_days: int,
               visibility_timeout: Duration | None = None,
               dead_letter_queue: sqs.DeadLetterQueue | None = None) -> sqs.Queue:
        return sqs.Queue(
            self, construct_id,
            queue_name=name,
            # A standard queue leaves FifoQueue out: SQS rejects FifoQueue=false on some APIs.
            fifo=True if definition.fifo else None,
            # Deduplication ids are always explicit (see QueueDefinition.attributes).
            content_based_deduplication=False if definition.fifo else None,
            # High-throughput FIFO, as QueueDefinition.attributes() sets it for the local runtime.
            deduplication_scope=sqs.DeduplicationScope.MESSAGE_GROUP if definition.fifo else None,
            fifo_throughput_limit=sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID if definition.fifo else None,
            retention_period=Duration.days(retention_days),
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
