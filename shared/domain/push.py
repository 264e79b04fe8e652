"""Push to the agents' browsers over the WebSocket API: who is connected (``PushConnections``,
called by ``$connect``, ``$disconnect`` and messages) and the worker that sends each batch of
notices to the connections of the teams concerned (``PushFanOut``).

A connection belongs to one user acting in one team, authenticated at ``$connect`` by the same ID
token check and the same team rule as every API request: a rejected token never gets a connection,
and a notice reaches only the connections of the conversation's own team. The socket is also the
presence signal: connecting and the heartbeat messages count as the API heartbeat did, and a user
whose last connection in a team closed counts as offline there after a short grace.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import InvalidInput, Unauthenticated

from .counts import TabCountsOut
from .identity import Principal, principal_for
from .notices import Notice, NoticePublisher, NoticeType
from .ports.push import Connection, ConnectionGateway, Connections, TeamConnections, TeamCounts
from .work_models import AVAILABILITIES

if TYPE_CHECKING:
    from .models import User
    from .presence import PresenceService

log = logging.getLogger(__name__)

# The subprotocol the web app asks for; its token travels as the second offered subprotocol, so it
# never appears in a URL (nor in access logs that record URLs).
PROTOCOL = "open-contact.v1"
# Posts in flight at once per worker invocation: 1,000 connections take about 1000/32 round trips.
FAN_OUT_THREADS = 32
HEARTBEAT_ACTION = "heartbeat"


def token_of(protocol_header: str | None) -> str:
    """The ID token from ``Sec-WebSocket-Protocol: open-contact.v1, <token>``."""
    offered = [part.strip() for part in (protocol_header or "").split(",") if part.strip()]
    if PROTOCOL not in offered:
        raise Unauthenticated(f"Sec-WebSocket-Protocol must offer {PROTOCOL} and the ID token",
                              field="Sec-WebSocket-Protocol")
    tokens = [part for part in offered if part != PROTOCOL]
    if len(tokens) != 1:
        raise Unauthenticated("Sec-WebSocket-Protocol must carry exactly one ID token", field="Sec-WebSocket-Protocol")
    return tokens[0]


class PushConnections:
    def __init__(self, store: Connections, subject: Callable[[str], str],
                 user: Callable[[str], User | None], team_exists: Callable[[str], bool],
                 presence: PresenceService, notices: NoticePublisher, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._subject = subject
        self._user = user
        self._team_exists = team_exists
        self._presence = presence
        self._notices = notices
        self._clock = clock

    def connect(self, connection_id: str, protocol_header: str | None, team: str | None) -> Principal:
        """Authenticate and store a new connection; raises (and stores nothing) when refused."""
        user_id = self._subject("Bearer " + token_of(protocol_header))
        principal = principal_for(self._user(user_id), team, self._team_exists)
        self._store.add(Connection(connection_id, principal.id, principal.team_id), self._clock())
        self._presence.keep_alive(principal)
        self._notices.presence_changed([principal.team_id], principal.id)
        return principal

    def message(self, connection_id: str, body: str | None) -> None:
        """A message from the browser: only the heartbeat, which keeps the user online and carries
        the availability they chose (Available, Away, Offline; absent: the one they chose last). It
        is the web app's only presence signal while the socket is up: no API call."""
        try:
            action = json.loads(body or "null")
        except ValueError as error:
            raise InvalidInput("a message must be JSON", field="body") from error
        if not isinstance(action, dict) or action.get("action") != HEARTBEAT_ACTION:
            raise InvalidInput(f'the only message is {{"action": "{HEARTBEAT_ACTION}"}}', field="action")
        status = action.get("availability")
        if status is not None and status not in AVAILABILITIES:
            raise InvalidInput(f"availability must be one of {', '.join(AVAILABILITIES)}", field="availability")
        connection = self._store.get(connection_id)
        if connection is None:
            raise Unauthenticated("this connection is not registered")
        # The user is read again: a user disabled since connecting stops counting as online.
        principal = principal_for(self._user(connection.user_id), connection.team_id, self._team_exists)
        if self._presence.keep_alive(principal, status):
            # Colleagues' team views show who is Available, Away or Offline.
            self._notices.presence_changed(principal.user.team_ids, principal.id)

    def disconnect(self, connection_id: str) -> None:
        connection = self._store.get(connection_id)
        if connection is None:
            return
        self._store.remove(connection)
        if not self._store.of_user(connection.team_id, connection.user_id):
            self._presence.went_away(connection.team_id, connection.user_id)
            self._notices.presence_changed([connection.team_id], connection.user_id)


@dataclass(frozen=True)
class FanOutReport:
    teams: int
    connections: int
    sent: int
    gone: int
    failed: int


def _counts_for(counts: TeamCounts, user_id: str) -> dict[str, int]:
    return TabCountsOut.of(counts, user_id).model_dump()


class PushFanOut:
    """Sends a batch of notices: per team, one read of its connections (and, when a conversation
    moved, one read of its counts), then one post per connection carrying every notice of the batch
    for that team, posted by a bounded pool of threads. Gone connections are removed."""

    def __init__(self, connections: TeamConnections, gateway: ConnectionGateway,
                 team_of: Callable[[str], str | None], counts: Callable[[str], TeamCounts],
                 threads: int = FAN_OUT_THREADS) -> None:
        self._connections = connections
        self._gateway = gateway
        self._team_of = team_of
        self._counts = counts
        self._threads = threads

    @cached_property
    def _pool(self) -> ThreadPoolExecutor:
        # One pool per container, reused by every invocation.
        return ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="push")

    def deliver(self, notices: Sequence[Notice]) -> FanOutReport:
        by_team: dict[str, list[Notice]] = defaultdict(list)
        for notice in notices:
            team_id = notice.team_id or (self._team_of(notice.conversation_id) if notice.conversation_id else None)
            if team_id is None:
                log.info("notice about nothing that still exists dropped", extra={"notice": notice.model_dump()})
                continue
            by_team[team_id].append(notice)
        results: list[tuple[Connection, bool | None]] = []
        for team_id, team_notices in by_team.items():
            connections = self._connections.of_team(team_id)
            if not connections:
                continue
            moved = any(notice.type is NoticeType.CONVERSATION for notice in team_notices)
            counts = self._counts(team_id) if moved else None
            wire = [notice.model_dump(mode="json", exclude={"team_id"}, exclude_none=True) for notice in team_notices]

            def post(connection: Connection, wire: list[dict[str, Any]] = wire,
                     counts: TeamCounts | None = counts) -> tuple[Connection, bool | None]:
                body: dict[str, Any] = {"notices": wire}
                if counts is not None:
                    body["counts"] = _counts_for(counts, connection.user_id)
                try:
                    return connection, self._gateway.post(connection.connection_id, json.dumps(body).encode())
                except Exception:
                    log.exception("push to a connection failed", extra={"connection_id": connection.connection_id})
                    return connection, None

            results.extend(self._pool.map(post, connections))
        gone = [connection for connection, delivered in results if delivered is False]
        for connection in gone:
            self._connections.remove(connection)
        return FanOutReport(teams=len(by_team), connections=len(results),
                            sent=sum(1 for _, delivered in results if delivered), gone=len(gone),
                            failed=sum(1 for _, delivered in results if delivered is None))
