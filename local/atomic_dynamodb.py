"""Make moto's DynamoDB write items atomically, the way DynamoDB does, without serialising it.

DynamoDB applies each conditional write atomically: of two concurrent ``UpdateItem`` calls
conditioned on ``state = new``, exactly one succeeds; a transaction is all-or-nothing and its
conditions see no half-written state. moto's threaded server checks a condition and writes the
item in two steps without a lock, changes items in place (a concurrent reader can see half an
update), and rolls a failed transaction back by deep-copying every table it names beforehand, so
each transaction costs as much as the whole table.

Here:
- every write request (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems)
  holds locks on the items it names, from its first read to its last write; requests on other
  items, and all reads, go on concurrently. Locks are striped by a hash of (table, key) and
  taken in one order, so two transactions cannot deadlock.
- an update is applied to a copy of the item, which then replaces the stored one
  (``dynamodb_indexes.install``): readers see the item before or after, never during.
- a transaction checks every condition first (nothing is written when one fails, and the
  cancellation reasons name each item, as DynamoDB's do), then writes; should a write still
  fail, only the items it touched are put back as they were.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.comparisons import get_expected, get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeTooLarge,
    ItemSizeToUpdateTooLarge,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing.executors import UpdateExpressionExecutor
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.validators import UpdateExpressionValidator
from moto.dynamodb.responses import DynamoHandler

from .dynamodb_indexes import install, read_one_partition_per_query
from .dynamodb_json import write_item_results_directly

_MARKER = "_contact_item_locks"
_STRIPES = 4096
_LOCKS = [threading.Lock() for _ in range(_STRIPES)]
_WRITE_ACTIONS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

ItemKey = tuple[str, str]


def _stripe(key: ItemKey) -> int:
    return zlib.crc32(f"{key[0]}\0{key[1]}".encode()) % _STRIPES


@contextmanager
def holding(keys: set[ItemKey]) -> Iterator[None]:
    """Hold the locks of these items (in stripe order: no two holders wait on each other)."""
    stripes = sorted({_stripe(key) for key in keys})
    for stripe in stripes:
        _LOCKS[stripe].acquire()
    try:
        yield
    finally:
        for stripe in reversed(stripes):
            _LOCKS[stripe].release()


def item_key(table: Table, table_name: str, attributes: dict[str, Any]) -> ItemKey:
    """(table, key) of an item, from its key attributes or the whole item, as one string."""
    names = [n for n in (table.hash_key_attr, table.range_key_attr) if n]
    return table_name, json.dumps([attributes.get(name) for name in names], sort_keys=True, default=repr)


def _named(action: str, body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table name, key or item attributes) of each item a write request names."""
    if action == "PutItem":
        yield body.get("TableName", ""), body.get("Item") or {}
    elif action in {"UpdateItem", "DeleteItem"}:
        yield body.get("TableName", ""), body.get("Key") or {}
    elif action == "BatchWriteItem":
        for table_name, requests in (body.get("RequestItems") or {}).items():
            for request in requests:
                for kind, operation in request.items():
                    yield table_name, operation.get("Item" if kind == "PutRequest" else "Key") or {}
    elif action == "TransactWriteItems":
        for entry in body.get("TransactItems") or []:
            for kind, operation in entry.items():
                yield operation.get("TableName", ""), operation.get("Item" if kind == "Put" else "Key") or {}


def items_named(backend: DynamoDBBackend, action: str, body: dict[str, Any]) -> set[ItemKey]:
    """The items a write request reads and writes (a table it names that does not exist: none;
    moto answers the request with its own error)."""
    keys: set[ItemKey] = set()
    for table_name, attributes in _named(action, body):
        table = backend.tables.get(table_name)
        if table is not None:
            keys.add(item_key(table, table.name, attributes))
    return keys


def _lock_written_items(call_action: Any) -> Any:
    @functools.wraps(call_action)
    def locked(self: DynamoHandler) -> Any:
        action = self.get_endpoint_name(self.headers) or ""
        if action not in _WRITE_ACTIONS:
            return call_action(self)
        backend = dynamodb_backends[self.current_account][self.region]
        with holding(items_named(backend, action, getattr(self, "params", None) or {})):
            return call_action(self)

    setattr(locked, _MARKER, True)
    return locked


# --- moto's DynamoDBBackend methods, replaced --------------------------------------------------

