"""Ports of the live push: the WebSocket connections of a team, API Gateway's management API, and
the inbox counts sent with each notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# A tab's count above this means "more than this": the count stops there.
COUNT_LIMIT = 999


@dataclass(frozen=True)
class Connection:
    connection_id: str
    user_id: str
    team_id: str


@dataclass(frozen=True)
class TeamCounts:
    """What the tabs of a team count, each up to ``COUNT_LIMIT``; ``mine`` by owner."""

    new: int
    assigned: int
    all: int
    mine: dict[str, int]


class ConnectionGateway(Protocol):
    """API Gateway's management API (``post_to_connection``)."""

    def post(self, connection_id: str, data: bytes) -> bool:
        """Send to one connection; False when it is gone (410)."""
        ...


class TeamConnections(Protocol):
    """The connections of a team, as the fan-out reads them (storage/connections.py)."""

    def of_team(self, team_id: str) -> list[Connection]: ...

    def remove(self, connection: Connection) -> None: ...


class Connections(TeamConnections, Protocol):
    """Every open WebSocket connection, by id and by team and user."""

    def add(self, connection: Connection, at: datetime) -> None: ...

    def get(self, connection_id: str) -> Connection | None: ...

    def of_user(self, team_id: str, user_id: str) -> list[Connection]: ...
