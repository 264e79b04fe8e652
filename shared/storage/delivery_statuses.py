"""Delivery statuses on DynamoDB (``DeliveryStatuses``, domain/ports/conversations.py): the message
a provider's id names (its ``PMSG`` pointer) and its status, which only moves forward. The thread's
store (storage/messages.py) takes these for the send's own statuses; the status worker uses this
store alone, so its cold start loads the items it reads and writes, not the thread's and the
lists' stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.held_statuses import status_error
from chalicelib.domain.models import (
    Channel,
    DeliveryError,
    DeliveryStatus,
    Direction,
    StatusOutcome,
    StatusUpdate,
)
from pynamodb.expressions.condition import Condition
from pynamodb.pagination import ResultIterator

from . import keys
from .conditions import tolerated
from .items import ErrorAttribute, MessageItem, OpenConversationItem, ProviderMessageItem, TableItem
from .paging import get_item

# How far back a watermark receipt (Messenger) reaches: Meta's longest reply allowance.
WATERMARK_REACH = timedelta(days=7)


class DeliveryStatusStore:
    def apply_status(self, update: StatusUpdate) -> StatusOutcome:
        """Apply a provider's status callback (domain/models.py ``StatusOutcome``): one read of
        the provider id's pointer, then one update conditional on the stored status ranking lower."""
        if update.watermark is not None:
            moved = self._apply_watermark(update, update.watermark)
            return StatusOutcome.APPLIED if moved else StatusOutcome.UNKNOWN
        pointer = _pointer(update.channel, update.account_id, update.provider_message_id)
        if pointer is None:
            return StatusOutcome.UNKNOWN
        moved = self._advance_status(pointer.conversation_id, pointer.message_sk, update.status,
                                     update.occurred_at, status_error(update))
        return StatusOutcome.APPLIED if moved else StatusOutcome.ALREADY_FURTHER

    def provider_message_target(self, channel: Channel, account_id: str,
                                provider_message_id: str) -> tuple[str, str] | None:
        """(conversation id, message id) of the message a provider's id names, if stored."""
        pointer = _pointer(channel, account_id, provider_message_id)
        if pointer is None:
            return None
        return pointer.conversation_id, pointer.message_sk.removeprefix("MSG#")

    def _apply_watermark(self, update: StatusUpdate, watermark: datetime) -> bool:
        """A receipt for everything sent before ``watermark``: move each earlier outbound message of
        the customer's open conversation forward. One Query on the thread, bounded in time."""
        pointer = get_item(OpenConversationItem,
                            keys.open_conversation_pk(update.account_id, update.customer_id), "OPEN")
        if pointer is None:
            return False
        lower = [s.value for s in DeliveryStatus if 0 < s.rank < update.status.rank]
        results: ResultIterator[TableItem] = TableItem.query(
            keys.conversation_pk(pointer.conversation_id),
            TableItem.sk.between(keys.message_sk_bound(watermark - WATERMARK_REACH, upper=False),
                                 keys.message_sk_bound(watermark, upper=True)),
            filter_condition=(MessageItem.direction == Direction.OUTBOUND.value) & MessageItem.status.is_in(*lower),
        )
        advanced = False
        for item in results:
            if isinstance(item, MessageItem):
                advanced |= self._advance_status(pointer.conversation_id, item.sk, update.status,
                                                 update.occurred_at, None)
        return advanced

    def _advance_status(self, conversation_id: str, message_key: str, status: DeliveryStatus, at: datetime,
                        error: DeliveryError | None, also: Sequence[Any] = ()) -> bool:
        """Move the message's status forward (never back); ``also``: other actions that go with it."""
        item = MessageItem(keys.conversation_pk(conversation_id), message_key)
        actions: list[Any] = [MessageItem.status.set(status.value), MessageItem.status_at.set(at), *also]
        if error is not None:
            actions.append(MessageItem.error.set(
                ErrorAttribute(code=error.code, message=error.message, permanent=error.permanent)))
        lower = [s.value for s in DeliveryStatus if s.rank < status.rank]
        condition: Condition = MessageItem.pk.exists() & MessageItem.status.is_in(*lower)
        with tolerated() as backwards:
            item.update(actions=actions, condition=condition)
        return not backwards.refused


def _pointer(channel: Channel, account_id: str, provider_message_id: str) -> ProviderMessageItem | None:
    """The ``PMSG`` item naming the message a provider's id is for (written when the send recorded it)."""
    return get_item(ProviderMessageItem, keys.provider_message_pk(channel.value, account_id, provider_message_id),
                    "PMSG")
