"""The conversation aggregate in memory: conversations, their threads, transitions, the round-robin
markers of automatic assignment and the out-of-office markers, with the conditions of the
DynamoDB stores (storage/repository.py, storage/lifecycle.py, storage/auto_replies.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from chalicelib.domain import ids
from chalicelib.domain.admin_models import SYSTEM_AUTHOR, OutOfOfficeMessage
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryError,
    DeliveryStatus,
    Direction,
    MediaIssue,
    Message,
    Page,
    StatusOutcome,
    StatusUpdate,
    TemplateContent,
    attachment_kind,
    preview_of,
)
from chalicelib.domain.ports.conversations import (
    AutoAssignOutcome,
    IngestAction,
    IngestPlan,
    IngestResult,
    Tally,
)
from chalicelib.domain.ports.work import AutoReply
from chalicelib.domain.waiting import changes_of

# As storage/repository.py: a watermark receipt reaches this far back.
WATERMARK_REACH = timedelta(days=7)


T = TypeVar("T")


def page_of(items: Sequence[T], limit: int, cursor: str | None) -> Page[T]:
    """One page of a list held in memory; the cursor is the offset (opaque to callers)."""
    start = int(cursor) if cursor else 0
    end = start + limit
    return Page[T](items=list(items[start:end]), next_cursor=str(end) if end < len(items) else None)


@dataclass
class ConversationRecords:
    """What the table holds of the conversation aggregate, shared by the fakes that read it."""

    conversations: dict[str, Conversation] = field(default_factory=dict)
    messages: dict[str, dict[str, Message]] = field(default_factory=dict)
    # (account, customer) -> the conversation the customer's open pointer names
    pointers: dict[tuple[str, str], str] = field(default_factory=dict)
    # (channel, account, provider id) -> (conversation id, message id)
    provider_ids: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    # team -> the agent of its last automatic assignment
    round_robin: dict[str, str] = field(default_factory=dict)
    # (conversation, closed period) -> the replies stored for it
    auto_replies: dict[tuple[str, str], AutoReply] = field(default_factory=dict)
    # Every tally counted, in order (the DynamoDB store adds them to its counter items).
    tallies: list[Tally] = field(default_factory=list)

    def count(self, tally: Tally | None) -> None:
        if tally is not None:
            self.tallies.append(tally)


class InMemoryConversations:
    """``ConversationRepository`` and ``ConversationTransitions`` in memory."""

    def __init__(self, records: ConversationRecords | None = None) -> None:
        self.records = records or ConversationRecords()
        # Archived conversations' deletion dates, as the transition that archived them wrote them.
        self.deletion_dates: dict[str, str] = {}

    # --- conversations ---------------------------------------------------------------------

    def get_conversation(self, conversation_id: str) -> Conversation:
        found = self.records.conversations.get(conversation_id)
        if found is None:
            raise NotFound(f"conversation {conversation_id} does not exist", field="conversation_id")
        return found

    def open_conversation(self, account_id: str, customer_id: str) -> Conversation | None:
        pointed = self.records.pointers.get((account_id, customer_id))
        return None if pointed is None else self.records.conversations.get(pointed)

    def has_provider_message(self, channel: Channel, account_id: str, provider_message_id: str) -> bool:
        return (channel.value, account_id, provider_message_id) in self.records.provider_ids

    def ingest_message(self, plan: IngestPlan) -> IngestResult | None:
        event, conversation_id = plan.event, plan.conversation_id
        if self.has_provider_message(event.channel, event.account_id, event.provider_message_id):
            return None
        pointer = (event.account_id, event.customer_id)
        if plan.action is not IngestAction.APPEND:
            if plan.action is IngestAction.JOIN:
                joined = self.records.conversations.get(conversation_id)
                open_there = joined is not None and joined.state is not ConversationState.ARCHIVED
            else:
                open_there = conversation_id not in self.records.conversations
            if not open_there or self.records.pointers.get(pointer) != plan.replaces:
                raise Conflict("customer's conversation was opened concurrently")
        message = Message(
            id=ids.message_id(event.sent_at, event.provider_message_id, event.sequence),
            conversation_id=conversation_id, direction=Direction.INBOUND, kind=event.kind, text=event.text,
            sent_at=event.sent_at, status=DeliveryStatus.RECEIVED, provider_message_id=event.provider_message_id,
            author_id=None, attachments=plan.attachments, channel=event.channel, account_id=event.account_id,
            customer_id=event.customer_id, reply_payload=event.reply_payload, location=event.location,
            contacts=tuple(event.contacts), story=event.story,
            media_issues=tuple(MediaIssue(index=index, content_type=ref.content_type, filename=ref.filename,
                                          state="pending") for index, ref in enumerate(event.media))
            if event.media and not plan.attachments else ())
        self.records.provider_ids[(event.channel.value, event.account_id, event.provider_message_id)] = (
            conversation_id, message.id)
        self.records.messages.setdefault(conversation_id, {})[message.id] = message
        if plan.action is IngestAction.OPEN:
            conversation = Conversation(
                id=conversation_id, channel=event.channel, account_id=event.account_id,
                customer_id=event.customer_id, customer_name=event.customer_name, team_id=plan.team_id,
                state=ConversationState.NEW, owner_id=None, created_at=event.sent_at,
                last_message_at=event.sent_at, last_customer_message_at=event.sent_at,
                preview=preview_of(event.kind, event.text), version=0, waiting_since=event.sent_at)
            self.records.conversations[conversation_id] = conversation
            self.records.count(plan.tally)
        else:
            conversation = self._touched(self.get_conversation(conversation_id), message, event.customer_name)
        if plan.action is not IngestAction.APPEND:
            self.records.pointers[pointer] = conversation_id
        return IngestResult(conversation=conversation, message=message,
                            created_conversation=plan.action is IngestAction.OPEN)

    def _touched(self, conversation: Conversation, message: Message, customer_name: str | None) -> Conversation:
        if conversation.last_message_at > message.sent_at:
            return conversation  # an older message arriving late leaves the conversation as it is
        update: dict[str, object] = {
            "last_message_at": message.sent_at, "last_customer_message_at": message.sent_at,
            "preview": preview_of(message.kind, message.text), "awaiting_customer_since": None,
            "waiting_since": conversation.waiting_since or message.sent_at}
        if customer_name:
            update["customer_name"] = customer_name
        touched = conversation.model_copy(update=update)
        self.records.conversations[conversation.id] = touched
        return touched

    def name_customer(self, conversation_id: str, name: str) -> None:
        current = self.get_conversation(conversation_id)
        if not current.customer_name:
            self.records.conversations[conversation_id] = current.model_copy(update={"customer_name": name})

    def auto_assign(self, conversation_id: str, agent_id: str, team_id: str,
                    last_assigned: str | None, *, tally: Tally | None = None,
                    story: Message | None = None) -> AutoAssignOutcome:
        current = self.get_conversation(conversation_id)
        if current.state is not ConversationState.NEW or current.team_id != team_id:
            return AutoAssignOutcome.TAKEN
        if self.records.round_robin.get(team_id) != last_assigned:
            return AutoAssignOutcome.TEAM_MOVED
        self.records.round_robin[team_id] = agent_id
        self.records.conversations[conversation_id] = current.model_copy(update={
            "state": ConversationState.ASSIGNED, "owner_id": agent_id, "last_owner_id": agent_id,
            "version": current.version + 1})
        self.records.count(tally)
        self._tell(story)
        return AutoAssignOutcome.ASSIGNED

    def waiting(self, team_id: str, *, page_size: int = 25) -> Iterator[Conversation]:
        waiting = [c for c in self.records.conversations.values()
                   if c.team_id == team_id and c.state is ConversationState.NEW]
        yield from sorted(waiting, key=lambda c: (c.created_at, c.id))

    def assigned_count(self, owner_id: str, team_ids: Iterable[str]) -> int:
        teams = set(team_ids)
        return sum(1 for c in self.records.conversations.values()
                   if c.state is ConversationState.ASSIGNED and c.owner_id == owner_id and c.team_id in teams)

    # --- transitions -----------------------------------------------------------------------

    def _tell(self, story: Message | None) -> None:
        if story is not None:
            self.records.messages.setdefault(story.conversation_id, {})[story.id] = story

    def transition(self, current: Conversation, state: ConversationState, *, owner_id: str | None,
                   now: datetime, tally: Tally | None = None, story: Message | None = None,
                   delete_at: str | None = None) -> Conversation:
        stored = self.records.conversations.get(current.id)
        if stored is None or stored.version != current.version or stored.state is not current.state:
            raise Conflict(f"conversation {current.id} changed meanwhile; read it again and retry")
        if delete_at is not None:
            self.deletion_dates[current.id] = delete_at
        elif state is not ConversationState.ARCHIVED:
            self.deletion_dates.pop(current.id, None)
        changes = changes_of(current, state, owner_id, now)
        self.records.conversations[current.id] = stored.model_copy(update=changes)
        self.records.count(tally)
        self._tell(story)
        return current.model_copy(update=changes)

    def mark_seen(self, conversation_id: str, owner_id: str, at: datetime) -> bool:
        stored = self.records.conversations.get(conversation_id)
        if stored is None or stored.owner_id != owner_id or (stored.seen_at is not None and stored.seen_at >= at):
            return False
        self.records.conversations[conversation_id] = stored.model_copy(update={"seen_at": at})
        return True

    def start(self, *, conversation_id: str, channel: Channel, account_id: str, customer_id: str,
              customer_name: str | None, team_id: str, owner_id: str, now: datetime,
              replaces: str | None, profile_id: str | None = None,
              count: Callable[[Conversation], Tally] | None = None) -> Conversation:
        if (conversation_id in self.records.conversations
                or self.records.pointers.get((account_id, customer_id)) != replaces):
            raise Conflict(f"customer {customer_id} got an open conversation on account {account_id} meanwhile",
                           field="customer_id")
        conversation = Conversation(
            id=conversation_id, channel=channel, account_id=account_id, customer_id=customer_id,
            customer_name=customer_name, team_id=team_id, state=ConversationState.ASSIGNED, owner_id=owner_id,
            last_owner_id=owner_id, created_at=now, last_message_at=now, last_customer_message_at=None,
            preview="", version=0)
        self.records.conversations[conversation_id] = conversation
        self.records.pointers[(account_id, customer_id)] = conversation_id
        self.records.count(count(conversation) if count is not None else None)
        return conversation

    # --- messages --------------------------------------------------------------------------

    def _thread(self, conversation_id: str) -> list[Message]:
        return [self.records.messages[conversation_id][key]
                for key in sorted(self.records.messages.get(conversation_id, {}))]

    def list_messages(self, conversation_id: str, *, limit: int, cursor: str | None,
                      newest_first: bool = False) -> Page[Message]:
        thread = self._thread(conversation_id)
        return page_of(thread[::-1] if newest_first else thread, limit, cursor)

    def last_inbound_provider_id(self, conversation: Conversation) -> str | None:
        latest = self.last_inbound_message(conversation)
        return latest.provider_message_id if latest is not None else None

    def last_inbound_message(self, conversation: Conversation) -> Message | None:
        at = conversation.last_customer_message_at
        if at is None:
            return None
        millisecond = int(at.timestamp() * 1000)
        found = [m for m in self._thread(conversation.id) if m.direction is Direction.INBOUND
                 and m.provider_message_id and int(m.sent_at.timestamp() * 1000) == millisecond]
        return found[-1] if found else None

    def get_message(self, conversation_id: str, message_id: str) -> Message:
        found = self.records.messages.get(conversation_id, {}).get(message_id)
        if found is None:
            raise NotFound(f"message {message_id} does not exist", field="message_id")
        return found

    def add_outbound_message(self, conversation: Conversation, *, author_id: str, text: str | None,
                             sent_at: datetime, attachments: tuple[Attachment, ...] = (),
                             template: TemplateContent | None = None,
                             route: tuple[Channel, str, str] | None = None, tally: Tally | None = None,
                             owner_id: str | None = None, subject: str | None = None,
                             story: Message | None = None) -> Message:
        stored = self.get_conversation(conversation.id)
        if owner_id is not None and (stored.state is not ConversationState.ASSIGNED or stored.owner_id != owner_id):
            raise Conflict(f"conversation {conversation.id} was archived, handed back or reassigned meanwhile; "
                           "nothing was sent", field="conversation_id")
        kind = ContentKind.TEXT if text or not attachments else attachment_kind(attachments[0])
        channel, account_id, customer_id = route if route is not None else (None, None, None)
        message = Message(id=ids.message_id(sent_at), conversation_id=conversation.id, direction=Direction.OUTBOUND,
                          kind=kind, text=text, sent_at=sent_at, status=DeliveryStatus.QUEUED,
                          provider_message_id=None, author_id=author_id, attachments=attachments, template=template,
                          channel=channel, account_id=account_id, customer_id=customer_id, subject=subject)
        self.records.messages.setdefault(conversation.id, {})[message.id] = message
        self.records.conversations[conversation.id] = stored.model_copy(update={
            "last_message_at": sent_at, "preview": preview_of(kind, text), "awaiting_customer_since": sent_at,
            "waiting_since": None, "first_response_at": stored.first_response_at or sent_at})
        self.records.count(tally)
        self._tell(story)
        return message

    def record_parts(self, conversation_id: str, message_id: str, part_ids: Sequence[str]) -> None:
        message = self.records.messages.get(conversation_id, {}).get(message_id)
        if message is not None and message.status is DeliveryStatus.QUEUED:
            self._put(message.model_copy(update={"sent_parts": tuple(part_ids)}))

    def record_sent(self, conversation_id: str, message_id: str, provider_message_id: str,
                    channel: Channel, account_id: str, at: datetime, part_ids: Sequence[str] = ()) -> None:
        message = self.get_message(conversation_id, message_id)
        for provider_id in dict.fromkeys([provider_message_id, *part_ids]):
            self.records.provider_ids[(channel.value, account_id, provider_id)] = (conversation_id, message_id)
        self._put(message.model_copy(update={"provider_message_id": provider_message_id}))
        self._advance(conversation_id, message_id, DeliveryStatus.SENT, None)

    def record_failure(self, conversation_id: str, message_id: str, error: DeliveryError, at: datetime) -> None:
        self._advance(conversation_id, message_id, DeliveryStatus.FAILED, error)

    def apply_status(self, update: StatusUpdate) -> StatusOutcome:
        if update.watermark is not None:
            moved = self._apply_watermark(update, update.watermark)
            return StatusOutcome.APPLIED if moved else StatusOutcome.UNKNOWN
        target = self.provider_message_target(update.channel, update.account_id, update.provider_message_id)
        if target is None:
            return StatusOutcome.UNKNOWN
        error = None
        if update.status is DeliveryStatus.FAILED:
            error = DeliveryError(code=update.error_code or "unknown",
                                  message=update.error_message or "the provider reported a failure", permanent=True)
        return StatusOutcome.APPLIED if self._advance(*target, update.status, error) else StatusOutcome.ALREADY_FURTHER

    def _apply_watermark(self, update: StatusUpdate, watermark: datetime) -> bool:
        pointed = self.records.pointers.get((update.account_id, update.customer_id))
        if pointed is None:
            return False
        advanced = False
        for message in self._thread(pointed):
            if (message.direction is Direction.OUTBOUND and watermark - WATERMARK_REACH <= message.sent_at <= watermark
                    and 0 < message.status.rank < update.status.rank):
                advanced |= self._advance(pointed, message.id, update.status, None)
        return advanced

    def provider_message_target(self, channel: Channel, account_id: str,
                                provider_message_id: str) -> tuple[str, str] | None:
        return self.records.provider_ids.get((channel.value, account_id, provider_message_id))

    def _advance(self, conversation_id: str, message_id: str, status: DeliveryStatus,
                 error: DeliveryError | None) -> bool:
        message = self.records.messages.get(conversation_id, {}).get(message_id)
        if message is None or message.status.rank >= status.rank:
            return False
        self._put(message.model_copy(update={"status": status, "error": error or message.error}))
        return True

    def _put(self, message: Message) -> None:
        self.records.messages[message.conversation_id][message.id] = message


class InMemoryAutoReplies:
    """``AutoReplyMarkers`` in memory: the replies of one closed period are stored once."""

    def __init__(self, records: ConversationRecords) -> None:
        self.records = records

    def record(self, conversation_id: str, closed_period_id: str, replies: list[OutOfOfficeMessage], *,
               trigger_message_id: str, at: datetime, route: tuple[Channel, str, str] | None = None,
               story: Message | None = None) -> AutoReply:
        earlier = self.records.auto_replies.get((conversation_id, closed_period_id))
        if earlier is not None:
            return AutoReply(created=False, message_ids=earlier.message_ids,
                             trigger_message_id=earlier.trigger_message_id)
        thread = self.records.messages.setdefault(conversation_id, {})
        message_ids = []
        for index, reply in enumerate(replies):
            sent_at = at + timedelta(milliseconds=index)
            attachments: tuple[Attachment, ...] = ()
            kind = ContentKind.TEXT
            if reply.media is not None:
                attachments = (Attachment(key=reply.media.key, content_type=reply.media.content_type,
                                          filename=reply.media.filename, size=reply.media.size),)
                if not reply.text:
                    kind = attachment_kind(attachments[0])
            message = Message(id=ids.message_id(sent_at), conversation_id=conversation_id,
                              direction=Direction.OUTBOUND, kind=kind, text=reply.text, sent_at=sent_at,
                              status=DeliveryStatus.QUEUED, provider_message_id=None, author_id=SYSTEM_AUTHOR,
                              attachments=attachments, channel=route[0] if route else None,
                              account_id=route[1] if route else None, customer_id=route[2] if route else None)
            thread[message.id] = message
            message_ids.append(message.id)
        if story is not None:
            thread[story.id] = story
        stored = AutoReply(created=True, message_ids=message_ids, trigger_message_id=trigger_message_id)
        self.records.auto_replies[(conversation_id, closed_period_id)] = stored
        return stored
