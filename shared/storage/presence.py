"""Presence: who is signed in and working, per team, from the web app's heartbeats.

One item per user per team, overwritten by each heartbeat; its ``collection`` index key sorts
the team's entries by last heartbeat, so "online since T" is one range Query on the index (no
Scan, no filter). Items expire through the table's TTL a day after the last heartbeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from chalicelib.domain.models import Presence
from pynamodb.pagination import ResultIterator

from . import keys
from .admin_items import PresenceItem
from .items import TableItem

# A user is online while their last heartbeat is at most this old.
ONLINE_WINDOW = timedelta(minutes=2)
_EXPIRY = timedelta(days=1)
# A user whose last connection closed stays online this long (a reload or a network blip reconnects).
DEPARTURE_GRACE = timedelta(seconds=20)


def record_heartbeat(user_id: str, team_ids: Iterable[str], at: datetime) -> list[str]:
    """Record a heartbeat in each team; returns the teams the user was not online in before it
    (no heartbeat within ``ONLINE_WINDOW``): there they just came online. One BatchGet of the
    previous heartbeats, one BatchWrite of the new ones."""
    teams = list(dict.fromkeys(team_ids))
    previous = {item.team_id: item.last_seen for item in PresenceItem.batch_get(
        [(keys.presence_pk(team_id), keys.presence_sk(user_id)) for team_id in teams])}
    expires_at = int((at + _EXPIRY).timestamp())
    with PresenceItem.batch_write() as batch:
        for team_id in teams:
            batch.save(PresenceItem(
                keys.presence_pk(team_id), keys.presence_sk(user_id), user_id=user_id, team_id=team_id,
                last_seen=at, expires_at=expires_at, collection_pk=keys.presence_pk(team_id),
                collection_sk=keys.presence_collection_sk(at, user_id)))
    return [team_id for team_id in teams
            if team_id not in previous or at - previous[team_id] > ONLINE_WINDOW]


def record_departure(user_id: str, team_id: str, at: datetime) -> None:
    """The connection-based offline signal: the user's last WebSocket connection in the team closed
    at ``at``. Their presence is dated back so that it runs out ``DEPARTURE_GRACE`` from now; a
    heartbeat meanwhile (a reconnect) dates it forward again."""
    seen = at - ONLINE_WINDOW + DEPARTURE_GRACE
    previous = last_seen(team_id, user_id)
    if previous is not None and previous < seen:
        return  # already counting down to offline (or offline)
    PresenceItem(keys.presence_pk(team_id), keys.presence_sk(user_id), user_id=user_id, team_id=team_id,
                 last_seen=seen, expires_at=int((at + _EXPIRY).timestamp()),
                 collection_pk=keys.presence_pk(team_id),
                 collection_sk=keys.presence_collection_sk(seen, user_id)).save()


def seen_since(team_id: str, since: datetime) -> list[Presence]:
    """Users of the team whose last heartbeat is at ``since`` or later, by user id (index:
    eventually consistent)."""
    results: ResultIterator[TableItem] = PresenceItem.collection.query(
        keys.presence_pk(team_id), PresenceItem.collection_sk >= keys.presence_time(since))
    latest: dict[str, datetime] = {}
    for item in results:
        if isinstance(item, PresenceItem):
            latest[item.user_id] = max(item.last_seen, latest.get(item.user_id, item.last_seen))
    return [Presence(user_id=user_id, last_seen=latest[user_id]) for user_id in sorted(latest)]


def online_user_ids(team_id: str, since: datetime) -> list[str]:
    """Users of the team whose last heartbeat is at ``since`` or later (index: eventually consistent)."""
    return [entry.user_id for entry in seen_since(team_id, since)]


def last_seen(team_id: str, user_id: str) -> datetime | None:
    """One user's last heartbeat in a team (a consistent read of their presence item)."""
    try:
        return PresenceItem.get(keys.presence_pk(team_id), keys.presence_sk(user_id), consistent_read=True).last_seen
    except PresenceItem.DoesNotExist:
        return None
