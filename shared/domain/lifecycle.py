"""The conversation's life: New -> Assigned -> Archived, handback to New, and reopening.

Agents and administrators manage conversations of their team; watchers only read. Assigning
to a colleague needs the colleague signed in now (presence). A customer who writes again
within the reopen period (``ServiceSettings.reopen_days``) after the archive reopens the
conversation: to the agent who had it if they are online, else to New (and assignment); in a team
that assigns automatically, to New and the team's policy (sticky, capacity, round robin). Later a
new conversation starts (routing decides, here). Archiving starts the auto-deletion clock when the
service deletes archived conversations: the deletion date (``ServiceSettings.deletion_date``) is
written in the archive's own update (domain/retention.py reads it back).

An agent who archives, hands back or is relieved of an assigned conversation can take another:
the team's waiting conversations are offered again (``assignment.WaitingOffers``, through the
assignment worker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput

from .events import EventPublisher, conversation_archived, conversation_assigned
from .identity import (
    WORKING_ROLES,
    Principal,
    require_assigning_role,
    require_owner_or_administrator,
    require_team_member,
    require_working_role,
)
from .models import Conversation, ConversationState, Role, SystemEvent, SystemEventKind
from .notices import Notice, NoticePublisher, NoticeType
from .story import system_line

if TYPE_CHECKING:
    from .assignment import WaitingOffers
    from .ports.conversations import ConversationRepository, ConversationTransitions
    from .ports.directory import TeamDirectory, UserDirectory
    from .presence import PresenceService
    from .service_settings import ServiceSettings
    from .statistics import StatsRecorder
    from .tags_and_notes import TagsAndNotes


class ConversationLifecycle:
    def __init__(self, repository: ConversationRepository, store: ConversationTransitions, presence: PresenceService,
                 tags_and_notes: TagsAndNotes, settings: Callable[[], ServiceSettings], stats: StatsRecorder,
                 clock: Callable[[], datetime], *, teams: TeamDirectory, users: UserDirectory,
                 events: EventPublisher | None = None, offers: WaitingOffers | None = None,
                 notices: NoticePublisher | None = None) -> None:
        self._users = users
        self._repository = repository
        self._store = store
        self._presence = presence
        self._tags_and_notes = tags_and_notes
        self._settings = settings
        self._stats = stats
        self._clock = clock
        self._events = events
        self._offers = offers
        self._teams = teams
        self._notices = notices

    def _freed_capacity(self, before: Conversation, *, returned: Conversation | None = None) -> None:
        """``before`` was assigned: its agent may take a waiting conversation now."""
        if self._offers is not None and before.state is ConversationState.ASSIGNED:
            self._offers.request([before.team_id], returned=returned)

    def _publish_assigned(self, conversation: Conversation, at: datetime) -> None:
        if self._events is not None:
            self._events.publish(conversation_assigned(conversation, at))

    def _move(self, before: Conversation, state: ConversationState, owner_id: str | None, *,
              actor_id: str | None, reopened: bool = False,
              event: SystemEvent | None = None) -> tuple[Conversation, datetime]:
        """The transition, with its statistics counted and its system line (``event``) stored in
        the same write."""
        now = self._clock()
        tally = self._stats.moved(before, state, owner_id, now, actor_id=actor_id, reopened=reopened)
        story = system_line(before.id, event, now) if event is not None else None
        # An archive starts the auto-deletion period, if the service has one: the deletion date is
        # written with the archive (a reopen takes it away again, storage/lifecycle.py).
        delete_at = self._settings().deletion_date(now) if state is ConversationState.ARCHIVED else None
        return self._store.transition(before, state, owner_id=owner_id, now=now, tally=tally, story=story,
                                      delete_at=delete_at), now

    def _name_of(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        user = self._users.get(user_id, consistent=False)
        return user.display_name if user is not None else None

    def _workable(self, principal: Principal, conversation_id: str) -> Conversation:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return conversation

    def pick_up(self, principal: Principal, conversation_id: str) -> Conversation:
        """Of two agents picking up at once, exactly one wins (the transition's condition)."""
        before = self._workable(principal, conversation_id)
        if before.state is not ConversationState.NEW:
            raise Conflict(f"conversation {conversation_id} was already picked up", field="conversation_id")
        after, now = self._move(before, ConversationState.ASSIGNED, principal.id, actor_id=principal.id,
                                event=SystemEvent(kind=SystemEventKind.PICKED_UP, actor_id=principal.id,
                                                  actor_name=principal.user.display_name))
        self._publish_assigned(after, now)
        return after

    def assign(self, principal: Principal, conversation_id: str, agent_id: str) -> Conversation:
        """Assign (or reassign) to a colleague of the conversation's team who is online now.
        Supervisors assign too (any team's conversations), though they do not handle them."""
        require_assigning_role(principal)
        before = self._repository.get_conversation(conversation_id)
        require_team_member(principal, before)
        if before.state is ConversationState.ARCHIVED:
            raise Conflict(f"conversation {conversation_id} is archived", field="conversation_id")
        if before.owner_id == agent_id:
            return before
        # Taking a colleague's conversation away is for supervisors and administrators (the role
        # table in identity.py); an agent assigns a New conversation, or passes on their own.
        if principal.user.role is Role.AGENT and before.owner_id not in (None, principal.id):
            raise Forbidden(f"conversation {conversation_id} is assigned to a colleague; a supervisor or an "
                            "administrator may reassign it", field="conversation_id")
        agent = self._users.get(agent_id)
        if agent is None or agent.role not in WORKING_ROLES or before.team_id not in agent.team_ids:
            raise InvalidInput(f"user {agent_id} is not an agent of team {before.team_id}", field="agent_id")
        if agent_id != principal.id and not self._presence.is_available(before.team_id, agent_id):
            raise InvalidInput(f"{agent.display_name} is not available now; assign to a colleague who is",
                               field="agent_id")
        after, now = self._move(before, ConversationState.ASSIGNED, agent_id, actor_id=principal.id,
                                event=SystemEvent(kind=SystemEventKind.ASSIGNED, actor_id=principal.id,
                                                  actor_name=principal.user.display_name, agent_id=agent_id,
                                                  agent_name=agent.display_name))
        self._publish_assigned(after, now)
        self._freed_capacity(before)
        return after

    def hand_back(self, principal: Principal, conversation_id: str) -> Conversation:
        before = self._workable(principal, conversation_id)
        if before.state is not ConversationState.ASSIGNED:
            raise Conflict(f"conversation {conversation_id} is {before.state.value}, not assigned",
                           field="conversation_id")
        require_owner_or_administrator(principal, before)
        after, _ = self._move(before, ConversationState.NEW, None, actor_id=principal.id,
                              event=SystemEvent(kind=SystemEventKind.HANDED_BACK, actor_id=principal.id,
                                                actor_name=principal.user.display_name))
        # No integrator event tells a hand-back: the browsers are told directly (the list it left, New
        # it entered, and the thread's new line), as they are of every other move.
        if self._notices is not None:
            self._notices.publish([Notice(type=NoticeType.CONVERSATION, team_id=after.team_id,
                                          conversation_id=after.id, state=after.state, conversation=after)])
        self._freed_capacity(before, returned=after)
        return after

    def archive(self, principal: Principal, conversation_id: str, tags: Sequence[str] = ()) -> Conversation:
        before = self._workable(principal, conversation_id)
        if before.state is ConversationState.ARCHIVED:
            raise Conflict(f"conversation {conversation_id} is archived already", field="conversation_id")
        if before.state is ConversationState.ASSIGNED:
            require_owner_or_administrator(principal, before)
        if tags:
            before = self._tags_and_notes.apply(principal, before, tags)
        after, now = self._move(before, ConversationState.ARCHIVED, None, actor_id=principal.id,
                                event=SystemEvent(kind=SystemEventKind.ARCHIVED, actor_id=principal.id,
                                                  actor_name=principal.user.display_name, tags=before.tags))
        if self._events is not None:
            self._events.publish(conversation_archived(after, now))
        self._freed_capacity(before)
        return after

    def seen(self, principal: Principal, conversation_id: str) -> Conversation:
        """The caller opened the conversation: when it is theirs, what the customer wrote so far is
        read (the unread marker of the lists). Anyone else's look changes nothing."""
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        if conversation.owner_id != principal.id:
            return conversation
        now = self._clock()
        if self._store.mark_seen(conversation_id, principal.id, now):
            return conversation.model_copy(update={"seen_at": now})
        return conversation

    def reopen_by(self, principal: Principal, conversation_id: str) -> Conversation:
        """An agent takes an archived conversation back into work, assigned to themselves (its
        auto-deletion is called off). Refused when the customer has written since and a newer
        conversation on the account took its place: that one is where the customer is now."""
        before = self._workable(principal, conversation_id)
        if before.state is not ConversationState.ARCHIVED:
            raise Conflict(f"conversation {conversation_id} is {before.state.value}, not archived",
                           field="conversation_id")
        current = self._repository.open_conversation(before.account_id, before.customer_id)
        if current is not None and current.id != before.id:
            raise Conflict(f"the customer has a newer conversation ({current.id}); continue there",
                           field="conversation_id")
        after, now = self._move(before, ConversationState.ASSIGNED, principal.id, actor_id=principal.id,
                                reopened=True, event=SystemEvent(
                                    kind=SystemEventKind.REOPENED, actor_id=principal.id,
                                    actor_name=principal.user.display_name, agent_id=principal.id,
                                    agent_name=principal.user.display_name))
        self._publish_assigned(after, now)
        return after

    # --- reopening, for routing ---

    def reopen_period(self) -> timedelta:
        return timedelta(days=self._settings().reopen_days)

    def may_reopen(self, conversation: Conversation, written_at: datetime) -> bool:
        if conversation.state is not ConversationState.ARCHIVED or conversation.archived_at is None:
            return False
        return written_at - conversation.archived_at <= self.reopen_period()

    def reopen(self, conversation: Conversation) -> Conversation:
        """Back to the agent who had it when they are signed in and still an agent of its team,
        else to New. In a team that assigns automatically it goes to New either way, and the
        team's policy decides as for a new conversation (routing asks the assignment worker):
        back to that agent if sticky and they can take it, else round robin."""
        owner_id = conversation.last_owner_id
        team = self._teams.get(conversation.team_id)
        if team is not None and team.assignment.auto_assign:
            owner_id = None
        if owner_id is not None:
            agent = self._users.get(owner_id)
            if (agent is None or agent.role not in WORKING_ROLES or conversation.team_id not in agent.team_ids
                    or not self._presence.is_available(conversation.team_id, owner_id)):
                owner_id = None
        state = ConversationState.ASSIGNED if owner_id else ConversationState.NEW
        after, _ = self._move(conversation, state, owner_id, actor_id=None, reopened=True,
                              event=SystemEvent(kind=SystemEventKind.REOPENED, agent_id=owner_id,
                                                agent_name=self._name_of(owner_id)))
        return after
