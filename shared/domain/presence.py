"""Who is signed in now, from the web app's heartbeat (``storage/presence.py``). Conversations
are assigned only to colleagues who are online (by hand here, automatically in
``assignment.py``), and a reopened conversation returns to its agent only if they are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.storage import presence

from .identity import Principal
from .models import Presence


class PresenceService:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    def heartbeat(self, principal: Principal) -> datetime:
        """Record the caller as signed in (in each of their teams); returns until when they count
        as online without another heartbeat."""
        now = self._clock()
        presence.record_heartbeat(principal.id, principal.user.team_ids, now)
        return now + presence.ONLINE_WINDOW

    def is_online(self, team_id: str, user_id: str) -> bool:
        seen = presence.last_seen(team_id, user_id)
        return seen is not None and self._clock() - seen <= presence.ONLINE_WINDOW

    def online(self, principal: Principal) -> list[Presence]:
        """Colleagues of the caller's team signed in now."""
        return presence.seen_since(principal.team_id, self._clock() - presence.ONLINE_WINDOW)
