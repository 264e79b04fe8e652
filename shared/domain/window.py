"""Customer-service windows: how long after the customer's last message an agent may answer
with free text. Outside the window only an approved template may be sent.

Messenger and Instagram add Meta's human-agent allowance: past the 24-hour window a human
agent may still answer for 7 days after the customer's last message, provided the message
goes with the HUMAN_AGENT tag (``WindowState.human_agent_tag``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Channel, Conversation

WINDOW_BY_CHANNEL: dict[Channel, timedelta] = {
    Channel.WHATSAPP: timedelta(hours=24),
    Channel.MESSENGER: timedelta(hours=24),
    Channel.INSTAGRAM: timedelta(hours=24),
}
HUMAN_AGENT_WINDOW_BY_CHANNEL: dict[Channel, timedelta] = {
    Channel.MESSENGER: timedelta(days=7),
    Channel.INSTAGRAM: timedelta(days=7),
}
# Only channels with templates ask for one once the window closes; the others cannot be
# answered at all until the customer writes again.
TEMPLATE_CHANNELS = frozenset({Channel.WHATSAPP})


@dataclass(frozen=True)
class WindowState:
    open: bool
    closes_at: datetime | None
    needs_template: bool
    # Open only thanks to the human-agent allowance: replies must carry the HUMAN_AGENT tag.
    human_agent_tag: bool = False


def window_state(conversation: Conversation, now: datetime) -> WindowState:
    length = WINDOW_BY_CHANNEL.get(conversation.channel)
    if length is None:
        return WindowState(open=True, closes_at=None, needs_template=False)
    templates = conversation.channel in TEMPLATE_CHANNELS
    if conversation.last_customer_message_at is None:
        return WindowState(open=False, closes_at=None, needs_template=templates)
    standard_close = conversation.last_customer_message_at + length
    if now < standard_close:
        return WindowState(open=True, closes_at=standard_close, needs_template=False)
    human_agent = HUMAN_AGENT_WINDOW_BY_CHANNEL.get(conversation.channel)
    if human_agent is not None and now < conversation.last_customer_message_at + human_agent:
        return WindowState(open=True, closes_at=conversation.last_customer_message_at + human_agent,
                           needs_template=False, human_agent_tag=True)
    closes_at = conversation.last_customer_message_at + (human_agent or length)
    return WindowState(open=False, closes_at=closes_at, needs_template=templates)
