"""Assignment of new and reopened conversations.

Conversations wait in New unless their team assigns automatically (``AssignmentPolicy``). Then
a reopened conversation goes back to the agent who had it (sticky) if they can take it, and
any other goes round robin to the next signed-in agent of the team below the capacity.
"Signed in" is presence: a heartbeat within ``presence.ONLINE_WINDOW``.

Concurrent assignment workers may both pick the same agent; the assignment itself is the
pick-up's conditional update (the conversation must still be New), so nothing is assigned
twice, and the capacity may at worst be exceeded by the number of concurrent workers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from chalicelib.errors import Conflict
from chalicelib.storage import presence
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.teams import TeamStore
from chalicelib.storage.users import UserStore

from .admin_models import AssignmentPolicy
from .events import EventPublisher, conversation_assigned
from .identity import WORKING_ROLES
from .models import Conversation, ConversationState, User


def choose_agent(candidates: Sequence[str], loads: Mapping[str, int], *, capacity: int,
                 last_assigned: str | None, previous_owner: str | None) -> str | None:
    """The agent for one conversation: the previous owner if available, else the first
    available agent after the last one assigned (in id order, wrapping round)."""
    available = sorted(agent for agent in set(candidates) if loads.get(agent, 0) < capacity)
    if not available:
        return None
    if previous_owner in available:
        return previous_owner
    after = [agent for agent in available if last_assigned is None or agent > last_assigned]
    return after[0] if after else available[0]


class Assigner:
    def __init__(self, repository: ContactRepository, clock: Callable[[], datetime], *,
                 teams: TeamStore | None = None, users: UserStore | None = None,
                 events: EventPublisher | None = None) -> None:
        self._repository = repository
        self._teams = teams or TeamStore()
        self._users = users or UserStore()
        self._clock = clock
        self._events = events

    def assign(self, conversation_id: str, previous_owner_id: str | None = None) -> Conversation | None:
        """Returns the conversation if it was assigned, None if it stays in New."""
        conversation = self._repository.get_conversation(conversation_id)
        if conversation.state is not ConversationState.NEW:
            return None
        team = self._teams.cached(conversation.team_id)
        policy = team.assignment if team else AssignmentPolicy()
        if not policy.auto_assign:
            return None
        candidates = self._candidates(conversation.team_id)
        loads = {agent.id: self._repository.assigned_count(agent.id, agent.team_ids) for agent in candidates}
        previous = (previous_owner_id or conversation.owner_id) if policy.sticky else None
        agent = choose_agent([candidate.id for candidate in candidates], loads, capacity=policy.capacity,
                             last_assigned=self._teams.last_assigned(conversation.team_id), previous_owner=previous)
        if agent is None:
            return None
        try:
            assigned = self._repository.pick_up(conversation_id, agent)
        except Conflict:
            return None  # an agent picked it up meanwhile
        self._teams.record_assigned(conversation.team_id, agent)
        if self._events is not None:
            self._events.publish(conversation_assigned(assigned, self._clock()))
        return assigned

    def _candidates(self, team_id: str) -> list[User]:
        online = presence.online_user_ids(team_id, self._clock() - presence.ONLINE_WINDOW)
        users = (self._users.get(user_id) for user_id in online)
        return [user for user in users
                if user is not None and user.role in WORKING_ROLES and team_id in user.team_ids]
