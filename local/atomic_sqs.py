"""Make moto's SQS hand each visible message to one receiver, as SQS does.

moto's ``receive_message`` walks the queue, marks messages received and copies them without a
lock, so two concurrent receives on one queue (the local runtime runs several pollers per queue,
as Lambda runs several concurrent batches) can both take the same message. Receives on one queue
are serialised here; other queues are not held up.

And a long poll that finds only messages it may not take (a FIFO group already in flight) spins:
moto waits "until the queue has visible messages", which is at once true. Here it waits for a new
message or a tenth of a second, whichever comes first.

moto also reads the clock once per message whenever it counts a queue's visible, delayed or
in-flight messages, which it does three times for every message sent (``Queue.attributes``):
sending slowed down as a backlog grew. Here each count reads the clock once.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from typing import Any

from moto.core.utils import unix_time_millis
from moto.sqs.models import Message, Queue, SQSBackend

_MARKER = "_contact_one_receiver"
_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_RECHECK_SECONDS = 0.1


def _wait_for_new_messages(self: Queue, timeout: int) -> None:
    # add_message notifies; messages whose visibility timeout ends do not, hence the recheck.
    with self._messages_lock:
        self._messages_lock.wait(timeout=min(timeout, _RECHECK_SECONDS))


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


def receive_each_message_once() -> None:
    """Patch moto's SQS backend (idempotent)."""
    if getattr(SQSBackend.receive_message, _MARKER, False):
        return
    unlocked = SQSBackend.receive_message

    @functools.wraps(unlocked)
    def receive_message(self: SQSBackend, queue_name: str, count: int, wait_seconds_timeout: int,
                        *args: Any, **kwargs: Any) -> Any:
        arrived = time.monotonic()
        with _LOCKS[f"{self.account_id}/{self.region_name}/{queue_name}"]:
            # A long poll ends when the caller asked, however long it waited for the lock.
            remaining = max(0.0, wait_seconds_timeout - (time.monotonic() - arrived)) if wait_seconds_timeout else 0
            return unlocked(self, queue_name, count, remaining, *args, **kwargs)  # type: ignore[arg-type]

    setattr(receive_message, _MARKER, True)
    SQSBackend.receive_message = receive_message  # type: ignore[method-assign]
    Queue.wait_for_messages = _wait_for_new_messages  # type: ignore[method-assign]
    Queue.messages = property(_visible)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages = property(_count_visible)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_delayed = property(_count_delayed)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_not_visible = property(_count_in_flight)  # type: ignore[method-assign,assignment]
