"""The Chalice app: the agent API, the providers' webhooks and the queue workers.

Handlers are transport only: parse the request or the SQS record, call one use case from
``chalicelib`` (the shared/ package), and shape the answer. Domain errors become HTTP status
codes in ``handle_errors``, the one place that maps them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
from chalicelib import wiring
from chalicelib.adapters.auth import sign_in
from chalicelib.api.push import PushEndpointOut, push
from chalicelib.channels import webhook_reply
from chalicelib.channels.base import WebhookRequest
from chalicelib.core import resources
from chalicelib.core.settings import get_settings
from chalicelib.domain import errors
from chalicelib.domain.admin_inputs import (
    ChannelAccountInput,
    ChannelAccountPatch,
    CredentialsInput,
    EnableInput,
    InviteUserInput,
    OutOfOfficeInput,
    PageQuery,
    ProfilePatch,
    RoleInput,
    RoutingRuleInput,
    ServiceSettingsPatch,
    TeamIdsInput,
    TeamInput,
    TeamPatch,
)
from chalicelib.domain.admin_models import ChannelAccountView, Profile, RoutingRule, TeamSettings
from chalicelib.domain.admin_outputs import (
    ChannelAccountPage,
    OutOfOfficeOut,
    RoutingRuleList,
    RoutingRulePage,
    ServiceSettingsOut,
    TeamPage,
    UserPage,
)
from chalicelib.domain.capabilities import channel_capabilities
from chalicelib.domain.channel_admin import new_account
from chalicelib.domain.counts import TabCountsOut
from chalicelib.domain.customer_io import (
    AddressInput,
    AttributeDefinitionList,
    CommunicationInput,
    CommunicationPage,
    ConsentInput,
    ConsentOut,
    CustomerConversationPage,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    CustomerSearchQuery,
    MergeInput,
    MergeOut,
)
from chalicelib.domain.customers import AttributeDefinition, CommunicationEntry
from chalicelib.domain.events import EventsEnvelope
from chalicelib.domain.export import CONTENT_TYPES
from chalicelib.domain.identity import Principal, principal_for
from chalicelib.domain.inputs import (
    ArchiveInput,
    AssignInput,
    ConversationListQuery,
    ExportQuery,
    MessageInput,
    MessageListQuery,
    NoteInput,
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
from chalicelib.domain.models import (
    Channel,
    Conversation,
    InboundEnvelope,
    Message,
    Note,
    OutboundRequest,
    QuickReply,
    QuickReplyGroup,
    Template,
    User,
)
from chalicelib.domain.office_hours import OfficeHours
from chalicelib.domain.outputs import (
    CapabilitiesOut,
    ConversationOut,
    ConversationPage,
    ConversationStartedOut,
    HeartbeatOut,
    MeOut,
    MessagePage,
    NotePage,
    OnlineOut,
    QuickReplyGroupListOut,
    QuickReplyGroupOut,
    QuickReplyListOut,
    QuickReplyOut,
    RenderedOut,
    SignInOut,
    StatisticsOut,
    TagOut,
    TagPage,
    TeamChannelAccountPage,
    TemplateListOut,
    UploadOut,
)
from chalicelib.domain.push import PROTOCOL as PUSH_PROTOCOL
from chalicelib.domain.subscription_models import (
    DeliveryAttemptPage,
    EventSubscription,
    ReplayAccepted,
    SubscriptionCreated,
    SubscriptionInput,
    SubscriptionPage,
    SubscriptionPatch,
)
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import JsonSchemaMode, models_json_schema

SERVICE = "open-contact"
# Powertools' Logger owns the log output; Chalice's own handler on the same logger would repeat each line.
app = Chalice(app_name=SERVICE, configure_logs=False)
# Conversation exports are files: API Gateway passes these types through as binary.
app.api.binary_types.extend(sorted({CONTENT_TYPES["xlsx"], CONTENT_TYPES["pdf"]}))
# The WebSocket API that pushes changes to the agents' browsers (chalicelib/api/push.py).
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_blueprint(push)
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


def _status_of(error: errors.DomainError) -> int:
    """The status of the error's class or of its nearest mapped base (NoFreeSeat is a Conflict)."""
    return next((_STATUS_BY_ERROR[cls] for cls in type(error).__mro__ if cls in _STATUS_BY_ERROR), 400)


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
                return _error(_status_of(error), error.code, error.message, error.field)
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
    # The user is read on every request: a role change or a disabling applies to the very next one.
    return principal_for(wiring.repository().get_user(user_id), team, wiring.team_store().exists)


def _query() -> dict[str, str]:
    return dict(_request().query_params or {})


def _query_values() -> dict[str, str | list[str]]:
    """The query parameters with a repeated one as the list of its values (a filter of several)."""
    params = _request().query_params
    if not params:
        return {}
    return {name: values[0] if len(values) == 1 else values
            for name, values in ((name, params.getlist(name)) for name in params)}


def _file(filename: str, content_type: str, body: bytes) -> Response:
    payload: bytes | str = body.decode("utf-8") if content_type.startswith("text/") else body
    return Response(body=payload, status_code=200, headers={
        "Content-Type": content_type, "Content-Disposition": f'attachment; filename="{filename}"'})



# --- route documentation ------------------------------------------------------------
# Every route of the agent and administration APIs is registered through `documented`, which
# also enters it in the OpenAPI document served at GET /openapi.json: the route table and the
# pydantic models are the one source of that document (docs/openapi.json is a copy, checked for
# drift by tests/unit/test_openapi.py). The webhooks and the health check are not part of it.

