"""The push worker: the notices queue's Lambda function, which posts each notice to the agents'
open WebSockets (the connections and the GET routes are in ``push.py``).

A module of its own so that Lambda imports the worker's handler without the route kit and the
WebSocket handlers: its cold start loads the fan-out, not the API's schemas and access rules."""

from __future__ import annotations

import time
from typing import Any

from chalice.app import SQSEvent
from chalicelib import wiring
from chalicelib.api.cold_start import loaded
from chalicelib.api.queue_kit import QueueBlueprint
from chalicelib.api.telemetry import logger
from chalicelib.core.resources import NOTICES_QUEUE
from chalicelib.core.settings import require_at_cold_start
from chalicelib.domain.notices import Notice, NoticeBatch
from pydantic import ValidationError

require_at_cold_start()

blueprint = QueueBlueprint(__name__)


@blueprint.sqs_worker(NOTICES_QUEUE, name="push_notices")
def push_notices(event: SQSEvent) -> dict[str, list[Any]]:
    """The whole batch in one fan-out (one post per connection for up to ten queue records). A record
    that is not a notice batch is dropped with a log line; a failed read of the table fails the batch,
    which SQS delivers again."""
    notices: list[Notice] = []
    for record in event:
        try:
            notices.extend(NoticeBatch.model_validate_json(record.body).notices)
        except ValidationError:
            logger.warning("not a notice batch; dropped", extra={"body": record.body[:200]})
    started = time.perf_counter()
    report = wiring.push_fan_out().deliver(notices)
    # A line per batch in every worker's log is the larger part of a message's log bytes (the
    # bill prices CloudWatch Logs per byte): at INFO only when a connection was gone or failed.
    log = logger.info if report.gone or report.failed else logger.debug
    log("notices pushed", extra={"notices": len(notices), "seconds": round(time.perf_counter() - started, 3),
                                 **report.__dict__})
    return {"batchItemFailures": []}

loaded(__name__)  # last: the handler's module is loaded (cold_start.py)
