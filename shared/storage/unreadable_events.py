"""Parts of authentic webhook deliveries that no adapter could read, kept for an operator: the
raw part, where in the delivery it was and why it could not be read. One item per part under
its channel account (``UNREADABLE#<account>``, ``EVENT#<digest of the part>``), kept for 90 days (the table's TTL);
a redelivery of the same part is kept once.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.models import Channel, UnreadableEvent
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from .items import TableItem

RETENTION = timedelta(days=90)


def unreadable_pk(account_id: str) -> str:
    return f"UNREADABLE#{account_id}"


class UnreadableEventItem(TableItem, discriminator="unreadable_event"):
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    location = UnicodeAttribute()
    raw = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute()


class UnreadableEventStore:
    def keep(self, event: UnreadableEvent) -> bool:
        """Store the part; False when it was kept before (a redelivery: same digest, same key)."""
        item = UnreadableEventItem(
            unreadable_pk(event.account_id), f"EVENT#{event.provider_event_id}",
            channel=event.channel.value, account_id=event.account_id, customer_id=event.customer_id or None,
            reason=event.reason, location=event.location, raw=event.raw, received_at=event.received_at,
            expires_at=int((event.received_at + RETENTION).timestamp()))
        try:
            item.save(condition=UnreadableEventItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def recent(self, account_id: str, limit: int = 50) -> list[UnreadableEvent]:
        """Parts kept for this account, newest first (up to ``limit``). The sort key is a digest
        (that is what makes a redelivery land on the same item), not a time, so the newest are
        found by reading the account's partition, which the 90-day TTL bounds; an operator's
        look, never a request path."""
        kept = [UnreadableEvent(channel=Channel(item.channel), account_id=item.account_id,
                                customer_id=item.customer_id or "", reason=item.reason, location=item.location,
                                raw=item.raw, provider_event_id=item.sk.removeprefix("EVENT#"),
                                received_at=item.received_at)
                for item in UnreadableEventItem.query(unreadable_pk(account_id))]
        return sorted(kept, key=lambda event: event.received_at, reverse=True)[:limit]
