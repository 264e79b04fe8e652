"""Ports of the live push: the WebSocket connections of a team, API Gateway's management API, and
the inbox counts sent with each notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

# A tab's count above this means "more than this": the count stops there.
COUNT_LIMIT = 999


class TabView(StrEnum):
    """What a tab's conversation list shows, as the browser declares it."""

    NEW = "new"
    MINE = "mine"
    ASSIGNED = "assigned"
    ALL = "all"
    # A list narrowed by filters or a search: the server does not follow filters, so such a list
    # counts as one that can show any conversation.
    FILTERED = "filtered"
    # No conversation list on screen (settings, statistics, customers, help).
    NONE = "none"


@dataclass(frozen=True)
class Watch:
    """What a tab shows: its list's view and the conversation open in its thread pane. Only a hint
    for choosing whom a notice concerns; it never grants access to anything."""

    view: TabView
    conversation_id: str | None = None


@dataclass(frozen=True)
class Connection:
    connection_id: str
    user_id: str
    team_id: str
    # None: the tab never said what it shows (an older web app), so it gets every notice.
    watch: Watch | None = None
    # When $connect stored it (None where the reader does not say).
    connected_at: datetime | None = None


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


class UserConnections(Protocol):
    """A user's connections in every team, as withdrawing access reads them (storage/connections.py)."""

    def all_of_user(self, user_id: str) -> list[Connection]:
        """Every open connection of the user, whatever its team (read from an index: a connection
        stored in the last moment may be missing)."""
        ...

    def remove(self, connection: Connection) -> None: ...


class Connections(TeamConnections, UserConnections, Protocol):
    """Every open WebSocket connection, by id, by team and user, and by user."""

    def add(self, connection: Connection, at: datetime) -> None: ...

    def watch_of(self, connection: Connection) -> Watch | None:
        """What the connection last declared it shows (None: nothing yet, or the connection is gone)."""
        ...

    def set_watch(self, connection: Connection, watch: Watch) -> None:
        """Store what the connection shows; a connection removed meanwhile stays removed."""
        ...

    def get(self, connection_id: str) -> Connection | None: ...

    def of_user(self, team_id: str, user_id: str) -> list[Connection]: ...
