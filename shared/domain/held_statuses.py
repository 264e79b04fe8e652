"""Statuses that outran the send (``ports/inbound.py`` ``HeldStatuses``), applied once the send
recorded the provider's id."""

from __future__ import annotations

from collections.abc import Sequence

from .models import Channel
from .ports.conversations import Messages
from .ports.inbound import HeldStatuses


def apply_held_statuses(messages: Messages, early: HeldStatuses, channel: Channel, account_id: str,
                        provider_ids: Sequence[str]) -> bool:
    """Apply the statuses held for these provider ids, in rank order (statuses still never move
    backwards). True when any moved the message."""
    applied = False
    for provider_id in dict.fromkeys(provider_ids):
        for update in early.take(channel, account_id, provider_id):
            applied |= messages.apply_status(update)
    return applied
