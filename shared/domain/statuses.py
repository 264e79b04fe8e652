"""Provider status callbacks (sent, delivered, read, failed) applied to the messages they name.

Statuses come on a standard queue of their own (``STATUSES_QUEUE``), not on the customers'
ordered inbound queue (issue 19): a status only ever moves its message forward (``apply_status``
updates on the condition that the stored status ranks lower), so callbacks need no order among
themselves or with the customer's messages, and a repeated one changes nothing. Off the FIFO queue
they cost a standard queue's requests, and a burst of receipts (a broadcast's) holds up no
customer's messages behind it in their message group. A status that outran the send's answer
(the provider reported before the send API answered) is held and applied when the send records
the provider's id (``held_statuses.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .events import EventType, status_changed
from .held_statuses import apply_held_statuses, status_error, watermark_key
from .models import StatusOutcome

if TYPE_CHECKING:
    from .consent_recorder import ConsentRecorder
    from .events import EventPublisher
    from .models import StatusUpdate
    from .ports.conversations import DeliveryStatuses
    from .ports.inbound import HeldStatuses


class StatusRecorder:
    """``consent``: builds the consent recorder on the first status that says the customer opted out
    (rare: a cold start for a receipt does not load it)."""

    def __init__(self, repository: DeliveryStatuses, early: HeldStatuses, *,
                 consent: Callable[[], ConsentRecorder] | None = None, events: EventPublisher | None = None) -> None:
        self._repository = repository
        self._early = early
        self._consent = consent
        self._events = events

    def apply(self, update: StatusUpdate) -> bool:
        """Apply the status (or hold it until its message is known); True when it moved a message.
        A status that says the customer opted out (Twilio 21610) also records that."""
        outcome = self._repository.apply_status(update)
        applied = [update] if outcome is StatusOutcome.APPLIED else []
        if outcome is StatusOutcome.UNKNOWN:
            applied = self._hold_if_early(update) if update.watermark is None else self._hold_watermark(update)
        for moved in applied:
            self._status_event(moved)
        if update.opted_out and self._consent is not None:
            self._consent().record(update.channel, update.account_id, update.customer_id, opted_out=True,
                                 at=update.occurred_at, detail=f"{update.error_code}: {update.error_message}",
                                 unique=f"status-{update.provider_message_id}")
        return bool(applied)

    def _hold_if_early(self, update: StatusUpdate) -> list[StatusUpdate]:
        """A status for a provider id no message carried when it was applied: the send API has not
        answered (the provider reported first). Held until the dispatcher records the id; if the id
        was recorded meanwhile, the held statuses are applied here: the ones that moved the message."""
        self._early.hold(update)
        if self._repository.provider_message_target(update.channel, update.account_id,
                                                    update.provider_message_id) is None:
            return []
        return apply_held_statuses(self._repository, self._early, update.channel, update.account_id,
                                   [update.provider_message_id])

    def _hold_watermark(self, update: StatusUpdate) -> list[StatusUpdate]:
        """A watermark receipt that moved nothing: a reply sent before the watermark may still be
        waiting for the send API's answer (the provider reported first). Held under the customer's
        watermark key (one per status: a later receipt overwrites it) and applied when the next
        send to the customer records its id; tried again here in case that happened meanwhile."""
        held = update.model_copy(update={"provider_message_id": watermark_key(update.customer_id)})
        self._early.hold(held)
        if self._repository.apply_status(update) is not StatusOutcome.APPLIED:
            return []
        self._early.take(update.channel, update.account_id, held.provider_message_id)
        return [update]

    def _status_event(self, update: StatusUpdate) -> None:
        """message.status_changed for a status that moved a message forward. A watermark receipt
        (Messenger) names no message and publishes nothing, and nothing is read for an event that
        no subscription takes."""
        if (self._events is None or update.watermark is not None
                or not self._events.wants(EventType.MESSAGE_STATUS_CHANGED)):
            return
        target = self._repository.provider_message_target(update.channel, update.account_id,
                                                          update.provider_message_id)
        if target is None:
            return
        self._events.publish(status_changed(*target, update.status, update.occurred_at, status_error(update)))
