"""The writes of a profile merge (``domain/customer_merge.py`` decides; this module writes).

A merge moves the source profile's addresses (record and owner pointer together), conversation
records with their open-conversation markers and communication log entries to the kept profile,
fills the kept profile's missing fields, marks the source ``merged_into`` and stores a merge
record (who, when, what).

- When everything fits in one TransactWriteItems (at most 100 actions) it is one transaction:
  all or nothing.
- Otherwise it runs in steps, each a transaction: ``begin`` records the merge (state
  ``in_progress``) and marks the source ``merging_into`` (readers and routing follow it to the
  kept profile from then on); each ``move`` step moves what is still under the source (an address
  and its owner pointer always in the same transaction, so every address has one owner at every
  moment) and adds it to the record; ``finish`` completes the profiles and the record. Each step
  reads what is left, so a merge stopped anywhere (a crash) is resumed by running it again.

Each conversation moved gets the merge's line of its story (the domain words it) in the same
transaction: a thread tells the merge exactly when its conversation changed customer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.customers import CustomerProfile, MergeRecord, MergeState, parse_address
from chalicelib.domain.errors import Conflict
from chalicelib.domain.models import Message
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .conditions import refused_as
from .conversation_items import system_line_item
from .customer_items import (
    CommunicationItem,
    CustomerAddressItem,
    CustomerConversationItem,
    CustomerItem,
    CustomerOpenItem,
    MergeItem,
)
from .customers import CustomerStore, address_item, name_search_keys, open_marker, owner_item
from .items import TableItem


@dataclass
class SourceItems:
    """What still lives under the source profile and has to move."""

    addresses: list[CustomerAddressItem] = field(default_factory=list)
    conversations: list[CustomerConversationItem] = field(default_factory=list)
    log_entries: list[CommunicationItem] = field(default_factory=list)
    open_markers: list[CustomerOpenItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.addresses or self.conversations or self.log_entries or self.open_markers)


def _to_record(item: MergeItem) -> MergeRecord:
    return MergeRecord(id=item.merge_id, kept_id=item.kept_id, source_id=item.source_id, kept_name=item.kept_name,
                       source_name=item.source_name, by_id=item.by_id,
                       by_name=item.by_name, started_at=item.started_at, finished_at=item.finished_at,
                       state=MergeState(item.state), addresses=tuple(item.addresses or ()),
                       conversations=tuple(item.conversations or ()), log_entries=int(item.log_entries or 0),
                       single_transaction=bool(item.single_transaction))


def _free() -> Condition:
    """Neither merged, nor being merged, nor receiving a merge."""
    condition: Condition = (CustomerItem.merged_into.does_not_exist() & CustomerItem.merging_into.does_not_exist()
                            & CustomerItem.receiving_from.does_not_exist())
    return condition


class MergeStore:
    def __init__(self, customers: CustomerStore) -> None:
        self._customers = customers

    # --- reading ---------------------------------------------------------------------------------

    def records(self, customer_id: str) -> list[MergeRecord]:
        """The merges into this profile, latest first."""
        results: ResultIterator[MergeItem] = MergeItem.query(
            keys.customer_pk(customer_id), MergeItem.sk.startswith(keys.MERGE_PREFIX), scan_index_forward=False,
            consistent_read=True)
        return [_to_record(item) for item in results]

    def pending(self, kept_id: str, source_id: str) -> MergeRecord | None:
        return next((record for record in self.records(kept_id)
                     if record.source_id == source_id and record.state is MergeState.IN_PROGRESS), None)

    @staticmethod
    def source_items(source_id: str) -> SourceItems:
        found = SourceItems()
        results: ResultIterator[TableItem] = TableItem.query(keys.customer_pk(source_id), consistent_read=True)
        for item in results:
            if isinstance(item, CustomerAddressItem):
                found.addresses.append(item)
            elif isinstance(item, CustomerConversationItem):
                found.conversations.append(item)
            elif isinstance(item, CommunicationItem):
                found.log_entries.append(item)
            elif isinstance(item, CustomerOpenItem):
                found.open_markers.append(item)
        return found

    # --- writing -------------------------------------------------------------------------------

    def in_one(self, kept: CustomerProfile, source: CustomerProfile, fields: dict[str, Any], record: MergeRecord,
               items: SourceItems, story: Callable[[str], Message]) -> MergeRecord:
        done = record.model_copy(update={
            "state": MergeState.DONE, "finished_at": record.started_at, "single_transaction": True,
            "addresses": tuple(item.address for item in items.addresses),
            "conversations": tuple(item.conversation_id for item in items.conversations),
            "log_entries": len(items.log_entries)})
        with self._transaction() as transaction:
            self._move(transaction, kept.id, items, story)
            transaction.update(self._profile(kept.id), actions=self._kept_actions(kept, fields),
                               condition=_free() & (CustomerItem.version == kept.version))
            transaction.update(self._profile(source.id), actions=self._source_actions(kept.id),
                               condition=_free())
            transaction.save(self._record_item(done), condition=MergeItem.pk.does_not_exist())
        self._resync(kept.id, source.id)
        return done

    def begin(self, kept: CustomerProfile, source: CustomerProfile, record: MergeRecord) -> None:
        with self._transaction() as transaction:
            transaction.save(self._record_item(record), condition=MergeItem.pk.does_not_exist())
            transaction.update(self._profile(source.id), actions=[CustomerItem.merging_into.set(kept.id)],
                               condition=_free())
            transaction.update(self._profile(kept.id), actions=[CustomerItem.receiving_from.set(source.id)],
                               condition=_free())

    def move(self, kept_id: str, record: MergeRecord, items: SourceItems, story: Callable[[str], Message]) -> None:
        """One step: move these items and note them on the record."""
        actions: list[Action] = []
        if items.addresses:
            actions.append(MergeItem.addresses.set(MergeItem.addresses.append([i.address for i in items.addresses])))
        if items.conversations:
            actions.append(MergeItem.conversations.set(
                MergeItem.conversations.append([i.conversation_id for i in items.conversations])))
        if items.log_entries:
            actions.append(MergeItem.log_entries.add(len(items.log_entries)))
        merge_item = MergeItem(keys.customer_pk(kept_id), keys.merge_sk(record.id))
        still_running = MergeItem.state == MergeState.IN_PROGRESS.value
        with self._transaction() as transaction:
            self._move(transaction, kept_id, items, story)
            if actions:
                transaction.update(merge_item, actions=actions, condition=still_running)
            else:
                # A step of open-conversation markers only notes nothing (an update needs an action).
                transaction.condition_check(MergeItem, merge_item.pk, merge_item.sk, condition=still_running)

    def finish(self, kept: CustomerProfile, source: CustomerProfile, fields: dict[str, Any], record: MergeRecord,
               at: datetime) -> None:
        with self._transaction() as transaction:
            transaction.update(self._profile(kept.id),
                               actions=[*self._kept_actions(kept, fields), CustomerItem.receiving_from.remove()],
                               condition=(CustomerItem.receiving_from == source.id)
                               & (CustomerItem.version == kept.version))
            transaction.update(self._profile(source.id), actions=self._source_actions(kept.id),
                               condition=CustomerItem.merging_into == kept.id)
            transaction.update(MergeItem(keys.customer_pk(kept.id), keys.merge_sk(record.id)), actions=[
                MergeItem.state.set(MergeState.DONE.value), MergeItem.finished_at.set(at)],
                condition=MergeItem.state == MergeState.IN_PROGRESS.value)
        self._resync(kept.id, source.id)

    def _resync(self, kept_id: str, source_id: str) -> None:
        """The search fragments after a merge: the kept profile's gain the moved addresses (and a
        filled name), the merged one's go (search finds the kept profile)."""
        for customer_id in (kept_id, source_id):
            self._customers.sync_fragments(customer_id)

    # --- helpers ---------------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(TransactWrite(connection=self._customers.conn()))

    @staticmethod
    def _profile(customer_id: str) -> CustomerItem:
        return CustomerItem(keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK)

    @staticmethod
    def _move(transaction: TransactWrite, kept_id: str, items: SourceItems, story: Callable[[str], Message]) -> None:
        for address in items.addresses:
            transaction.delete(address)
            transaction.save(address_item(kept_id, parse_address(address.address), address.added_at))
            transaction.save(owner_item(address.address, kept_id))
        for conversation in items.conversations:
            transaction.delete(conversation)
            transaction.save(CustomerConversationItem(
                keys.customer_pk(kept_id), conversation.sk, conversation_id=conversation.conversation_id,
                channel=conversation.channel, account_id=conversation.account_id, created_at=conversation.created_at))
            transaction.save(system_line_item(story(conversation.conversation_id)))
        for marker in items.open_markers:
            transaction.delete(marker)
            transaction.save(open_marker(kept_id, marker.conversation_id))
        for entry in items.log_entries:
            transaction.delete(entry)
            transaction.save(CommunicationItem(
                keys.customer_pk(kept_id), entry.sk, entry_id=entry.entry_id, customer_id=kept_id,
                direction=entry.direction, medium=entry.medium, occurred_at=entry.occurred_at, text=entry.text,
                author_id=entry.author_id, author_name=entry.author_name, conversation_id=entry.conversation_id))

    @staticmethod
    def _kept_actions(kept: CustomerProfile, fields: dict[str, Any]) -> list[Action]:
        actions: list[Action] = [CustomerItem.version.add(1),
                                 CustomerItem.attributes.set(json.dumps(fields["attributes"], sort_keys=True))]
        if fields["name"]:
            actions.append(CustomerItem.name.set(fields["name"]))
            actions += [getattr(CustomerItem, attr).set(value)
                        for attr, value in name_search_keys(kept.id, fields["name"]).items() if value is not None]
        if fields["language"]:
            actions.append(CustomerItem.language.set(fields["language"]))
        return actions

    @staticmethod
    def _source_actions(kept_id: str) -> list[Action]:
        # Off the name search: a merged profile is found through the kept one only.
        return [CustomerItem.merged_into.set(kept_id), CustomerItem.merging_into.remove(),
                CustomerItem.search_value.remove(), CustomerItem.collection_pk.remove(),
                CustomerItem.collection_sk.remove(), CustomerItem.version.add(1)]

    @staticmethod
    def _record_item(record: MergeRecord) -> MergeItem:
        return MergeItem(keys.customer_pk(record.kept_id), keys.merge_sk(record.id), merge_id=record.id,
                         kept_id=record.kept_id, source_id=record.source_id, kept_name=record.kept_name,
                         source_name=record.source_name, by_id=record.by_id,
                         by_name=record.by_name, started_at=record.started_at, finished_at=record.finished_at,
                         state=record.state.value, addresses=list(record.addresses),
                         conversations=list(record.conversations), log_entries=record.log_entries,
                         single_transaction=record.single_transaction)

    def split(self, items: SourceItems, budget: int) -> Sequence[SourceItems]:
        return chunks(items, budget)


