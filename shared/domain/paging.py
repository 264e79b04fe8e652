"""Page sizes of the list endpoints, and reading a paged list to its end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from chalicelib.domain.errors import InvalidInput

if TYPE_CHECKING:
    from .models import Page

T = TypeVar("T")

MAX_PAGE_SIZE = 100


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")


def every_item(read_page: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a paged list: ``read_page(cursor)`` until a page has no next cursor."""
    cursor: str | None = None
    while True:
        page = read_page(cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor
