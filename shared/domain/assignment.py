"""Assignment of new and reopened conversations, and re-offering those left waiting.

Conversations wait in New unless their team assigns automatically (``AssignmentPolicy``). Then
a reopened conversation goes back to the agent who had it (sticky) if they can take it, and
any other goes round robin to the next Available agent of the team below the capacity.
"Available" is presence: a heartbeat within ``ONLINE_WINDOW`` that said so (an agent
who is Away or Offline gets nothing).

A conversation that found nobody (no agent online, all at capacity) waits in New until an
agent can take it: when an agent comes online (their first heartbeat after being offline) or
frees capacity (archives, hands back, or is relieved of a conversation), the request asks the
assignment worker to offer the team's waiting conversations again (``WaitingOffers``); the
worker reads them oldest first by Query on the team's New list and assigns while an agent can
take one (``Assigner.offer_waiting``).

Every assignment is one transaction (``Conversations.auto_assign``): the conversation must
still be New, and the team's round-robin marker must still name the agent the decision started
from. Two workers of one team (two agents coming online at once, a new conversation arriving
meanwhile) therefore never assign the same conversation twice, never skip or repeat a turn, and
the one that comes second reads the team again before deciding. Loads are counted on the owner
index, which is eventually consistent: an assignment made a moment before may be counted a
moment late. An agent of several teams may be assigned by each of them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.resources import ASSIGNMENT_QUEUE
from chalicelib.domain.errors import Conflict

from .admin_models import AssignmentPolicy
from .events import EventPublisher, conversation_assigned
from .identity import WORKING_ROLES
from .models import Conversation, ConversationState, SystemEvent, SystemEventKind, User
from .ports.conversations import AutoAssignOutcome, Conversations
from .ports.integrations import Publisher, QueueMessage
from .queue_messages import AssignmentRequest, OfferRequest, body_of
from .statistics import StatsRecorder
from .story import system_line
from .work_models import ONLINE_WINDOW

if TYPE_CHECKING:
    from .ports.directory import Presences, TeamDirectory, UserDirectory

# One worker run assigns at most this many waiting conversations, then hands the rest of the
# list to a fresh message (a Lambda invocation stays short whatever the backlog).
MAX_OFFERS_PER_RUN = 25
# How often a decision is read again when other assignments of the team keep coming first.
MAX_DECISIONS = 5


def choose_agent(candidates: Sequence[str], loads: Mapping[str, int], *, capacity: int,
                 last_assigned: str | None, previous_owner: str | None,
                 excluded: str | None = None) -> str | None:
    """The agent for one conversation: the previous owner if available, else the first
    available agent after the last one assigned (in id order, wrapping round)."""
    available = sorted(agent for agent in set(candidates) if loads.get(agent, 0) < capacity and agent != excluded)
    if not available:
        return None
    if previous_owner in available:
        return previous_owner
    after = [agent for agent in available if last_assigned is None or agent > last_assigned]
    return after[0] if after else available[0]


def assignment_request(conversation_id: str, previous_owner_id: str | None = None) -> QueueMessage:
    """Assign one new or reopened conversation (``AssignmentRequest``)."""
    return QueueMessage(body=body_of(AssignmentRequest(conversation_id=conversation_id,
                                                       previous_owner_id=previous_owner_id or None)))


def offer_request(team_id: str, *, returned: Conversation | None = None) -> QueueMessage:
    """Offer the team's waiting conversations again. ``returned``: a conversation just handed
    back, which this offer does not give straight back to the agent who returned it."""
    if returned is None or not returned.last_owner_id:
        return QueueMessage(body=body_of(OfferRequest(offer_team_id=team_id)))
    return QueueMessage(body=body_of(OfferRequest(offer_team_id=team_id, returned_conversation_id=returned.id,
                                                  returned_by=returned.last_owner_id)))


class WaitingOffers:
    """What a request does when an agent may take work now: one message to the assignment worker."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def request(self, team_ids: Sequence[str], *, returned: Conversation | None = None) -> None:
        if team_ids:
            self._publisher.send(ASSIGNMENT_QUEUE, [offer_request(team_id, returned=returned)
                                                    for team_id in dict.fromkeys(team_ids)])


@dataclass
class _TeamPicture:
    """The team as one decision sees it: who is online and free, and whose turn it is."""

    policy: AssignmentPolicy
    candidates: list[str]
    loads: dict[str, int]
    last_assigned: str | None
    assigned: int = field(default=0)

    def choose(self, *, previous_owner: str | None = None, excluded: str | None = None) -> str | None:
        return choose_agent(self.candidates, self.loads, capacity=self.policy.capacity,
                            last_assigned=self.last_assigned, previous_owner=previous_owner, excluded=excluded)

    def took(self, agent_id: str) -> None:
        self.loads[agent_id] = self.loads.get(agent_id, 0) + 1
        self.last_assigned = agent_id
        self.assigned += 1


