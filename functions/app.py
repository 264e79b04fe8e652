"""The Chalice app: the agent API, the providers' webhooks and the queue workers.

Handlers are transport only: parse the request or the SQS record, call one use case from
``chalicelib`` (the shared/ package), and shape the answer. Domain errors become HTTP status
codes in ``handle_errors``, the one place that maps them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from chalice import Chalice, Response  # type: ignore[attr-defined]
from chalice.app import Request, SQSEvent
from chalicelib import errors, resources, wiring
from chalicelib.auth import sign_in
from chalicelib.channels import webhook_reply
from chalicelib.channels.base import WebhookRequest
from chalicelib.domain.identity import Principal, principal_for
from chalicelib.domain.inputs import ListQuery, ReplyInput, SignInInput
from chalicelib.domain.models import InboundEnvelope, OutboundRequest
from chalicelib.domain.outputs import ConversationOut, ConversationPage, MeOut, MessagePage, SignInOut
from chalicelib.settings import get_settings
from pydantic import BaseModel, ValidationError

SERVICE = "open-contact"
# Powertools' Logger owns the log output; Chalice's own handler on the same logger would repeat each line.
app = Chalice(app_name=SERVICE, configure_logs=False)
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)

_STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.SignatureRejected: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.WindowClosed: 422,
}
_Model = TypeVar("_Model", bound=BaseModel)


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return Response(body={"error": body}, status_code=status, headers={"Content-Type": "application/json"})


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(body=model.model_dump_json(), status_code=status,
                    headers={"Content-Type": "application/json"})


def route(path: str, **options: Any) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """``app.route`` plus the one mapping of domain and validation errors to HTTP answers.
    (Chalice turns exceptions into 500s inside the view call, before any middleware sees them.)"""

    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def answer(**params: Any) -> Response:
            try:
                return view(**params)
            except errors.DomainError as error:
                return _error(_STATUS_BY_ERROR.get(type(error), 400), error.code, error.message, error.field)
            except ValidationError as error:
                first = error.errors()[0]
                field = ".".join(str(part) for part in first["loc"]) or None
                return _error(400, "invalid_input", f"{field or 'body'}: {first['msg']}", field)

        app.route(path, **options)(answer)
        return answer

    return register


def _request() -> Request:
    """The request being handled; Chalice sets it before calling any route handler."""
    request = app.current_request
    assert request is not None
    return request


def _body(model: type[_Model]) -> _Model:
    raw = _request().raw_body
    try:
        document = json.loads(raw or b"null")
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise errors.InvalidInput(f"body is not valid JSON: {error}", field="body") from error
    if not isinstance(document, dict):
        raise errors.InvalidInput("body must be a JSON object", field="body")
    return model.model_validate(document)


def _principal() -> Principal:
    request = _request()
    user_id = wiring.token_verifier().subject(request.headers.get("authorization"))
    query: Mapping[str, str] = request.query_params or {}
    team = query.get("team")
    return principal_for(wiring.repository().get_user(user_id), team)


# --- public routes --------------------------------------------------------------------


@route("/health", methods=["GET"])
def health() -> Response:
    return Response(body={"status": "ok"}, status_code=200)


@route("/auth/login", methods=["POST"])
def login() -> Response:
    credentials = _body(SignInInput)
    tokens = sign_in(get_settings(), credentials.email, credentials.password)
    return _json(SignInOut(id_token=tokens.id_token, refresh_token=tokens.refresh_token,
                           expires_in=tokens.expires_in))


# --- agent API ------------------------------------------------------------------------


@route("/me", methods=["GET"])
def me() -> Response:
    principal = _principal()
    return _json(MeOut(user=principal.user, team_id=principal.team_id))


@route("/conversations", methods=["GET"])
def list_conversations() -> Response:
    query = ListQuery.model_validate(_request().query_params or {})
    ascending = None if query.order is None else query.order == "asc"
    page = wiring.inbox().list_conversations(_principal(), view=query.view, sort=query.sort,
                                             ascending=ascending, limit=query.limit, cursor=query.cursor)
    return _json(ConversationPage(items=page.items, next_cursor=page.next_cursor))


@route("/conversations/{conversation_id}", methods=["GET"])
def get_conversation(conversation_id: str) -> Response:
    return _json(ConversationOut.of(wiring.inbox().get(_principal(), conversation_id)))


@route("/conversations/{conversation_id}/messages", methods=["GET"])
def list_messages(conversation_id: str) -> Response:
    query = ListQuery.model_validate({k: v for k, v in (_request().query_params or {}).items()
                                      if k in {"limit", "cursor", "team"}})
    page = wiring.inbox().messages(_principal(), conversation_id, limit=query.limit, cursor=query.cursor)
    return _json(MessagePage.of(page, wiring.media_store().signed_url))


@route("/conversations/{conversation_id}/pickup", methods=["POST"])
def pick_up(conversation_id: str) -> Response:
    conversation = wiring.inbox().pick_up(_principal(), conversation_id)
    return _json(conversation)


@route("/conversations/{conversation_id}/messages", methods=["POST"])
def reply(conversation_id: str) -> Response:
    body = _body(ReplyInput)
    message = wiring.inbox().reply(_principal(), conversation_id, body.text)
    return _json(message, status=202)


# --- provider webhooks ----------------------------------------------------------------


def _webhook_request() -> WebhookRequest:
    request = _request()
    query = dict(request.query_params or {})
    base = get_settings().public_api_url + request.context.get("path", "")
    return WebhookRequest(
        method=request.method, url=base + (f"?{urlencode(query)}" if query else ""),
        headers={key.lower(): value for key, value in request.headers.items()},
        # Chalice types raw_body as str | bytes, but it always holds bytes.
        query=query, body=cast(bytes, request.raw_body) or b"",
    )


@route("/webhooks/{channel}/{account}", methods=["GET"])
def webhook_handshake(channel: str, account: str) -> Response:
    challenge = wiring.intake().handshake(channel, account, _webhook_request())
    return Response(body=challenge, status_code=200, headers={"Content-Type": "text/plain"})


@route("/webhooks/{channel}/{account}", methods=["POST"],
           content_types=["application/json", "application/x-www-form-urlencoded", "text/plain"])
def webhook(channel: str, account: str) -> Response:
    queued = wiring.intake().receive(channel, account, _webhook_request())
    logger.info("webhook queued events", extra={"channel": channel, "account": account, "queued": queued})
    reply = webhook_reply(channel)
    if reply is not None:
        return Response(body=reply.body, status_code=200, headers={"Content-Type": reply.content_type})
    return Response(body={"queued": queued}, status_code=200, headers={"Content-Type": "application/json"})


# --- queue workers --------------------------------------------------------------------
# Each worker reports partial batch failures: only the records that failed return to the queue
# (and reach its dead-letter queue after the configured number of receives).

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
    wiring.assigner().assign(json.loads(record.body)["conversation_id"])


def _out_of_office_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    wiring.out_of_office().handle(body["conversation_id"], body["message_id"])


def _window_record(record: SQSRecord) -> None:
    wiring.dispatcher().check_window(OutboundRequest.model_validate_json(record.body))


def _send_record(record: SQSRecord) -> None:
    wiring.dispatcher().send(OutboundRequest.model_validate_json(record.body))


def _purge_record(record: SQSRecord) -> None:
    logger.info("purge requested", extra={"conversation_pk": json.loads(record.body)["conversation_pk"]})


@app.on_sqs_message(queue=resources.INBOUND_QUEUE.physical_name(_app_name),
                    batch_size=resources.INBOUND_QUEUE.batch_size, name="route_inbound")
def route_inbound(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _route_record, fifo=True)


@app.on_sqs_message(queue=resources.ASSIGNMENT_QUEUE.physical_name(_app_name),
                    batch_size=resources.ASSIGNMENT_QUEUE.batch_size, name="assign_conversation")
def assign_conversation(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _assign_record, fifo=False)


@app.on_sqs_message(queue=resources.OUT_OF_OFFICE_QUEUE.physical_name(_app_name),
                    batch_size=resources.OUT_OF_OFFICE_QUEUE.batch_size, name="send_out_of_office")
def send_out_of_office(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _out_of_office_record, fifo=False)


@app.on_sqs_message(queue=resources.OUTBOUND_QUEUE.physical_name(_app_name),
                    batch_size=resources.OUTBOUND_QUEUE.batch_size, name="check_window")
def check_window(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _window_record, fifo=True)


@app.on_sqs_message(queue=resources.SEND_QUEUE.physical_name(_app_name),
                    batch_size=resources.SEND_QUEUE.batch_size, name="send_outbound")
def send_outbound(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _send_record, fifo=True)


@app.on_sqs_message(queue=resources.PURGE_QUEUE.physical_name(_app_name),
                    batch_size=resources.PURGE_QUEUE.batch_size, name="purge_conversation")
def purge_conversation(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _purge_record, fifo=False)