ADMIN = "administrator"
READERS = "administrator, watcher, supervisor"
ANYONE = "any signed-in user"
WORKERS = "administrator, agent (of the conversation's team)"
STARTERS = "administrator, agent (of a team the channel account serves)"
ASSIGNERS = "administrator, supervisor, agent (of the conversation's team)"
OWNER = "the agent the conversation is assigned to"
PUBLIC = "public"


@dataclass(frozen=True)
class DocumentedRoute:
    method: str
    path: str
    summary: str
    access: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    query: type[BaseModel] | None


API_ROUTES: list[DocumentedRoute] = []


def documented(path: str, method: str, summary: str, *, access: str, body: type[BaseModel] | None = None,
               response: type[BaseModel] | None = None, status: int = 200,
               query: type[BaseModel] | None = None) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        API_ROUTES.append(DocumentedRoute(method, path, summary, access, body, response, status, query))
        return route(path, methods=[method])(view)

    return register


def _page_query() -> PageQuery:
    return PageQuery.model_validate(_request().query_params or {})


def _no_content() -> Response:
    return Response(body="", status_code=204)


# --- public routes --------------------------------------------------------------------


@route("/health", methods=["GET"])
def health() -> Response:
    return Response(body={"status": "ok"}, status_code=200)


@documented("/auth/login", "POST", "Sign in; send the id_token as a Bearer token", access=PUBLIC, body=SignInInput,
            response=SignInOut)
def login() -> Response:
    credentials = _body(SignInInput)
    tokens = sign_in(get_settings(), credentials.email, credentials.password)
    return _json(SignInOut(id_token=tokens.id_token, refresh_token=tokens.refresh_token,
                           expires_in=tokens.expires_in))


# --- agent API: the inbox -------------------------------------------------------------
# Tabs and filters, threads, the lifecycle (pick up, assign, hand back, archive), replies and
# uploads, starting a conversation, tags, notes, quick replies, templates, presence, export
# and statistics. Every use case checks role, team and ownership itself (domain/identity.py).


@documented("/me", "GET", "Who I am, the team I act in (?team= to choose), my teams' names and whether I may "
            "create tags", access=ANYONE, response=MeOut)
def me() -> Response:
    return _json(MeOut.of(wiring.myself().view(_principal())))


@documented("/channels/capabilities", "GET", "What each channel carries: text length, attachments and their "
            "types and sizes, templates, window", access=ANYONE, response=CapabilitiesOut)
def capabilities() -> Response:
    _principal()
    return _json(CapabilitiesOut(items=[channel_capabilities(channel) for channel in Channel]))


@documented("/conversations", "GET", "One page of a tab (new, mine, assigned, all), filtered and sorted",
            access=ANYONE, query=ConversationListQuery, response=ConversationPage)
def list_conversations() -> Response:
    query = ConversationListQuery.model_validate(_query_values())
    ascending = None if query.order is None else query.order == "asc"
    page = wiring.inbox().list_conversations(_principal(), view=query.view, sort=query.sort,
                                             ascending=ascending, limit=query.limit, cursor=query.cursor,
                                             filters=query.filters())
    return _json(ConversationPage(items=page.items, next_cursor=page.next_cursor))


@documented("/conversations", "POST", "Start a conversation with a customer (assigned to me)", access=STARTERS,
            body=StartConversationInput, response=ConversationStartedOut, status=201)
def start_conversation() -> Response:
    body = _body(StartConversationInput)
    conversation, message = wiring.composer().start(
        _principal(), account_id=body.account_id, customer_id=body.customer_id, phone=body.phone,
        customer_name=body.customer_name, draft=body.draft())
    return _json(ConversationStartedOut(conversation=conversation, message=message), status=201)


@documented("/conversations/{conversation_id}", "GET", "One conversation and its reply window", access=ANYONE,
            response=ConversationOut)
def get_conversation(conversation_id: str) -> Response:
    return _json(ConversationOut.of(wiring.inbox().get(_principal(), conversation_id)))


@documented("/conversations/{conversation_id}/messages", "GET", "One page of the thread, attachments with "
            "signed URLs: oldest first, or newest first with order=desc", access=ANYONE, query=MessageListQuery,
            response=MessagePage)
def list_messages(conversation_id: str) -> Response:
    query = MessageListQuery.model_validate(
        {k: v for k, v in _query().items() if k in MessageListQuery.model_fields})
    page = wiring.inbox().messages(_principal(), conversation_id, limit=query.limit, cursor=query.cursor,
                                   newest_first=query.order == "desc")
    return _json(MessagePage.of(page, wiring.media_store().signed_url))


@documented("/conversations/{conversation_id}/messages", "POST", "Reply: text with uploaded attachments, or a "
            "template (422 window_closed when only a template may go)", access=OWNER, body=MessageInput,
            response=Message, status=202)
def reply(conversation_id: str) -> Response:
    body = _body(MessageInput)
    message = wiring.composer().reply(_principal(), conversation_id, body.draft())
    return _json(message, status=202)


@documented("/conversations/{conversation_id}/pickup", "POST", "Pick up a New conversation", access=WORKERS,
            response=Conversation)
def pick_up(conversation_id: str) -> Response:
    return _json(wiring.lifecycle().pick_up(_principal(), conversation_id))


@documented("/conversations/{conversation_id}/assign", "POST", "Assign to a colleague of the team who is "
            "signed in now", access=ASSIGNERS, body=AssignInput, response=Conversation)
def assign(conversation_id: str) -> Response:
    body = _body(AssignInput)
    return _json(wiring.lifecycle().assign(_principal(), conversation_id, body.agent_id))


