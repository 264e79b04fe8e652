"""Ports of the conversation aggregate: conversations, their messages, their transitions, the
inbox lists and retention. The storage implements them (storage/repository.py and friends); the
fakes in tests/fakes implement them in memory, and tests/contract keeps both honest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.models import (
    Attachment,
    Channel,
    Conversation,
    ConversationState,
    DeliveryError,
    InboundMessage,
    Message,
    Page,
    StatusOutcome,
    StatusUpdate,
    TemplateContent,
)

if TYPE_CHECKING:  # named by the lists' signature only: the search rules load with the lists, not with this port
    from chalicelib.domain.search import Criteria, SortField


class AutoAssignOutcome(Enum):
    ASSIGNED = "assigned"
    # The conversation is no longer New (picked up, archived) or moved team: nothing to do.
    TAKEN = "taken"
    # Another assignment in the team came first: read the team again and decide anew.
    TEAM_MOVED = "team_moved"


@dataclass(frozen=True)
class Tally:
    """What one change adds to a team's counters: ``counts`` to the hour of ``at`` (on the item of
    ``agent_id``, the agent the change names, if any), ``gauges`` to the occupancy now
    (conversations in New and Assigned). The store counts it in the change's own transaction."""

    team_id: str
    at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    gauges: Mapping[str, int] = field(default_factory=dict)
    agent_id: str | None = None


class IngestAction(Enum):
    # A new conversation (in place of the archived one ``replaces`` names, whose pointer it takes).
    OPEN = "open"
    # The customer's open conversation on another channel account (one open conversation per
    # customer); this address's pointer moves to it (from ``replaces``, when set).
    JOIN = "join"
    # The conversation the customer's open pointer on this account names.
    APPEND = "append"


@dataclass(frozen=True)
class IngestPlan:
    """How one inbound message is stored, as routing decided it before the write."""

    event: InboundMessage
    action: IngestAction
    conversation_id: str
    # The team of a conversation the message opens.
    team_id: str
    replaces: str | None = None
    # A conversation the message opens goes on this customer profile's lists.
    profile_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # The counters a conversation the message opens moves (in the same transaction).
    tally: Tally | None = None


@dataclass(frozen=True)
class IngestResult:
    conversation: Conversation
    message: Message
    created_conversation: bool


@dataclass(frozen=True)
class RetainedConversation:
    id: str
    state: ConversationState
    archived_at: datetime
    delete_at: str | None


class Conversations(Protocol):
    def get_conversation(self, conversation_id: str) -> Conversation: ...

    def open_conversation(self, account_id: str, customer_id: str) -> Conversation | None:
        """The customer's current conversation on this account (possibly archived: the pointer stays until a new
        conversation replaces it, so a reopen finds it)."""

    def has_provider_message(self, channel: Channel, account_id: str, provider_message_id: str) -> bool:
        """Whether this provider message id is stored already (a redelivery)."""

    def ingest_message(self, plan: IngestPlan) -> IngestResult | None:
        """Store an inbound message (its media already copied to the media bucket) as ``plan`` says,
        with its provider-id item in the same transaction. None when the provider's message id was
        stored before (a redelivery): nothing is written then, and nothing is counted. Conflict when
        another delivery opened the customer's conversation at the same moment (the retry joins it)."""

    def name_customer(self, conversation_id: str, name: str) -> None:
        """Give the conversation's customer a name where it has none yet (a name the provider's profile API gave
        after the message was stored): the lists and the customer search of the inbox show it."""

    def auto_assign(self, conversation_id: str, agent_id: str, team_id: str,
                    last_assigned: str | None, *, tally: Tally | None = None,
                    story: Message | None = None) -> AutoAssignOutcome:
        """Assign a New conversation as the team's round robin decided, in one transaction with the team's round-robin
        marker: the conversation must still be New, and the marker must still name ``last_assigned`` (the agent the
        decision started from). So two workers of one team never decide on the same picture of the team: the second
        one is told to read again. The statistics counters of the assignment (``tally``) move in the same
        transaction."""

    def waiting(self, team_id: str, *, page_size: int = 25) -> Iterator[Conversation]:
        """The team's New conversations, the longest waiting first (Query on the New list, paged lazily: the caller
        stops reading when no agent can take more)."""

    def assigned_count(self, owner_id: str, team_ids: Iterable[str]) -> int:
        """How many conversations are assigned to this agent in these teams (their Assigned-to-me lists, one per team:
        a Count Query on the owner index each)."""


