"""Make moto's SQS hand each message to one receiver and lose none, at a cost that does not grow
with the queue's backlog.

What moto 5 does, and what is done here instead:

- A receive walks the queue, marks messages received and copies them without a lock, so two
  concurrent receives on one queue (the local runtime runs several pollers per queue, as Lambda
  runs several concurrent batches) could take the same message. A delete rebuilds the queue's
  message list from a copy without the lock a send appends under, so a message sent while
  another was being deleted could vanish. Here every change to a queue's messages (send,
  receive, delete, change of visibility) holds the queue's own condition (moto's
  ``_messages_lock``); queues do not hold each other up.
- A long poll that finds nothing it may take (an empty queue, or only FIFO groups already in
  flight) spun, or, when receives were serialised, kept every other receiver of the queue
  waiting for its whole wait time. Here a receive takes what it may in one pass under the lock
  and, if that is nothing, waits on the condition with the lock released: a send wakes it, and it
  looks again every tenth of a second for messages whose visibility timeout ended.
- Every message sent read ``Queue.attributes`` four times, which computes every attribute of the
  queue, counting its visible, delayed and in-flight messages and reading the clock per message:
  sending slowed down as a backlog grew. Here ``Queue.attributes`` is a mapping that computes an
  attribute when it is read, so a send reads only ``ContentBasedDeduplication``, and each count
  reads the clock once.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from moto.core.utils import camelcase_to_underscores, unix_time_millis
from moto.sqs.models import Message, Queue, SQSBackend

_MARKER = "_contact_one_receiver"
RECHECK_SECONDS = 0.1


class QueueAttributes(Mapping[str, Any]):
    """``Queue.attributes`` as moto computes it, one attribute at a time, when it is read."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def _names(self) -> list[str]:
        queue = self._queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:  # type: ignore[attr-defined]
            names += queue.KMS_ATTRIBUTES
        if queue.policy:
            names.append("Policy")
        if queue.redrive_policy:
            names.append("RedrivePolicy")
        return names

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        queue = self._queue
        if name == "Policy":
            return queue.policy
        if name == "RedrivePolicy":
            return json.dumps(queue.redrive_policy)
        value = getattr(queue, camelcase_to_underscores(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def _visible(self: Queue) -> list[Message]:
    now = unix_time_millis()
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]


def _count_delayed(self: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in self._messages if now < m.delayed_until)


def _count_in_flight(self: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in self._messages if not now > m.visible_at)


def _count_visible(self: Queue) -> int:
    return len(_visible(self))


def _holding_queue_lock(method: Any) -> Any:
    """A Queue method run while holding the queue's condition (re-entrant)."""

    @functools.wraps(method)
    def locked(self: Queue, *args: Any, **kwargs: Any) -> Any:
        with self._messages_lock:
            return method(self, *args, **kwargs)

    return locked


def _holding_named_queue_lock(method: Any) -> Any:
    """An SQSBackend method on one queue (named first) run while holding that queue's condition."""

    @functools.wraps(method)
    def locked(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        with self.get_queue(queue_name)._messages_lock:
            return method(self, queue_name, *args, **kwargs)

    return locked


def _receive(one_pass: Any) -> Any:
    @functools.wraps(one_pass)
    def receive_message(self: SQSBackend, queue_name: str, count: int, wait_seconds_timeout: int,
                        *args: Any, **kwargs: Any) -> list[Message]:
        queue = self.get_queue(queue_name)
        deadline = time.monotonic() + (wait_seconds_timeout or 0)
        condition = queue._messages_lock
        with condition:
            while True:
                # moto's receive with no wait is one pass over the queue (the lock held throughout).
                result: list[Message] = one_pass(self, queue_name, count, 0, *args, **kwargs)
                remaining = deadline - time.monotonic()
                if result or remaining <= 0:
                    return result
                # The lock is released while waiting: other receivers and senders go on.
                condition.wait(timeout=min(remaining, RECHECK_SECONDS))

    return receive_message


def receive_each_message_once() -> None:
    """Patch moto's SQS (idempotent)."""
    if getattr(SQSBackend.receive_message, _MARKER, False):
        return
    receive = _receive(SQSBackend.receive_message)
    setattr(receive, _MARKER, True)
    SQSBackend.receive_message = receive  # type: ignore[method-assign]
    SQSBackend.change_message_visibility = _holding_named_queue_lock(  # type: ignore[method-assign]
        SQSBackend.change_message_visibility)
    # The duplicate check and the append of a send, and the whole of a delete, under one lock.
    Queue.add_message = _holding_queue_lock(Queue.add_message)  # type: ignore[method-assign]
    Queue.delete_message = _holding_queue_lock(Queue.delete_message)  # type: ignore[method-assign]
    Queue.attributes = property(QueueAttributes)  # type: ignore[method-assign,assignment]
    Queue.messages = property(_visible)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages = property(_count_visible)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_delayed = property(_count_delayed)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_not_visible = property(_count_in_flight)  # type: ignore[method-assign,assignment]
