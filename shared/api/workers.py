"""The queue workers: one Lambda function per queue, each a Chalice SQS handler.

Lambda calls these handlers by this module's path (``chalicelib.api.workers.<name>``), so a
worker's cold start imports the workers, not the API's routes. Each worker reports partial
batch failures: only the records that failed return to the queue (and reach its dead-letter
queue after the configured number of receives).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from chalice.app import SQSEvent
from chalicelib import wiring
from chalicelib.api import business_metrics as figures
from chalicelib.api.cold_start import loaded
from chalicelib.api.queue_kit import QueueBlueprint
from chalicelib.api.telemetry import logger, tracer
from chalicelib.core import resources
from chalicelib.core.model_base import Model
from chalicelib.core.settings import require_at_cold_start
from chalicelib.domain.events import EventsEnvelope
from chalicelib.domain.models import (
    DeliveryStatus,
    InboundEnvelope,
    InboundMessage,
    MediaCopyRequest,
    OutboundRequest,
    StatusEnvelope,
    StatusUpdate,
)
from chalicelib.domain.queue_messages import (
    AssignmentMessage,
    AssignmentRequest,
    ExportRequest,
    FollowUpRequest,
    PurgeMessage,
    PurgePage,
    RescheduleRequest,
)
from pydantic import ConfigDict, Json

require_at_cold_start()


blueprint = QueueBlueprint(__name__)


# --- typed records: the SQS record with its body parsed by the queue's message model ---------
# A body that does not parse fails its record alone (it returns to the queue, then its DLQ).


class SqsRecordModel(Model):
    """The fields of an SQS record a worker reads (Powertools reports a failed record by its
    ``messageId``; the FIFO processor reads the message group from the raw record). Our own rather
    than Powertools' ``SqsRecordModel``: importing that one imports every event model of the
    parser (some hundred pydantic models) on each worker's cold start. For the same reason
    Powertools' batch utility is imported above before anything imports pydantic: it imports the
    parser's models whenever pydantic is already loaded (tests/unit/test_cold_imports.py)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    messageId: str  # SQS's own field name; each queue's record adds its parsed body


class InboundRecord(SqsRecordModel):
    body: Json[InboundEnvelope]


class StatusRecord(SqsRecordModel):
    body: Json[StatusEnvelope]


class AssignmentRecord(SqsRecordModel):
    body: Json[AssignmentMessage]


class FollowUpRecord(SqsRecordModel):
    body: Json[FollowUpRequest]


class OutboundRecord(SqsRecordModel):
    """The outbound (window check) and send queues carry the same request."""

    body: Json[OutboundRequest]


class EventsRecord(SqsRecordModel):
    body: Json[EventsEnvelope]


class MediaRecord(SqsRecordModel):
    body: Json[MediaCopyRequest]


class PurgeRecord(SqsRecordModel):
    body: Json[PurgeMessage]


class RescheduleRecord(SqsRecordModel):
    body: Json[RescheduleRequest]


class ExportRecord(SqsRecordModel):
    body: Json[ExportRequest]


_Record = TypeVar("_Record", bound=SqsRecordModel)
RecordHandler = Callable[[_Record], None]
QueueHandler = Callable[[SQSEvent], PartialItemFailureResponse]