class DeliveryStatuses(Protocol):
    """What the status worker reads and writes: the message a provider's id names, and its status."""

    def apply_status(self, update: StatusUpdate) -> StatusOutcome:
        """Apply a provider's status callback. A watermark receipt that moved no message is ``UNKNOWN``: a reply
        sent before the watermark may still be waiting for the send API's answer."""

    def provider_message_target(self, channel: Channel, account_id: str,
                                provider_message_id: str) -> tuple[str, str] | None:
        """(conversation id, message id) of the message a provider's id names, if stored."""


class Messages(DeliveryStatuses, Protocol):
    def list_messages(self, conversation_id: str, *, limit: int, cursor: str | None,
                      newest_first: bool = False) -> Page[Message]:
        """One page of the thread in send order (message ids start with the send time), or newest first; a cursor
        continues in the order it was read in."""

    def last_inbound_provider_id(self, conversation: Conversation) -> str | None:
        """The provider's id of the customer's latest message: one Query on the thread, on the millisecond of
        ``last_customer_message_at``."""

    def last_inbound_message(self, conversation: Conversation) -> Message | None:
        """The customer's latest message (one Query on the thread, on the millisecond of
        ``last_customer_message_at``)."""


    def get_message(self, conversation_id: str, message_id: str) -> Message: ...

    def add_outbound_message(self, conversation: Conversation, *, author_id: str, text: str | None,
                             sent_at: datetime, attachments: tuple[Attachment, ...] = (),
                             template: TemplateContent | None = None,
                             route: tuple[Channel, str, str] | None = None, tally: Tally | None = None,
                             owner_id: str | None = None, subject: str | None = None,
                             story: Message | None = None) -> Message:
        """The agent's message, written only while the conversation exists and, given ``owner_id``, is still
        assigned to that owner: an archive, hand-back or reassignment in between refuses it with Conflict. A system
        line ``story`` is stored with it."""

    def record_parts(self, conversation_id: str, message_id: str, part_ids: Sequence[str]) -> None:
        """The parts of a multi-part reply the provider took so far, noted as each one goes (a retry resumes after
        them). Only while the message is still queued."""

    def record_sent(self, conversation_id: str, message_id: str, provider_message_id: str,
                    channel: Channel, account_id: str, at: datetime, part_ids: Sequence[str] = ()) -> None:
        """The provider accepted the message: remember its id (and every part's, for a reply sent as several provider
        messages) so status callbacks find it."""

    def record_failure(self, conversation_id: str, message_id: str, error: DeliveryError, at: datetime) -> None: ...


class ConversationTransitions(Protocol):
    def transition(self, current: Conversation, state: ConversationState, *, owner_id: str | None,
                   now: datetime, tally: Tally | None = None, story: Message | None = None,
                   delete_at: str | None = None) -> Conversation:
        """Move ``current`` to ``state`` with ``owner_id`` (None: nobody), provided nobody changed it since it was
        read, and count ``tally`` and store the system line ``story`` with it. An archive's ``delete_at`` (its
        deletion date, when the service deletes archived conversations) is written with it too. Returns the
        conversation as read with this change applied."""

    def start(self, *, conversation_id: str, channel: Channel, account_id: str, customer_id: str,
              customer_name: str | None, team_id: str, owner_id: str, now: datetime,
              replaces: str | None, profile_id: str | None = None,
              count: Callable[[Conversation], Tally] | None = None) -> Conversation:
        """Open an agent-started conversation, assigned to its agent. ``replaces`` names the customer's archived
        conversation on this account, whose place it takes. ``count`` tells the statistics counters to move with it."""


    def mark_seen(self, conversation_id: str, owner_id: str, at: datetime) -> bool:
        """The owner looked at the conversation at ``at``; False (nothing written) when it is not theirs (any
        more). A look never moves the seen time back."""


class ConversationLists(Protocol):
    def page(self, criteria: Criteria, *, sort: SortField, ascending: bool, limit: int,
             cursor: str | None) -> Page[Conversation]: ...


class Retention(Protocol):
    def current(self, conversation_id: str) -> RetainedConversation | None: ...

    def set_delete_at(self, conversation_id: str, delete_at: str | None) -> bool:
        """Set (or remove) the deletion date of a conversation that is still archived, and with it the
        conversation's entry in the due index the sweep reads."""

    def archived_page(self, team_id: str, *, limit: int, cursor: str | None) -> Page[RetainedConversation]:
        """One page of a team's archived conversations: Query on the team's Archived list."""

    def purge(self, conversation_id: str) -> int:
        """Delete the conversation and everything that belongs to it; returns the items deleted."""


class ConversationRepository(Conversations, Messages, Protocol):
    """A conversation with its thread, as the use cases that read and write both see them."""