@documented("/conversations/{conversation_id}/handback", "POST", "Hand an assigned conversation back to New",
            access=f"{OWNER}; administrator", response=Conversation)
def hand_back(conversation_id: str) -> Response:
    return _json(wiring.lifecycle().hand_back(_principal(), conversation_id))


@documented("/conversations/{conversation_id}/archive", "POST", "Archive, optionally tagging first (starts the "
            "auto-deletion period when the service has one)", access=f"{WORKERS}; if assigned: {OWNER} or "
            "administrator", body=ArchiveInput, response=Conversation)
def archive(conversation_id: str) -> Response:
    body = _body(ArchiveInput)
    return _json(wiring.lifecycle().archive(_principal(), conversation_id, body.tags))


@documented("/conversations/{conversation_id}/uploads", "POST", "A presigned PUT URL for one attachment",
            access=OWNER, body=UploadInput, response=UploadOut, status=201)
def upload(conversation_id: str) -> Response:
    body = _body(UploadInput)
    ticket = wiring.composer().upload(_principal(), conversation_id, filename=body.filename,
                                      content_type=body.content_type, size=body.size)
    return _json(UploadOut.of(ticket), status=201)


@documented("/conversations/{conversation_id}/tags", "POST", "Tag a conversation", access=WORKERS, body=TagsInput,
            response=Conversation)
def add_tags(conversation_id: str) -> Response:
    body = _body(TagsInput)
    return _json(wiring.tagging().add(_principal(), conversation_id, body.tags))


@documented("/conversations/{conversation_id}/tags/{tag}", "DELETE", "Remove a tag from a conversation",
            access=WORKERS, response=Conversation)
def remove_tag(conversation_id: str, tag: str) -> Response:
    return _json(wiring.tagging().remove(_principal(), conversation_id, unquote(tag)))


@documented("/conversations/{conversation_id}/notes", "GET", "The conversation's notes", access=ANYONE,
            query=PageQuery, response=NotePage)
def list_notes(conversation_id: str) -> Response:
    query = PageQuery.model_validate(_query())
    page = wiring.tagging().notes(_principal(), conversation_id, limit=query.limit, cursor=query.cursor)
    return _json(NotePage(items=page.items, next_cursor=page.next_cursor))


@documented("/conversations/{conversation_id}/notes", "POST", "Add a note", access=WORKERS, body=NoteInput,
            response=Note, status=201)
def add_note(conversation_id: str) -> Response:
    body = _body(NoteInput)
    return _json(wiring.tagging().add_note(_principal(), conversation_id, body.text), status=201)


@documented("/conversations/{conversation_id}/templates", "GET", "Approved templates of the conversation's "
            "channel account", access=ANYONE, query=TemplateQuery, response=TemplateListOut)
def conversation_templates(conversation_id: str) -> Response:
    query = TemplateQuery.model_validate(_query())
    items = wiring.templates().for_conversation(_principal(), conversation_id, query.language)
    return _json(TemplateListOut(items=items))


@documented("/conversations/{conversation_id}/quick-replies/{reply_id}", "GET", "A quick reply with its "
            "placeholders filled for this conversation", access=ANYONE, response=RenderedOut)
def render_quick_reply(conversation_id: str, reply_id: str) -> Response:
    PageQuery.model_validate({k: v for k, v in _query().items() if k == "team"})
    rendered = wiring.quick_replies().render(_principal(), conversation_id, reply_id)
    return _json(RenderedOut(text=rendered.text, missing=list(rendered.missing)))


@documented("/conversations/{conversation_id}/export", "GET", "The conversation with its notes as a file (csv, "
            "xlsx or pdf)", access=ANYONE, query=ExportQuery)
def export_conversation(conversation_id: str) -> Response:
    query = ExportQuery.model_validate(_query())
    exported = wiring.exporter().export(_principal(), conversation_id, query.format)
    return _file(exported.filename, exported.content_type, exported.body)


