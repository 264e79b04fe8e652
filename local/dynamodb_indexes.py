"""Sorted partitions for moto's DynamoDB tables, so a Query reads one partition, not the table.

moto answers every Query by sorting all items of the table (``Table.all_items``) and walking
them, so a Query on an index costs O(N log N) in the table's size and the first inbox paint
slows as conversations accumulate. DynamoDB reads one partition of the table or of the index, in
sort-key order, from the start key on. This module keeps that shape beside moto's own items:
for the table and each secondary index, partition value -> sort keys kept sorted, maintained on
every write (moto's ``Table.put_item`` and ``Table.delete_item``, and the copy-on-write
``install`` the update path uses). A Query finds its first item by bisection and reads at most
``Limit`` items (or 1 MB) from there.

Order: the table's own partitions by sort key; an index's partitions by the index's sort key,
then (for equal index keys, which DynamoDB leaves unordered) by the table's partition and sort
key, as moto does, so paging with ``LastEvaluatedKey`` is stable.

Writers hold the table's ``TableState.lock`` (briefly: a dict write and a list insertion per
index); a Query holds it while it picks its items, then projects and filters without it. The
state rebuilds itself from ``table.items`` when first used and after a deep copy (moto copies
tables for backups), so it never goes stale against items put in another way.
"""

from __future__ import annotations

import base64
import bisect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, SecondaryIndex, Table

_STATE_ATTRIBUTE = "_contact_sorted_state"
_STATE_CREATION = threading.Lock()
_PATCHED = "_contact_sorted"
_SIZE_ATTRIBUTE = "_contact_size"

SortKey = tuple[Any, ...]


def native(value: DynamoType | None, declared_type: str | None) -> Any:
    """A key value as Python compares it the way DynamoDB does (strings by code point, which is
    UTF-8 byte order; numbers by value; binary by bytes), or None when missing or of another type
    than the attribute definition (DynamoDB refuses such writes; such an item is not indexed)."""
    if value is None or (declared_type is not None and value.type != declared_type):
        return None
    if value.type == "S":
        return value.value
    if value.type == "N":
        return Decimal(value.value)
    if value.type == "B":
        raw = value.value
        return base64.b64decode(raw) if isinstance(raw, str) else bytes(raw)
    return None


@dataclass
class _Partition:
    keys: list[SortKey] = field(default_factory=list)
    items: dict[SortKey, Item] = field(default_factory=dict)

    def add(self, key: SortKey, item: Item) -> None:
        if key not in self.items:
            bisect.insort(self.keys, key)
        self.items[key] = item

    def remove(self, key: SortKey) -> None:
        if self.items.pop(key, None) is not None:
            del self.keys[bisect.bisect_left(self.keys, key)]


@dataclass
class SortedIndex:
    """The table (``name`` None) or one secondary index, partitioned and sorted."""

    name: str | None
    hash_attribute: str
    range_attribute: str | None
    # The table's key attributes after the index's own, to order equal index keys.
    tiebreak_attributes: tuple[str, ...]
    types: dict[str, str]
    partitions: dict[Any, _Partition] = field(default_factory=dict)

    def partition_value(self, attrs: dict[str, DynamoType]) -> Any:
        return native(attrs.get(self.hash_attribute), self.types.get(self.hash_attribute))

    def sort_key(self, attrs: dict[str, Any]) -> SortKey | None:
        """The item's place in its partition; None when it lacks an index key (a sparse index)."""
        names = ((self.range_attribute,) if self.range_attribute else ()) + self.tiebreak_attributes
        values = []
        for name in names:
            value = native(_as_dynamo(attrs.get(name)), self.types.get(name))
            if value is None:
                return None
            values.append(value)
        return tuple(values)

    def add(self, item: Item) -> None:
        partition, key = self.partition_value(item.attrs), self.sort_key(item.attrs)
        if partition is not None and key is not None:
            self.partitions.setdefault(partition, _Partition()).add(key, item)

    def remove(self, item: Item) -> None:
        partition, key = self.partition_value(item.attrs), self.sort_key(item.attrs)
        if partition is None or key is None:
            return
        found = self.partitions.get(partition)
        if found is not None:
            found.remove(key)
            if not found.items:
                del self.partitions[partition]


def _as_dynamo(value: Any) -> DynamoType | None:
    if value is None or isinstance(value, DynamoType):
        return value
    return DynamoType(value)  # an ExclusiveStartKey's plain {"S": ...}


