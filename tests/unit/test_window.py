from datetime import UTC, datetime, timedelta

import pytest
from chalicelib.domain.models import Channel, Conversation, ConversationState
from chalicelib.domain.window import window_state

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def conversation(channel: Channel, last_customer_message_at: datetime | None) -> Conversation:
    return Conversation(id="c1", channel=channel, account_id="a", customer_id="u", customer_name=None,
                        team_id="default", state=ConversationState.ASSIGNED, owner_id="agent",
                        created_at=NOW - timedelta(days=2), last_message_at=NOW - timedelta(hours=1),
                        last_customer_message_at=last_customer_message_at, preview="", version=1)


def test_whatsapp_window_is_open_within_24_hours():
    state = window_state(conversation(Channel.WHATSAPP, NOW - timedelta(hours=23, minutes=59)), NOW)
    assert state.open
    assert not state.needs_template
    assert state.closes_at == NOW + timedelta(minutes=1)


def test_whatsapp_window_closes_at_exactly_24_hours():
    state = window_state(conversation(Channel.WHATSAPP, NOW - timedelta(hours=24)), NOW)
    assert not state.open
    assert state.needs_template


@pytest.mark.parametrize("channel", [Channel.TELEGRAM, Channel.SMS, Channel.VIBER, Channel.EMAIL])
def test_channels_without_a_window_are_always_open(channel):
    state = window_state(conversation(channel, NOW - timedelta(days=30)), NOW)
    assert state.open
    assert state.closes_at is None


@pytest.mark.parametrize("channel", [Channel.MESSENGER, Channel.INSTAGRAM])
def test_meta_messaging_within_24_hours_needs_no_tag(channel):
    state = window_state(conversation(channel, NOW - timedelta(hours=23)), NOW)
    assert state.open
    assert not state.human_agent_tag


@pytest.mark.parametrize("channel", [Channel.MESSENGER, Channel.INSTAGRAM])
def test_meta_messaging_past_24_hours_stays_open_for_a_human_agent_for_7_days(channel):
    # Given the customer wrote 3 days ago
    last = NOW - timedelta(days=3)
    # When
    state = window_state(conversation(channel, last), NOW)
    # Then the reply may go, with the HUMAN_AGENT tag, until 7 days after that message
    assert state.open
    assert state.human_agent_tag
    assert not state.needs_template
    assert state.closes_at == last + timedelta(days=7)


def test_messenger_closes_after_7_days_and_offers_no_template():
    state = window_state(conversation(Channel.MESSENGER, NOW - timedelta(days=7)), NOW)
    assert not state.open
    assert not state.human_agent_tag
    assert not state.needs_template


def test_whatsapp_has_no_human_agent_allowance():
    state = window_state(conversation(Channel.WHATSAPP, NOW - timedelta(days=2)), NOW)
    assert not state.open
    assert not state.human_agent_tag
