"""Events for integrators: what happened in the inbox, published where it happens and delivered
to the URLs administrators subscribed (``event_delivery.py``; docs/event-webhooks.md).

The use cases publish after their write has succeeded, and publishing never fails them: an
event that cannot be queued is logged and dropped, and the inbox goes on. Event ids are derived
from what happened (the conversation, its version, the message, the status), so a use case that
runs twice for one cause (a redelivered queue record) publishes the same id, which the events
queue's deduplication folds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from chalicelib.core.resources import EVENTS_QUEUE
from pydantic import Field, PrivateAttr

from .models import (
    Channel,
    ContactCard,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryError,
    DeliveryStatus,
    Direction,
    Frozen,
    Location,
    Message,
)
from .ports.integrations import Publisher, QueueMessage, fifo_token

log = logging.getLogger(__name__)


class EventType(StrEnum):
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_ARCHIVED = "conversation.archived"
    MESSAGE_CREATED = "message.created"
    MESSAGE_STATUS_CHANGED = "message.status_changed"


class Event(Frozen):
    """One event, exactly as its webhook body carries it."""

    id: str
    type: EventType
    occurred_at: datetime
    data: dict[str, Any]
    # The conversation as the change left it, whole, for the agents' push notices (notices.py);
    # never part of the body, which carries ``ConversationData`` only.
    _conversation: Conversation | None = PrivateAttr(default=None)

    @property
    def conversation(self) -> Conversation | None:
        return self._conversation

    def __eq__(self, other: object) -> bool:
        # Equal when their bodies are (the conversation riding along is not part of the event).
        if not isinstance(other, Event):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # (as before: ``data`` is a dict)


# --- what the events say --------------------------------------------------------------------


class ConversationData(Frozen):
    id: str
    channel: Channel
    account_id: str
    customer_id: str
    customer_name: str | None
    team_id: str
    state: ConversationState
    owner_id: str | None
    created_at: datetime
    last_message_at: datetime
    tags: tuple[str, ...]

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationData:
        return cls.model_validate(conversation.model_dump(include=set(cls.model_fields)))


class AttachmentData(Frozen):
    """An attachment's description; the file itself stays in the private media bucket."""

    content_type: str
    filename: str | None
    size: int


class MessageData(Frozen):
    id: str
    conversation_id: str
    direction: Direction
    kind: ContentKind
    text: str | None
    sent_at: datetime
    status: DeliveryStatus
    author_id: str | None
    attachments: list[AttachmentData]
    # A reply the customer chose from buttons or a list: the option's payload (the text is its
    # title), what an integrator's flow acts on.
    reply_payload: str | None = None
    # A location or contact cards the customer shared.
    location: Location | None = None
    contacts: tuple[ContactCard, ...] = ()

    @classmethod
    def of(cls, message: Message) -> MessageData:
        return cls(id=message.id, conversation_id=message.conversation_id, direction=message.direction,
                   kind=message.kind, text=message.text, sent_at=message.sent_at, status=message.status,
                   author_id=message.author_id,
                   attachments=[AttachmentData(content_type=a.content_type, filename=a.filename, size=a.size)
                                for a in message.attachments],
                   reply_payload=message.reply_payload, location=message.location, contacts=message.contacts)


class StatusData(Frozen):
    conversation_id: str
    message_id: str
    status: DeliveryStatus
    error: DeliveryError | None = None


def _event(event_type: EventType, at: datetime, data: dict[str, Any], *identity: str,
           conversation: Conversation | None = None) -> Event:
    event = Event(id=fifo_token(event_type.value, *identity)[:32], type=event_type, occurred_at=at, data=data)
    event._conversation = conversation
    return event


def conversation_created(conversation: Conversation) -> Event:
    return _event(EventType.CONVERSATION_CREATED, conversation.created_at,
                  {"conversation": ConversationData.of(conversation).model_dump(mode="json")}, conversation.id,
                  conversation=conversation)


def conversation_assigned(conversation: Conversation, at: datetime) -> Event:
    return _event(EventType.CONVERSATION_ASSIGNED, at,
                  {"conversation": ConversationData.of(conversation).model_dump(mode="json")},
                  conversation.id, str(conversation.version), conversation=conversation)


