"""Who is signed in now, from the web app's heartbeat (``storage/presence.py``). Conversations
are assigned only to colleagues who are online (by hand here, automatically in
``assignment.py``), and a reopened conversation returns to its agent only if they are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.storage import presence

from .assignment import WaitingOffers
from .identity import WORKING_ROLES, Principal
from .models import Presence


class PresenceService:
    def __init__(self, clock: Callable[[], datetime], offers: WaitingOffers | None = None) -> None:
        self._clock = clock
        self._offers = offers

    def heartbeat(self, principal: Principal) -> datetime:
        """Record the caller as signed in (in each of their teams); returns until when they count
        as online without another heartbeat. An agent who was offline in a team may take its
        waiting conversations now: they are offered again (through the assignment worker)."""
        now = self._clock()
        came_online = presence.record_heartbeat(principal.id, principal.user.team_ids, now)
        if came_online and principal.user.role in WORKING_ROLES and self._offers is not None:
            self._offers.request(came_online)
        return now + presence.ONLINE_WINDOW

    def went_away(self, team_id: str, user_id: str) -> None:
        """The user's last WebSocket connection in the team closed: they count as offline there
        after ``presence.DEPARTURE_GRACE`` (a page reload reconnects well within it)."""
        presence.record_departure(user_id, team_id, self._clock())

    def is_online(self, team_id: str, user_id: str) -> bool:
        seen = presence.last_seen(team_id, user_id)
        return seen is not None and self._clock() - seen <= presence.ONLINE_WINDOW

    def online(self, principal: Principal) -> list[Presence]:
        """Colleagues of the caller's team signed in now."""
        return presence.seen_since(principal.team_id, self._clock() - presence.ONLINE_WINDOW)
