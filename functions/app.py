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
from urllib.parse import unquote, urlencode

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
from chalicelib.channels.base import WebhookRequest
from chalicelib.domain.export import CONTENT_TYPES
from chalicelib.domain.identity import Principal, principal_for
from chalicelib.domain.inputs import (
    ArchiveInput,
    AssignInput,
    ConversationListQuery,
    ExportQuery,
    ListQuery,
    MessageInput,
    NoteInput,
    PageQuery,
    QuickReplyGroupInput,
    QuickReplyInput,
    QuickReplyQuery,
    QuickReplyUpdateInput,
    SignInInput,
    StartConversationInput,
    StatisticsQuery,
    TagInput,
    TagsInput,
    TemplateDefinitionInput,
    TemplateQuery,
    UploadInput,
)
from chalicelib.domain.models import InboundEnvelope, OutboundRequest
from chalicelib.domain.outputs import (
    ConversationOut,
    ConversationPage,
    ConversationStartedOut,
    HeartbeatOut,
    MeOut,
    MessagePage,
    NotePage,
    OnlineOut,
    QuickReplyListOut,
    QuickReplyOut,
    RenderedOut,
    SignInOut,
    StatisticsOut,
    TagPage,
    TemplateListOut,
    UploadOut,
)
from chalicelib.settings import get_settings
from pydantic import BaseModel, ValidationError

SERVICE = "open-contact"
# Powertools' Logger owns the log output; Chalice's own handler on the same logger would repeat each line.
app = Chalice(app_name=SERVICE, configure_logs=False)
# Conversation exports are files: API Gateway passes these types through as binary.
app.api.binary_types.extend(sorted({CONTENT_TYPES["xlsx"], CONTENT_TYPES["pdf"]}))
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
    query = ConversationListQuery.model_validate(_query())
    ascending = None if query.order is None else query.order == "asc"
    page = wiring.inbox().list_conversations(_principal(), view=query.view, sort=query.sort,
                                             ascending=ascending, limit=query.limit, cursor=query.cursor,
                                             filters=query.filters())
    return _json(ConversationPage(items=page.items, next_cursor=page.next_cursor))


@route("/conversations/{conversation_id}", methods=["GET"])
def get_conversation(conversation_id: str) -> Response:
    return _json(ConversationOut.of(wiring.inbox().get(_principal(), conversation_id)))


@route("/conversations/{conversation_id}/messages", methods=["GET"])
def list_messages(conversation_id: str) -> Response:
    query = ListQuery.model_validate({k: v for k, v in (_request().query_params or {}).items()
                                      if k in {"limit", "cursor", "team"}})
    page = wiring.inbox().messages(_principal(), conversation_id, limit=query.limit, cursor=query.cursor)
    return _json(MessagePage(items=page.items, next_cursor=page.next_cursor))


@route("/conversations/{conversation_id}/pickup", methods=["POST"])
def pick_up(conversation_id: str) -> Response:
    conversation = wiring.lifecycle().pick_up(_principal(), conversation_id)
    return _json(conversation)


@route("/conversations/{conversation_id}/messages", methods=["POST"])
def reply(conversation_id: str) -> Response:
    body = _body(MessageInput)
    message = wiring.composer().reply(_principal(), conversation_id, body.draft())
    return _json(message, status=202)


# --- agent API: the daily work (issue 4) ------------------------------------------------
# Lifecycle, start conversation, uploads, tags, notes, quick replies, templates, presence,
# export and statistics. Every use case checks role, team and ownership itself.


def _query() -> dict[str, str]:
    return dict(_request().query_params or {})


def _file(filename: str, content_type: str, body: bytes) -> Response:
    payload: bytes | str = body.decode("utf-8") if content_type.startswith("text/") else body
    return Response(body=payload, status_code=200, headers={
        "Content-Type": content_type, "Content-Disposition": f'attachment; filename="{filename}"'})


