"""Inbox events: ids derived from what happened (so a repeated use case publishes the same id),
their queue messages, and a publisher that never fails the inbox operation."""

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from chalicelib.adapters.messaging import QueuePublisher
from chalicelib.core.resources import EVENTS_QUEUE, QueueDefinition
from chalicelib.domain.events import (
    EventPublisher,
    EventsEnvelope,
    EventType,
    FanOut,
    conversation_assigned,
    conversation_created,
    fan_out_message,
    message_created,
    status_changed,
)
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ContactCard,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    Location,
    Message,
)
from chalicelib.domain.ports.integrations import QueueMessage

NOW = datetime(2025, 10, 9, 8, 0, tzinfo=UTC)
CONVERSATION = Conversation(id="c1", channel=Channel.API, account_id="shop", customer_id="cust-1", customer_name="Ada",
                            team_id="default", state=ConversationState.NEW, owner_id=None, created_at=NOW,
                            last_message_at=NOW, last_customer_message_at=NOW, preview="hi", version=0)
MESSAGE = Message(id="m1", conversation_id="c1", direction=Direction.INBOUND, kind=ContentKind.IMAGE, text="look",
                  sent_at=NOW, status=DeliveryStatus.RECEIVED, provider_message_id="p1", author_id=None,
                  attachments=(Attachment(key="inbound/shop/m1/0", content_type="image/png", size=3),))


class RecordingPublisher(QueuePublisher):
    """The queue client's interface, recording instead of calling SQS."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[QueueDefinition, Sequence[QueueMessage]]] = []
        self._fail = fail

    def send(self, queue: QueueDefinition, messages: Sequence[QueueMessage]) -> None:
        if self._fail:
            raise RuntimeError("SQS is down")
        self.sent.append((queue, messages))


def test_the_same_occurrence_gives_the_same_event_id_and_another_one_another():
    assert conversation_created(CONVERSATION).id == conversation_created(CONVERSATION).id
    assigned = CONVERSATION.model_copy(update={"state": ConversationState.ASSIGNED, "owner_id": "u1", "version": 1})
    reassigned = assigned.model_copy(update={"owner_id": "u2", "version": 2})
    assert conversation_assigned(assigned, NOW).id != conversation_assigned(reassigned, NOW).id
    assert status_changed("c1", "m1", DeliveryStatus.SENT, NOW).id != status_changed(
        "c1", "m1", DeliveryStatus.DELIVERED, NOW).id


def test_a_message_event_describes_attachments_without_their_storage_keys():
    event = message_created(CONVERSATION, MESSAGE)
    assert event.type is EventType.MESSAGE_CREATED
    assert event.data["message"]["attachments"] == [{"content_type": "image/png", "filename": None, "size": 3}]
    assert "inbound/shop" not in event.model_dump_json()
    assert event.data["conversation"]["customer_id"] == "cust-1"


def test_a_message_event_carries_the_chosen_payload_and_what_the_customer_shared():
    # Given a reply chosen from buttons, and a shared location with a contact card
    chosen = MESSAGE.model_copy(update={"kind": ContentKind.TEXT, "text": "No more updates", "attachments": (),
                                        "reply_payload": "STOP"})
    shared = MESSAGE.model_copy(update={
        "kind": ContentKind.LOCATION, "text": None, "attachments": (),
        "location": Location(latitude=51.9225, longitude=4.47917, name="Markthal"),
        "contacts": (ContactCard(name="Sanne Visser", phones=["+31107654321"]),)})
    # Then the integrator gets the payload beside the title, and the coordinates and the card
    assert message_created(CONVERSATION, chosen).data["message"]["reply_payload"] == "STOP"
    data = message_created(CONVERSATION, shared).data["message"]
    assert (data["location"]["latitude"], data["location"]["name"]) == (51.9225, "Markthal")
    assert data["contacts"] == [{"name": "Sanne Visser", "phones": ["+31107654321"], "emails": []}]


def test_the_queue_message_is_deduplicated_by_event_id_and_grouped_by_conversation():
    event = message_created(CONVERSATION, MESSAGE)
    message = fan_out_message(event)
    assert message.deduplication_id == event.id
    assert message.group_id == fan_out_message(conversation_created(CONVERSATION)).group_id
    assert EventsEnvelope.model_validate_json(message.body).record == FanOut(event=event)


def test_publishing_sends_every_event_to_the_events_queue():
    publisher = RecordingPublisher()
    EventPublisher(publisher).publish(conversation_created(CONVERSATION), message_created(CONVERSATION, MESSAGE))
    [(queue, messages)] = publisher.sent
    assert queue is EVENTS_QUEUE
    assert len(messages) == 2


def test_a_failure_to_publish_is_logged_and_does_not_fail_the_caller(caplog: pytest.LogCaptureFixture):
    # Given a queue that refuses everything
    events = EventPublisher(RecordingPublisher(fail=True))
    # When the inbox publishes after its write
    events.publish(conversation_created(CONVERSATION))
    # Then nothing is raised and the loss is logged
    assert "events not published: conversation.created" in caplog.text


def test_an_event_nobody_subscribed_to_is_not_queued():
    # Given subscriptions that take only conversation.created
    publisher = RecordingPublisher()
    events = EventPublisher(publisher, wanted=lambda event_type: event_type is EventType.CONVERSATION_CREATED)
    # When a message arrives in a new conversation
    events.publish(conversation_created(CONVERSATION), message_created(CONVERSATION, MESSAGE))
    # Then only the wanted event costs a queue message
    [(_, messages)] = publisher.sent
    assert [EventsEnvelope.model_validate_json(m.body).record.event.type for m in messages
            ] == [EventType.CONVERSATION_CREATED]
    # And with no subscriptions at all nothing is sent
    events.publish(message_created(CONVERSATION, MESSAGE))
    assert len(publisher.sent) == 1


def test_when_the_subscriptions_cannot_be_read_the_event_is_published_anyway():
    # Given a subscription check that fails (the table is unreachable)
    def unreadable(_: EventType) -> bool:
        raise RuntimeError("throttled")

    publisher = RecordingPublisher()
    # When an event is published
    EventPublisher(publisher, wanted=unreadable).publish(conversation_created(CONVERSATION))
    # Then it is queued: the event worker decides, rather than the event being lost
    [(_, messages)] = publisher.sent
    assert len(messages) == 1
