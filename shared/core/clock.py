"""The one clock: timezone-aware UTC now. Use cases and adapters take it as a parameter so tests
can pass their own."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
