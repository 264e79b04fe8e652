"""Page sizes of the list endpoints."""

from __future__ import annotations

from chalicelib.errors import InvalidInput

MAX_PAGE_SIZE = 100


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