class _Transaction:
    """A TransactWrite whose refusal by a condition (someone changed a profile meanwhile) is a Conflict."""

    def __init__(self, transaction: TransactWrite) -> None:
        self._transaction = transaction

    def __enter__(self) -> TransactWrite:
        return self._transaction.__enter__()

    def __exit__(self, *exc: Any) -> None:
        with refused_as(Conflict("one of the profiles changed, or another merge involves it; read them again "
                                 "and retry", field="customer_id")):
            self._transaction.__exit__(*exc)


def chunks(items: SourceItems, budget: int) -> Sequence[SourceItems]:
    """Split what is left into steps of at most ``budget`` actions (an address or a conversation 3,
    with its owner pointer or its story line; others 2)."""
    steps: list[SourceItems] = []
    current, used = SourceItems(), 0

    def room(cost: int) -> None:
        nonlocal current, used
        if used + cost > budget and not current.empty:
            steps.append(current)
            current, used = SourceItems(), 0
        used += cost

    for address in items.addresses:
        room(3)
        current.addresses.append(address)
    for conversation in items.conversations:
        room(3)
        current.conversations.append(conversation)
    for entry in items.log_entries:
        room(2)
        current.log_entries.append(entry)
    for marker in items.open_markers:
        room(2)
        current.open_markers.append(marker)
    if not current.empty:
        steps.append(current)
    return steps
