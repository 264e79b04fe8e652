"""Cursors and reads every store shares: a page's cursor is DynamoDB's last evaluated key, opaque
to the client (base64 JSON); a missing item reads as None."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from chalicelib.domain.errors import InvalidInput
from pynamodb.models import Model

_M = TypeVar("_M", bound=Model)


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidInput("cursor is not a cursor this API returned", field="cursor") from error
    if not isinstance(decoded, dict):
        raise InvalidInput("cursor is not a cursor this API returned", field="cursor")
    return decoded


def get_item(model: type[_M], pk: str, sk: str, *, consistent: bool = False) -> _M | None:
    try:
        return model.get(pk, sk, consistent_read=consistent)
    except model.DoesNotExist:
        return None
