"""Customer-service windows: how long after the customer's last message an agent may answer
with free text. Outside the window only an approved template may be sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Channel, Conversation

WINDOW_BY_CHANNEL: dict[Channel, timedelta] = {
    Channel.WHATSAPP: timedelta(hours=24),
    Channel.MESSENGER: timedelta(hours=24),
    Channel.INSTAGRAM: timedelta(hours=24),
}


@dataclass(frozen=True)
class WindowState:
    open: bool
    closes_at: datetime | None
    needs_template: bool


def window_state(conversation: Conversation, now: datetime) -> WindowState:
    length = WINDOW_BY_CHANNEL.get(conversation.channel)
    if length is None:
        return WindowState(open=True, closes_at=None, needs_template=False)
    if conversation.last_customer_message_at is None:
        return WindowState(open=False, closes_at=None, needs_template=True)
    closes_at = conversation.last_customer_message_at + length
    is_open = now < closes_at
    return WindowState(open=is_open, closes_at=closes_at, needs_template=not is_open)