class TableState:
    """The sorted partitions of one moto table, the lock its writers and readers share, and a
    count of the writes (what changed since a save)."""

    def __init__(self, table: Table) -> None:
        self.lock = threading.RLock()
        self.writes = 0
        # Keys (partition, sort) of the items written since the saver last took them (None: no
        # saver, nothing noted; local/persistence.py starts it).
        self.changed: set[tuple[DynamoType, DynamoType | None]] | None = None
        types = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
        table_keys = tuple(k for k in (table.hash_key_attr, table.range_key_attr) if k)
        self.table_index = SortedIndex(None, table.hash_key_attr, table.range_key_attr, (), types)
        self.indexes: dict[str, SortedIndex] = {}
        for index in table.all_indexes():
            hash_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            range_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            if len(hash_keys) != 1 or len(range_keys) > 1:
                continue  # multi-attribute keys: moto's own Query answers those
            self.indexes[index.name] = SortedIndex(index.name, hash_keys[0], range_keys[0] if range_keys else None,
                                                   table_keys, types)
        for item in _stored_items(table):
            self.add(item)

    def all(self) -> Iterator[SortedIndex]:
        yield self.table_index
        yield from self.indexes.values()

    def add(self, item: Item) -> None:
        self.writes += 1
        if self.changed is not None:
            self.changed.add((item.hash_key, item.range_key))
        for index in self.all():
            index.add(item)

    def remove(self, item: Item) -> None:
        self.writes += 1
        if self.changed is not None:
            self.changed.add((item.hash_key, item.range_key))
        for index in self.all():
            index.remove(item)

    def __deepcopy__(self, memo: dict[int, Any]) -> None:
        return None  # a copied table builds its own state when first used


def _stored_items(table: Table) -> Iterator[Item]:
    for partition in list(table.items.values()):
        if isinstance(partition, Item):
            yield partition
        else:
            yield from list(partition.values())


def state_of(table: Table) -> TableState:
    state: TableState | None = getattr(table, _STATE_ATTRIBUTE, None)
    if state is None:
        with _STATE_CREATION:
            state = getattr(table, _STATE_ATTRIBUTE, None)
            if state is None:
                state = TableState(table)
                setattr(table, _STATE_ATTRIBUTE, state)
    return state


def install(table: Table, old: Item | None, new: Item | None) -> None:
    """Replace one stored item (None: absent) by another with the same key, indexes included.
    Items are never changed in place once stored, so a reader holds either the old or the new."""
    state = state_of(table)
    with state.lock:
        if old is not None:
            state.remove(old)
            _drop_from_items(table, old)
        if new is not None:
            if table.range_key_attr:
                table.items[new.hash_key][new.range_key] = new
            else:
                table.items[new.hash_key] = new  # type: ignore[assignment]
            state.add(new)


def _drop_from_items(table: Table, item: Item) -> None:
    if table.range_key_attr:
        partition = table.items.get(item.hash_key)
        if partition is not None:
            partition.pop(item.range_key, None)
            if not partition:
                del table.items[item.hash_key]  # moto leaves empty partitions behind
    else:
        table.items.pop(item.hash_key, None)


# --- moto's Table methods, replaced ------------------------------------------------------------

def _get_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None = None,
              projection_expression: list[list[str]] | None = None) -> Item | None:
    # moto's reads index a defaultdict, so every miss stored an empty partition: a leak.
    if self.has_range_key and not range_key:
        raise MockValidationException("Table has a range key, but no range key was passed into get_item")
    partition = self.items.get(hash_key)
    if partition is None:
        return None
    result = partition.get(range_key) if range_key else partition
    if not isinstance(result, Item):
        return None
    return result.project(projection_expression) if projection_expression else result


def _wrap_put(put: Callable[..., Item]) -> Callable[..., Item]:
    def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
        state = state_of(self)
        with state.lock:
            hash_value = DynamoType(item_attrs[self.hash_key_attr]) if self.hash_key_attr in item_attrs else None
            range_value = (DynamoType(item_attrs[self.range_key_attr])
                           if self.range_key_attr and self.range_key_attr in item_attrs else None)
            old = _get_item(self, hash_value, range_value) if hash_value is not None and (
                range_value is not None or not self.range_key_attr) else None
            item = put(self, item_attrs, *args, **kwargs)
            if old is not None:
                state.remove(old)
            state.add(item)
            return item

    return put_item


