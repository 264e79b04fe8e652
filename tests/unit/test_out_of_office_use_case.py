"""Out-of-office replies (domain/out_of_office.py) on the in-memory stores: once per closed period,
again for a redelivery of the message that stored them, never while the team is open. The stores'
answers are held to DynamoDB's by tests/contract."""

from __future__ import annotations

from chalicelib.core.resources import SEND_QUEUE
from chalicelib.domain.admin_models import DEFAULT_TEAM_ID, OutOfOfficeMessage
from chalicelib.domain.models import Channel, ChannelAccount, Direction, OutboundRequest, routed
from chalicelib.domain.office_hours import OfficeHours, TimeSpan, Weekday

from tests.contract.builders import START, inbound, joining
from tests.fakes.world import ACCOUNT_ID, InboxWorld

CUSTOMER = "+31612345678"
# START is Monday 10:00 in Amsterdam: open until 17:00 (16:00 UTC).
WEEKDAYS_NINE_TO_FIVE = OfficeHours(time_zone="Europe/Amsterdam", days={
    day: [TimeSpan(open="09:00", close="17:00")] for day in
    (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)})


def closed_world() -> InboxWorld:
    world = InboxWorld(START)
    world.teams.update(DEFAULT_TEAM_ID, office_hours=WEEKDAYS_NINE_TO_FIVE)
    world.accounts.set_out_of_office(ACCOUNT_ID, [OutOfOfficeMessage(text="We are closed; back at nine")])
    return world


def queued_replies(world: InboxWorld) -> list[str]:
    return [OutboundRequest.model_validate_json(body).message_id for body in world.publisher.bodies(SEND_QUEUE)]


def test_the_first_message_of_a_closed_period_gets_the_replies_and_the_next_does_not() -> None:
    world = closed_world()
    evening = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=10 * 60))  # 20:00 local
    assert world.out_of_office.handle(evening.conversation.id, evening.message.id)
    [reply_id] = queued_replies(world)
    reply = world.conversations.get_message(evening.conversation.id, reply_id)
    assert (reply.direction, reply.text) == (Direction.OUTBOUND, "We are closed; back at nine")
    later = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=11 * 60))  # same night
    assert not world.out_of_office.handle(later.conversation.id, later.message.id)
    assert queued_replies(world) == [reply_id]


def test_a_redelivery_of_the_message_that_stored_the_replies_publishes_them_again() -> None:
    world = closed_world()
    evening = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=10 * 60))
    assert world.out_of_office.handle(evening.conversation.id, evening.message.id)
    # The worker failed after storing: the record comes again; the queue's deduplication folds the repeat
    assert world.out_of_office.handle(evening.conversation.id, evening.message.id)
    first, again = queued_replies(world)
    assert first == again


def test_the_next_closed_period_is_answered_again_and_open_hours_never() -> None:
    world = closed_world()
    monday_evening = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=10 * 60))
    world.out_of_office.handle(monday_evening.conversation.id, monday_evening.message.id)
    tuesday_noon = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=27 * 60))
    assert not world.out_of_office.handle(tuesday_noon.conversation.id, tuesday_noon.message.id)
    tuesday_evening = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=34 * 60))
    assert world.out_of_office.handle(tuesday_evening.conversation.id, tuesday_evening.message.id)
    assert len(queued_replies(world)) == 2


def test_a_customer_who_joined_by_sms_gets_the_sms_accounts_replies_by_sms() -> None:
    # Given a WhatsApp conversation, and an SMS account of the team with its own out-of-office reply
    world = closed_world()
    world.accounts.create(ChannelAccount(id="sms-shop", channel=Channel.SMS, name="Shop SMS",
                                         provider_account_id="+14155550100", api_base_url="https://api.twilio.com",
                                         team_id=DEFAULT_TEAM_ID, enabled=True))
    world.accounts.set_out_of_office("sms-shop", [OutOfOfficeMessage(text="SMS: we are closed")])
    morning = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=60))  # 11:00, open
    assert not world.out_of_office.handle(morning.conversation.id, morning.message.id)
    # When the customer writes by SMS in the evening and the message joins the conversation
    sms = inbound(CUSTOMER, account_id="sms-shop", minutes=10 * 60).model_copy(update={"channel": Channel.SMS})
    joined = world.conversations.ingest_message(joining(sms, morning.conversation.id))
    assert joined is not None
    assert world.out_of_office.handle(morning.conversation.id, joined.message.id)
    # Then the SMS account's reply is queued, routed to the customer by SMS (not the WhatsApp account's)
    [reply_id] = queued_replies(world)
    reply = world.conversations.get_message(morning.conversation.id, reply_id)
    assert reply.text == "SMS: we are closed"
    assert (reply.channel, reply.account_id, reply.customer_id) == (Channel.SMS, "sms-shop", CUSTOMER)
    assert routed(world.conversation(morning.conversation.id), reply).channel is Channel.SMS


def test_a_reply_on_the_conversations_own_route_names_no_route() -> None:
    world = closed_world()
    evening = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID, minutes=10 * 60))
    assert world.out_of_office.handle(evening.conversation.id, evening.message.id)
    [reply_id] = queued_replies(world)
    reply = world.conversations.get_message(evening.conversation.id, reply_id)
    assert (reply.channel, reply.account_id) == (None, None)
