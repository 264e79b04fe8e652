"""The local runtime's patches that keep moto's bookkeeping from growing (local/bounded_memory.py):
a model instance nobody holds any more is freed, whatever moto's instance tracking wanted."""

from __future__ import annotations

import gc
import weakref

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.sqs.models import Message

from local.bounded_memory import bound_moto_bookkeeping


def test_a_replaced_dynamodb_item_and_a_received_sqs_message_are_freed() -> None:
    # Given the runtime's patches
    bound_moto_bookkeeping()
    # When moto makes an item and a queue message, and nothing refers to them any more
    item = Item(DynamoType({"S": "CONV#1"}), DynamoType({"S": "MSG#1"}), {"pk": {"S": "CONV#1"}, "text": {"S": "x"}})
    message = Message("id-1", "body")
    gone: list[weakref.ref[object]] = [weakref.ref(item), weakref.ref(message)]
    del item, message
    gc.collect()
    # Then both are freed, and moto's class-level lists hold nothing
    assert [ref() for ref in gone] == [None, None]
    assert list(Item.instances_tracked) == []  # type: ignore[attr-defined]
    assert list(Message.instances_tracked) == []  # type: ignore[attr-defined]


def test_patching_twice_tracks_nothing_either() -> None:
    bound_moto_bookkeeping()
    bound_moto_bookkeeping()
    Item(DynamoType({"S": "a"}), None, {"pk": {"S": "a"}})
    assert list(Item.instances_tracked) == []  # type: ignore[attr-defined]
