"""Routing a customer's message (domain/routing.py) on the in-memory stores: a new conversation or
the open one, a redelivery, a reopen within the period and a new conversation after it. The
stores' answers are held to DynamoDB's by tests/contract."""

from __future__ import annotations

import json

from chalicelib.core.resources import ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE
from chalicelib.domain.admin_models import DEFAULT_TEAM_ID, AssignmentPolicy, OutOfOfficeMessage
from chalicelib.domain.models import ConversationState, InboundEnvelope
from chalicelib.domain.office_hours import OfficeHours, TimeSpan, Weekday

from tests.contract.builders import START, inbound
from tests.fakes.world import ACCOUNT_ID, InboxWorld

CUSTOMER = "+31612345678"
# START is Monday 10:00 in Amsterdam: open until 17:00; EVENING minutes later it is 20:00 there.
WEEKDAYS_NINE_TO_FIVE = OfficeHours(time_zone="Europe/Amsterdam", days={
    day: [TimeSpan(open="09:00", close="17:00")] for day in
    (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)})
EVENING = 10 * 60


def closed_auto_assigning_world() -> InboxWorld:
    """The default team assigns automatically and is closed in the evening, and the account has an
    out-of-office reply: a message may need both follow-ups."""
    world = InboxWorld(START)
    world.teams.update(DEFAULT_TEAM_ID, office_hours=WEEKDAYS_NINE_TO_FIVE,
                       assignment=AssignmentPolicy(auto_assign=True))
    world.accounts.set_out_of_office(ACCOUNT_ID, [OutOfOfficeMessage(text="We are closed; back at nine")])
    return world


def test_a_first_message_opens_a_conversation_and_asks_for_an_assignment() -> None:
    world = closed_auto_assigning_world()
    # When a customer without a conversation writes while the team is closed (20:00 local)
    result = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, text="Where is my parcel?",
                                           minutes=EVENING))
    # Then a New conversation of the account's team holds it, and the assignment and out-of-office
    # workers are asked to look at it
    assert result.created_conversation
    conversation = world.conversation(result.conversation.id)
    assert (conversation.state, conversation.team_id) == (ConversationState.NEW, DEFAULT_TEAM_ID)
    assert [json.loads(body) for body in world.publisher.bodies(ASSIGNMENT_QUEUE)] == [
        {"conversation_id": conversation.id}]
    assert [json.loads(body) for body in world.publisher.bodies(OUT_OF_OFFICE_QUEUE)] == [
        {"conversation_id": conversation.id, "message_id": result.message.id}]
    assert [tally.counts for tally in world.records.tallies] == [
        {"created": 1, "channel.whatsapp": 1, "entered.new": 1}]


def test_a_second_message_goes_into_the_open_conversation() -> None:
    world = closed_auto_assigning_world()
    first = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=EVENING))
    second = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=EVENING + 2, text="Hello?"))
    assert not second.created_conversation
    assert second.conversation.id == first.conversation.id
    assert second.conversation.preview == "Hello?"
    assert len(world.publisher.bodies(ASSIGNMENT_QUEUE)) == 1  # only the new conversation was offered
    assert len(world.publisher.bodies(OUT_OF_OFFICE_QUEUE)) == 2


def test_a_message_that_no_worker_has_anything_to_do_with_queues_no_follow_up() -> None:
    # Given a team that is open and waits for pick-ups (no automatic assignment)
    world = InboxWorld(START)
    world.teams.update(DEFAULT_TEAM_ID, office_hours=WEEKDAYS_NINE_TO_FIVE)
    world.accounts.set_out_of_office(ACCOUNT_ID, [OutOfOfficeMessage(text="We are closed; back at nine")])
    # When a customer opens a conversation at 10:00 local and writes again
    world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID))
    world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=2, text="Hello?"))
    # Then neither the assignment nor the out-of-office worker is invoked
    assert world.publisher.bodies(ASSIGNMENT_QUEUE) == []
    assert world.publisher.bodies(OUT_OF_OFFICE_QUEUE) == []


def test_a_closed_team_without_replies_to_send_queues_no_out_of_office() -> None:
    world = InboxWorld(START)
    world.teams.update(DEFAULT_TEAM_ID, office_hours=WEEKDAYS_NINE_TO_FIVE)
    world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=EVENING))
    assert world.publisher.bodies(OUT_OF_OFFICE_QUEUE) == []


def test_a_redelivered_message_is_stored_once_and_followed_up_once() -> None:
    world = InboxWorld(START)
    event = inbound(CUSTOMER, account_id=ACCOUNT_ID)
    world.customer_writes(event)
    sent_before = list(world.publisher.sent)
    # When the queue delivers the same provider message again
    again = world.router.handle(InboundEnvelope(event=event))
    # Then nothing is stored or sent a second time
    assert again is None
    assert world.publisher.sent == sent_before


def test_a_customer_who_writes_within_the_reopen_period_gets_their_agent_back() -> None:
    world = InboxWorld(START)
    ann = world.agent("ann")
    opened = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID))
    world.lifecycle.pick_up(ann, opened.conversation.id)
    world.lifecycle.archive(ann, opened.conversation.id)
    # When the customer writes again a day later, while ann is signed in
    world.clock.advance(days=1)
    world.presences.record_heartbeat("ann", [DEFAULT_TEAM_ID], world.clock())
    again = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=24 * 60))
    # Then the same conversation is open again, assigned to ann
    assert again.conversation.id == opened.conversation.id
    reopened = world.conversation(opened.conversation.id)
    assert (reopened.state, reopened.owner_id) == (ConversationState.ASSIGNED, "ann")


def test_a_reopened_conversation_whose_agent_is_away_waits_in_new_for_them() -> None:
    world = InboxWorld(START)
    world.teams.update(DEFAULT_TEAM_ID, assignment=AssignmentPolicy(auto_assign=True))
    ann = world.agent("ann")
    opened = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID))
    world.lifecycle.pick_up(ann, opened.conversation.id)
    world.lifecycle.archive(ann, opened.conversation.id)
    world.clock.advance(days=1)  # ann's last heartbeat is a day old
    world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=24 * 60))
    assert world.conversation(opened.conversation.id).state is ConversationState.NEW
    assert json.loads(world.publisher.bodies(ASSIGNMENT_QUEUE)[-1]) == {
        "conversation_id": opened.conversation.id, "previous_owner_id": "ann"}


def test_after_the_reopen_period_a_new_conversation_takes_the_archived_ones_place() -> None:
    world = InboxWorld(START)
    ann = world.agent("ann")
    opened = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID))
    world.lifecycle.pick_up(ann, opened.conversation.id)
    world.lifecycle.archive(ann, opened.conversation.id)
    reopen_days = world.settings.read().reopen_days
    later = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID,
                                          minutes=(reopen_days + 1) * 24 * 60))
    assert later.created_conversation
    assert later.conversation.id != opened.conversation.id
    assert world.conversation(opened.conversation.id).state is ConversationState.ARCHIVED
    assert world.conversations.open_conversation(ACCOUNT_ID, CUSTOMER) == world.conversation(later.conversation.id)