def conversation_archived(conversation: Conversation, at: datetime) -> Event:
    return _event(EventType.CONVERSATION_ARCHIVED, at,
                  {"conversation": ConversationData.of(conversation).model_dump(mode="json")},
                  conversation.id, str(conversation.version), conversation=conversation)


def message_created(conversation: Conversation, message: Message) -> Event:
    return _event(EventType.MESSAGE_CREATED, message.sent_at,
                  {"conversation": ConversationData.of(conversation).model_dump(mode="json"),
                   "message": MessageData.of(message).model_dump(mode="json")}, message.conversation_id, message.id,
                  conversation=conversation)


def status_changed(conversation_id: str, message_id: str, status: DeliveryStatus, at: datetime,
                   error: DeliveryError | None = None) -> Event:
    data = StatusData(conversation_id=conversation_id, message_id=message_id, status=status, error=error)
    return _event(EventType.MESSAGE_STATUS_CHANGED, at, data.model_dump(mode="json"), conversation_id,
                  message_id, status.value)


# --- the events queue -------------------------------------------------------------------------


class FanOut(Frozen):
    """An event to hand to every matching subscription."""

    kind: Literal["event"] = "event"
    event: Event


class DeliveryRequest(Frozen):
    """One event to one subscription: POST it (again). ``started_at`` opens the retry horizon of
    this series of attempts (the first attempt, or a replay), and ``retry`` counts the retries in
    the series (the backoff grows with it)."""

    kind: Literal["delivery"] = "delivery"
    subscription_id: str
    delivery_id: str
    started_at: datetime
    retry: int = 0
    replay: bool = False


EventsRecord = Annotated[FanOut | DeliveryRequest, Field(discriminator="kind")]


class EventsEnvelope(Frozen):
    """The body of one events queue message."""

    record: EventsRecord


def _subject(event: Event) -> str:
    """The conversation an event is about: its events fan out in order."""
    conversation = event.data.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("id"), str):
        return str(conversation["id"])
    return str(event.data.get("conversation_id") or event.id)


def fan_out_message(event: Event) -> QueueMessage:
    return QueueMessage(body=EventsEnvelope(record=FanOut(event=event)).model_dump_json(),
                        group_id=fifo_token("conversation", _subject(event)), deduplication_id=event.id)


def _everyone_wants(_: EventType) -> bool:
    return True


class EventPublisher:
    """What the inbox use cases call after their write. Never raises.

    ``wanted(type)`` says whether any enabled subscription takes events of that type (a cached
    read, storage/admin_cache.py): an event nobody subscribed to costs no queue message and no
    worker invocation. A subscription created meanwhile in another container gets its first
    events within the cache's lifetime; one created in this process at once.
    """

    def __init__(self, publisher: Publisher, wanted: Callable[[EventType], bool] = _everyone_wants,
                 listeners: Sequence[Callable[[Sequence[Event]], None]] = ()) -> None:
        self._publisher = publisher
        self._wanted = wanted
        # Internal reactions to every event, subscribed or not (push notices: domain/notices.py).
        self._listeners = tuple(listeners)

    def publish(self, *events: Event) -> None:
        if not events:
            return
        for listener in self._listeners:
            try:
                listener(events)
            except Exception:
                log.exception("event listener failed")
        try:
            events = tuple(event for event in events if self._subscribed(event.type))
            if events:
                self._publisher.send(EVENTS_QUEUE, [fan_out_message(event) for event in events])
        except Exception:
            # The inbox operation has succeeded already; losing its webhook is the lesser harm.
            log.exception("events not published: %s", ", ".join(f"{e.type.value} {e.id}" for e in events))

    def wants(self, event_type: EventType) -> bool:
        """Whether an event of this type would be queued: a use case that has to read something
        only to describe the event can skip the read."""
        return bool(self._listeners) or self._subscribed(event_type)

    def _subscribed(self, event_type: EventType) -> bool:
        try:
            return self._wanted(event_type)
        except Exception:
            # Cannot tell: publish, and let the event worker find out (losing an event is worse).
            log.exception("event subscriptions not read; publishing %s anyway", event_type.value)
            return True
