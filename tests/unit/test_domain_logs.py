"""Domain modules log with the standard library; in Lambda their lines come out through Powertools."""

from __future__ import annotations

import io
import json
import logging

import pytest
from chalicelib.api.telemetry import SERVICE, logger, route_package_logs

pytestmark = pytest.mark.unit


def test_a_domain_logger_writes_powertools_json_with_the_appended_keys() -> None:
    # Given the Powertools handler writing to a buffer, and a key every line carries (as the
    # correlation id is in Lambda)
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    logger.append_keys(correlation_id="req-123")
    # And a package's loggers routed through it, as chalicelib's are in Lambda
    route_package_logs("domain_logs_test")
    try:
        # When a module of the package logs a warning
        logging.getLogger("domain_logs_test.routing").warning("no routing rule matched", extra={"channel": "sms"})
    finally:
        logger.remove_keys(["correlation_id"])
        handler.setStream(previous)

    # Then it is one JSON line of the service's, with the level, the extra field and the correlation id
    (line,) = buffer.getvalue().splitlines()
    record = json.loads(line)
    assert record["service"] == SERVICE
    assert record["level"] == "WARNING"
    assert record["message"] == "no routing rule matched"
    assert record["channel"] == "sms"
    assert record["correlation_id"] == "req-123"
