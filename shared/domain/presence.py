"""Who is at work now, from the web app's heartbeats (``storage/presence.py``): each agent says
Available, Away or Offline (the web app turns them Away after the service's idle minutes), and
one who stops beating (last tab closed, connection lost) is Offline after ``ONLINE_WINDOW``.

Only Available agents are given work: automatic assignment (``assignment.py``), a reopened
conversation's return to its agent, and assignment by a colleague (``lifecycle.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from .identity import WORKING_ROLES, Principal
from .work_models import ONLINE_WINDOW, Availability, Presence

if TYPE_CHECKING:
    from .assignment import WaitingOffers
    from .ports.directory import Presences


class PresenceService:
    def __init__(self, presences: Presences, clock: Callable[[], datetime], offers: WaitingOffers | None = None,
                 load: Callable[[str, Iterable[str]], int] | None = None) -> None:
        self._presences = presences
        self._clock = clock
        self._offers = offers
        self._load = load

    def heartbeat(self, principal: Principal, status: Availability = "available") -> datetime:
        """Record the caller as signed in with ``status`` (in each of their teams); returns until
        when they count as online without another heartbeat. An agent who became Available in a
        team may take its waiting conversations now: they are offered again (assignment worker)."""
        now = self._clock()
        came_online = self._presences.record_heartbeat(principal.id, principal.user.team_ids, now, status)
        if came_online and principal.user.role in WORKING_ROLES and self._offers is not None:
            self._offers.request(came_online)
        return now + ONLINE_WINDOW

    def keep_alive(self, principal: Principal, status: Availability | None = None) -> bool:
        """The WebSocket's heartbeat (and connecting): signed in, with the status the heartbeat
        carries, else the one the agent last chose, so a socket never turns Away into Available.
        Returns whether the status changed (colleagues are told)."""
        seen = self._presences.current(principal.team_id, principal.id)
        previous = seen.status if seen is not None else None
        self.heartbeat(principal, status or previous or "available")
        return status is not None and status != previous

    def went_away(self, team_id: str, user_id: str) -> None:
        """The user's last WebSocket connection in the team closed: they count as offline there
        after a short grace (storage/presence.py ``DEPARTURE_GRACE``: a page reload reconnects well within it)."""
        self._presences.record_departure(user_id, team_id, self._clock())

    def is_available(self, team_id: str, user_id: str) -> bool:
        seen = self._presences.current(team_id, user_id)
        return seen is not None and seen.status == "available" and self._clock() - seen.last_seen <= ONLINE_WINDOW

    def online(self, principal: Principal) -> list[Presence]:
        """Colleagues of the caller's team signed in now, with their status and their load (the
        conversations assigned to them in the team)."""
        seen = self._presences.seen_since(principal.team_id, self._clock() - ONLINE_WINDOW)
        if self._load is None:
            return seen
        return [entry.model_copy(update={"load": self._load(entry.user_id, [principal.team_id])}) for entry in seen]