@route("/conversations", methods=["POST"])
def start_conversation() -> Response:
    body = _body(StartConversationInput)
    conversation, message = wiring.composer().start(
        _principal(), account_id=body.account_id, customer_id=body.customer_id, phone=body.phone,
        customer_name=body.customer_name, draft=body.draft())
    return _json(ConversationStartedOut(conversation=conversation, message=message), status=201)


@route("/conversations/{conversation_id}/assign", methods=["POST"])
def assign(conversation_id: str) -> Response:
    body = _body(AssignInput)
    return _json(wiring.lifecycle().assign(_principal(), conversation_id, body.agent_id))


@route("/conversations/{conversation_id}/handback", methods=["POST"])
def hand_back(conversation_id: str) -> Response:
    return _json(wiring.lifecycle().hand_back(_principal(), conversation_id))


@route("/conversations/{conversation_id}/archive", methods=["POST"])
def archive(conversation_id: str) -> Response:
    body = _body(ArchiveInput)
    return _json(wiring.lifecycle().archive(_principal(), conversation_id, body.tags))


@route("/conversations/{conversation_id}/uploads", methods=["POST"])
def upload(conversation_id: str) -> Response:
    body = _body(UploadInput)
    ticket = wiring.composer().upload(_principal(), conversation_id, filename=body.filename,
                                      content_type=body.content_type, size=body.size)
    return _json(UploadOut(key=ticket.key, url=ticket.url, method=ticket.method, headers=ticket.headers,
                           expires_in=ticket.expires_in), status=201)


@route("/conversations/{conversation_id}/tags", methods=["POST"])
def add_tags(conversation_id: str) -> Response:
    body = _body(TagsInput)
    return _json(wiring.tagging().add(_principal(), conversation_id, body.tags))


@route("/conversations/{conversation_id}/tags/{tag}", methods=["DELETE"])
def remove_tag(conversation_id: str, tag: str) -> Response:
    return _json(wiring.tagging().remove(_principal(), conversation_id, unquote(tag)))


@route("/conversations/{conversation_id}/notes", methods=["GET"])
def list_notes(conversation_id: str) -> Response:
    query = PageQuery.model_validate(_query())
    page = wiring.tagging().notes(_principal(), conversation_id, limit=query.limit, cursor=query.cursor)
    return _json(NotePage(items=page.items, next_cursor=page.next_cursor))


@route("/conversations/{conversation_id}/notes", methods=["POST"])
def add_note(conversation_id: str) -> Response:
    body = _body(NoteInput)
    return _json(wiring.tagging().add_note(_principal(), conversation_id, body.text), status=201)


@route("/conversations/{conversation_id}/templates", methods=["GET"])
def conversation_templates(conversation_id: str) -> Response:
    query = TemplateQuery.model_validate(_query())
    items = wiring.templates().for_conversation(_principal(), conversation_id, query.language)
    return _json(TemplateListOut(items=items))


@route("/conversations/{conversation_id}/quick-replies/{reply_id}", methods=["GET"])
def render_quick_reply(conversation_id: str, reply_id: str) -> Response:
    PageQuery.model_validate({k: v for k, v in _query().items() if k == "team"})
    rendered = wiring.quick_replies().render(_principal(), conversation_id, reply_id)
    return _json(RenderedOut(text=rendered.text, missing=list(rendered.missing)))


@route("/conversations/{conversation_id}/export", methods=["GET"])
def export_conversation(conversation_id: str) -> Response:
    query = ExportQuery.model_validate(_query())
    exported = wiring.exporter().export(_principal(), conversation_id, query.format)
    return _file(exported.filename, exported.content_type, exported.body)