def _delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    item = _get_item(self, hash_key, range_key)
    if item is None:
        return None
    install(self, item, None)
    if self.stream_shard is not None:
        self.stream_shard.add(item, None)
    return item


_RANGE_OPERATORS = {"=": "EQ", "EQ": "EQ", "<": "LT", "LT": "LT", "<=": "LE", "LE": "LE", ">": "GT", "GT": "GT",
                    ">=": "GE", "GE": "GE", "BETWEEN": "BETWEEN", "BEGINS_WITH": "BEGINS_WITH"}


def _bounds(keys: list[SortKey], operator: str | None, values: list[Any]) -> tuple[int, int]:
    """The run of ``keys`` whose first element meets the sort-key condition."""
    def first(k: SortKey) -> Any:
        return k[0]

    size = len(keys)
    if operator is None:
        return 0, size
    if operator == "EQ":
        return bisect.bisect_left(keys, values[0], key=first), bisect.bisect_right(keys, values[0], key=first)
    if operator == "LT":
        return 0, bisect.bisect_left(keys, values[0], key=first)
    if operator == "LE":
        return 0, bisect.bisect_right(keys, values[0], key=first)
    if operator == "GT":
        return bisect.bisect_right(keys, values[0], key=first), size
    if operator == "GE":
        return bisect.bisect_left(keys, values[0], key=first), size
    if operator == "BETWEEN":
        low, high = bisect.bisect_left(keys, values[0], key=first), bisect.bisect_right(keys, values[1], key=first)
        return low, max(low, high)
    prefix = values[0]  # BEGINS_WITH: a contiguous run from the prefix on
    low = bisect.bisect_left(keys, prefix, key=first)
    high = bisect.bisect_left(keys, True, lo=low, key=lambda k: not k[0].startswith(prefix))
    return low, high


def _wrap_query(moto_query: Callable[..., tuple[list[Item], int, dict[str, Any] | None]]) -> Callable[..., Any]:
    def query(self: Table, hash_key: DynamoType | None, range_comparison: str | None, range_objs: list[DynamoType],
              limit: int | None, exclusive_start_key: dict[str, Any] | None, scan_index_forward: bool,
              projection_expressions: list[list[str]] | None, index_name: str | None = None,
              consistent_read: bool = False, filter_expression: Any = None,
              hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
              range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
              **filter_kwargs: Any) -> tuple[list[Item], int, dict[str, Any] | None]:
        state = state_of(self)
        index = state.table_index if index_name is None else state.indexes.get(index_name)
        operator = _RANGE_OPERATORS.get(range_comparison.upper()) if range_comparison else None
        simple = (index is not None and hash_key is not None and not filter_kwargs
                  and len(hash_key_conditions or []) <= 1 and len(range_key_conditions or []) <= 1
                  and (range_comparison is None or operator is not None))
        if not simple:
            with state.lock:  # multi-attribute keys and legacy KeyConditions: moto's own reading
                return moto_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                  scan_index_forward, projection_expressions, index_name, consistent_read,
                                  filter_expression, hash_key_conditions=hash_key_conditions,
                                  range_key_conditions=range_key_conditions, **filter_kwargs)
        assert index is not None
        assert hash_key is not None
        secondary = self.get_index(index_name) if index_name else None
        if consistent_read and secondary is not None and secondary in self.global_indexes:
            raise MockValidationException("Consistent reads are not supported on global secondary indexes")
        range_type = index.types.get(index.range_attribute or "")
        values = [native(v, range_type) for v in range_objs]
        picked, scanned, last = _pick(state, index, native(hash_key, index.types.get(index.hash_attribute)),
                                      operator, values, limit, exclusive_start_key, scan_index_forward)
        last_evaluated_key = _last_evaluated_key(self, secondary, last) if last is not None else None
        results = [_index_projection(secondary, item) for item in picked] if secondary is not None else picked
        if filter_expression is not None:
            results = [item for item in results if filter_expression.expr(item)]
        if projection_expressions:
            results = [_projection(item, projection_expressions) for item in results]
        return results, scanned, last_evaluated_key

    return query


