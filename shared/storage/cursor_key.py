"""The key page cursors are signed with (``chalicelib/core/cursors.py``): 32 random bytes made by the
first process that needs them and kept in the table, so every function and container signs and
verifies alike, in AWS and in the local runtime, with nothing to configure."""

from __future__ import annotations

import secrets
from functools import lru_cache

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError

from .items import TableItem

# Its own partition: no list reads it.
CURSOR_KEY_PK = "CONFIG#CURSOR_KEY"
CURSOR_KEY_SK = "KEY"


class CursorKeyItem(TableItem, discriminator="cursor_key"):
    key_hex = UnicodeAttribute()


@lru_cache(maxsize=1)
def cursor_key() -> bytes:
    """The table's cursor key, made once (two processes racing: the first write wins)."""
    try:
        return bytes.fromhex(CursorKeyItem.get(CURSOR_KEY_PK, CURSOR_KEY_SK, consistent_read=True).key_hex)
    except CursorKeyItem.DoesNotExist:
        pass
    made = CursorKeyItem(CURSOR_KEY_PK, CURSOR_KEY_SK, key_hex=secrets.token_hex(32))
    try:
        made.save(condition=CursorKeyItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return bytes.fromhex(CursorKeyItem.get(CURSOR_KEY_PK, CURSOR_KEY_SK, consistent_read=True).key_hex)
    return bytes.fromhex(made.key_hex)
