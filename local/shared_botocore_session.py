"""One botocore session for all of PynamoDB's connections in a process with many threads.

PynamoDB gives every thread its own botocore session, and a new session parses botocore's
endpoint and service descriptions again before its first client. In Lambda that happens once per
container (one thread); in the local workers, 24 poller threads times a connection per model
class cost seconds of CPU at start, while the first messages waited. Here the threads share one
session and create clients one at a time (botocore's client creation is not thread-safe), which
is what a Lambda container does.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from pynamodb.connection.base import Connection

_LOCK = threading.RLock()
_SHARED: list[botocore.session.Session] = []
_MARKER = "_contact_shared_session"


def _session(self: Connection) -> botocore.session.Session:
    with _LOCK:
        if not _SHARED:
            _SHARED.append(botocore.session.get_session())
        return _SHARED[0]


def share_one_botocore_session() -> None:
    """Patch PynamoDB's Connection (idempotent; only for connections without their own keys)."""
    if getattr(Connection, _MARKER, False):
        return
    own_session = vars(Connection)["session"].fget
    create_client = vars(Connection)["client"].fget
    assert own_session is not None
    assert create_client is not None

    def session(self: Connection) -> botocore.session.Session:
        return own_session(self) if self._aws_access_key_id else _session(self)

    def client(self: Connection) -> Any:
        with _LOCK:
            return create_client(self)

    Connection.session = property(session)  # type: ignore[method-assign,assignment]
    Connection.client = property(client)  # type: ignore[method-assign,assignment]
    setattr(Connection, _MARKER, True)
