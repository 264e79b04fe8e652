import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalicelib.core.resources import ENV_PRIVATE_RECEIVERS
from chalicelib.core.settings import get_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/unit/" in str(item.fspath):
            item.add_marker(pytest.mark.unit)


@pytest.fixture
def fixture_bytes():
    def load(relative: str) -> bytes:
        return (FIXTURES / relative).read_bytes().strip()

    return load


def as_json(data: bytes) -> Any:
    return json.loads(data)


def _receivers(monkeypatch: pytest.MonkeyPatch, private: bool) -> Iterator[None]:
    # Settings are read once per process; read them again with the variable as the test needs
    # it, and as they were after (an integration runtime in the same session may have set it).
    if private:
        monkeypatch.setenv(ENV_PRIVATE_RECEIVERS, "true")
    else:
        monkeypatch.delenv(ENV_PRIVATE_RECEIVERS, raising=False)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def private_receivers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings of the local runtime: integrators' receivers may be on loopback."""
    yield from _receivers(monkeypatch, private=True)


@pytest.fixture
def public_receivers_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings as in AWS: integrators' receivers must be public."""
    yield from _receivers(monkeypatch, private=False)
