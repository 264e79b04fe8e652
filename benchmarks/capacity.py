"""DynamoDB capacity units of a call, computed from the items it read or wrote by DynamoDB's
documented rules. moto reports flat figures (1 per Query, 0.5 per GetItem, none for
transactions), so the benchmarks count for themselves.

Rules applied (on-demand and provisioned alike):
* reads: item sizes rounded up to 4 KB per item (GetItem, BatchGetItem) or over the whole page
  (Query, Scan); an eventually consistent read costs half, a transactional read double;
* writes: item size rounded up to 1 KB; a transactional write costs double; every global
  secondary index whose keys the written item carries costs one more write of that size (the
  indexes project every attribute). An update is sized by the item it leaves (UpdateItem returns
  it: PynamoDB asks for ALL_NEW); an update or delete inside a transaction, which returns nothing,
  is counted as 1 KB, plus one write per index whose partition key the update SETs (the
  conversation's transitions set every index key it keeps).
"""

from __future__ import annotations

import math
import re
from typing import Any

from chalicelib import resources

READ_BLOCK = 4096
WRITE_BLOCK = 1024
INDEX_KEYS = [(index.partition_key, index.sort_key) for index in resources.TABLE.indexes]


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


def item_size(item: dict[str, dict[str, Any]]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def _blocks(size: int, block: int) -> int:
    return max(1, math.ceil(size / block))


def _index_writes(item: dict[str, Any]) -> int:
    return sum(1 for partition, sort in INDEX_KEYS if partition in item and sort in item)


def _write(item: dict[str, Any] | None) -> float:
    if item is None:
        return 1.0
    return float(_blocks(item_size(item), WRITE_BLOCK) * (1 + _index_writes(item)))


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


def write_units(operation: str, request: dict[str, Any], response: dict[str, Any]) -> float:
    if operation == "PutItem":
        return _write(request.get("Item"))
    if operation == "UpdateItem":
        return _write(response.get("Attributes"))
    if operation == "DeleteItem":
        return _write(response.get("Attributes"))
    if operation == "BatchWriteItem":
        return sum(_write(entry["PutRequest"]["Item"]) if "PutRequest" in entry else 1.0
                   for entries in request.get("RequestItems", {}).values() for entry in entries)
    if operation == "TransactWriteItems":
        return sum(2.0 * _write(entry["Put"]["Item"]) if "Put" in entry
                   else 2.0 * (1 + _indexes_set(entry["Update"])) if "Update" in entry else 2.0
                   for entry in request.get("TransactItems", []))
    return 0.0


def _indexes_set(update: dict[str, Any]) -> int:
    """Indexes whose partition key the update expression SETs (the item is on them afterwards)."""
    expression = update.get("UpdateExpression", "")
    clauses = re.split(r"\b(SET|REMOVE|ADD|DELETE)\b", expression)
    names = update.get("ExpressionAttributeNames", {})
    assigned: set[str] = set()
    for keyword, body in zip(clauses[1::2], clauses[2::2], strict=True):
        if keyword == "SET":
            assigned |= {names.get(target.strip(), target.strip()) for target in
                         (assignment.split("=")[0] for assignment in body.split(","))}
    return sum(1 for partition, _ in INDEX_KEYS if partition in assigned)
