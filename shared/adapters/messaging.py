"""Publishing to the queues and starting state machine executions.

Clients are created lazily (no network at import) and honour ``AWS_ENDPOINT_URL``, which
points them at moto locally.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError
from chalicelib.core.resources import QueueDefinition
from chalicelib.core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient

SQS_BATCH_LIMIT = 10


@lru_cache(maxsize=1)
def sqs_client() -> SQSClient:
    return boto3.client("sqs")


@lru_cache(maxsize=1)
def sfn_client() -> SFNClient:
    return boto3.client("stepfunctions")


def fifo_token(*parts: str) -> str:
    """A FIFO message group or deduplication id (at most 128 characters, safe alphabet)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class QueueMessage:
    body: str
    group_id: str | None = None
    deduplication_id: str | None = None


class QueuePublisher:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def send(self, queue: QueueDefinition, messages: Sequence[QueueMessage]) -> None:
        """Send messages in batches of ten; raise if SQS refused any of them, so that the
        caller (a webhook or a queue worker) fails and the sender retries."""
        url = self._settings.queue_url(queue)
        for start in range(0, len(messages), SQS_BATCH_LIMIT):
            chunk = messages[start:start + SQS_BATCH_LIMIT]
            entries: list[Any] = []
            for index, message in enumerate(chunk):
                entry: dict[str, Any] = {"Id": str(index), "MessageBody": message.body}
                if queue.fifo:
                    entry["MessageGroupId"] = message.group_id
                    entry["MessageDeduplicationId"] = message.deduplication_id
                entries.append(entry)
            response = sqs_client().send_message_batch(QueueUrl=url, Entries=entries)
            if response.get("Failed"):
                failed = response["Failed"][0]
                raise RuntimeError(f"SQS refused a message for {queue.key}: {failed.get('Code')}")


class StateMachineStarter:
    def start(self, state_machine_arn: str, payload: dict[str, Any], *, name: str | None = None,
              if_absent: bool = False) -> None:
        """Start an execution; with ``if_absent``, an execution of that name that exists already
        (started by an earlier attempt) counts as started."""
        kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn, "input": json.dumps(payload)}
        if name:
            kwargs["name"] = name
        try:
            sfn_client().start_execution(**kwargs)
        except ClientError as error:
            if not (if_absent and error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists"):
                raise
