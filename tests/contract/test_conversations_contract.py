"""The conversation aggregate's contract: ingest by plan, automatic assignment, transitions and
the thread's delivery statuses, the same in memory and on DynamoDB."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chalicelib.domain.admin_models import OutOfOfficeMessage
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import (
    Channel,
    ConversationState,
    DeliveryError,
    DeliveryStatus,
    Direction,
    StatusOutcome,
    StatusUpdate,
    SystemEvent,
    SystemEventKind,
)
from chalicelib.domain.ports.conversations import AutoAssignOutcome, Tally
from chalicelib.domain.story import system_line

from tests.contract.builders import START, appending, inbound, joining, opening, unique
from tests.contract.conftest import Stores


def test_a_message_that_opens_a_conversation_stores_both_and_counts_it(stores: Stores) -> None:
    # Given a customer without a conversation
    team, customer = unique("team"), unique("+31")
    # When their first message is ingested with a plan that opens one in ``team``
    result = stores.conversations.ingest_message(opening(inbound(customer, text="Where is my parcel?"), team_id=team))
    # Then a New conversation of that team holds the message, and the customer's pointer names it
    assert result is not None
    assert result.created_conversation
    conversation = stores.conversations.get_conversation(result.conversation.id)
    assert (conversation.state, conversation.team_id, conversation.customer_id) == (ConversationState.NEW, team,
                                                                                    customer)
    assert conversation.preview == "Where is my parcel?"
    assert conversation.version == 0
    assert stores.conversations.open_conversation("wa-1", customer) == conversation
    thread = stores.conversations.list_messages(conversation.id, limit=10, cursor=None).items
    assert [(m.direction, m.status, m.text) for m in thread] == [
        (Direction.INBOUND, DeliveryStatus.RECEIVED, "Where is my parcel?")]
    assert stores.gauges(team) == {"new": 1}


def test_a_redelivered_message_is_stored_once(stores: Stores) -> None:
    customer = unique("+31")
    event = inbound(customer)
    first = stores.conversations.ingest_message(opening(event))
    assert first is not None
    # When the same provider message comes again (as a new plan)
    again = stores.conversations.ingest_message(opening(event))
    # Then nothing is written and the caller is told
    assert again is None
    assert stores.conversations.has_provider_message(Channel.WHATSAPP, "wa-1", event.provider_message_id)
    assert len(stores.conversations.list_messages(first.conversation.id, limit=10, cursor=None).items) == 1


def test_a_message_into_the_open_conversation_moves_it_and_a_late_one_does_not(stores: Stores) -> None:
    customer = unique("+31")
    opened = stores.conversations.ingest_message(opening(inbound(customer, minutes=0)))
    assert opened is not None
    conversation_id = opened.conversation.id
    later = stores.conversations.ingest_message(appending(inbound(customer, minutes=5, text="Any news?"),
                                                          conversation_id))
    assert later is not None
    assert not later.created_conversation
    assert later.conversation.last_message_at == START + timedelta(minutes=5)
    assert later.conversation.preview == "Any news?"
    # A message sent before the latest one (arriving late) is stored but leaves the conversation
    late = stores.conversations.ingest_message(appending(inbound(customer, minutes=2, text="(late)"),
                                                         conversation_id))
    assert late is not None
    assert stores.conversations.get_conversation(conversation_id).preview == "Any news?"
    texts = [m.text for m in stores.conversations.list_messages(conversation_id, limit=10, cursor=None).items]
    assert texts == ["Hello", "(late)", "Any news?"]


def test_opening_a_second_conversation_while_one_is_open_is_a_conflict(stores: Stores) -> None:
    customer = unique("+31")
    assert stores.conversations.ingest_message(opening(inbound(customer))) is not None
    with pytest.raises(Conflict):
        stores.conversations.ingest_message(opening(inbound(customer, minutes=1)))


def test_a_new_conversation_takes_the_place_of_an_archived_one(stores: Stores) -> None:
    customer = unique("+31")
    old = stores.conversations.ingest_message(opening(inbound(customer)))
    assert old is not None
    archived = stores.transitions.transition(old.conversation, ConversationState.ARCHIVED, owner_id=None,
                                             now=START + timedelta(hours=1))
    new = stores.conversations.ingest_message(opening(inbound(customer, minutes=600), replaces=archived.id))
    assert new is not None
    assert new.conversation.id != archived.id
    assert stores.conversations.open_conversation("wa-1", customer) == new.conversation


def test_joining_needs_the_other_conversation_still_open(stores: Stores) -> None:
    # Given a customer's open conversation on one account, and an archived one on another
    customer = unique("+31")
    on_whatsapp = stores.conversations.ingest_message(opening(inbound(customer)))
    assert on_whatsapp is not None
    # When a message on the other account joins it, the pointer there names it too
    joined = stores.conversations.ingest_message(joining(inbound(customer, account_id="wa-2", minutes=1),
                                                         on_whatsapp.conversation.id))
    assert joined is not None
    assert joined.conversation.id == on_whatsapp.conversation.id
    assert stores.conversations.open_conversation("wa-2", customer) == joined.conversation
    # But once it is archived, joining it is refused (the retry opens a conversation instead)
    current = stores.conversations.get_conversation(on_whatsapp.conversation.id)
    stores.transitions.transition(current, ConversationState.ARCHIVED, owner_id=None, now=START)
    with pytest.raises(Conflict):
        stores.conversations.ingest_message(joining(inbound(unique("+44"), account_id="wa-3"), current.id))


def test_automatic_assignment_follows_the_round_robin_marker(stores: Stores) -> None:
    # Given two waiting conversations of a team
    team = unique("team")
    first = stores.conversations.ingest_message(opening(inbound(unique("+31"), minutes=0), team_id=team))
    second = stores.conversations.ingest_message(opening(inbound(unique("+31"), minutes=1), team_id=team))
    assert first is not None
    assert second is not None
    assert [c.id for c in stores.conversations.waiting(team)] == [first.conversation.id, second.conversation.id]
    tally = Tally(team, START, gauges={"new": -1, "assigned": 1})
    # When the first goes to ann from a team nobody was assigned in yet
    outcome = stores.conversations.auto_assign(first.conversation.id, "ann", team, None, tally=tally)
    # Then it is hers, the marker names her, and a decision from the old picture is refused
    assert outcome is AutoAssignOutcome.ASSIGNED
    assert stores.teams.last_assigned(team) == "ann"
    assert stores.conversations.auto_assign(second.conversation.id, "bob", team, None) is AutoAssignOutcome.TEAM_MOVED
    # And an assigned conversation is taken, whatever the marker says
    assert stores.conversations.auto_assign(first.conversation.id, "bob", team, "ann") is AutoAssignOutcome.TAKEN
    assigned = stores.conversations.get_conversation(first.conversation.id)
    assert (assigned.state, assigned.owner_id, assigned.last_owner_id, assigned.version) == (
        ConversationState.ASSIGNED, "ann", "ann", 1)
    assert stores.conversations.assigned_count("ann", [team, "elsewhere"]) == 1
    assert [c.id for c in stores.conversations.waiting(team)] == [second.conversation.id]
    assert stores.gauges(team) == {"new": 1, "assigned": 1}


def test_a_transition_from_a_stale_read_is_a_conflict(stores: Stores) -> None:
    opened = stores.conversations.ingest_message(opening(inbound(unique("+31"))))
    assert opened is not None
    read = opened.conversation
    picked = stores.transitions.transition(read, ConversationState.ASSIGNED, owner_id="ann", now=START)
    assert (picked.state, picked.owner_id, picked.version) == (ConversationState.ASSIGNED, "ann", 1)
    # A second agent who read it New loses
    with pytest.raises(Conflict):
        stores.transitions.transition(read, ConversationState.ASSIGNED, owner_id="bob", now=START)
    # Handing back keeps who had it; archiving stamps the time
    back = stores.transitions.transition(picked, ConversationState.NEW, owner_id=None, now=START)
    assert (back.owner_id, back.last_owner_id) == (None, "ann")
    archived = stores.transitions.transition(back, ConversationState.ARCHIVED, owner_id=None,
                                             now=START + timedelta(hours=2))
    stored = stores.conversations.get_conversation(read.id)
    assert stored.archived_at == archived.archived_at == START + timedelta(hours=2)
    assert (stored.state, stored.last_owner_id, stored.version) == (ConversationState.ARCHIVED, "ann", 3)


def test_an_agent_started_conversation_needs_the_pointer_free(stores: Stores) -> None:
    customer = unique("+31")
    started = stores.transitions.start(conversation_id=unique("c"), channel=Channel.WHATSAPP, account_id="wa-1",
                                       customer_id=customer, customer_name=None, team_id="default",
                                       owner_id="ann", now=START, replaces=None)
    assert stores.conversations.get_conversation(started.id).state is ConversationState.ASSIGNED
    with pytest.raises(Conflict):
        stores.transitions.start(conversation_id=unique("c"), channel=Channel.WHATSAPP, account_id="wa-1",
                                 customer_id=customer, customer_name=None, team_id="default", owner_id="bob",
                                 now=START, replaces=None)


def test_delivery_statuses_only_move_forward(stores: Stores) -> None:
    opened = stores.conversations.ingest_message(opening(inbound(unique("+31"))))
    assert opened is not None
    reply = stores.conversations.add_outbound_message(opened.conversation, author_id="ann", text="On its way",
                                                      sent_at=START + timedelta(minutes=3))
    assert (reply.status, reply.direction) == (DeliveryStatus.QUEUED, Direction.OUTBOUND)
    assert stores.conversations.get_conversation(opened.conversation.id).preview == "On its way"
    stores.conversations.record_sent(opened.conversation.id, reply.id, "wamid.OUT", Channel.WHATSAPP, "wa-1",
                                     START)
    assert stores.conversations.provider_message_target(Channel.WHATSAPP, "wa-1", "wamid.OUT") == (
        opened.conversation.id, reply.id)

    def status(value: DeliveryStatus, provider_id: str = "wamid.OUT") -> StatusOutcome:
        return stores.conversations.apply_status(StatusUpdate(
            channel=Channel.WHATSAPP, account_id="wa-1", customer_id=opened.conversation.customer_id,
            provider_message_id=provider_id, status=value, occurred_at=START))

    assert status(DeliveryStatus.READ) is StatusOutcome.APPLIED
    assert status(DeliveryStatus.DELIVERED) is StatusOutcome.ALREADY_FURTHER  # late: read already
    assert status(DeliveryStatus.READ) is StatusOutcome.ALREADY_FURTHER  # a repeat
    assert status(DeliveryStatus.READ, provider_id="wamid.UNKNOWN") is StatusOutcome.UNKNOWN
    assert stores.conversations.get_message(opened.conversation.id, reply.id).status is DeliveryStatus.READ
    with pytest.raises(NotFound):
        stores.conversations.get_message(opened.conversation.id, "0000000000000-missing")


def test_a_failure_is_recorded_once_with_its_reason(stores: Stores) -> None:
    opened = stores.conversations.ingest_message(opening(inbound(unique("+31"))))
    assert opened is not None
    reply = stores.conversations.add_outbound_message(opened.conversation, author_id="ann", text="Hi",
                                                      sent_at=START + timedelta(minutes=1))
    stores.conversations.record_parts(opened.conversation.id, reply.id, ["part-1"])
    assert stores.conversations.get_message(opened.conversation.id, reply.id).sent_parts == ("part-1",)
    error = DeliveryError(code="window_closed", message="closed", permanent=True)
    stores.conversations.record_failure(opened.conversation.id, reply.id, error, START)
    failed = stores.conversations.get_message(opened.conversation.id, reply.id)
    assert (failed.status, failed.error) == (DeliveryStatus.FAILED, error)
    # Parts are noted only while the message is queued
    stores.conversations.record_parts(opened.conversation.id, reply.id, ["part-1", "part-2"])
    assert stores.conversations.get_message(opened.conversation.id, reply.id).sent_parts == ("part-1",)


def test_the_thread_pages_in_send_order_or_newest_first(stores: Stores) -> None:
    customer = unique("+31")
    opened = stores.conversations.ingest_message(opening(inbound(customer, text="one")))
    assert opened is not None
    for minute, text in ((1, "two"), (2, "three")):
        stores.conversations.ingest_message(appending(inbound(customer, minutes=minute, text=text),
                                                      opened.conversation.id))
    first = stores.conversations.list_messages(opened.conversation.id, limit=2, cursor=None)
    assert [m.text for m in first.items] == ["one", "two"]
    assert first.next_cursor is not None
    rest = stores.conversations.list_messages(opened.conversation.id, limit=2, cursor=first.next_cursor)
    assert [m.text for m in rest.items] == ["three"]
    newest = stores.conversations.list_messages(opened.conversation.id, limit=3, cursor=None, newest_first=True)
    assert [m.text for m in newest.items] == ["three", "two", "one"]
    current = stores.conversations.get_conversation(opened.conversation.id)
    latest = stores.conversations.last_inbound_message(current)
    assert latest is not None
    assert latest.text == "three"
    assert stores.conversations.last_inbound_provider_id(current) == latest.provider_message_id


def test_out_of_office_replies_are_stored_once_per_closed_period(stores: Stores) -> None:
    opened = stores.conversations.ingest_message(opening(inbound(unique("+31"))))
    assert opened is not None
    conversation_id = opened.conversation.id
    replies = [OutOfOfficeMessage(text="We are closed"), OutOfOfficeMessage(text="Back at nine")]
    first = stores.auto_replies.record(conversation_id, "2026-03-02T18", replies, trigger_message_id="m1", at=START)
    again = stores.auto_replies.record(conversation_id, "2026-03-02T18", replies, trigger_message_id="m2", at=START)
    assert first.created
    assert len(first.message_ids) == 2
    assert (again.created, again.message_ids, again.trigger_message_id) == (False, first.message_ids, "m1")
    next_period = stores.auto_replies.record(conversation_id, "2026-03-03T18", replies[:1], trigger_message_id="m3",
                                             at=START + timedelta(days=1))
    assert next_period.created
    queued = [m for m in stores.conversations.list_messages(conversation_id, limit=10, cursor=None).items
              if m.direction is Direction.OUTBOUND]
    assert [(m.text, m.status, m.author_id) for m in queued] == [
        ("We are closed", DeliveryStatus.QUEUED, "system"), ("Back at nine", DeliveryStatus.QUEUED, "system"),
        ("We are closed", DeliveryStatus.QUEUED, "system")]


def test_the_queue_clocks_follow_who_spoke_last(stores: Stores) -> None:
    # Given a customer's first message
    customer = unique("+31")
    opened = stores.conversations.ingest_message(opening(inbound(customer, minutes=0)))
    assert opened is not None
    conversation_id = opened.conversation.id
    # Then the customer waits from that message on, and nobody has seen it
    first = stores.conversations.get_conversation(conversation_id)
    assert (first.waiting_since, first.awaiting_customer_since, first.unread) == (START, None, True)
    # When they write again before an answer, the wait still counts from the first message
    stores.conversations.ingest_message(appending(inbound(customer, minutes=4, text="Hello?"), conversation_id))
    assert stores.conversations.get_conversation(conversation_id).waiting_since == START
    # When an agent replies, we wait for the customer; the first response time is kept once
    picked = stores.transitions.transition(stores.conversations.get_conversation(conversation_id),
                                           ConversationState.ASSIGNED, owner_id="ann", now=START)
    stores.conversations.add_outbound_message(picked, author_id="ann", text="Looking", sent_at=START + timedelta(
        minutes=6), owner_id="ann")
    stores.conversations.add_outbound_message(picked, author_id="ann", text="Found it", sent_at=START + timedelta(
        minutes=8), owner_id="ann")
    answered = stores.conversations.get_conversation(conversation_id)
    assert (answered.waiting_since, answered.awaiting_customer_since) == (None, START + timedelta(minutes=8))
    assert answered.first_response_at == START + timedelta(minutes=6)
    # When the customer writes back, they wait again from that message and we no longer wait
    stores.conversations.ingest_message(appending(inbound(customer, minutes=10, text="Thanks"), conversation_id))
    again = stores.conversations.get_conversation(conversation_id)
    assert (again.waiting_since, again.awaiting_customer_since) == (START + timedelta(minutes=10), None)
    # And archiving stops both clocks
    archived = stores.transitions.transition(again, ConversationState.ARCHIVED, owner_id=None,
                                             now=START + timedelta(minutes=11))
    stored = stores.conversations.get_conversation(conversation_id)
    assert (stored.waiting_since, stored.awaiting_customer_since) == (None, None) == (
        archived.waiting_since, archived.awaiting_customer_since)


def test_only_the_owner_s_look_marks_a_conversation_seen(stores: Stores) -> None:
    customer = unique("+31")
    opened = stores.conversations.ingest_message(opening(inbound(customer, minutes=0)))
    assert opened is not None
    conversation_id = opened.conversation.id
    picked = stores.transitions.transition(opened.conversation, ConversationState.ASSIGNED, owner_id="ann",
                                           now=START)
    # Someone else's look writes nothing; the owner's does, and never moves back
    assert not stores.transitions.mark_seen(conversation_id, "bob", START + timedelta(minutes=1))
    assert stores.transitions.mark_seen(conversation_id, "ann", START + timedelta(minutes=2))
    assert not stores.transitions.mark_seen(conversation_id, "ann", START + timedelta(minutes=1))
    seen = stores.conversations.get_conversation(conversation_id)
    assert (seen.seen_at, seen.unread) == (START + timedelta(minutes=2), False)
    # A newer customer message is unread again; a reassignment clears the look
    stores.conversations.ingest_message(appending(inbound(customer, minutes=3, text="Hi?"), conversation_id))
    assert stores.conversations.get_conversation(conversation_id).unread
    stores.transitions.mark_seen(conversation_id, "ann", START + timedelta(minutes=4))
    moved = stores.transitions.transition(stores.conversations.get_conversation(conversation_id),
                                          ConversationState.ASSIGNED, owner_id="bob", now=START)
    assert moved.seen_at is None is stores.conversations.get_conversation(picked.id).seen_at


def test_a_transition_stores_its_system_line_with_it_or_not_at_all(stores: Stores) -> None:
    opened = stores.conversations.ingest_message(opening(inbound(unique("+31"))))
    assert opened is not None
    read = opened.conversation
    line = system_line(read.id, SystemEvent(kind=SystemEventKind.PICKED_UP, actor_id="ann", actor_name="Ann"),
                       START + timedelta(minutes=1))
    stores.transitions.transition(read, ConversationState.ASSIGNED, owner_id="ann", now=START, story=line)
    # A transition refused (a stale read) stores no line either
    late = system_line(read.id, SystemEvent(kind=SystemEventKind.PICKED_UP, actor_id="bob", actor_name="Bob"),
                       START + timedelta(minutes=2))
    with pytest.raises(Conflict):
        stores.transitions.transition(read, ConversationState.ASSIGNED, owner_id="bob", now=START, story=late)
    thread = stores.conversations.list_messages(read.id, limit=10, cursor=None).items
    assert [(m.direction, m.text, m.event) for m in thread[1:]] == [
        (Direction.SYSTEM, "Picked up by Ann", line.event)]
