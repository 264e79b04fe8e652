"""The queue workers: one Lambda function per queue, each a Chalice SQS handler.

Lambda calls these handlers by this module's path (``chalicelib.api.workers.<name>``), so a
worker's cold start imports the workers, not the API's routes. Each worker reports partial
batch failures: only the records that failed return to the queue (and reach its dead-letter
queue after the configured number of receives).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from chalice.app import Blueprint, SQSEvent
from chalicelib import wiring
from chalicelib.api.telemetry import logger, tracer
from chalicelib.core import resources
from chalicelib.core.settings import app_name, require_at_cold_start
from chalicelib.domain.events import EventsEnvelope
from chalicelib.domain.models import InboundEnvelope, OutboundRequest
from chalicelib.domain.queue_messages import (
    AssignmentMessage,
    AssignmentRequest,
    FollowUpRequest,
    PurgeRequest,
    RescheduleRequest,
)
from pydantic import Json

require_at_cold_start()
blueprint = Blueprint(__name__)
_app_name = app_name()


# --- typed records: the SQS record with its body parsed by the queue's message model ---------
# A body that does not parse fails its record alone (it returns to the queue, then its DLQ).


class InboundRecord(SqsRecordModel):
    body: Json[InboundEnvelope]


class AssignmentRecord(SqsRecordModel):
    body: Json[AssignmentMessage]


class FollowUpRecord(SqsRecordModel):
    body: Json[FollowUpRequest]


class OutboundRecord(SqsRecordModel):
    """The outbound (window check) and send queues carry the same request."""

    body: Json[OutboundRequest]


class EventsRecord(SqsRecordModel):
    body: Json[EventsEnvelope]


class PurgeRecord(SqsRecordModel):
    body: Json[PurgeRequest]


class RescheduleRecord(SqsRecordModel):
    body: Json[RescheduleRequest]


_Record = TypeVar("_Record", bound=SqsRecordModel)


def _process(event: SQSEvent, record_model: type[_Record], record_handler: Callable[[_Record], None], *,
             fifo: bool) -> PartialItemFailureResponse:
    # On a FIFO queue a failed record also fails the rest of its message group in the batch (one
    # customer's messages stay in order); other customers' groups go on being processed.
    processor = (SqsFifoPartialProcessor(model=record_model, skip_group_on_error=True) if fifo
                 else BatchProcessor(event_type=EventType.SQS, model=record_model))

    # Chalice hands a worker its event object, not Lambda's (event, context): the logger's Lambda
    # context (function name, request id, cold start) and the trace segment are set here, for every worker.
    @logger.inject_lambda_context
    @tracer.capture_lambda_handler(capture_response=False)
    def handle(raw_event: dict[str, object], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(event=raw_event, record_handler=record_handler, processor=processor,
                                        context=context)

    # Chalice types the context as a dict; in Lambda it is the LambdaContext object.
    return cast(PartialItemFailureResponse, handle(event.to_dict(), cast(LambdaContext, event.context)))


def _route(record: InboundRecord) -> None:
    wiring.router().handle(record.body)


def _assign(record: AssignmentRecord) -> None:
    request = record.body
    if isinstance(request, AssignmentRequest):
        wiring.assigner().assign(request.conversation_id, request.previous_owner_id)
    else:  # an agent may take work now: offer the team's waiting conversations
        wiring.assigner().offer_waiting(request.offer_team_id, returned_by=request.returned_by,
                                        returned_conversation_id=request.returned_conversation_id)


def _out_of_office(record: FollowUpRecord) -> None:
    wiring.out_of_office().handle(record.body.conversation_id, record.body.message_id)


def _check_window(record: OutboundRecord) -> None:
    wiring.dispatcher().check_window(record.body)


def _send(record: OutboundRecord) -> None:
    wiring.dispatcher().send(record.body)


def _deliver(record: EventsRecord) -> None:
    wiring.event_delivery().handle(record.body.record)


def _purge(record: PurgeRecord) -> None:
    request = record.body
    deleted = wiring.auto_deletion().purge(request.conversation_pk, request.delete_at)
    logger.info("purge done", extra={"conversation_pk": request.conversation_pk, "items_deleted": deleted})


def _reschedule(record: RescheduleRecord) -> None:
    request = record.body
    moved = wiring.auto_deletion().reschedule_step(team_id=request.team_id, cursor=request.cursor)
    logger.info("deletion dates moved", extra={"team_id": request.team_id, "moved": moved})


@blueprint.on_sqs_message(queue=resources.INBOUND_QUEUE.physical_name(_app_name),
                          batch_size=resources.INBOUND_QUEUE.batch_size, name="route_inbound")
def route_inbound(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, InboundRecord, _route, fifo=True)


@blueprint.on_sqs_message(queue=resources.ASSIGNMENT_QUEUE.physical_name(_app_name),
                          batch_size=resources.ASSIGNMENT_QUEUE.batch_size, name="assign_conversation")
def assign_conversation(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, AssignmentRecord, _assign, fifo=False)


@blueprint.on_sqs_message(queue=resources.OUT_OF_OFFICE_QUEUE.physical_name(_app_name),
                          batch_size=resources.OUT_OF_OFFICE_QUEUE.batch_size, name="send_out_of_office")
def send_out_of_office(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, FollowUpRecord, _out_of_office, fifo=False)


@blueprint.on_sqs_message(queue=resources.OUTBOUND_QUEUE.physical_name(_app_name),
                          batch_size=resources.OUTBOUND_QUEUE.batch_size, name="check_window")
def check_window(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, OutboundRecord, _check_window, fifo=True)


@blueprint.on_sqs_message(queue=resources.SEND_QUEUE.physical_name(_app_name),
                          batch_size=resources.SEND_QUEUE.batch_size, name="send_outbound")
def send_outbound(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, OutboundRecord, _send, fifo=True)


@blueprint.on_sqs_message(queue=resources.PURGE_QUEUE.physical_name(_app_name),
                          batch_size=resources.PURGE_QUEUE.batch_size, name="purge_conversation")
def purge_conversation(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, PurgeRecord, _purge, fifo=False)


@blueprint.on_sqs_message(queue=resources.RESCHEDULE_QUEUE.physical_name(_app_name),
                          batch_size=resources.RESCHEDULE_QUEUE.batch_size, name="reschedule_deletions")
def reschedule_deletions(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, RescheduleRecord, _reschedule, fifo=False)


@blueprint.on_sqs_message(queue=resources.EVENTS_QUEUE.physical_name(_app_name),
                          batch_size=resources.EVENTS_QUEUE.batch_size, name="deliver_events")
def deliver_events(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, EventsRecord, _deliver, fifo=True)