class Assigner:
    def __init__(self, repository: Conversations, clock: Callable[[], datetime], *,
                 teams: TeamDirectory, users: UserDirectory, presences: Presences,
                 events: EventPublisher | None = None, publisher: Publisher | None = None,
                 stats: StatsRecorder | None = None) -> None:
        self._repository = repository
        self._stats = stats or StatsRecorder()
        self._teams = teams
        self._users = users
        self._presences = presences
        self._clock = clock
        self._events = events
        self._publisher = publisher

    def assign(self, conversation_id: str, previous_owner_id: str | None = None) -> Conversation | None:
        """Returns the conversation if it was assigned, None if it stays in New."""
        conversation = self._repository.get_conversation(conversation_id)
        if conversation.state is not ConversationState.NEW:
            return None
        policy = self._policy(conversation.team_id)
        if not policy.auto_assign:
            return None
        previous = (previous_owner_id or conversation.owner_id) if policy.sticky else None
        for _ in range(MAX_DECISIONS):
            picture = self._picture(conversation.team_id, policy)
            agent = picture.choose(previous_owner=previous)
            if agent is None:
                return None
            outcome = self._auto_assign(conversation, agent, picture)
            if outcome is AutoAssignOutcome.TAKEN:
                return None  # an agent picked it up meanwhile
            if outcome is AutoAssignOutcome.ASSIGNED:
                return self._assigned(conversation_id)
        raise Conflict(f"team {conversation.team_id} kept changing; assignment of {conversation_id} is retried")

    def offer_waiting(self, team_id: str, *, returned_conversation_id: str | None = None,
                      returned_by: str | None = None) -> int:
        """Assign the team's waiting conversations, the longest waiting first, while an online
        agent below the capacity can take one; returns how many were assigned. Plain round robin
        (a waiting conversation may have been handed back: it does not return to its last
        agent by preference, and not at all to the agent who just returned it)."""
        policy = self._policy(team_id)
        if not policy.auto_assign:
            return 0
        picture = self._picture(team_id, policy)
        decisions = 0
        for conversation in self._repository.waiting(team_id):
            if picture.assigned >= MAX_OFFERS_PER_RUN:
                self._continue(team_id)
                break
            excluded = returned_by if conversation.id == returned_conversation_id else None
            while True:
                agent = picture.choose(excluded=excluded)
                if agent is None:
                    if excluded is not None:
                        break  # only the agent who returned it is free: the next conversation may go to them
                    return picture.assigned  # nobody can take more
                outcome = self._auto_assign(conversation, agent, picture)
                if outcome is AutoAssignOutcome.ASSIGNED:
                    picture.took(agent)
                    self._assigned(conversation.id)
                    break
                if outcome is AutoAssignOutcome.TAKEN:
                    break
                decisions += 1
                if decisions >= MAX_DECISIONS:
                    raise Conflict(f"team {team_id} kept changing; the offer is retried")
                picture = self._picture(team_id, policy, assigned=picture.assigned)
        return picture.assigned

    def _auto_assign(self, conversation: Conversation, agent_id: str, picture: _TeamPicture) -> AutoAssignOutcome:
        # Only a New conversation is assigned (the transaction's condition): counted as New -> Assigned.
        waiting = conversation.model_copy(update={"state": ConversationState.NEW})
        now = self._clock()
        tally = self._stats.moved(waiting, ConversationState.ASSIGNED, agent_id, now, actor_id=None)
        agent = self._users.get(agent_id, consistent=False)
        story = system_line(conversation.id, SystemEvent(
            kind=SystemEventKind.ASSIGNED, agent_id=agent_id, agent_name=agent.display_name if agent else None), now)
        return self._repository.auto_assign(conversation.id, agent_id, conversation.team_id, picture.last_assigned,
                                            tally=tally, story=story)

    def _continue(self, team_id: str) -> None:
        if self._publisher is not None:
            self._publisher.send(ASSIGNMENT_QUEUE, [offer_request(team_id)])

    def _assigned(self, conversation_id: str) -> Conversation:
        assigned = self._repository.get_conversation(conversation_id)
        if self._events is not None:
            self._events.publish(conversation_assigned(assigned, self._clock()))
        return assigned

    def _policy(self, team_id: str) -> AssignmentPolicy:
        team = self._teams.cached(team_id)
        return team.assignment if team else AssignmentPolicy()

    def _picture(self, team_id: str, policy: AssignmentPolicy, *, assigned: int = 0) -> _TeamPicture:
        # The marker first: a decision based on it fails if anyone assigned since, so the loads
        # read after it are at least as new as the turn.
        last_assigned = self._teams.last_assigned(team_id)
        candidates = self._candidates(team_id)
        loads = {agent.id: self._repository.assigned_count(agent.id, agent.team_ids) for agent in candidates}
        return _TeamPicture(policy=policy, candidates=[agent.id for agent in candidates], loads=loads,
                            last_assigned=last_assigned, assigned=assigned)

    def _candidates(self, team_id: str) -> list[User]:
        online = self._presences.available_user_ids(team_id, self._clock() - ONLINE_WINDOW)
        users = (self._users.get(user_id) for user_id in online)
        return [user for user in users
                if user is not None and user.role in WORKING_ROLES and team_id in user.team_ids]
