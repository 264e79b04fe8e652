"""EventBridge Scheduler's part in the local runtime: the hourly auto-deletion sweep.

In AWS a schedule (``infra/constructs/auto_delete.py``) starts the auto-delete state machine every
``resources.AUTO_DELETE_SCHEDULE`` with ``resources.auto_delete_sweep_input``: the scheduled time
and the purge queue. moto keeps schedules but never fires them, so this thread does, with the same
input, against the same machine on moto (which runs its DynamoDB Query and SQS tasks). Tests and
time travel run a sweep now, up to any moment: ``sweep(as_of=...)``, or over HTTP
``POST /control/auto-delete/sweep {"as_of": "2030-01-01T00:00:00Z"}`` on the simulator's control API.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from chalicelib.core import resources

log = logging.getLogger("local.schedules")

FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def schedule_time(moment: datetime) -> str:
    """A moment as the scheduler writes ``<aws.scheduler.scheduled-time>`` (and as deadlines are written)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LocalSchedules:
    def __init__(self, *, endpoint_url: str, region: str, machine_arn: str, purge_queue_url: str,
                 interval_seconds: float = resources.AUTO_DELETE_INTERVAL_SECONDS,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sfn: Any = boto3.client("stepfunctions", endpoint_url=endpoint_url, region_name=region)
        self._machine_arn = machine_arn
        self._purge_queue_url = purge_queue_url
        self._interval = interval_seconds
        self._clock = clock
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Fire the schedule at its rate, as the scheduler does (the first run one interval from now)."""
        self._thread = threading.Thread(target=self._run, name="schedule-auto-delete", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self.sweep()
            except Exception:
                log.exception("the auto-deletion sweep could not be started; the next run tries again")

    def sweep(self, as_of: str | None = None) -> str:
        """Start one sweep up to ``as_of`` (RFC 3339, UTC; default: now); returns its execution ARN."""
        moment = as_of or schedule_time(self._clock())
        answer = self._sfn.start_execution(
            stateMachineArn=self._machine_arn, name=f"sweep-{uuid.uuid4().hex[:12]}",
            input=json.dumps(resources.auto_delete_sweep_input(moment, self._purge_queue_url)))
        return str(answer["executionArn"])

    def sweep_and_wait(self, as_of: str | None = None, timeout: float = 60.0) -> dict[str, str]:
        """A sweep, waited for (bounded): ``{"execution_arn", "status", "as_of"}``."""
        moment = as_of or schedule_time(self._clock())
        execution_arn = self.sweep(moment)
        deadline = time.monotonic() + timeout
        status = "RUNNING"
        while time.monotonic() < deadline:
            status = str(self._sfn.describe_execution(executionArn=execution_arn)["status"])
            if status in FINISHED:
                break
            time.sleep(0.2)
        return {"execution_arn": execution_arn, "status": status, "as_of": moment}


def parse_as_of(value: object) -> str | None:
    """The control API's ``as_of``: absent, or an RFC 3339 moment (any offset; written back in UTC)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("as_of must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError("as_of must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z") from error
    if moment.tzinfo is None:
        raise ValueError("as_of needs a time zone (Z for UTC)")
    return schedule_time(moment)
