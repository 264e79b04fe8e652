"""Starts the local runtime the way the README does (``python -m local``), in a subprocess."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.processes import RunningSystem, start_system


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    running = start_system(tmp_path_factory.mktemp("system"))
    yield running
    running.stop()
