"""Keep moto's bookkeeping from growing for as long as the local runtime runs.

- Step Functions: moto keeps every execution, finished or not, each with a copy of its state
  machine and its event history. One execution starts per delayed retry and per archived
  conversation (auto-deletion), so a day of use kept thousands. Finished executions beyond the
  newest ``KEEP_FINISHED_EXECUTIONS`` per state machine are dropped here (the console's
  execution list and DescribeExecution of an old one are what is lost).
- SQS: moto remembers the receipt handle of every message ever deleted (so that deleting one
  again succeeds, as in SQS). Only the newest ``KEEP_DELETED_HANDLES`` per queue are kept.
- Every model: moto's ``BaseModel`` appends each instance it creates to its class's
  ``instances_tracked`` list, for its dashboard (``/moto-api/data.json``) and for ``reset``. It
  never removes one, so every DynamoDB item ever written (each update writes a new one), every
  SQS message ever sent and every S3 object version stayed in memory after it was replaced,
  deleted or received: memory grew with the writes, not with what is stored. Here the lists
  keep nothing (the dashboard's lists are what is lost; this runtime does not use them).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from moto.core.common_models import BaseModel
from moto.sqs.models import Queue
from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

KEEP_FINISHED_EXECUTIONS = 50
KEEP_DELETED_HANDLES = 5_000
_MARKER = "_contact_bounded"


class RecentHandles(OrderedDict[str | None, None]):
    """The set of deleted receipt handles moto keeps, holding only the newest ones."""

    def __init__(self, limit: int = KEEP_DELETED_HANDLES) -> None:
        super().__init__()
        self.limit = limit

    def update(self, handles: Iterable[str | None]) -> None:  # type: ignore[override]
        for handle in handles:
            self[handle] = None
            self.move_to_end(handle)
        while len(self) > self.limit:
            self.popitem(last=False)


class UntrackedInstances(list[Any]):
    """A model class's ``instances_tracked`` that keeps nothing."""

    def append(self, instance: Any) -> None:
        return None


def _untracked(new: Any) -> Any:
    @functools.wraps(new)
    def untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
        # The metaclass gives each model class a list of its own when the class is made; it is
        # swapped on the class's first instance (again after moto's reset_model_data).
        if type(cls.__dict__.get("instances_tracked")) is not UntrackedInstances:
            cls.instances_tracked = UntrackedInstances()  # type: ignore[attr-defined]
        return new(cls, *args, **kwargs)

    setattr(untracked_new, _MARKER, True)
    return untracked_new


def _forget_old_executions(machine: Any) -> None:
    finished = [e for e in machine.executions if e.exec_status not in (None, ExecutionStatus.RUNNING)]
    for execution in finished[:-KEEP_FINISHED_EXECUTIONS]:
        machine.executions.remove(execution)


def bound_moto_bookkeeping() -> None:
    """Patch moto's Step Functions, SQS and model tracking (idempotent)."""
    if getattr(StepFunctionsParserBackend.start_execution, _MARKER, False):
        return
    BaseModel.__new__ = staticmethod(_untracked(BaseModel.__new__))  # type: ignore[method-assign]
    start_execution = StepFunctionsParserBackend.start_execution

    @functools.wraps(start_execution)
    def start_and_forget_old(self: StepFunctionsParserBackend, state_machine_arn: str, *args: Any,
                             **kwargs: Any) -> Any:
        execution = start_execution(self, state_machine_arn, *args, **kwargs)
        _forget_old_executions(self.describe_state_machine(state_machine_arn))
        return execution

    setattr(start_and_forget_old, _MARKER, True)
    StepFunctionsParserBackend.start_execution = start_and_forget_old  # type: ignore[method-assign]

    queue_init = Queue.__init__

    @functools.wraps(queue_init)
    def init(self: Queue, *args: Any, **kwargs: Any) -> None:
        queue_init(self, *args, **kwargs)
        self.deleted_messages = RecentHandles()  # type: ignore[assignment]

    Queue.__init__ = init  # type: ignore[method-assign]
