"""The local runtime picks its servers' ports below the kernel's ephemeral range, where none of
the short connections it opens meanwhile can take one before its server binds it."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from local import runtime
from local.runtime import _ephemeral_start, free_port

pytestmark = pytest.mark.unit


def test_a_picked_port_is_below_the_ephemeral_range_and_free() -> None:
    ports = {free_port() for _ in range(20)}
    assert all(10_000 <= port < _ephemeral_start() for port in ports)
    assert len(ports) > 1  # spread, not one port every time
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", port))  # still free: bindable


def test_a_port_in_use_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a server holding a port of the range, and a pick that comes to it first
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", free_port()))
        held.listen()
        taken = held.getsockname()[1]
        other = free_port()
        picks = iter([taken, other])
        monkeypatch.setattr(runtime, "_PICK", SimpleNamespace(randrange=lambda low, high: next(picks)))
        # Then the port in use is passed over for the next free one
        assert free_port() == other
