"""The inbox tabs' counts, exact up to ``COUNT_LIMIT`` (beyond it the web app shows "999+"). The push
worker sends a team's counts with every notice about a conversation that moved; this is the read
behind them for a tab that opens or reconnects (storage/connections.py, ``team_counts``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .models import Frozen
from .ports.push import COUNT_LIMIT, TeamCounts

if TYPE_CHECKING:
    from .identity import Principal


class TabCountsOut(Frozen):
    new: int
    mine: int
    assigned: int
    all: int
    # A count above this means "more than this": the count stops there.
    limit: int = COUNT_LIMIT

    @classmethod
    def of(cls, counts: TeamCounts, user_id: str) -> TabCountsOut:
        return cls(new=counts.new, mine=counts.mine.get(user_id, 0), assigned=counts.assigned, all=counts.all)


class InboxCounts:
    def __init__(self, counts: Callable[[str], TeamCounts]) -> None:
        self._counts = counts

    def of(self, principal: Principal) -> TabCountsOut:
        """The counts of the caller's team (every signed-in role reads its team's inbox)."""
        return TabCountsOut.of(self._counts(principal.team_id), principal.id)