@route("/tags", methods=["GET"])
def list_tags() -> Response:
    query = PageQuery.model_validate(_query())
    page = wiring.tagging().catalogue(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(TagPage(items=page.items, next_cursor=page.next_cursor))


@route("/tags", methods=["POST"])
def define_tag() -> Response:
    body = _body(TagInput)
    tag = wiring.tagging().define(_principal(), body.tag)
    return Response(body={"tag": tag}, status_code=201, headers={"Content-Type": "application/json"})


@route("/quick-replies", methods=["GET"])
def find_quick_replies() -> Response:
    query = QuickReplyQuery.model_validate(_query())
    found = wiring.quick_replies().find(_principal(), query.q)
    return _json(QuickReplyListOut(items=[QuickReplyOut.of(item) for item in found]))


@route("/me/heartbeat", methods=["POST"])
def heartbeat() -> Response:
    return _json(HeartbeatOut(online_until=wiring.presence().heartbeat(_principal())))


@route("/team/online", methods=["GET"])
def online_colleagues() -> Response:
    return _json(OnlineOut(items=wiring.presence().online(_principal())))


@route("/channel-accounts/{account_id}/templates", methods=["GET"])
def account_templates(account_id: str) -> Response:
    query = TemplateQuery.model_validate(_query())
    return _json(TemplateListOut(items=wiring.templates().for_account(_principal(), account_id, query.language)))


@route("/statistics", methods=["GET"])
def statistics() -> Response:
    query = StatisticsQuery.model_validate(_query())
    stats = wiring.statistics().read(_principal(), query.since, query.until)
    return _json(StatisticsOut.model_validate(stats.model_dump()))


# --- administrators: quick replies and templates ----------------------------------------
# (Other settings, teams, users and channel accounts are the administration's own routes.)


@route("/admin/quick-reply-groups", methods=["POST"])
def create_quick_reply_group() -> Response:
    body = _body(QuickReplyGroupInput)
    return _json(wiring.quick_replies().create_group(_principal(), body.name), status=201)


@route("/admin/quick-reply-groups/{group_id}", methods=["PUT"])
def rename_quick_reply_group(group_id: str) -> Response:
    body = _body(QuickReplyGroupInput)
    return _json(wiring.quick_replies().rename_group(_principal(), group_id, body.name))


@route("/admin/quick-reply-groups/{group_id}", methods=["DELETE"])
def delete_quick_reply_group(group_id: str) -> Response:
    wiring.quick_replies().delete_group(_principal(), group_id)
    return Response(body="", status_code=204)


@route("/admin/quick-replies", methods=["POST"])
def create_quick_reply() -> Response:
    body = _body(QuickReplyInput)
    return _json(wiring.quick_replies().create_reply(_principal(), body.group_id, body.text), status=201)


@route("/admin/quick-replies/{reply_id}", methods=["PUT"])
def update_quick_reply(reply_id: str) -> Response:
    body = _body(QuickReplyUpdateInput)
    return _json(wiring.quick_replies().update_reply(_principal(), reply_id, body.text))


@route("/admin/quick-replies/{reply_id}", methods=["DELETE"])
def delete_quick_reply(reply_id: str) -> Response:
    wiring.quick_replies().delete_reply(_principal(), reply_id)
    return Response(body="", status_code=204)


@route("/admin/channel-accounts/{account_id}/templates", methods=["POST"])
def put_template(account_id: str) -> Response:
    body = _body(TemplateDefinitionInput)
    template = wiring.templates().put(_principal(), account_id, name=body.name, language=body.language,
                                      body=body.body, parameters=body.parameters)
    return _json(template, status=201)


@route("/admin/channel-accounts/{account_id}/templates/{name}/{language}", methods=["DELETE"])
def delete_template(account_id: str, name: str, language: str) -> Response:
    wiring.templates().delete(_principal(), account_id, name, language)
    return Response(body="", status_code=204)


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
    return Response(body={"queued": queued}, status_code=200, headers={"Content-Type": "application/json"})


# --- queue workers --------------------------------------------------------------------
# Each worker reports partial batch failures: only the records that failed return to the queue
# (and reach its dead-letter queue after the configured number of receives).

_app_name = get_settings().app_name


def _process(event: SQSEvent, record_handler: Callable[[SQSRecord], None], *,
             fifo: bool) -> PartialItemFailureResponse:
    processor = SqsFifoPartialProcessor() if fifo else BatchProcessor(event_type=EventType.SQS)
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
