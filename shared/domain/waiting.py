"""The queue a supervisor runs: who waits for whom since when, what the owner has not seen yet,
the longest waiting first, and the team at a glance (each agent's status, open conversations and
capacity).

Two clocks on each conversation, set by the writes that move them (docs/data-model.md, "The
queue's clocks"): ``waiting_since``, the customer's first message after our last reply (set when
the customer writes and nothing is pending, cleared by an agent's reply), and
``awaiting_customer_since``, our last reply (set by an agent's reply, cleared when the customer
writes). An archive clears both. "Waiting for customer" is the second one set on an open
conversation: an attribute, not a state of its own, so it needs no index and no transition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from .admin_models import AssignmentPolicy
from .identity import WORKING_ROLES, Principal, require_statistics_reader
from .models import Conversation, ConversationState, Frozen, Role
from .ports.push import COUNT_LIMIT
from .work_models import ONLINE_WINDOW, Availability

if TYPE_CHECKING:
    from .ports.directory import Presences, TeamDirectory, UserDirectory

# The Waiting filter: the customer waits for us, or we wait for the customer.
WaitingFor = Literal["agent", "customer"]


def changes_of(current: Conversation, state: ConversationState, owner_id: str | None,
               now: datetime) -> dict[str, object]:
    """What a transition of ``current`` to ``state`` and ``owner_id`` changes on the conversation
    (storage/lifecycle.py writes the same; the in-memory fake applies it)."""
    archived = state is ConversationState.ARCHIVED
    changes: dict[str, object] = {
        "state": state, "owner_id": owner_id, "last_owner_id": owner_id or current.last_owner_id,
        "version": current.version + 1, "archived_at": now if archived else None}
    if owner_id != current.owner_id:
        changes["seen_at"] = None
    if archived:
        changes.update(waiting_since=None, awaiting_customer_since=None)
    return changes


def waits_for(conversation: Conversation, waiting: WaitingFor) -> bool:
    """Whether an open conversation waits as the filter asks."""
    if conversation.state is ConversationState.ARCHIVED:
        return False
    if waiting == "customer":
        return conversation.awaiting_customer_since is not None
    return conversation.waiting_since is not None


def waiting_order(conversation: Conversation) -> tuple[int, datetime, str]:
    """Sort key of "longest waiting first": customers who wait for an answer by how long, then the
    rest by their last message (oldest first)."""
    if conversation.waiting_since is not None:
        return (0, conversation.waiting_since, conversation.id)
    return (1, conversation.last_message_at, conversation.id)


# --- the team at a glance ---------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerLoad:
    """One agent's open work in a team, as the Assigned list holds it."""

    open: int = 0
    # Of those, where the customer waits for an answer, and where we wait for the customer.
    waiting: int = 0
    awaiting_customer: int = 0
    longest_waiting_since: datetime | None = None


@dataclass(frozen=True)
class TeamWorkload:
    """A team's open work: New (with its longest wait) and Assigned by owner, each read up to
    ``COUNT_LIMIT`` (storage/listing.py ``team_workload``)."""

    new: int
    new_longest_waiting_since: datetime | None
    by_owner: Mapping[str, OwnerLoad]


# An open conversation's (waiting_since, awaiting_customer_since).
Clocks = tuple[datetime | None, datetime | None]


def load_of(conversations: Iterable[Clocks]) -> OwnerLoad:
    """What one agent's open conversations (their clocks) add up to."""
    open_, waiting, awaiting = 0, 0, 0
    longest: datetime | None = None
    for since, awaiting_since in conversations:
        open_ += 1
        awaiting += awaiting_since is not None
        if since is not None:
            waiting += 1
            longest = since if longest is None or since < longest else longest
    return OwnerLoad(open=open_, waiting=waiting, awaiting_customer=awaiting, longest_waiting_since=longest)


class AgentOverview(Frozen):
    user_id: str
    display_name: str
    role: Role
    # Available, Away, or Offline (no heartbeat within the online window).
    status: Availability
    open: int
    waiting: int
    awaiting_customer: int
    longest_waiting_since: datetime | None = None
    # How many conversations automatic assignment gives them at most (the team's policy).
    capacity: int


class TeamOverview(Frozen):
    team_id: str
    new: int
    new_longest_waiting_since: datetime | None = None
    auto_assign: bool
    agents: list[AgentOverview]
    # A count above this means "more than this".
    limit: int = COUNT_LIMIT


# A team's members read for the overview (one paged Query; more are left out).
MAX_OVERVIEW_MEMBERS = 500


class TeamOverviewReader:
    def __init__(self, users: UserDirectory, teams: TeamDirectory, presences: Presences,
                 workload: Callable[[str], TeamWorkload], clock: Callable[[], datetime]) -> None:
        self._users = users
        self._teams = teams
        self._presences = presences
        self._workload = workload
        self._clock = clock

    def of(self, principal: Principal) -> TeamOverview:
        """Each agent of the caller's team with their status, open conversations and capacity, and
        the New queue: for supervisors, administrators and watchers (the statistics readers)."""
        require_statistics_reader(principal)
        team_id = principal.team_id
        team = self._teams.cached(team_id)
        policy = team.assignment if team is not None else AssignmentPolicy()
        workload = self._workload(team_id)
        seen = {entry.user_id: entry for entry in self._presences.seen_since(team_id, self._clock() - ONLINE_WINDOW)}
        agents: list[AgentOverview] = []
        for user_id in self._member_ids(team_id, also=workload.by_owner):
            user = self._users.get(user_id, consistent=False)
            load = workload.by_owner.get(user_id, OwnerLoad())
            if user is None or (user.role not in WORKING_ROLES and not load.open):
                continue
            presence = seen.get(user_id)
            agents.append(AgentOverview(
                user_id=user_id, display_name=user.display_name, role=user.role,
                status=presence.status if presence is not None else "offline", open=load.open,
                waiting=load.waiting, awaiting_customer=load.awaiting_customer,
                longest_waiting_since=load.longest_waiting_since, capacity=policy.capacity))
        agents.sort(key=lambda agent: (_STATUS_ORDER[agent.status], agent.display_name.casefold(), agent.user_id))
        return TeamOverview(team_id=team_id, new=workload.new,
                            new_longest_waiting_since=workload.new_longest_waiting_since,
                            auto_assign=policy.auto_assign, agents=agents)

    def _member_ids(self, team_id: str, *, also: Iterable[str]) -> list[str]:
        members: list[str] = []
        cursor: str | None = None
        while len(members) < MAX_OVERVIEW_MEMBERS:
            page = self._users.member_ids(team_id, limit=100, cursor=cursor)
            members.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        # An owner who left the team still holds its conversations: shown too.
        return list(dict.fromkeys([*members, *also]))


_STATUS_ORDER = {"available": 0, "away": 1, "offline": 2}
