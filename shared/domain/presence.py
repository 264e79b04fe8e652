"""Who is signed in now, from the web app's heartbeat. Conversations are assigned only to
colleagues who are online, and a reopened conversation returns to its agent only if they are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.storage.presence import PresenceRepository

from .identity import Principal
from .models import Presence

ONLINE_WINDOW = timedelta(seconds=60)


class PresenceService:
    def __init__(self, repository: PresenceRepository, clock: Callable[[], datetime]) -> None:
        self._repository = repository
        self._clock = clock

    def heartbeat(self, principal: Principal) -> datetime:
        """Record the caller as signed in (in each of their teams); returns until when they count
        as online without another heartbeat."""
        now = self._clock()
        self._repository.heartbeat(principal.id, principal.user.team_ids, now)
        return now + ONLINE_WINDOW

    def is_online(self, team_id: str, user_id: str) -> bool:
        seen = self._repository.last_seen(team_id, user_id)
        return seen is not None and self._clock() - seen <= ONLINE_WINDOW

    def online(self, principal: Principal) -> list[Presence]:
        """Colleagues of the caller's team signed in now."""
        return self._repository.seen_since(principal.team_id, self._clock() - ONLINE_WINDOW)