def _projection(item: Item, paths: list[list[str]]) -> Item:
    """``item.project(paths)``, without moto's cost when every path is a top-level attribute (index
    projections, ``attributes_to_get``): moto turns the whole item into plain JSON once per path and
    builds the result back attribute by attribute, re-measuring the item at each (about 10 ms for a
    conversation item; a count of 1,000 took seconds). Stored items are never changed in place, so
    the projection may share their attribute values."""
    if any(len(path) != 1 for path in paths):
        return item.project(paths)
    projected = Item(item.hash_key, item.range_key, {})
    # LimitedSizeDict's constructor fills it without re-measuring per key (a part of a stored item
    # cannot exceed the item size limit).
    projected.attrs = LimitedSizeDict({name: item.attrs[name] for (name,) in paths if name in item.attrs})
    return projected


def _index_projection(index: SecondaryIndex, item: Item) -> Item:
    """What ``index`` holds of ``item`` (moto's ``SecondaryIndex.project``, through ``_projection``)."""
    projection_type = (index.projection or {}).get("ProjectionType")
    if projection_type not in ("KEYS_ONLY", "INCLUDE"):
        return item  # ALL
    names = list(dict.fromkeys([*index.table_key_attrs, *(key["AttributeName"] for key in index.schema)]))
    if projection_type == "INCLUDE":
        names += [name for name in index.projection.get("NonKeyAttributes", []) if name not in names]
    return _projection(item, [[name] for name in names])


def _pick(state: TableState, index: SortedIndex, partition_value: Any, operator: str | None, values: list[Any],
          limit: int | None, exclusive_start_key: dict[str, Any] | None,
          forward: bool) -> tuple[list[Item], int, Item | None]:
    """The items one page reads, in order; how many were read; the last one if the page stopped
    before the end (Limit or DynamoDB's 1 MB per page)."""
    with state.lock:
        partition = index.partitions.get(partition_value) if partition_value is not None else None
        if partition is None or (operator is not None and None in values):
            return [], 0, None
        keys = partition.keys
        low, high = _bounds(keys, operator, values)
        if exclusive_start_key:
            start = index.sort_key(exclusive_start_key)
            if start is None:
                raise MockValidationException("The provided starting key is invalid")
            if forward:
                low = max(low, bisect.bisect_right(keys, start))
            else:
                high = min(high, bisect.bisect_left(keys, start))
        positions = range(low, high) if forward else range(high - 1, low - 1, -1)
        picked: list[Item] = []
        size = 0
        for position in positions:
            item = partition.items[keys[position]]
            item_size = _size(item)
            if (limit is not None and len(picked) == limit) or (picked and size + item_size > RESULT_SIZE_LIMIT):
                return picked, len(picked), picked[-1]
            picked.append(item)
            size += item_size
        return picked, len(picked), None


def _size(item: Item) -> int:
    """``item.size()``, measured once per item: a page measures every item it reads against the
    1 MB page limit, and a stored item never changes in place. The measure is kept with the
    identity of the attributes it measured, so the copy an update makes (``copy.deepcopy``, which
    copies it along) measures itself again."""
    measured: tuple[int, int] | None = item.__dict__.get(_SIZE_ATTRIBUTE)
    if measured is not None and measured[0] == id(item.attrs):
        return measured[1]
    size = item.size()
    item.__dict__[_SIZE_ATTRIBUTE] = (id(item.attrs), size)
    return size


def _last_evaluated_key(table: Table, index: SecondaryIndex | None, item: Item) -> dict[str, Any]:
    names = [n for n in (table.hash_key_attr, table.range_key_attr) if n]
    if index is not None:
        names += [k["AttributeName"] for k in index.schema if k["AttributeName"] not in names]
    return {name: item.attrs[name] for name in names}


def _wrap_scan(scan: Callable[..., Any]) -> Callable[..., Any]:
    def locked_scan(self: Table, *args: Any, **kwargs: Any) -> Any:
        with state_of(self).lock:  # moto walks the dicts writers change; not on a request path
            return scan(self, *args, **kwargs)

    return locked_scan


def read_one_partition_per_query() -> None:
    """Patch moto's Table (idempotent)."""
    if getattr(Table, _PATCHED, False):
        return
    Table.get_item = _get_item  # type: ignore[method-assign]
    Table.put_item = _wrap_put(Table.put_item)  # type: ignore[method-assign]
    Table.delete_item = _delete_item  # type: ignore[method-assign]
    Table.query = _wrap_query(Table.query)  # type: ignore[method-assign]
    Table.scan = _wrap_scan(Table.scan)  # type: ignore[method-assign]
    setattr(Table, _PATCHED, True)