def _process(event: SQSEvent, record_model: type[_Record], record_handler: RecordHandler[_Record], *,
             fifo: bool) -> PartialItemFailureResponse:
    # On a FIFO queue a failed record also fails the rest of its message group in the batch (one
    # customer's messages stay in order); other customers' groups go on being processed.
    # Powertools types ``model`` as its own record model; any pydantic model with ``messageId`` serves.
    model = cast(Any, record_model)
    processor = (SqsFifoPartialProcessor(model=model, skip_group_on_error=True) if fifo
                 else BatchProcessor(event_type=EventType.SQS, model=model))

    # Chalice hands a worker its event object, not Lambda's (event, context): the logger's Lambda
    # context (function name, request id, cold start) and the trace segment are set here, for every worker.
    @logger.inject_lambda_context
    @tracer.capture_lambda_handler(capture_response=False)
    def handle(raw_event: dict[str, object], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(event=raw_event, record_handler=record_handler, processor=processor,
                                        context=context)

    # Chalice types the context as a dict; in Lambda it is the LambdaContext object.
    return cast(PartialItemFailureResponse, handle(event.to_dict(), cast(LambdaContext, event.context)))


def consumer(queue: resources.QueueDefinition,
             record_model: type[_Record]) -> Callable[[RecordHandler[_Record]], QueueHandler]:
    """The queue's Lambda function, named after the record handler it runs on each record: the
    batch parsed with ``record_model`` and processed by Powertools, partial failures reported."""

    def register(record_handler: RecordHandler[_Record]) -> QueueHandler:
        @functools.wraps(record_handler)
        def handle_batch(event: SQSEvent) -> PartialItemFailureResponse:
            return _process(event, record_model, record_handler, fifo=queue.fifo)

        registered: QueueHandler = blueprint.sqs_worker(queue, name=record_handler.__name__)(handle_batch)
        return registered

    return register


# --- the workers: Lambda calls chalicelib.api.workers.<name> with a batch of its queue -------------


@consumer(resources.INBOUND_QUEUE, InboundRecord)
def route_inbound(record: InboundRecord) -> None:
    wiring.router().handle(record.body)
    event = record.body.event
    if isinstance(event, InboundMessage | StatusUpdate):  # a status: queued here before it had its own queue
        figures.count(figures.MESSAGES_IN if isinstance(event, InboundMessage) else figures.STATUS_UPDATES_IN,
                      channel=event.channel.value)


@consumer(resources.STATUSES_QUEUE, StatusRecord)
def apply_statuses(record: StatusRecord) -> None:
    wiring.status_recorder().apply(record.body.event)
    figures.count(figures.STATUS_UPDATES_IN, channel=record.body.event.channel.value)


@consumer(resources.ASSIGNMENT_QUEUE, AssignmentRecord)
def assign_conversation(record: AssignmentRecord) -> None:
    request = record.body
    if isinstance(request, AssignmentRequest):
        wiring.assigner().assign(request.conversation_id, request.previous_owner_id)
    else:  # an agent may take work now: offer the team's waiting conversations
        wiring.assigner().offer_waiting(request.offer_team_id, returned_by=request.returned_by,
                                        returned_conversation_id=request.returned_conversation_id)


@consumer(resources.OUT_OF_OFFICE_QUEUE, FollowUpRecord)
def send_out_of_office(record: FollowUpRecord) -> None:
    wiring.out_of_office().handle(record.body.conversation_id, record.body.message_id)


@consumer(resources.OUTBOUND_QUEUE, OutboundRecord)
def check_window(record: OutboundRecord) -> None:
    wiring.dispatcher().check_window(record.body)


# What a send's status says happened: queued again means a retry was scheduled.
_SEND_OUTCOMES = {DeliveryStatus.SENT: "sent", DeliveryStatus.QUEUED: "retry", DeliveryStatus.FAILED: "failed"}


@consumer(resources.SEND_QUEUE, OutboundRecord)
def send_outbound(record: OutboundRecord) -> None:
    status = wiring.dispatcher().send(record.body)
    figures.count(figures.SENDS, outcome=_SEND_OUTCOMES.get(status, status.value))


@consumer(resources.PURGE_QUEUE, PurgeRecord)
def purge_conversation(record: PurgeRecord) -> None:
    request = record.body
    if isinstance(request, PurgePage):
        handed_out = wiring.auto_deletion().hand_out(request)
        logger.info("due page handed out", extra={"as_of": request.as_of, "conversations": handed_out})
        return
    deleted = wiring.auto_deletion().purge(request.conversation_id, request.delete_at)
    logger.info("purge done", extra={"conversation_id": request.conversation_id, "items_deleted": deleted})
    if deleted:
        figures.count(figures.CONVERSATIONS_PURGED)
        figures.count(figures.ITEMS_PURGED, value=deleted)


@consumer(resources.RESCHEDULE_QUEUE, RescheduleRecord)
def reschedule_deletions(record: RescheduleRecord) -> None:
    request = record.body
    moved = wiring.auto_deletion().reschedule_step(team_id=request.team_id, cursor=request.cursor)
    logger.info("deletion dates moved", extra={"team_id": request.team_id, "moved": moved})


@consumer(resources.MEDIA_QUEUE, MediaRecord)
def copy_media(record: MediaRecord) -> None:
    wiring.media_copier().handle(record.body)


@consumer(resources.EVENTS_QUEUE, EventsRecord)
def deliver_events(record: EventsRecord) -> None:
    wiring.event_delivery().handle(record.body.record)


@consumer(resources.EXPORTS_QUEUE, ExportRecord)
def build_export(record: ExportRecord) -> None:
    job = wiring.export_jobs().build(record.body.export_id)
    if job is not None:
        logger.info("export ended", extra={"export_id": job.id, "kind": job.kind, "status": job.status.value,
                                           "bytes": job.size, "reason": job.reason})

loaded(__name__)  # last: the handler's module is loaded (cold_start.py)
