"""Where a reply can go (domain/reply_routes.py) on the in-memory stores: each route the customer
wrote on, the latest first as the next reply's, with its own window; a conversation an agent
started has only its own route, with nothing to answer yet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.models import Channel, ChannelAccount
from chalicelib.domain.reply_routes import ReplyRoutes

from tests.contract.builders import START, inbound, joining
from tests.fakes.world import ACCOUNT_ID, InboxWorld

CUSTOMER = "+31612345678"


def world_with_sms() -> InboxWorld:
    world = InboxWorld(START)
    world.accounts.create(ChannelAccount(id="sms-shop", channel=Channel.SMS, name="Shop SMS",
                                         provider_account_id="+14155550100", api_base_url="https://api.twilio.com",
                                         team_id="default", enabled=True))
    return world


def test_a_joined_conversation_has_both_routes_the_latest_first_each_with_its_window() -> None:
    # Given a WhatsApp conversation, joined 25 hours later by the customer's SMS
    world = world_with_sms()
    first = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID))
    sms = inbound(CUSTOMER, account_id="sms-shop", minutes=25 * 60).model_copy(update={"channel": Channel.SMS})
    joined = world.conversations.ingest_message(joining(sms, first.conversation.id))
    assert joined is not None
    world.clock.now = START + timedelta(hours=25, minutes=5)
    # When an agent of the team asks where a reply can go
    routes = ReplyRoutes(world.conversations, world.clock, accounts=world.accounts).routes(
        world.agent("ann"), first.conversation.id)
    # Then the SMS route is next (the customer's latest), answering the SMS, its window open
    assert [(r.channel, r.account_id, r.account_name, r.reply_to, r.next) for r in routes] == [
        (Channel.SMS, "sms-shop", "Shop SMS", joined.message.id, True),
        (Channel.WHATSAPP, ACCOUNT_ID, "Shop", first.message.id, False)]
    # And WhatsApp's 24-hour window closed an hour ago: only a template goes there
    assert routes[0].window_open
    assert (routes[1].window_open, routes[1].needs_template) == (False, True)


def test_another_teams_agent_may_not_read_the_routes() -> None:
    world = world_with_sms()
    first = world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID))
    with pytest.raises(Forbidden):
        ReplyRoutes(world.conversations, world.clock, accounts=world.accounts).routes(
            world.agent("bob", team_id="sales"), first.conversation.id)


def test_a_conversation_an_agent_started_has_its_own_route_with_nothing_to_answer() -> None:
    # Given a WhatsApp conversation an agent started (the customer has not written)
    world = world_with_sms()
    started = world.conversations.start(conversation_id="c-started", channel=Channel.WHATSAPP, account_id=ACCOUNT_ID,
                                        customer_id=CUSTOMER, customer_name=None, team_id="default", owner_id="ann",
                                        now=START, replaces=None)
    # When its agent asks where a reply can go
    [route] = ReplyRoutes(world.conversations, world.clock, accounts=world.accounts).routes(
        world.agent("ann"), started.id)
    # Then only its own route, answering no message, and WhatsApp's window is closed until the customer writes
    assert (route.channel, route.account_id, route.customer_id, route.reply_to, route.next) == (
        Channel.WHATSAPP, ACCOUNT_ID, CUSTOMER, None, True)
    assert (route.window_open, route.needs_template) == (False, True)
