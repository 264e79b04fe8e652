"""Fixtures every suite shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def fresh_reads() -> Iterator[None]:
    """Each test starts without cached administrators' settings or secrets
    (chalicelib.adapters.read_cache): a value cached by another test, or from another moto, must not
    decide this one. Tests that exercise the cache itself clear it the same way."""
    from chalicelib.adapters import read_cache

    read_cache.clear_all()
    yield
    read_cache.clear_all()
