"""Presence: who is signed in, and whether they are Available, Away or Offline, per team, from
the web app's heartbeats.

One item per user per team, overwritten by each heartbeat with the status the agent chose; its
``collection`` index key sorts the team's entries by last heartbeat, so "seen since T" is one
range Query on the index (no Scan, no filter). A user whose last heartbeat is older than
``ONLINE_WINDOW`` (the last tab closed, the connection lost) counts as Offline whatever they
chose. Items expire through the table's TTL a day after the last heartbeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.work_models import DEPARTURE_GRACE, ONLINE_WINDOW, Availability, Presence
from pynamodb.pagination import ResultIterator

from . import keys
from .admin_items import PresenceItem

if TYPE_CHECKING:
    from .items import TableItem

_EXPIRY = timedelta(days=1)


def _status(item: PresenceItem) -> Availability:
    value = item.status or "available"
    return value if value in ("available", "away", "offline") else "available"  # type: ignore[return-value]


def record_heartbeat(user_id: str, team_ids: Iterable[str], at: datetime,
                     status: Availability = "available") -> list[str]:
    """Record a heartbeat in each team; returns the teams the user became Available in with it
    (they were not, or not within ``ONLINE_WINDOW``): there they may take waiting work now. One
    BatchGet of the previous heartbeats, one BatchWrite of the new ones."""
    teams = list(dict.fromkeys(team_ids))
    previous = {item.team_id: item for item in PresenceItem.batch_get(
        [(keys.presence_pk(team_id), keys.presence_sk(user_id)) for team_id in teams])}
    expires_at = int((at + _EXPIRY).timestamp())
    with PresenceItem.batch_write() as batch:
        for team_id in teams:
            batch.save(PresenceItem(
                keys.presence_pk(team_id), keys.presence_sk(user_id), user_id=user_id, team_id=team_id,
                last_seen=at, status=status, expires_at=expires_at, collection_pk=keys.presence_pk(team_id),
                collection_sk=keys.presence_collection_sk(at, user_id)))
    if status != "available":
        return []
    return [team_id for team_id in teams
            if team_id not in previous or at - previous[team_id].last_seen > ONLINE_WINDOW
            or _status(previous[team_id]) != "available"]


def record_departure(user_id: str, team_id: str, at: datetime) -> None:
    """The connection-based offline signal: the user's last WebSocket connection in the team closed
    at ``at``. Their presence is dated back so that it runs out ``DEPARTURE_GRACE`` from now; a
    heartbeat meanwhile (a reconnect) dates it forward again."""
    seen = at - ONLINE_WINDOW + DEPARTURE_GRACE
    previous = current(team_id, user_id)
    if previous is not None and previous.last_seen < seen:
        return  # already counting down to offline (or offline)
    PresenceItem(keys.presence_pk(team_id), keys.presence_sk(user_id), user_id=user_id, team_id=team_id,
                 last_seen=seen, status=previous.status if previous else None,
                 expires_at=int((at + _EXPIRY).timestamp()),
                 collection_pk=keys.presence_pk(team_id),
                 collection_sk=keys.presence_collection_sk(seen, user_id)).save()


def seen_since(team_id: str, since: datetime) -> list[Presence]:
    """Users of the team whose last heartbeat is at ``since`` or later, with the status it
    carried, by user id (index: eventually consistent)."""
    results: ResultIterator[TableItem] = PresenceItem.collection.query(
        keys.presence_pk(team_id), PresenceItem.collection_sk >= keys.presence_time(since))
    latest: dict[str, PresenceItem] = {}
    for item in results:
        if isinstance(item, PresenceItem) and (
                item.user_id not in latest or item.last_seen >= latest[item.user_id].last_seen):
            latest[item.user_id] = item
    return [Presence(user_id=user_id, last_seen=latest[user_id].last_seen, status=_status(latest[user_id]))
            for user_id in sorted(latest)]


def available_user_ids(team_id: str, since: datetime) -> list[str]:
    """Users of the team seen at ``since`` or later whose status is Available (index: eventually
    consistent)."""
    return [entry.user_id for entry in seen_since(team_id, since) if entry.status == "available"]


def current(team_id: str, user_id: str) -> Presence | None:
    """One user's last heartbeat in a team with its status (a consistent read of their item)."""
    try:
        item = PresenceItem.get(keys.presence_pk(team_id), keys.presence_sk(user_id), consistent_read=True)
    except PresenceItem.DoesNotExist:
        return None
    return Presence(user_id=user_id, last_seen=item.last_seen, status=_status(item))


def last_seen(team_id: str, user_id: str) -> datetime | None:
    """One user's last heartbeat in a team (a consistent read of their presence item)."""
    found = current(team_id, user_id)
    return None if found is None else found.last_seen


class PresenceStore:
    """The presence port (domain/ports/directory.py ``Presences``) over the functions above."""

    def record_heartbeat(self, user_id: str, team_ids: Iterable[str], at: datetime,
                         status: Availability = "available") -> list[str]:
        return record_heartbeat(user_id, team_ids, at, status)

    def seen_since(self, team_id: str, since: datetime) -> list[Presence]:
        return seen_since(team_id, since)

    def available_user_ids(self, team_id: str, since: datetime) -> list[str]:
        return available_user_ids(team_id, since)

    def current(self, team_id: str, user_id: str) -> Presence | None:
        return current(team_id, user_id)

    def record_departure(self, user_id: str, team_id: str, at: datetime) -> None:
        record_departure(user_id, team_id, at)

    def last_seen(self, team_id: str, user_id: str) -> datetime | None:
        return last_seen(team_id, user_id)
