"""Make moto's DynamoDB answer one request at a time.

DynamoDB applies each conditional write atomically: of two concurrent ``UpdateItem`` calls
conditioned on ``state = new``, exactly one succeeds. moto's threaded server checks the condition
and writes the item in two steps without a lock, so two threads can both pass the check. The
inbox relies on that atomicity (pick-up races, idempotent ingest), so the local runtime serialises
DynamoDB requests; the other services keep serving concurrently (SQS long polls must not block).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_LOCK = threading.Lock()
_MARKER = "_contact_serialised"


def serialise_dynamodb_requests() -> None:
    """Wrap moto's DynamoDB request handler in a process-wide lock (idempotent)."""
    if getattr(DynamoHandler.call_action, _MARKER, False):
        return
    unlocked = DynamoHandler.call_action

    @functools.wraps(unlocked)
    def call_action(self: DynamoHandler) -> Any:
        with _LOCK:
            return unlocked(self)

    setattr(call_action, _MARKER, True)
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
