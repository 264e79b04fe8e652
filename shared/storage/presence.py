"""Who is signed in now: a heartbeat item per user and team, with a TTL so stale ones vanish.
DynamoDB's TTL removal is lazy, so readers compare ``last_seen`` themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.models import Presence
from pynamodb.pagination import ResultIterator

from . import keys
from .items import PresenceItem

# Kept well past the online window: the item only needs to outlive the window it answers for.
PRESENCE_TTL = timedelta(hours=1)


class PresenceRepository:
    def heartbeat(self, user_id: str, team_ids: tuple[str, ...], now: datetime) -> None:
        expires = int((now + PRESENCE_TTL).timestamp())
        for team_id in team_ids:
            PresenceItem(keys.presence_pk(team_id), keys.presence_sk(user_id), user_id=user_id, last_seen=now,
                         expires_at=expires).save()

    def last_seen(self, team_id: str, user_id: str) -> datetime | None:
        try:
            return PresenceItem.get(keys.presence_pk(team_id), keys.presence_sk(user_id)).last_seen
        except PresenceItem.DoesNotExist:
            return None

    def seen_since(self, team_id: str, since: datetime) -> list[Presence]:
        """The team's members seen at or after ``since`` (one Query over the team's presence
        items, which are as many as the team has members signed in within the hour)."""
        results: ResultIterator[PresenceItem] = PresenceItem.query(
            keys.presence_pk(team_id), filter_condition=PresenceItem.last_seen >= since)
        return [Presence(user_id=item.user_id, last_seen=item.last_seen) for item in results]
