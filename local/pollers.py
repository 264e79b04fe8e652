"""SQS pollers that stand in for Lambda's event source mappings.

Each poller receives up to the queue's batch size, hands the very handler Lambda would call an
SQS event of the shape Lambda builds, deletes the records the handler did not report as
failed, and leaves the failed ones on the queue. SQS counts every receive, so a record that
keeps failing moves to the dead-letter queue after the queue's maxReceiveCount, as in AWS.

One difference, for speed only: Lambda lets a failed record wait out the visibility timeout
before it is received again; the pollers shorten that wait to ``retry_delay_seconds``.

A queue with a batching window (``QueueDefinition.batching_window_seconds``) is read as the event
source mapping reads it: after the first records arrive, the poller keeps receiving (10 at most per
receive, SQS's limit) until the window has passed or the batch is full, then invokes once. Several
pollers of one queue split what arrives between their batches, as the mapping's do (it starts
five; the runtime ``pollers_per_queue``, and the monthly bill, benchmarks/bill.py, models five).

Like an event source mapping, a poller long-polls for up to 20 seconds: an idle queue costs one
receive per poller every 20 seconds, not one a second (with three pollers on each of a dozen
queues, that was a tenth of a core while nothing happened). A poller asked to stop leaves a
batch that arrives after that on the queue (it comes back after its visibility timeout, and the
saved state keeps it), so stopping never waits for a long poll.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import boto3
from chalice.local import LambdaContext
from chalicelib.core import resources

from .aws_calls import invoked_as

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef, ReceiveMessageRequestTypeDef

log = logging.getLogger("local.pollers")

LambdaHandler = Callable[[dict[str, Any], Any], Any]
LONG_POLL_SECONDS = 20  # the longest SQS allows, as event source mappings poll
# Within a batching window: the pause between receives that found nothing.
WINDOW_RECEIVE_PAUSE_SECONDS = 0.05


@dataclass(frozen=True)
class QueueConsumer:
    queue: resources.QueueDefinition
    queue_url: str
    queue_arn: str
    function_name: str
    handler: LambdaHandler


def _handler(handler_string: str) -> LambdaHandler:
    """The function Lambda would call for ``module.function`` (a worker blueprint's module)."""
    module, name = handler_string.rsplit(".", 1)
    return cast(LambdaHandler, getattr(importlib.import_module(module), name))


def consumers_of(app_module: ModuleType, queue_urls: dict[str, str], region: str,
                 app_name: str) -> list[QueueConsumer]:
    """The consumers the Chalice app registers, matched to the queues by physical name."""
    by_name = {queue.physical_name(app_name): queue for queue in resources.QUEUES}
    consumers = []
    for source in app_module.app.event_sources:
        queue = by_name[source.queue]
        consumers.append(QueueConsumer(
            queue=queue, queue_url=queue_urls[queue.key],
            queue_arn=f"arn:aws:sqs:{region}:123456789012:{source.queue}",
            function_name=source.name,
            handler=_handler(source.handler_string),
        ))
    return consumers


def lambda_sqs_event(messages: list[MessageTypeDef], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS event exactly as Lambda's event source mapping builds it."""
    records = []
    for message in messages:
        attributes = dict(message.get("Attributes", {}))
        records.append({
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            # Lambda spells the attribute fields in camel case (stringValue, dataType).
            "messageAttributes": {
                name: {key[0].lower() + key[1:]: value for key, value in attribute.items()}
                for name, attribute in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        })
    return {"Records": records}


class Poller(threading.Thread):
    def __init__(self, consumer: QueueConsumer, *, region: str, endpoint_url: str,
                 retry_delay_seconds: int = 1, wait_seconds: int = LONG_POLL_SECONDS,
                 visibility_timeout_seconds: int | None = None, batching_window: bool = True) -> None:
        super().__init__(name=f"poller-{consumer.queue.key}", daemon=True)
        self.consumer = consumer
        self._region = region
        self._sqs = boto3.client("sqs", endpoint_url=endpoint_url, region_name=region)
        self._retry_delay = retry_delay_seconds
        self._wait = wait_seconds
        # None keeps the queue's own visibility timeout, as Lambda's event source mapping does.
        self._visibility = visibility_timeout_seconds
        # False: each invocation takes what one receive returns (the cost probe steps the pipeline by
        # hand, one change at a time, and prices the window in the monthly bill).
        self._window = consumer.queue.batching_window_seconds if batching_window else 0
        self._stop_requested = threading.Event()
        # Set while a batch is in the handler's hands (stopping waits for it, not for a long poll).
        self.handling = threading.Event()
        self.invocations = 0
        # CPU time spent in the handler (this thread only: moto answers in threads of its own),
        # for the cost probe's Lambda duration.
        self.handler_cpu_seconds = 0.0

    def stop(self) -> None:
        self._stop_requested.set()

    def run(self) -> None:
        while not self._stop_requested.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("poller %s failed; polling again", self.consumer.queue.key)
                self._stop_requested.wait(1)

    def poll_once(self) -> int:
        """Receive one batch and invoke the handler with it; returns the number of records. Lambda's
        event source mapping receives and deletes with the function's role, so those calls are the
        function's too."""
        with invoked_as(self.consumer.function_name):
            return self._poll_once()

    def _poll_once(self) -> int:
        messages = self._receive(self.consumer.queue.batch_size, self._wait)
        if not messages or self._stop_requested.is_set():
            return 0
        self.handling.set()
        try:
            self._gather(messages)
            return self._invoke(messages)
        finally:
            self.handling.clear()

    def _receive(self, wanted: int, wait_seconds: int) -> list[MessageTypeDef]:
        request: ReceiveMessageRequestTypeDef = {
            "QueueUrl": self.consumer.queue_url,
            "MaxNumberOfMessages": min(wanted, resources.MAX_RECEIVE_BATCH),
            "WaitTimeSeconds": wait_seconds,
            "AttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self._visibility is not None:
            request["VisibilityTimeout"] = self._visibility
        return self._sqs.receive_message(**request).get("Messages", [])

    def _gather(self, messages: list[MessageTypeDef]) -> None:
        """Within the queue's batching window after the first records, add what else arrives, up to
        the batch size (the records already taken stay invisible meanwhile, as in the mapping)."""
        deadline = time.monotonic() + self._window
        while len(messages) < self.consumer.queue.batch_size and time.monotonic() < deadline:
            more = self._receive(self.consumer.queue.batch_size - len(messages), 0)
            messages.extend(more)
            if not more:
                self._stop_requested.wait(min(WINDOW_RECEIVE_PAUSE_SECONDS, max(0.0, deadline - time.monotonic())))

    def _invoke(self, messages: list[MessageTypeDef]) -> int:
        event = lambda_sqs_event(messages, self.consumer.queue_arn, self._region)
        context = LambdaContext(self.consumer.function_name, memory_size=512, max_runtime_ms=30_000)
        failed: set[str] = set()
        started = time.thread_time()
        try:
            result = self.consumer.handler(event, context)
            failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        except Exception:
            # A handler that raises fails the whole batch, as in Lambda.
            log.exception("handler %s raised", self.consumer.function_name)
            failed = {message["MessageId"] for message in messages}
        self.handler_cpu_seconds += time.thread_time() - started
        self.invocations += 1
        self._settle(messages, failed)
        return len(messages)

    def _settle(self, messages: list[MessageTypeDef], failed: set[str]) -> None:
        done = [m for m in messages if m["MessageId"] not in failed]
        for batch in _in_tens(done):
            self._sqs.delete_message_batch(QueueUrl=self.consumer.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
        retry = [m for m in messages if m["MessageId"] in failed]
        if retry:
            self._retry_sooner(retry)

    def _retry_sooner(self, retry: list[MessageTypeDef]) -> None:
        # Lambda lets a failed record's visibility timeout run out; this shortcut is the local runtime's
        # own, so it is no call of the function's (local/aws_calls.py).
        with invoked_as(None):
            for batch in _in_tens(retry):
                self._sqs.change_message_visibility_batch(QueueUrl=self.consumer.queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._retry_delay}
                    for i, m in enumerate(batch)])


def _in_tens(messages: list[MessageTypeDef]) -> list[list[MessageTypeDef]]:
    """The messages in runs of SQS's largest batch request (10 entries)."""
    size = resources.MAX_RECEIVE_BATCH
    return [messages[start:start + size] for start in range(0, len(messages), size)]


def stop_pollers(pollers: list[Poller], timeout: float = 2.0) -> None:
    """Ask every poller to stop, and wait (up to ``timeout`` in all) for the batches in hand."""
    for poller in pollers:
        poller.stop()
    deadline = time.monotonic() + timeout
    for poller in pollers:
        while poller.handling.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
