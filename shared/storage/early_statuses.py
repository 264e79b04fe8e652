"""Statuses that outrun the send: a provider may report ``sent`` or ``delivered`` before its send
API call has answered us with the message's id, so no message carries that id yet. Such a status
is held under the provider's id (beside the pointer the send will write:
``PMSG#<channel>#<account>#<id>``, ``EARLY#<status>``) and applied once the id is recorded.
A watermark receipt (Messenger's "everything sent before this moment") that found no sent
message is held under the customer instead (``domain/held_statuses.py`` ``watermark_key``).
Held statuses nobody claims (a message we never sent) expire after a week (the table's TTL).
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.models import Channel, DeliveryStatus, StatusUpdate
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from . import keys
from .items import TableItem

HOLD_FOR = timedelta(days=7)
_PREFIX = "EARLY#"


class EarlyStatusItem(TableItem, discriminator="early_status"):
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    provider_message_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()
    occurred_at = UTCDateTimeAttribute()
    error_code = UnicodeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    # A watermark receipt (held by customer, not by message): "everything sent before this".
    watermark = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute()


class EarlyStatusStore:
    def hold(self, update: StatusUpdate) -> None:
        """Keep the status until its message's provider id is recorded (one item per status: a
        redelivery overwrites its own)."""
        EarlyStatusItem(
            keys.provider_message_pk(update.channel.value, update.account_id, update.provider_message_id),
            _PREFIX + update.status.value, channel=update.channel.value, account_id=update.account_id,
            provider_message_id=update.provider_message_id, customer_id=update.customer_id,
            status=update.status.value, occurred_at=update.occurred_at, error_code=update.error_code,
            error_message=update.error_message, watermark=update.watermark,
            expires_at=int((update.occurred_at + HOLD_FOR).timestamp())).save()

    def take(self, channel: Channel, account_id: str, provider_message_id: str) -> list[StatusUpdate]:
        """The statuses held for this provider id, oldest rank first, removed from the store."""
        pk = keys.provider_message_pk(channel.value, account_id, provider_message_id)
        held = list(EarlyStatusItem.query(pk, EarlyStatusItem.sk.startswith(_PREFIX)))
        for item in held:
            item.delete()
        updates = [StatusUpdate(channel=Channel(item.channel), account_id=item.account_id,
                                provider_message_id=item.provider_message_id, customer_id=item.customer_id,
                                status=DeliveryStatus(item.status), occurred_at=item.occurred_at,
                                error_code=item.error_code, error_message=item.error_message,
                                watermark=item.watermark) for item in held]
        return sorted(updates, key=lambda update: update.status.rank)
