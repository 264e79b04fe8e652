"""Every administrative change leaves one audit line: who, what, and (by its timestamp) when."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from chalicelib.api.telemetry import logger

from tests.integration.admin_helpers import call, ok

pytestmark = pytest.mark.integration


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    # The local runtime serves the API in this process: its Powertools handler writes here meanwhile
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _audit_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("audit") is True]


def test_an_administrators_change_is_audited_and_a_read_or_a_refused_change_is_not(
        api: str, admin: dict[str, str], agent1: dict[str, str],
        log_lines: io.StringIO) -> None:
    # Given the service settings as they are
    settings = ok(call("GET", f"{api}/settings/service", admin))
    # When an agent tries to change them (refused) and the administrator changes them
    assert call("PATCH", f"{api}/settings/service", agent1, {"seats": settings["seats"]}).status_code == 403
    ok(call("PATCH", f"{api}/settings/service", admin, {"seats": settings["seats"]}))

    # Then exactly the administrator's change has an audit line naming who, what and the outcome
    (line,) = _audit_lines(log_lines)
    assert line["message"] == "administrative change"
    assert (line["method"], line["route"], line["status"]) == ("PATCH", "/settings/service", 200)
    assert line["actor_email"] == "admin@example.com"
    assert line["actor_id"]
    assert line["timestamp"]
