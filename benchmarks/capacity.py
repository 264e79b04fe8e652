"""DynamoDB capacity units of a call, computed from the items it read or wrote by DynamoDB's
documented rules. moto reports flat figures (1 per Query, 0.5 per GetItem, none for
transactions), so the benchmarks count for themselves.

Reads: item sizes rounded up to 4 KB per item (GetItem, BatchGetItem) or over the whole page
(Query, Scan; an index page counts the projected entries it returned); an eventually consistent
read costs half, a transactional read double.

Writes are computed from each written item as it was before and after the call (the cost probe
reads both images beside the call, through a client it does not count):

* the table: the larger of the two images, rounded up to 1 KB (a delete: the item deleted;
  1 unit at least, also for a conditional write that failed);
* each global secondary index, by the rules of "Provisioned throughput considerations for
  global secondary indexes": an item entering the index costs one write of its index entry, an
  item leaving it one write, a change of the index's key two (delete the old entry, put the
  new), a change of a projected attribute one, and anything else nothing. An index entry is the
  table key, the index key and the projected attributes (all of them for an ``ALL`` index), each
  write rounded up to 1 KB;
* a transactional write (TransactWriteItems) counts the table's writes double (prepare and
  commit); its index writes count once, since DynamoDB propagates a completed transaction's
  changes to the global secondary indexes afterwards, as for any write ("Amazon DynamoDB
  Transactions: How it works").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from chalicelib.core import resources

READ_BLOCK = 4096
WRITE_BLOCK = 1024
TABLE_KEYS = (resources.TABLE.partition_key, resources.TABLE.sort_key)

Item = dict[str, Any]
# A written item by its table key (pk, sk): the item as it was before the call and after it
# (None: absent).
ItemKey = tuple[str, str]
Images = Mapping[ItemKey, Item | None]


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value."""
    ((kind, content),) = value.items()
    if kind in {"S", "B"}:
        return len(content.encode() if isinstance(content, str) else content)
    if kind == "N":
        digits = len(content.lstrip("-").replace(".", "").strip("0")) or 1
        return (digits + 1) // 2 + 1
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind in {"SS", "BS"}:
        return sum(len(v.encode() if isinstance(v, str) else v) for v in content)
    if kind == "NS":
        return sum(attribute_size({"N": v}) for v in content)
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in content)
    return 3 + sum(len(name.encode()) + 1 + attribute_size(v) for name, v in content.items())  # M


def item_size(item: Item) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def _blocks(size: int, block: int) -> int:
    return max(1, math.ceil(size / block))


# --- reads ------------------------------------------------------------------------------------


def read_units(operation: str, request: dict[str, Any], response: dict[str, Any]) -> float:
    consistency = 1.0 if request.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        item = response.get("Item")
        return _blocks(item_size(item) if item else 0, READ_BLOCK) * consistency
    if operation in {"Query", "Scan"}:
        page = sum(item_size(item) for item in response.get("Items", []))
        return _blocks(page, READ_BLOCK) * consistency
    if operation == "BatchGetItem":
        return sum(_blocks(item_size(item), READ_BLOCK) * 0.5
                   for items in response.get("Responses", {}).values() for item in items)
    if operation == "TransactGetItems":
        return sum(2.0 * _blocks(item_size(entry.get("Item") or {}), READ_BLOCK)
                   for entry in response.get("Responses", []))
    return 0.0


# --- writes -----------------------------------------------------------------------------------


def _key_of(key_or_item: Item) -> ItemKey:
    partition, sort = TABLE_KEYS
    return key_or_item[partition]["S"], key_or_item[sort]["S"]


def written_keys(operation: str, request: dict[str, Any]) -> list[ItemKey]:
    """The table keys a write request touches (condition checks of a transaction write nothing)."""
    if operation == "PutItem":
        return [_key_of(request["Item"])]
    if operation in {"UpdateItem", "DeleteItem"}:
        return [_key_of(request["Key"])]
    if operation == "BatchWriteItem":
        return [_key_of(entry["PutRequest"]["Item"] if "PutRequest" in entry else entry["DeleteRequest"]["Key"])
                for entries in request.get("RequestItems", {}).values() for entry in entries]
    if operation == "TransactWriteItems":
        found: list[ItemKey] = []
        for entry in request.get("TransactItems", []):
            if "Put" in entry:
                found.append(_key_of(entry["Put"]["Item"]))
            elif "Update" in entry or "Delete" in entry:
                found.append(_key_of((entry.get("Update") or entry["Delete"])["Key"]))
        return found
    return []


def index_entry(index: resources.IndexDefinition, item: Item | None) -> Item | None:
    """What the index holds for the item (None: the item is not on it, the index is sparse)."""
    if item is None or index.partition_key not in item or index.sort_key not in item:
        return None
    if not index.include:
        return item
    kept = {*TABLE_KEYS, index.partition_key, index.sort_key, *index.include}
    return {name: value for name, value in item.items() if name in kept}


def index_writes(index: resources.IndexDefinition, before: Item | None, after: Item | None) -> int:
    """Write units one index takes for one item going from ``before`` to ``after``."""
    old, new = index_entry(index, before), index_entry(index, after)
    if old is None and new is None:
        return 0
    if old is None or new is None:
        return _blocks(item_size(old or new or {}), WRITE_BLOCK)
    keys = (index.partition_key, index.sort_key)
    if any(old[name] != new[name] for name in keys):
        return _blocks(item_size(old), WRITE_BLOCK) + _blocks(item_size(new), WRITE_BLOCK)
    return _blocks(item_size(new), WRITE_BLOCK) if old != new else 0


def item_write_breakdown(before: Item | None, after: Item | None,
                         indexes: tuple[resources.IndexDefinition, ...] = resources.TABLE.indexes, *,
                         transactional: bool = False) -> dict[str, int]:
    """The table's write and each index's, for one item (``table`` and the index names)."""
    table = _blocks(max(item_size(before or {}), item_size(after or {})), WRITE_BLOCK)
    units = {"table": table * (2 if transactional else 1)}
    for index in indexes:
        written = index_writes(index, before, after)
        if written:
            units[index.name] = written
    return units


def item_write_units(before: Item | None, after: Item | None,
                     indexes: tuple[resources.IndexDefinition, ...] = resources.TABLE.indexes, *,
                     transactional: bool = False) -> int:
    """The table's write and every index's, for one item."""
    return sum(item_write_breakdown(before, after, indexes, transactional=transactional).values())


def item_kind(key: ItemKey) -> str:
    """A written item's kind by its key prefixes (``CONV/MSG``, ``STATS/H``, ...), for the breakdown."""
    partition, sort = key
    if partition.startswith("CUSTLIKE#"):
        return "CUSTLIKE/fragment"  # the sort key begins with the customer's text: one kind
    return f"{partition.split('#', 1)[0]}/{sort.split('#', 1)[0]}"


def write_breakdown(operation: str, request: dict[str, Any], before: Images, after: Images) -> dict[str, int]:
    """Write units of one call by item kind and where they went (``CONV/CONVERSATION state-activity``)."""
    transactional = operation == "TransactWriteItems"
    units: dict[str, int] = {}
    for key in written_keys(operation, request):
        for where, written in item_write_breakdown(before.get(key), after.get(key),
                                                   transactional=transactional).items():
            name = f"{item_kind(key)} {where}"
            units[name] = units.get(name, 0) + written
    return units


def write_units(operation: str, request: dict[str, Any], before: Images, after: Images) -> float:
    return float(sum(write_breakdown(operation, request, before, after).values()))
