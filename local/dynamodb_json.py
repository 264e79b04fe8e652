"""Write moto's DynamoDB item results as JSON directly.

moto serialises every response through a generic, shape-driven serialiser that visits each
attribute of each item in Python; for a Query of 100 conversations that is most of the time
moto spends answering. Results made of items (Query, Scan, GetItem, BatchGetItem, the
``Attributes`` of a write) are already in DynamoDB's JSON wire shape, so they are written with
``json.dumps`` here; any other result (table descriptions, with their timestamps) keeps moto's
serialiser.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.core.responses import ActionContext
from moto.dynamodb.responses import DynamoResult

_ITEM_RESULT_KEYS = frozenset({"Items", "Item", "Count", "ScannedCount", "LastEvaluatedKey", "ConsumedCapacity",
                               "Responses", "UnprocessedKeys", "Attributes", "ItemCollectionMetrics",
                               "UnprocessedItems"})
_MARKER = "_contact_plain_json"
CONTENT_TYPE = "application/x-amz-json-1.0"


def _binary(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()  # a B or BS value, as the wire carries it
    raise TypeError(f"not serialisable: {type(value).__name__}")


def write_item_results_directly() -> None:
    """Patch moto's DynamoResult (idempotent)."""
    if getattr(DynamoResult.execute_result, _MARKER, False):
        return
    generic = DynamoResult.execute_result

    def execute_result(self: DynamoResult, context: ActionContext) -> Any:
        result = self.result
        if isinstance(result, dict) and result and result.keys() <= _ITEM_RESULT_KEYS:
            return 200, {"Content-Type": CONTENT_TYPE}, json.dumps(result, default=_binary)
        return generic(self, context)

    setattr(execute_result, _MARKER, True)
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign,assignment]
