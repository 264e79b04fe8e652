"""The queue workers: one Lambda function per queue, each a Chalice SQS handler.

Lambda calls these handlers by this module's path (``chalicelib.api.workers.<name>``), so a
worker's cold start imports the workers, not the API's routes. Each worker reports partial
batch failures: only the records that failed return to the queue (and reach its dead-letter
queue after the configured number of receives).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from chalice.app import Blueprint, SQSEvent
from chalicelib import resources, wiring
from chalicelib.api.telemetry import logger
from chalicelib.domain.events import EventsEnvelope
from chalicelib.domain.models import InboundEnvelope, OutboundRequest
from chalicelib.settings import get_settings

blueprint = Blueprint(__name__)
_app_name = get_settings().app_name


def _process(event: SQSEvent, record_handler: Callable[[SQSRecord], None], *,
             fifo: bool) -> PartialItemFailureResponse:
    # On a FIFO queue a failed record also fails the rest of its message group in the batch (one
    # customer's messages stay in order); other customers' groups go on being processed.
    processor = (SqsFifoPartialProcessor(skip_group_on_error=True) if fifo
                 else BatchProcessor(event_type=EventType.SQS))
    # Chalice types the context as a dict; in Lambda it is the LambdaContext object.
    return process_partial_response(event=event.to_dict(), record_handler=record_handler,
                                    processor=processor, context=cast(LambdaContext, event.context))


def _route_record(record: SQSRecord) -> None:
    wiring.router().handle(InboundEnvelope.model_validate_json(record.body))


def _assign_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    if "offer_team_id" in body:  # an agent may take work now: offer the team's waiting conversations
        wiring.assigner().offer_waiting(body["offer_team_id"], returned_conversation_id=body.get(
            "returned_conversation_id"), returned_by=body.get("returned_by"))
    else:
        wiring.assigner().assign(body["conversation_id"], body.get("previous_owner_id"))


def _out_of_office_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    wiring.out_of_office().handle(body["conversation_id"], body["message_id"])


def _window_record(record: SQSRecord) -> None:
    wiring.dispatcher().check_window(OutboundRequest.model_validate_json(record.body))


def _send_record(record: SQSRecord) -> None:
    wiring.dispatcher().send(OutboundRequest.model_validate_json(record.body))


def _events_record(record: SQSRecord) -> None:
    wiring.event_delivery().handle(EventsEnvelope.model_validate_json(record.body).record)


def _purge_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    deleted = wiring.auto_deletion().purge(body["conversation_pk"], body["delete_at"])
    logger.info("purge done", extra={"conversation_pk": body["conversation_pk"], "items_deleted": deleted})


def _reschedule_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    moved = wiring.auto_deletion().reschedule_step(team_id=body.get("team_id"), cursor=body.get("cursor"))
    logger.info("deletion dates moved", extra={"team_id": body.get("team_id"), "moved": moved})


@blueprint.on_sqs_message(queue=resources.INBOUND_QUEUE.physical_name(_app_name),
                          batch_size=resources.INBOUND_QUEUE.batch_size, name="route_inbound")
def route_inbound(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _route_record, fifo=True)


@blueprint.on_sqs_message(queue=resources.ASSIGNMENT_QUEUE.physical_name(_app_name),
                          batch_size=resources.ASSIGNMENT_QUEUE.batch_size, name="assign_conversation")
def assign_conversation(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _assign_record, fifo=False)


@blueprint.on_sqs_message(queue=resources.OUT_OF_OFFICE_QUEUE.physical_name(_app_name),
                          batch_size=resources.OUT_OF_OFFICE_QUEUE.batch_size, name="send_out_of_office")
def send_out_of_office(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _out_of_office_record, fifo=False)


@blueprint.on_sqs_message(queue=resources.OUTBOUND_QUEUE.physical_name(_app_name),
                          batch_size=resources.OUTBOUND_QUEUE.batch_size, name="check_window")
def check_window(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _window_record, fifo=True)


@blueprint.on_sqs_message(queue=resources.SEND_QUEUE.physical_name(_app_name),
                          batch_size=resources.SEND_QUEUE.batch_size, name="send_outbound")
def send_outbound(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _send_record, fifo=True)


@blueprint.on_sqs_message(queue=resources.PURGE_QUEUE.physical_name(_app_name),
                          batch_size=resources.PURGE_QUEUE.batch_size, name="purge_conversation")
def purge_conversation(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _purge_record, fifo=False)


@blueprint.on_sqs_message(queue=resources.RESCHEDULE_QUEUE.physical_name(_app_name),
                          batch_size=resources.RESCHEDULE_QUEUE.batch_size, name="reschedule_deletions")
def reschedule_deletions(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _reschedule_record, fifo=False)


@blueprint.on_sqs_message(queue=resources.EVENTS_QUEUE.physical_name(_app_name),
                          batch_size=resources.EVENTS_QUEUE.batch_size, name="deliver_events")
def deliver_events(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _events_record, fifo=True)
