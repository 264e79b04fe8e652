"""Page cursors the API hands out are sealed: ``<storage cursor>.<MAC>``, the MAC an HMAC-SHA256
over the list the cursor belongs to (the route, its path parameters and its query apart from the
cursor and the page size) and the storage cursor. A cursor that was forged, altered, or taken
from another list (another route, customer, filter or team) is refused as a 400 before any
query runs: DynamoDB never sees a start key we did not give out for that very query.

The transport seals and opens cursors (``functions/app.py``); storage cursors stay what the
stores return."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from chalicelib.domain.errors import InvalidInput

# Query parameters that do not change which list a cursor walks.
UNSCOPED = frozenset({"cursor", "limit"})
_MAC_BYTES = 16


def scope(route: str, path_params: Mapping[str, str] | None, query: Iterable[tuple[str, str]]) -> str:
    """The list a request reads, as one canonical text."""
    params = sorted((path_params or {}).items())
    filters = sorted((name, value) for name, value in query if name not in UNSCOPED)
    return "\n".join([route, repr(params), repr(filters)])


def _mac(key: bytes, list_scope: str, cursor: str) -> str:
    digest = hmac.new(key, f"{list_scope}\n{cursor}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def seal(key: bytes, list_scope: str, cursor: str) -> str:
    return f"{cursor}.{_mac(key, list_scope, cursor)}"


def open_sealed(key: bytes, list_scope: str, sealed: str) -> str:
    """The storage cursor inside ``sealed``, or InvalidInput when it is not one this list gave out."""
    cursor, dot, mac = sealed.rpartition(".")
    if not dot or not cursor or not hmac.compare_digest(mac.encode(), _mac(key, list_scope, cursor).encode()):
        raise InvalidInput("cursor is not one this list returned; start again without it", field="cursor")
    return cursor
