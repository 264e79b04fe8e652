"""Move the messages of a dead-letter queue back to their source queue, once the cause of the
failures is fixed.

    python -m ops.redrive inbound                          # AWS, with the usual credentials
    python -m ops.redrive inbound --endpoint-url http://127.0.0.1:5000   # the local runtime

In AWS, ``aws sqs start-message-move-task --source-arn <dlq arn>`` does the same; this command
also runs against moto (which lacks message move tasks) and keeps FIFO message groups, so one
customer's messages stay in order. Each message is sent before it is deleted from the DLQ, so a
crash in between can only repeat a message, which the handlers' idempotency absorbs (and the
FIFO deduplication id, derived from the DLQ message id, suppresses within five minutes).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from chalicelib.core import resources

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef, SendMessageBatchRequestEntryTypeDef

# Long enough to send a batch on and delete it; a crash leaves the messages in the DLQ after it.
RECEIVE_VISIBILITY_SECONDS = 60


@dataclass(frozen=True)
class RedriveResult:
    moved: int


def redrive(sqs: SQSClient, queue: resources.QueueDefinition, app_name: str, *,
            limit: int | None = None) -> RedriveResult:
    """Move up to ``limit`` messages (all by default) from ``queue``'s DLQ back to ``queue``."""
    source_url = sqs.get_queue_url(QueueName=queue.physical_name(app_name))["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=queue.dlq_physical_name(app_name))["QueueUrl"]
    moved = 0
    while limit is None or moved < limit:
        wanted = 10 if limit is None else min(10, limit - moved)
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=wanted, VisibilityTimeout=RECEIVE_VISIBILITY_SECONDS,
            AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            break
        entries = [_entry(str(index), message, fifo=queue.fifo) for index, message in enumerate(messages)]
        sent = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
        if sent.get("Failed"):
            failures = ", ".join(f"{f['Id']}: {f.get('Message', f['Code'])}" for f in sent["Failed"])
            raise RuntimeError(f"could not send back to {queue.key}: {failures}")
        sqs.delete_message_batch(QueueUrl=dlq_url, Entries=[
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(messages)])
        moved += len(messages)
    return RedriveResult(moved=moved)


def _entry(entry_id: str, message: MessageTypeDef, *, fifo: bool) -> SendMessageBatchRequestEntryTypeDef:
    entry: SendMessageBatchRequestEntryTypeDef = {"Id": entry_id, "MessageBody": message["Body"]}
    attributes = message.get("MessageAttributes")
    if attributes:
        entry["MessageAttributes"] = {
            name: {key: value for key, value in attribute.items()  # type: ignore[misc]
                   if key in {"DataType", "StringValue", "BinaryValue"}}
            for name, attribute in attributes.items()}
    if fifo:
        entry["MessageGroupId"] = message["Attributes"]["MessageGroupId"]
        entry["MessageDeduplicationId"] = f"redrive-{message['MessageId']}"
    return entry


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.redrive", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queue", choices=[queue.key for queue in resources.QUEUES],
                        help="the source queue whose dead-letter queue is drained")
    parser.add_argument("--app-name", default=resources.DEFAULT_APP_NAME)
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint, e.g. the local runtime's moto")
    parser.add_argument("--region", default=None)
    parser.add_argument("--limit", type=int, default=None, help="move at most this many messages")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    client_options: dict[str, Any] = {"endpoint_url": args.endpoint_url}
    if args.region:
        client_options["region_name"] = args.region
    sqs = boto3.client("sqs", **client_options)
    queue = next(queue for queue in resources.QUEUES if queue.key == args.queue)
    result = redrive(sqs, queue, args.app_name, limit=args.limit)
    print(f"moved {result.moved} message(s) from {queue.dlq_physical_name(args.app_name)} "
          f"back to {queue.physical_name(args.app_name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