@documented("/tags", "GET", "The tag catalogue", access=ANYONE, query=PageQuery, response=TagPage)
def list_tags() -> Response:
    query = PageQuery.model_validate(_query())
    page = wiring.tagging().catalogue(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(TagPage(items=page.items, next_cursor=page.next_cursor))


@documented("/tags", "POST", "Add a tag to the catalogue", access=ADMIN, body=TagInput, response=TagOut,
            status=201)
def define_tag() -> Response:
    body = _body(TagInput)
    return _json(TagOut(tag=wiring.tagging().define(_principal(), body.tag)), status=201)


@documented("/quick-replies", "GET", "Quick replies with their shortcuts, optionally searched", access=ANYONE,
            query=QuickReplyQuery, response=QuickReplyListOut)
def find_quick_replies() -> Response:
    query = QuickReplyQuery.model_validate(_query())
    found = wiring.quick_replies().find(_principal(), query.q)
    return _json(QuickReplyListOut(items=[QuickReplyOut.of(item) for item in found]))


@documented("/quick-reply-groups", "GET", "Quick reply groups by name, with their shortcut and number of "
            "replies (empty groups too)", access=ANYONE, response=QuickReplyGroupListOut)
def list_quick_reply_groups() -> Response:
    groups = wiring.quick_replies().groups(_principal())
    return _json(QuickReplyGroupListOut(items=[QuickReplyGroupOut.of(group) for group in groups]))


@documented("/me/heartbeat", "POST", "I am signed in (the web app calls this every minute)", access=ANYONE,
            response=HeartbeatOut)
def heartbeat() -> Response:
    return _json(HeartbeatOut(online_until=wiring.presence().heartbeat(_principal())))


@documented("/push", "GET", "Where the web app opens its WebSocket for pushed changes", access=ANYONE,
            response=PushEndpointOut)
def push_endpoint() -> Response:
    _principal()
    return _json(PushEndpointOut(url=get_settings().push_url, protocol=PUSH_PROTOCOL))


@documented("/team/inbox-counts", "GET", "How many conversations each inbox tab holds (New, Assigned to me, "
            "Assigned, All), exact up to limit", access=ANYONE, response=TabCountsOut)
def inbox_counts() -> Response:
    return _json(wiring.inbox_counts().of(_principal()))


@documented("/team/online", "GET", "Colleagues of my team signed in now", access=ANYONE, response=OnlineOut)
def online_colleagues() -> Response:
    return _json(OnlineOut(items=wiring.presence().online(_principal())))


@documented("/team/channel-accounts", "GET", "Channel accounts of my teams, to start a conversation from "
            "(every account for administrators and watchers); a page may be short, follow next_cursor",
            access=ANYONE, query=PageQuery, response=TeamChannelAccountPage)
def team_channel_accounts() -> Response:
    query = _page_query()
    page = wiring.channels_admin().team_accounts(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(TeamChannelAccountPage.of(page))


@documented("/channel-accounts/{account_id}/templates", "GET", "Approved templates of a channel account",
            access=ANYONE, query=TemplateQuery, response=TemplateListOut)
def account_templates(account_id: str) -> Response:
    query = TemplateQuery.model_validate(_query())
    return _json(TemplateListOut(items=wiring.templates().for_account(_principal(), account_id, query.language)))


@documented("/statistics", "GET", "Counts of the team's conversations over a span", access=READERS,
            query=StatisticsQuery, response=StatisticsOut)
def statistics() -> Response:
    query = StatisticsQuery.model_validate(_query())
    stats = wiring.statistics().read(_principal(), query.since, query.until)
    return _json(StatisticsOut.model_validate(stats.model_dump()))


# --- customers: profiles, search, merge, communication log, consent --------------------
# One profile per customer with all their addresses (domain/customers.py); every signed-in role
# reads customers, administrators and agents change them.


@documented("/customers", "GET", "Search customers by name, phone, email or channel id: exact, or prefix with "
            "a trailing % (400 names an unsupported operator)", access=ANYONE, query=CustomerSearchQuery,
            response=CustomerPage)
def search_customers() -> Response:
    query = CustomerSearchQuery.model_validate(_query())
    page = wiring.customers().search(_principal(), query.field, query.q, limit=query.limit, cursor=query.cursor)
    return _json(CustomerPage(items=page.items, next_cursor=page.next_cursor))


@documented("/customers/{customer_id}", "GET", "A customer's profile: addresses, attributes, consent, latest "
            "conversations and logged interactions, merges (a merged id answers with the kept profile)",
            access=ANYONE, response=CustomerOut)
def get_customer(customer_id: str) -> Response:
    return _json(CustomerOut.model_validate(wiring.customers().view(_principal(), customer_id).model_dump()))


@documented("/conversations/{conversation_id}/customer", "GET", "The customer beside a conversation",
            access=ANYONE, response=CustomerOut)
def conversation_customer(conversation_id: str) -> Response:
    view = wiring.customers().for_conversation(_principal(), conversation_id)
    return _json(CustomerOut.model_validate(view.model_dump()))


@documented("/customers/{customer_id}", "PATCH", "Change the name, language or custom attributes (null removes "
            "one)", access=WORKERS, body=CustomerPatch, response=CustomerOut)
def patch_customer(customer_id: str) -> Response:
    changes = _body(CustomerPatch).model_dump(exclude_unset=True)
    return _json(CustomerOut.model_validate(wiring.customers().update(_principal(), customer_id, changes).model_dump()))


@documented("/customers/{customer_id}/addresses", "POST", "Add an address (409 when another profile owns it: "
            "merge them)", access=WORKERS, body=AddressInput, response=CustomerOut, status=201)
def add_customer_address(customer_id: str) -> Response:
    view = wiring.customers().add_address(_principal(), customer_id, _body(AddressInput).address)
    return _json(CustomerOut.model_validate(view.model_dump()), status=201)


@documented("/customers/{customer_id}/conversations", "GET", "The customer's conversations on every channel, "
            "newest first", access=ANYONE, query=PageQuery, response=CustomerConversationPage)
def customer_conversations(customer_id: str) -> Response:
    query = _page_query()
    page = wiring.customers().conversations(_principal(), customer_id, limit=query.limit, cursor=query.cursor)
    return _json(CustomerConversationPage(items=page.items, next_cursor=page.next_cursor))


@documented("/customers/{customer_id}/merge", "POST", "Merge another profile into this one (addresses, "
            "conversations, logged interactions, attributes); calling again resumes an unfinished merge",
            access=WORKERS, body=MergeInput, response=MergeOut)
def merge_customers(customer_id: str) -> Response:
    body = _body(MergeInput)
    record = wiring.customer_merger().merge(_principal(), customer_id, body.source_id, max_steps=body.max_steps)
    return _json(MergeOut.model_validate(record.model_dump()))


@documented("/customers/{customer_id}/log", "GET", "Interactions logged on the customer, latest first",
            access=ANYONE, query=PageQuery, response=CommunicationPage)
def customer_log(customer_id: str) -> Response:
    query = _page_query()
    page = wiring.customers().log_entries(_principal(), customer_id, limit=query.limit, cursor=query.cursor)
    return _json(CommunicationPage(items=page.items, next_cursor=page.next_cursor))


@documented("/customers/{customer_id}/log", "POST", "Log an interaction that did not come through a channel "
            "(a call, a visit, a letter)", access=WORKERS, body=CommunicationInput, response=CommunicationEntry,
            status=201)
def log_communication(customer_id: str) -> Response:
    body = _body(CommunicationInput)
    entry = wiring.customers().log(_principal(), customer_id, direction=body.direction, medium=body.medium,
                                   occurred_at=body.occurred_at, text=body.text,
                                   conversation_id=body.conversation_id)
    return _json(entry, status=201)


@documented("/customers/{customer_id}/consent", "GET", "Consent per channel address and its history",
            access=ANYONE, response=ConsentOut)
def customer_consent(customer_id: str) -> Response:
    view = wiring.customers().consent(_principal(), customer_id)
    return _json(ConsentOut(states=view.states, history=view.history))


@documented("/customers/{customer_id}/consent", "POST", "Record an opt-out or opt-in the customer gave "
            "elsewhere", access=WORKERS, body=ConsentInput, response=ConsentOut, status=201)
def record_consent(customer_id: str) -> Response:
    body = _body(ConsentInput)
    view = wiring.customers().record_consent(_principal(), customer_id, channel=body.channel,
                                             opted_out=body.opted_out, detail=body.detail)
    return _json(ConsentOut(states=view.states, history=view.history), status=201)


@documented("/customer-attributes", "GET", "The custom attributes of customer profiles", access=ANYONE,
            response=AttributeDefinitionList)
def list_customer_attributes() -> Response:
    return _json(AttributeDefinitionList(items=wiring.customers().definitions(_principal())))


@documented("/customer-attributes", "POST", "Define a custom attribute (text, number, date or choice)",
            access=ADMIN, body=AttributeDefinition, response=AttributeDefinition, status=201)
def define_customer_attribute() -> Response:
    return _json(wiring.customers().define(_principal(), _body(AttributeDefinition)), status=201)


@documented("/customer-attributes/{key}", "PUT", "Change a custom attribute's label, type or choices",
            access=ADMIN, body=AttributeDefinition, response=AttributeDefinition)
def redefine_customer_attribute(key: str) -> Response:
    return _json(wiring.customers().redefine(_principal(), key, _body(AttributeDefinition)))


@documented("/customer-attributes/{key}", "DELETE", "Remove a custom attribute (stored values stay hidden)",
            access=ADMIN, status=204)
def delete_customer_attribute(key: str) -> Response:
    wiring.customers().undefine(_principal(), key)
    return _no_content()


# --- administrators: quick replies and templates ----------------------------------------


@documented("/admin/quick-reply-groups", "POST", "Create a quick reply group", access=ADMIN,
            body=QuickReplyGroupInput, response=QuickReplyGroup, status=201)
def create_quick_reply_group() -> Response:
    body = _body(QuickReplyGroupInput)
    return _json(wiring.quick_replies().create_group(_principal(), body.name), status=201)


@documented("/admin/quick-reply-groups/{group_id}", "PUT", "Rename a quick reply group", access=ADMIN,
            body=QuickReplyGroupInput, response=QuickReplyGroup)
def rename_quick_reply_group(group_id: str) -> Response:
    body = _body(QuickReplyGroupInput)
    return _json(wiring.quick_replies().rename_group(_principal(), group_id, body.name))


@documented("/admin/quick-reply-groups/{group_id}", "DELETE", "Delete a quick reply group", access=ADMIN,
            status=204)
def delete_quick_reply_group(group_id: str) -> Response:
    wiring.quick_replies().delete_group(_principal(), group_id)
    return _no_content()


@documented("/admin/quick-replies", "POST", "Create a quick reply", access=ADMIN, body=QuickReplyInput,
            response=QuickReply, status=201)
def create_quick_reply() -> Response:
    body = _body(QuickReplyInput)
    return _json(wiring.quick_replies().create_reply(_principal(), body.group_id, body.text), status=201)


@documented("/admin/quick-replies/{reply_id}", "PUT", "Change a quick reply's text", access=ADMIN,
            body=QuickReplyUpdateInput, response=QuickReply)
def update_quick_reply(reply_id: str) -> Response:
    body = _body(QuickReplyUpdateInput)
    return _json(wiring.quick_replies().update_reply(_principal(), reply_id, body.text))


@documented("/admin/quick-replies/{reply_id}", "DELETE", "Delete a quick reply", access=ADMIN, status=204)
def delete_quick_reply(reply_id: str) -> Response:
    wiring.quick_replies().delete_reply(_principal(), reply_id)
    return _no_content()


@documented("/admin/channel-accounts/{account_id}/templates", "POST", "Add or replace an approved template",
            access=ADMIN, body=TemplateDefinitionInput, response=Template, status=201)
def put_template(account_id: str) -> Response:
    body = _body(TemplateDefinitionInput)
    template = wiring.templates().put(_principal(), account_id, name=body.name, language=body.language,
                                      body=body.body, parameters=body.parameters)
    return _json(template, status=201)


@documented("/admin/channel-accounts/{account_id}/templates/{name}/{language}", "DELETE", "Delete a template",
            access=ADMIN, status=204)
def delete_template(account_id: str, name: str, language: str) -> Response:
    wiring.templates().delete(_principal(), account_id, name, language)
    return _no_content()


# --- administration API ---------------------------------------------------------------
# Users and roles, teams, office hours, routing, channel accounts, out of office, service
# settings, and each user's own profile.


@documented("/me/profile", "GET", "My profile", access=ANYONE, response=Profile)
def get_profile() -> Response:
    return _json(wiring.users_admin().profile(_principal()))


@documented("/me/profile", "PATCH", "Change my profile", access=ANYONE, body=ProfilePatch, response=Profile)
def patch_profile() -> Response:
    changes = _body(ProfilePatch).model_dump(exclude_unset=True)
    return _json(wiring.users_admin().update_profile(_principal(), changes))


@documented("/settings/service", "GET", "Service settings and seats in use", access=READERS,
            response=ServiceSettingsOut)
def get_service_settings() -> Response:
    return _json(ServiceSettingsOut.of(wiring.service_admin().get(_principal())))


@documented("/settings/service", "PATCH", "Change service settings (a new auto_delete_days applies to "
            "conversations already archived: their dates move in the background, rescheduling=true)",
            access=ADMIN, body=ServiceSettingsPatch, response=ServiceSettingsOut)
def patch_service_settings() -> Response:
    changes = _body(ServiceSettingsPatch).model_dump(exclude_unset=True)
    return _json(ServiceSettingsOut.of(wiring.service_admin().update(_principal(), changes)))


@documented("/users", "GET", "List users", access=READERS, query=PageQuery, response=UserPage)
def list_users() -> Response:
    query = _page_query()
    page = wiring.users_admin().list_users(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(UserPage(items=page.items, next_cursor=page.next_cursor))


@documented("/users", "POST", "Invite a user (without a role: agent while a seat is free, else watcher)",
            access=ADMIN, body=InviteUserInput, response=User, status=201)
def invite_user() -> Response:
    body = _body(InviteUserInput)
    user = wiring.users_admin().invite(_principal(), email=body.email, display_name=body.display_name,
                                       role=body.role, team_ids=body.team_ids)
    return _json(user, status=201)


@documented("/users/{user_id}", "GET", "One user", access=READERS, response=User)
def get_user(user_id: str) -> Response:
    return _json(wiring.users_admin().get(_principal(), user_id))


@documented("/users/{user_id}/role", "PUT", "Change a user's role (409 no_free_seat when the role needs a "
            "seat and none is free)", access=ADMIN, body=RoleInput, response=User)
def change_role(user_id: str) -> Response:
    return _json(wiring.users_admin().change_role(_principal(), user_id, _body(RoleInput).role))


@documented("/users/{user_id}/disable", "POST", "Disable a user: no sign-in, no API, seat freed",
            access=ADMIN, response=User)
def disable_user(user_id: str) -> Response:
    return _json(wiring.users_admin().disable(_principal(), user_id))


@documented("/users/{user_id}/enable", "POST", "Enable a disabled user", access=ADMIN, body=EnableInput,
            response=User)
def enable_user(user_id: str) -> Response:
    role = _body(EnableInput).role if _request().raw_body else None
    return _json(wiring.users_admin().enable(_principal(), user_id, role))


@documented("/users/{user_id}/teams", "PUT", "Set a user's teams", access=ADMIN, body=TeamIdsInput, response=User)
def set_user_teams(user_id: str) -> Response:
    return _json(wiring.users_admin().set_teams(_principal(), user_id, _body(TeamIdsInput).team_ids))


@documented("/teams", "GET", "List teams", access=READERS, query=PageQuery, response=TeamPage)
def list_teams() -> Response:
    query = _page_query()
    page = wiring.teams_admin().list_teams(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(TeamPage(items=page.items, next_cursor=page.next_cursor))


@documented("/teams", "POST", "Create a team", access=ADMIN, body=TeamInput, response=TeamSettings, status=201)
def create_team() -> Response:
    body = _body(TeamInput)
    team = wiring.teams_admin().create(_principal(), name=body.name, team_id=body.id,
                                       assignment=body.assignment, office_hours=body.office_hours)
    return _json(team, status=201)


@documented("/teams/{team_id}", "GET", "One team", access=READERS, response=TeamSettings)
def get_team(team_id: str) -> Response:
    return _json(wiring.teams_admin().get(_principal(), team_id))


@documented("/teams/{team_id}", "PATCH", "Rename a team or change its assignment policy", access=ADMIN,
            body=TeamPatch, response=TeamSettings)
def patch_team(team_id: str) -> Response:
    body = _body(TeamPatch)
    return _json(wiring.teams_admin().update(_principal(), team_id, name=body.name, assignment=body.assignment))


@documented("/teams/{team_id}", "DELETE", "Delete a team without members (not the default team)", access=ADMIN,
            status=204)
def delete_team(team_id: str) -> Response:
    wiring.teams_admin().delete(_principal(), team_id)
    return _no_content()


@documented("/teams/{team_id}/office-hours", "PUT", "Set a team's office hours", access=ADMIN, body=OfficeHours,
            response=TeamSettings)
def put_office_hours(team_id: str) -> Response:
    return _json(wiring.teams_admin().set_office_hours(_principal(), team_id, _body(OfficeHours)))


@documented("/teams/{team_id}/office-hours", "DELETE", "Remove a team's office hours (always open)",
            access=ADMIN, response=TeamSettings)
def delete_office_hours(team_id: str) -> Response:
    return _json(wiring.teams_admin().set_office_hours(_principal(), team_id, None))


@documented("/teams/{team_id}/members", "GET", "Members of a team (agents: their own teams)",
            access=f"{READERS}; agents of the team", query=PageQuery, response=UserPage)
def list_members(team_id: str) -> Response:
    query = _page_query()
    page = wiring.teams_admin().members(_principal(), team_id, limit=query.limit, cursor=query.cursor)
    return _json(UserPage(items=page.items, next_cursor=page.next_cursor))


@documented("/teams/{team_id}/members/{user_id}", "PUT", "Add a user to a team", access=ADMIN, response=User)
def add_member(team_id: str, user_id: str) -> Response:
    return _json(wiring.users_admin().add_to_team(_principal(), team_id, user_id))


@documented("/teams/{team_id}/members/{user_id}", "DELETE", "Remove a user from a team (not from their last)",
            access=ADMIN, response=User)
def remove_member(team_id: str, user_id: str) -> Response:
    return _json(wiring.users_admin().remove_from_team(_principal(), team_id, user_id))


@documented("/channel-accounts", "GET", "List channel accounts with their webhook URLs", access=READERS,
            query=PageQuery, response=ChannelAccountPage)
def list_channel_accounts() -> Response:
    query = _page_query()
    page = wiring.channels_admin().list_accounts(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(ChannelAccountPage(items=page.items, next_cursor=page.next_cursor))


@documented("/channel-accounts", "POST", "Add a channel account (credentials go to Secrets Manager); the "
            "answer names the webhook URL to give the provider", access=ADMIN, body=ChannelAccountInput,
            response=ChannelAccountView, status=201)
def add_channel_account() -> Response:
    body = _body(ChannelAccountInput)
    account = new_account(account_id=body.id, channel=body.channel, name=body.name,
                          provider_account_id=body.provider_account_id, api_base_url=body.api_base_url,
                          team_id=body.team_id)
    return _json(wiring.channels_admin().add(_principal(), account, body.credentials), status=201)


@documented("/channel-accounts/{account_id}", "GET", "One channel account", access=READERS,
            response=ChannelAccountView)
def get_channel_account(account_id: str) -> Response:
    return _json(wiring.channels_admin().get(_principal(), account_id))


@documented("/channel-accounts/{account_id}", "PATCH", "Rename, enable or disable, or route the account to a team",
            access=ADMIN, body=ChannelAccountPatch, response=ChannelAccountView)
def patch_channel_account(account_id: str) -> Response:
    body = _body(ChannelAccountPatch)
    return _json(wiring.channels_admin().update(_principal(), account_id, name=body.name, team_id=body.team_id,
                                                enabled=body.enabled))


@documented("/channel-accounts/{account_id}/credentials", "PUT", "Rotate the account's credentials",
            access=ADMIN, body=CredentialsInput, status=204)
def rotate_credentials(account_id: str) -> Response:
    wiring.channels_admin().rotate_credentials(_principal(), account_id, _body(CredentialsInput).credentials)
    return _no_content()


@documented("/channel-accounts/{account_id}/out-of-office", "GET", "The account's out-of-office messages",
            access=READERS, response=OutOfOfficeOut)
def get_out_of_office(account_id: str) -> Response:
    messages = wiring.channels_admin().out_of_office(_principal(), account_id)
    return _json(OutOfOfficeOut(account_id=account_id, messages=messages))


@documented("/channel-accounts/{account_id}/out-of-office/uploads", "POST", "A presigned PUT URL for one media "
            "file of the out-of-office messages (400 when the account's channel cannot carry it)", access=ADMIN,
            body=UploadInput, response=UploadOut, status=201)
def upload_out_of_office_media(account_id: str) -> Response:
    body = _body(UploadInput)
    ticket = wiring.channels_admin().out_of_office_upload(_principal(), account_id, filename=body.filename,
                                                          content_type=body.content_type, size=body.size)
    return _json(UploadOut.of(ticket), status=201)


@documented("/channel-accounts/{account_id}/out-of-office", "PUT", "Set the account's out-of-office messages: "
            "text and/or media uploaded for the account", access=ADMIN, body=OutOfOfficeInput,
            response=OutOfOfficeOut)
def put_out_of_office(account_id: str) -> Response:
    messages = wiring.channels_admin().set_out_of_office(_principal(), account_id, _body(OutOfOfficeInput).messages)
    return _json(OutOfOfficeOut(account_id=account_id, messages=messages))


@documented("/routing/rules", "GET", "Every routing rule, by account and priority", access=READERS,
            query=PageQuery, response=RoutingRulePage)
def list_routing_rules() -> Response:
    query = _page_query()
    page = wiring.channels_admin().list_rules(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(RoutingRulePage(items=page.items, next_cursor=page.next_cursor))


@documented("/channel-accounts/{account_id}/routing-rules", "GET", "The account's routing rules by priority",
            access=READERS, response=RoutingRuleList)
def list_account_rules(account_id: str) -> Response:
    return _json(RoutingRuleList(items=wiring.channels_admin().account_rules(_principal(), account_id)))


@documented("/channel-accounts/{account_id}/routing-rules", "POST", "Route the account's new conversations to a "
            "team, optionally only for a language or a keyword", access=ADMIN, body=RoutingRuleInput,
            response=RoutingRule, status=201)
def add_routing_rule(account_id: str) -> Response:
    body = _body(RoutingRuleInput)
    rule = wiring.channels_admin().add_rule(_principal(), account_id=account_id, team_id=body.team_id,
                                            priority=body.priority, language=body.language, keyword=body.keyword)
    return _json(rule, status=201)


@documented("/channel-accounts/{account_id}/routing-rules/{rule_id}", "DELETE", "Delete a routing rule",
            access=ADMIN, status=204)
def delete_routing_rule(account_id: str, rule_id: str) -> Response:
    wiring.channels_admin().delete_rule(_principal(), account_id, rule_id)
    return _no_content()


# --- administration: event webhooks for integrators (docs/event-webhooks.md) ----------------


@documented("/event-subscriptions", "GET", "List event webhook subscriptions", access=READERS, query=PageQuery,
            response=SubscriptionPage)
def list_event_subscriptions() -> Response:
    query = _page_query()
    page = wiring.subscriptions_admin().list_subscriptions(_principal(), limit=query.limit, cursor=query.cursor)
    return _json(SubscriptionPage(items=page.items, next_cursor=page.next_cursor))


@documented("/event-subscriptions", "POST", "Subscribe a URL to events; the answer shows its signing secret, "
            "this once", access=ADMIN, body=SubscriptionInput, response=SubscriptionCreated, status=201)
def add_event_subscription() -> Response:
    body = _body(SubscriptionInput)
    created = wiring.subscriptions_admin().create(_principal(), url=body.url, events=body.events,
                                                  description=body.description)
    return _json(created, status=201)


@documented("/event-subscriptions/{subscription_id}", "GET", "One event subscription (never its secret)",
            access=READERS, response=EventSubscription)
def get_event_subscription(subscription_id: str) -> Response:
    return _json(wiring.subscriptions_admin().get(_principal(), subscription_id))


@documented("/event-subscriptions/{subscription_id}", "PATCH", "Change the URL or the events, or pause "
            "(enabled: false)", access=ADMIN, body=SubscriptionPatch, response=EventSubscription)
def patch_event_subscription(subscription_id: str) -> Response:
    body = _body(SubscriptionPatch)
    return _json(wiring.subscriptions_admin().update(_principal(), subscription_id, url=body.url,
                                                     events=body.events, description=body.description,
                                                     enabled=body.enabled))


@documented("/event-subscriptions/{subscription_id}", "DELETE", "Delete an event subscription", access=ADMIN,
            status=204)
def delete_event_subscription(subscription_id: str) -> Response:
    wiring.subscriptions_admin().delete(_principal(), subscription_id)
    return _no_content()


@documented("/event-subscriptions/{subscription_id}/secret", "POST", "Rotate the signing secret; the answer "
            "shows the new one, this once", access=ADMIN, response=SubscriptionCreated)
def rotate_event_subscription_secret(subscription_id: str) -> Response:
    return _json(wiring.subscriptions_admin().rotate_secret(_principal(), subscription_id))


@documented("/event-subscriptions/{subscription_id}/deliveries", "GET", "The delivery log: every attempt, "
            "newest first", access=READERS, query=PageQuery, response=DeliveryAttemptPage)
def list_event_deliveries(subscription_id: str) -> Response:
    query = _page_query()
    page = wiring.subscriptions_admin().deliveries(_principal(), subscription_id, limit=query.limit,
                                                   cursor=query.cursor)
    return _json(DeliveryAttemptPage(items=page.items, next_cursor=page.next_cursor))


@documented("/event-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay", "POST", "Deliver an "
            "event again (retried on failure, as the first time)", access=ADMIN, response=ReplayAccepted,
            status=202)
def replay_event_delivery(subscription_id: str, delivery_id: str) -> Response:
    return _json(wiring.subscriptions_admin().replay(_principal(), subscription_id, delivery_id), status=202)


_PATH_PARAMETER = re.compile(r"{(\w+)}")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every 4xx answer of the API."""

    error: ErrorDetail


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 of the documented routes, schemas straight from their pydantic models."""
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = {(ErrorBody, "serialization")}
    for entry in API_ROUTES:
        models.update((model, "validation") for model in (entry.body, entry.query) if model is not None)
        if entry.response is not None:
            models.add((entry.response, "serialization"))
    refs, top = models_json_schema(sorted(models, key=lambda pair: (pair[0].__name__, pair[1])),
                                   ref_template="#/components/schemas/{model}")
    schemas = dict(top.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for entry in API_ROUTES:
        operation: dict[str, Any] = {
            "summary": entry.summary, "description": f"Roles: {entry.access}.",
            "operationId": re.sub(r"[^a-z0-9]+", "_", f"{entry.method} {entry.path}".lower()).strip("_"),
            "security": [] if entry.access == "public" else [{"bearer": []}],
            "responses": {
                str(entry.status): {"description": "OK"} if entry.response is None else {
                    "description": "OK",
                    "content": {"application/json": {"schema": refs[(entry.response, "serialization")]}}},
                "default": {"description": "An error: 400 invalid input, 401 no valid token, 403 role or team, "
                                           "404 unknown, 409 conflict (e.g. no_free_seat)",
                            "content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}},
            },
        }
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in _PATH_PARAMETER.findall(entry.path)]
        if entry.query is not None:
            # The query model is among the schemas above, so its enums' refs resolve there.
            properties = entry.query.model_json_schema(ref_template="#/components/schemas/{model}")["properties"]
            parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                           for name, schema in properties.items()]
        if parameters:
            operation["parameters"] = parameters
        if entry.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(entry.body, "validation")]}}}
        paths.setdefault(entry.path, {})[entry.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Open Contact API", "version": "1",
                 "description": "Sign in with POST /auth/login and send the id_token as a Bearer token. "
                                "Roles are checked on every request."},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


@route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return Response(body=json.dumps(openapi_document()), status_code=200,
                    headers={"Content-Type": "application/json"})


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


@app.on_sqs_message(queue=resources.RESCHEDULE_QUEUE.physical_name(_app_name),
                    batch_size=resources.RESCHEDULE_QUEUE.batch_size, name="reschedule_deletions")
def reschedule_deletions(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _reschedule_record, fifo=False)


@app.on_sqs_message(queue=resources.EVENTS_QUEUE.physical_name(_app_name),
                    batch_size=resources.EVENTS_QUEUE.batch_size, name="deliver_events")
def deliver_events(event: SQSEvent) -> PartialItemFailureResponse:
    return _process(event, _events_record, fifo=True)
