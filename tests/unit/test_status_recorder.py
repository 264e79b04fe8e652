"""Status callbacks off the ordered queue (domain/statuses.py, issue 19.3): on a standard queue they
arrive in any order and possibly more than once, so whatever the order and however many copies, a
message ends at its highest status, each status that moved it is told once, and a status that
outran the send's answer is applied once the send records the provider's id. In-memory stores."""

from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import pytest
from chalicelib.domain.events import Event
from chalicelib.domain.held_statuses import apply_held_statuses
from chalicelib.domain.models import Channel, DeliveryStatus, Message, StatusUpdate
from chalicelib.domain.statuses import StatusRecorder

from tests.contract.builders import START, inbound
from tests.fakes.inbound import InMemoryHeldStatuses
from tests.fakes.world import ACCOUNT_ID, InboxWorld

pytestmark = pytest.mark.unit

CUSTOMER = "+31600000009"
PROVIDER_ID = "wamid.REPLY1"
CALLBACKS = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


class RecordingEvents:
    """An ``EventPublisher`` stand-in that every subscription wants: the events published, in order."""

    def __init__(self) -> None:
        self.published: list[str] = []

    def wants(self, _: object) -> bool:
        return True

    def publish(self, event: Event) -> None:
        self.published.append(event.data["status"])


def a_reply(world: InboxWorld, *, recorded: bool = True) -> Message:
    """An agent's reply to a customer, its provider id recorded by the send (or not yet)."""
    conversation = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=1)).conversation
    reply = world.conversations.add_outbound_message(world.conversation(conversation.id), author_id="ann",
                                                     text="It ships today", sent_at=START + timedelta(minutes=2))
    if recorded:
        world.conversations.record_sent(conversation.id, reply.id, PROVIDER_ID, Channel.WHATSAPP, ACCOUNT_ID,
                                        START + timedelta(minutes=2))
    return reply


def callback(status: DeliveryStatus, minute: int = 3) -> StatusUpdate:
    return StatusUpdate(channel=Channel.WHATSAPP, account_id=ACCOUNT_ID, customer_id=CUSTOMER,
                        provider_message_id=PROVIDER_ID, status=status, occurred_at=START + timedelta(minutes=minute))


@pytest.mark.parametrize("order", list(permutations(CALLBACKS)))
def test_in_any_order_and_twice_over_the_message_ends_read_and_each_move_is_told_once(order) -> None:
    # Given a sent reply
    world = InboxWorld(START)
    reply = a_reply(world)
    events = RecordingEvents()
    recorder = StatusRecorder(world.conversations, InMemoryHeldStatuses(), events=events)  # type: ignore[arg-type]
    # When its callbacks arrive in this order, each delivered twice (a standard queue's repeat)
    moved = [recorder.apply(callback(status)) for status in order for _ in range(2)]
    # Then the message is read, whatever the order
    assert world.conversations.get_message(reply.conversation_id, reply.id).status is DeliveryStatus.READ
    # And only the callbacks that moved it forward counted, each once, and were told once each
    forward = [status for index, status in enumerate(order) if all(status.rank > s.rank for s in order[:index])]
    assert moved.count(True) == len([s for s in forward if s.rank > DeliveryStatus.SENT.rank])
    assert events.published == [s.value for s in forward if s.rank > DeliveryStatus.SENT.rank]


@pytest.mark.parametrize(("first", "applied"), [
    (DeliveryStatus.DELIVERED, [DeliveryStatus.DELIVERED]),
    # a "sent" repeats what the send records: it moves nothing, so the intake need not queue it
    (DeliveryStatus.SENT, []),
])
def test_a_status_before_the_send_answered_is_held_then_applied_if_it_moves_the_message(first, applied) -> None:
    # Given a reply whose send has not recorded the provider's id yet
    world = InboxWorld(START)
    reply = a_reply(world, recorded=False)
    early = InMemoryHeldStatuses()
    recorder = StatusRecorder(world.conversations, early)
    # When the provider's callback comes first
    assert recorder.apply(callback(first)) is False
    # Then nothing moved yet; once the send records the id (marking the message sent), the held
    # status is applied if it moves the message on
    assert world.conversations.get_message(reply.conversation_id, reply.id).status.rank < DeliveryStatus.SENT.rank
    world.conversations.record_sent(reply.conversation_id, reply.id, PROVIDER_ID, Channel.WHATSAPP, ACCOUNT_ID,
                                    START + timedelta(minutes=2))
    moved = apply_held_statuses(world.conversations, early, Channel.WHATSAPP, ACCOUNT_ID, [PROVIDER_ID])
    assert [update.status for update in moved] == applied
    assert world.conversations.get_message(reply.conversation_id, reply.id).status is max(
        [DeliveryStatus.SENT, *applied], key=lambda status: status.rank)
    # And the same status delivered again moves nothing
    assert recorder.apply(callback(first)) is False


@pytest.mark.parametrize(("status", "watermark", "opted_out", "repeats"), [
    (DeliveryStatus.QUEUED, False, False, True),
    (DeliveryStatus.SENT, False, False, True),
    (DeliveryStatus.DELIVERED, False, False, False),
    (DeliveryStatus.READ, False, False, False),
    (DeliveryStatus.FAILED, False, True, False),
    (DeliveryStatus.SENT, True, False, False),  # a watermark finds messages without the send's id
    (DeliveryStatus.SENT, False, True, False),  # says the customer opted out: recorded
])
def test_only_a_status_no_higher_than_sent_naming_a_message_repeats_the_send(status, watermark, opted_out,
                                                                              repeats) -> None:
    update = callback(status).model_copy(update={"watermark": START if watermark else None, "opted_out": opted_out})
    assert update.repeats_the_send is repeats



def test_a_status_the_message_is_already_past_is_neither_held_nor_looked_up_again() -> None:
    # Given a reply the send marked sent
    world = InboxWorld(START)
    a_reply(world)
    early = InMemoryHeldStatuses()
    lookups: list[str] = []
    target = world.conversations.provider_message_target

    def counted(channel: Channel, account_id: str, provider_message_id: str) -> tuple[str, str] | None:
        lookups.append(provider_message_id)
        return target(channel, account_id, provider_message_id)

    world.conversations.provider_message_target = counted  # type: ignore[method-assign]
    recorder = StatusRecorder(world.conversations, early)
    # When the provider's own "sent" arrives, which moves nothing
    assert recorder.apply(callback(DeliveryStatus.SENT)) is False
    # Then it is not held as early, and the message's pointer was read once, by the apply itself
    assert early.take(Channel.WHATSAPP, ACCOUNT_ID, PROVIDER_ID) == []
    assert lookups == [PROVIDER_ID]