def _key_values(table: Table, key: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
        raise MockValidationException("The provided key element does not match the schema")
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return DynamoType(key[table.hash_key_attr]), range_value


def _failed_item(current: Item | None, return_on_failure: str | None) -> dict[str, Any] | None:
    """The item a failed condition returns (ReturnValuesOnConditionCheckFailure=ALL_OLD)."""
    return current.to_json()["Attributes"] if return_on_failure == "ALL_OLD" and current else None


def _check(condition: Any, current: Item | None, return_on_failure: str | None) -> None:
    if not condition.expr(current):
        raise ConditionalCheckFailed(item=_failed_item(current, return_on_failure))


def update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], update_expression: str,
                expression_attribute_names: dict[str, Any], expression_attribute_values: dict[str, Any],
                attribute_updates: dict[str, Any] | None = None, expected: dict[str, Any] | None = None,
                condition_expression: str | None = None,
                return_values_on_condition_check_failure: str | None = None) -> Item:
    """UpdateItem on a copy of the item, which then replaces it (the caller holds its lock)."""
    table = self.get_table(table_name)
    syntax = UpdateExpressionParser.make(update_expression) if update_expression else None
    hash_value, range_value = _key_values(table, key)
    current = table.get_item(hash_value, range_value)
    if not get_expected(expected or {}).expr(current):
        raise ConditionalCheckFailed
    _check(get_filter_expression(condition_expression, expression_attribute_names, expression_attribute_values),
           current, return_values_on_condition_check_failure)
    if current is not None:
        updated = copy.deepcopy(current)
    else:
        attrs = {table.hash_key_attr: {hash_value.type: hash_value.value}}
        if range_value is not None and table.range_key_attr:
            attrs[table.range_key_attr] = {range_value.type: range_value.value}
        updated = Item(hash_value, range_value, attrs)
    if syntax is not None:
        validated = UpdateExpressionValidator(syntax, expression_attribute_names=expression_attribute_names,
                                              expression_attribute_values=expression_attribute_values,
                                              item=updated, table=table).validate()
        validated.normalize()
        try:
            UpdateExpressionExecutor(validated, updated, expression_attribute_names).execute()
        except ItemSizeTooLarge as error:
            raise ItemSizeToUpdateTooLarge() from error
    elif attribute_updates:
        updated.validate_no_empty_key_values(attribute_updates, table.attribute_keys)
        updated.update_with_attribute_updates(attribute_updates)
    install(table, current, updated)
    if table.stream_shard is not None:
        table.stream_shard.add(current, updated)
    return updated


Operation = tuple[str, dict[str, Any], Table, dict[str, Any]]
Reason = tuple[str, str, dict[str, Any]] | tuple[None, None, None]


def _plan(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Operation]:
    """(kind, operation, table, key) of each item, refusing what DynamoDB refuses up front."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    operations: list[Operation] = []
    seen: set[ItemKey] = set()
    for entry in transact_items:
        if len(entry) != 1:
            raise TransactWriteSingleOpException
        kind, operation = next(iter(entry.items()))
        if kind not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise MockValidationException(f"Unsupported transaction operation: {kind}")
        table = backend.get_table(operation["TableName"])
        attributes = operation["Item"] if kind == "Put" else operation["Key"]
        key = {name: attributes[name] for name in (table.hash_key_attr, table.range_key_attr)
               if name and name in attributes}
        identity = item_key(table, table.name, key)
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        operations.append((kind, operation, table, key))
    return operations


def _reasons(operations: list[Operation], before: list[Item | None]) -> list[Reason]:
    """DynamoDB's cancellation reason per item: None, or ConditionalCheckFailed (with the item
    when ReturnValuesOnConditionCheckFailure is ALL_OLD)."""
    reasons: list[Reason] = []
    for (_, operation, _, _), current in zip(operations, before, strict=True):
        condition = get_filter_expression(operation.get("ConditionExpression"),
                                          operation.get("ExpressionAttributeNames"),
                                          operation.get("ExpressionAttributeValues"))
        if condition.expr(current):
            reasons.append((None, None, None))
        else:
            reasons.append(("ConditionalCheckFailed", "The conditional request failed",
                            _failed_item(current, operation.get("ReturnValuesOnConditionCheckFailure")) or {}))
    return reasons


def _write(backend: DynamoDBBackend, kind: str, operation: dict[str, Any], table: Table, key: dict[str, Any]) -> None:
    if kind == "Put":
        backend.put_item(table.name, operation["Item"])
    elif kind == "Delete":
        backend.delete_item(table.name, key)
    elif kind == "Update":
        update_item(backend, table.name, key, operation["UpdateExpression"],
                    operation.get("ExpressionAttributeNames") or {}, operation.get("ExpressionAttributeValues") or {})


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """All or nothing: every condition is checked before anything is written (the caller holds
    the items' locks); a write that still fails puts back only the items the transaction named."""
    operations = _plan(self, transact_items)
    before = [table.get_item(*_key_values(table, key)) for _, _, table, key in operations]
    reasons = _reasons(operations, before)
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    done = 0
    try:
        for kind, operation, table, key in operations:
            _write(self, kind, operation, table, key)
            done += 1
    except Exception as error:
        for (_, _, table, key), original in zip(operations, before, strict=True):
            install(table, table.get_item(*_key_values(table, key)), original)
        if isinstance(error, MockValidationException):
            raise
        failed: list[Reason] = [(None, None, None)] * len(operations)
        failed[done] = (type(error).__name__, str(error), {})
        raise TransactionCanceledException(failed) from error


def make_writes_atomic() -> None:
    """Patch moto's DynamoDB (idempotent): item locks per write request, copy-on-write updates,
    transactions that copy only their own items, Query reading one sorted partition, and item
    results written as plain JSON."""
    read_one_partition_per_query()
    write_item_results_directly()
    if getattr(DynamoHandler.call_action, _MARKER, False):
        return
    DynamoHandler.call_action = _lock_written_items(DynamoHandler.call_action)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
