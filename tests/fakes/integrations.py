"""The queues and state machines as recorders: what a use case sent, in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.core.resources import QueueDefinition
from chalicelib.domain.ports.integrations import QueueMessage


class RecordingPublisher:
    """``Publisher`` that keeps each message with the key of its queue."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, QueueMessage]] = []

    def send(self, queue: QueueDefinition, messages: Sequence[QueueMessage]) -> None:
        self.sent.extend((queue.key, message) for message in messages)

    def bodies(self, queue: QueueDefinition) -> list[str]:
        return [message.body for key, message in self.sent if key == queue.key]


class RecordingStateMachines:
    """``StateMachines`` that keeps each start; a repeated name with ``if_absent`` starts nothing."""

    def __init__(self) -> None:
        self.started: dict[str, tuple[str, dict[str, Any]]] = {}
        self.unnamed: list[tuple[str, dict[str, Any]]] = []

    def start(self, state_machine_arn: str, payload: dict[str, Any], *, name: str | None = None,
              if_absent: bool = False) -> None:
        if name is None:
            self.unnamed.append((state_machine_arn, payload))
            return
        if name in self.started:
            if if_absent:
                return
            raise RuntimeError(f"execution {name} exists already")
        self.started[name] = (state_machine_arn, payload)
