"""Statuses that outran the send (``ports/inbound.py`` ``HeldStatuses``), applied once the send
recorded the provider's id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .models import Channel, DeliveryError, DeliveryStatus, StatusOutcome, StatusUpdate

if TYPE_CHECKING:
    from .ports.conversations import DeliveryStatuses
    from .ports.inbound import HeldStatuses


def watermark_key(customer_id: str) -> str:
    """Where a watermark receipt (Messenger: "everything sent before this moment") that found no
    sent message is held: it names no message, so it waits for the next send to the customer."""
    return f"watermark:{customer_id}"


def apply_held_statuses(messages: DeliveryStatuses, early: HeldStatuses, channel: Channel, account_id: str,
                        provider_ids: Sequence[str]) -> list[StatusUpdate]:
    """Apply the statuses held for these provider ids, in rank order (statuses still never move
    backwards). The ones that moved the message, so the caller tells of each (the agents' open
    threads learn a status only from its notice)."""
    return [update for provider_id in dict.fromkeys(provider_ids)
            for update in early.take(channel, account_id, provider_id)
            if messages.apply_status(update) is StatusOutcome.APPLIED]


def status_error(update: StatusUpdate) -> DeliveryError | None:
    """The failure a provider's status reports, as a message's delivery error."""
    if update.status is not DeliveryStatus.FAILED:
        return None
    return DeliveryError(code=update.error_code or "unknown",
                         message=update.error_message or "the provider reported a failure", permanent=True)
