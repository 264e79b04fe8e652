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
