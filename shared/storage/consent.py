"""Consent of an address on a channel: the current state (one item) and its history (one item per
change), in the address's own partition ``CONSENT#<channel>#<value>``, so merging profiles never
moves them. A change writes both in one transaction; a provider event or a customer message
redelivered maps to the same history key, so it is recorded once."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.consent import ConsentChange, ConsentSource, ConsentState
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Channel, Message, Page
from pynamodb.connection import Connection
from pynamodb.exceptions import QueryError
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .conditions import tolerated
from .conversation_items import system_line_item
from .customer_items import ConsentHistoryItem, ConsentStateItem
from .items import TableItem
from .paging import decode_cursor, encode_cursor


def _to_state(item: ConsentStateItem) -> ConsentState:
    return ConsentState(channel=Channel(item.channel), address=item.address, opted_out=bool(item.opted_out),
                        changed_at=item.changed_at, source=ConsentSource(item.source))


class ConsentStore:
    def __init__(self) -> None:
        self._connection: Connection | None = None

    def _conn(self) -> Connection:
        if self._connection is None:
            self._connection = Connection(region=TableItem.Meta.region)
        return self._connection

    def state(self, channel: Channel, address: str) -> ConsentState | None:
        try:
            item = ConsentStateItem.get(keys.consent_pk(channel.value, address), keys.CONSENT_STATE_SK,
                                        consistent_read=True)
        except ConsentStateItem.DoesNotExist:
            return None
        return _to_state(item)

    def states(self, pairs: list[tuple[Channel, str]]) -> list[ConsentState]:
        """The recorded states of these channel addresses (one BatchGet; unrecorded ones are absent)."""
        if not pairs:
            return []
        wanted = [(keys.consent_pk(channel.value, address), keys.CONSENT_STATE_SK)
                  for channel, address in dict.fromkeys(pairs)]
        return [_to_state(item) for item in ConsentStateItem.batch_get(wanted)]

    def record(self, change: ConsentChange, *, unique: str | None = None, story: Message | None = None) -> bool:
        """Store a change and make it the current state; False when this event was recorded
        before (same ``unique``). An older event never overwrites a newer state."""
        pk = keys.consent_pk(change.channel.value, change.address)
        history = ConsentHistoryItem(
            pk, keys.consent_history_sk(change.at, unique), channel=change.channel.value, address=change.address,
            opted_out=change.opted_out, at=change.at, source=change.source.value, detail=change.detail[:500],
            by=change.by)
        current = self.state(change.channel, change.address)
        with tolerated() as recorded_before, TransactWrite(connection=self._conn()) as transaction:
            transaction.save(history, condition=ConsentHistoryItem.pk.does_not_exist())
            if current is None or current.changed_at is None or current.changed_at <= change.at:
                state = ConsentStateItem(pk, keys.CONSENT_STATE_SK, channel=change.channel.value,
                                         address=change.address, opted_out=change.opted_out,
                                         changed_at=change.at, source=change.source.value)
                transaction.save(state, condition=ConsentStateItem.pk.does_not_exist()
                                 | (ConsentStateItem.changed_at <= change.at))
            if story is not None:  # "The customer opted out", in their conversation, once with the history
                transaction.save(system_line_item(story))
        return not recorded_before.refused

    def history(self, channel: Channel, address: str, *, limit: int, cursor: str | None) -> Page[ConsentChange]:
        """Latest change first."""
        results: ResultIterator[ConsentHistoryItem] = ConsentHistoryItem.query(
            keys.consent_pk(channel.value, address), ConsentHistoryItem.sk.startswith(keys.CONSENT_HISTORY_PREFIX),
            scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor))
        try:
            items = [ConsentChange(channel=Channel(item.channel), address=item.address, opted_out=bool(item.opted_out),
                                   at=item.at, source=ConsentSource(item.source), detail=item.detail or "",
                                   by=item.by) for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this history", field="cursor") from error
        return Page[ConsentChange](items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def change(channel: Channel, address: str, *, opted_out: bool, at: datetime, source: ConsentSource,
           detail: str = "", by: str | None = None) -> ConsentChange:
    return ConsentChange(channel=channel, address=address, opted_out=opted_out, at=at, source=source,
                         detail=detail, by=by)
