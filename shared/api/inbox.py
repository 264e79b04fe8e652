"""The inbox: tabs and filters, threads, the lifecycle (pick up, assign, hand back, archive),
replies and uploads, starting a conversation, tags, notes, presence, export and statistics."""

from __future__ import annotations

from urllib.parse import unquote

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    ANYONE,
    ASSIGNERS,
    OWNER,
    READERS,
    SELF,
    STARTERS,
    WORKERS,
    RouteBlueprint,
    has_body,
    json_answer,
    page_answer,
    parse_body,
    query_params,
    query_values,
)
from chalicelib.api.schemas.accounts import HeartbeatInput
from chalicelib.api.schemas.inputs import (
    ArchiveInput,
    AssignInput,
    ConversationListQuery,
    ExportInput,
    MessageInput,
    MessageListQuery,
    NoteInput,
    StartConversationInput,
    StatisticsExportInput,
    StatisticsQuery,
    TagInput,
    TagsInput,
    UploadInput,
)
from chalicelib.api.schemas.outputs import (
    CapabilitiesOut,
    ConversationOut,
    ConversationPage,
    ConversationStartedOut,
    ExportJobOut,
    HeartbeatOut,
    MeOut,
    MessagePage,
    NotePage,
    OnlineOut,
    ReplyRouteList,
    StatisticsOut,
    TagOut,
    TagPage,
    UploadOut,
)
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.domain.capabilities import channel_capabilities
from chalicelib.domain.export_models import ExportAnswer
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import Channel, Conversation, Message
from chalicelib.domain.waiting import TeamOverview
from chalicelib.domain.work_models import Note

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/me", "GET", "Who I am, the team I act in (?team= to choose), my teams' names and whether I may "
            "create tags; whether the service requires MFA of me; my idle minutes before Away", access=SELF,
            response=MeOut)
def me(principal: Principal) -> Response:
    return json_answer(MeOut.of(wiring.myself().view(principal)))


@documented("/channels/capabilities", "GET", "What each channel carries: text length, attachments and their "
            "types and sizes, templates, window", access=ANYONE, response=CapabilitiesOut)
def capabilities(principal: Principal) -> Response:
    return json_answer(CapabilitiesOut(items=[channel_capabilities(channel) for channel in Channel]))


@documented("/conversations", "GET", "One page of a tab (new, mine, assigned, all), filtered and sorted",
            access=ANYONE, query=ConversationListQuery, response=ConversationPage)
def list_conversations(principal: Principal) -> Response:
    query = ConversationListQuery.model_validate(query_values())
    ascending = None if query.order is None else query.order == "asc"
    page = wiring.inbox().list_conversations(principal, view=query.view, sort=query.sort,
                                             ascending=ascending, limit=query.limit, cursor=query.cursor,
                                             filters=query.filters())
    return page_answer(ConversationPage, page)


@documented("/conversations", "POST", "Start a conversation with a customer (assigned to me)", access=STARTERS,
            body=StartConversationInput, response=ConversationStartedOut, status=201)
def start_conversation(principal: Principal) -> Response:
    body = parse_body(StartConversationInput)
    conversation, message = wiring.composer().start(
        principal, account_id=body.account_id, customer_id=body.customer_id, phone=body.phone,
        customer_name=body.customer_name, draft=body.draft())
    return json_answer(ConversationStartedOut(conversation=conversation, message=message), status=201)


@documented("/conversations/{conversation_id}", "GET", "One conversation and its reply window", access=ANYONE,
            response=ConversationOut)
def get_conversation(principal: Principal, conversation_id: str) -> Response:
    return json_answer(ConversationOut.of(wiring.inbox().get(principal, conversation_id)))


@documented("/conversations/{conversation_id}/messages", "GET", "One page of the thread, attachments with "
            "signed URLs: oldest first, or newest first with order=desc", access=ANYONE, query=MessageListQuery,
            response=MessagePage)
def list_messages(principal: Principal, conversation_id: str) -> Response:
    query = MessageListQuery.model_validate(
        {k: v for k, v in query_params().items() if k in MessageListQuery.model_fields})
    page = wiring.inbox().messages(principal, conversation_id, limit=query.limit, cursor=query.cursor,
                                   newest_first=query.order == "desc")
    return json_answer(MessagePage.of(page, wiring.media_store().signed_url))


@documented("/conversations/{conversation_id}/reply-routes", "GET", "Where a reply can go: each channel account "
            "the customer wrote on in this conversation, with its latest customer message (send a reply with it as "
            "reply_to to go there), its window and consent; the one the next reply takes first", access=ANYONE,
            response=ReplyRouteList)
def reply_routes(principal: Principal, conversation_id: str) -> Response:
    return json_answer(ReplyRouteList(items=wiring.reply_routes().routes(principal, conversation_id)))


@documented("/conversations/{conversation_id}/messages", "POST", "Reply: text with uploaded attachments, or a "
            "template (422 window_closed when only a template may go)", access=OWNER, body=MessageInput,
            response=Message, status=202)
def reply(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(MessageInput)
    message = wiring.composer().reply(principal, conversation_id, body.draft())
    return json_answer(message, status=202)


@documented("/conversations/{conversation_id}/pickup", "POST", "Pick up a New conversation", access=WORKERS,
            response=Conversation)
def pick_up(principal: Principal, conversation_id: str) -> Response:
    return json_answer(wiring.lifecycle().pick_up(principal, conversation_id))


@documented("/conversations/{conversation_id}/seen", "POST", "I opened the conversation: when it is mine, the "
            "customer's messages so far are read (the lists' unread marker); anyone else's look changes nothing",
            access=ANYONE, response=Conversation)
def seen(principal: Principal, conversation_id: str) -> Response:
    return json_answer(wiring.lifecycle().seen(principal, conversation_id))


@documented("/conversations/{conversation_id}/assign", "POST", "Assign to a colleague of the team who is "
            "signed in now", access=ASSIGNERS, body=AssignInput, response=Conversation)
def assign(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(AssignInput)
    return json_answer(wiring.lifecycle().assign(principal, conversation_id, body.agent_id))


@documented("/conversations/{conversation_id}/handback", "POST", "Hand an assigned conversation back to New",
            access=f"{OWNER}; administrator", response=Conversation)
def hand_back(principal: Principal, conversation_id: str) -> Response:
    return json_answer(wiring.lifecycle().hand_back(principal, conversation_id))


@documented("/conversations/{conversation_id}/archive", "POST", "Archive, optionally tagging first (starts the "
            "auto-deletion period when the service has one)", access=f"{WORKERS}; if assigned: {OWNER} or "
            "administrator", body=ArchiveInput, response=Conversation)
def archive(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(ArchiveInput)
    return json_answer(wiring.lifecycle().archive(principal, conversation_id, body.tags))


@documented("/conversations/{conversation_id}/reopen", "POST", "Take an archived conversation back into work, "
            "assigned to the caller (its auto-deletion is called off; refused when the customer has a newer "
            "conversation)", access=WORKERS, response=Conversation)
def reopen(principal: Principal, conversation_id: str) -> Response:
    return json_answer(wiring.lifecycle().reopen_by(principal, conversation_id))


@documented("/conversations/{conversation_id}/uploads", "POST", "A presigned PUT URL for one attachment",
            access=OWNER, body=UploadInput, response=UploadOut, status=201)
def upload(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(UploadInput)
    ticket = wiring.composer().upload(principal, conversation_id, filename=body.filename,
                                      content_type=body.content_type, size=body.size)
    return json_answer(UploadOut.of(ticket), status=201)


@documented("/conversations/{conversation_id}/tags", "POST", "Tag a conversation", access=WORKERS, body=TagsInput,
            response=Conversation)
def add_tags(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(TagsInput)
    return json_answer(wiring.tags_and_notes().add(principal, conversation_id, body.tags))


@documented("/conversations/{conversation_id}/tags/{tag}", "DELETE", "Remove a tag from a conversation",
            access=WORKERS, response=Conversation)
def remove_tag(principal: Principal, conversation_id: str, tag: str) -> Response:
    return json_answer(wiring.tags_and_notes().remove(principal, conversation_id, unquote(tag)))


@documented("/conversations/{conversation_id}/notes", "GET", "The conversation's notes", access=ANYONE,
            query=PageQuery, response=NotePage)
def list_notes(principal: Principal, conversation_id: str) -> Response:
    query = PageQuery.model_validate(query_params())
    page = wiring.tags_and_notes().notes(principal, conversation_id, limit=query.limit, cursor=query.cursor)
    return page_answer(NotePage, page)


@documented("/conversations/{conversation_id}/notes", "POST", "Add a note", access=WORKERS, body=NoteInput,
            response=Note, status=201)
def add_note(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(NoteInput)
    return json_answer(wiring.tags_and_notes().add_note(principal, conversation_id, body.text), status=201)


@documented("/conversations/{conversation_id}/exports", "POST", "Ask for the conversation with its notes as a "
            "file (csv, xlsx, pdf or json): answers at once with the export job; read it at its status_url until "
            "ready", access=ANYONE, body=ExportInput, response=ExportJobOut, status=202)
def export_conversation(principal: Principal, conversation_id: str) -> Response:
    body = parse_body(ExportInput) if has_body() else ExportInput()
    return export_answer(ExportAnswer(job=wiring.export_jobs().conversation(principal, conversation_id, body.format)))


@documented("/exports/{export_id}", "GET", "An export I asked for: pending, failed (with the reason) or ready with "
            "a download URL valid a few minutes", access=ANYONE, response=ExportJobOut)
def export_status(principal: Principal, export_id: str) -> Response:
    return json_answer(ExportJobOut.of(wiring.export_jobs().status(principal, export_id)))


@documented("/tags", "GET", "The tag catalogue", access=ANYONE, query=PageQuery, response=TagPage)
def list_tags(principal: Principal) -> Response:
    query = PageQuery.model_validate(query_params())
    page = wiring.tags_and_notes().catalogue(principal, limit=query.limit, cursor=query.cursor)
    return page_answer(TagPage, page)


@documented("/tags", "POST", "Add a tag to the catalogue", access=ADMIN, body=TagInput, response=TagOut,
            status=201)
def define_tag(principal: Principal) -> Response:
    body = parse_body(TagInput)
    return json_answer(TagOut(tag=wiring.tags_and_notes().define(principal, body.tag)), status=201)


@documented("/me/heartbeat", "POST", "I am signed in, Available (the default), Away or Offline (the web app calls "
            "this every 30 s); only Available agents are given work", access=ANYONE, body=HeartbeatInput,
            response=HeartbeatOut)
def heartbeat(principal: Principal) -> Response:
    status = parse_body(HeartbeatInput).status if has_body() else "available"
    return json_answer(HeartbeatOut(online_until=wiring.presence().heartbeat(principal, status)))


@documented("/team/online", "GET", "Colleagues of my team signed in now, with their status (available, away, "
            "offline) and load (conversations assigned in the team)", access=ANYONE, response=OnlineOut)
def online_colleagues(principal: Principal) -> Response:
    return json_answer(OnlineOut(items=wiring.presence().online(principal)))


@documented("/team/overview", "GET", "The team at a glance: each agent's status, open conversations (and how many "
            "wait for an answer, the longest since when) and capacity, and the New queue", access=READERS,
            response=TeamOverview)
def team_overview(principal: Principal) -> Response:
    return json_answer(wiring.team_overview().of(principal))


@documented("/statistics/exports", "POST", "Ask for first response time, time to archive and conversation "
            "duration (median, p90, mean) per agent and channel over a span, against the span before it, as CSV: "
            "answers at once with the export job", access=READERS, body=StatisticsExportInput,
            response=ExportJobOut, status=202)
def statistics_export(principal: Principal) -> Response:
    body = parse_body(StatisticsExportInput)
    return export_answer(ExportAnswer(job=wiring.export_jobs().statistics(principal, body.since, body.until)))


def export_answer(answer: ExportAnswer) -> Response:
    """202 with the job, and its status URL in ``Location``."""
    response = json_answer(ExportJobOut.of(answer), status=202)
    response.headers["Location"] = f"/exports/{answer.job.id}"
    return response


@documented("/statistics", "GET", "Counts of the team's conversations over a span", access=READERS,
            query=StatisticsQuery, response=StatisticsOut)
def statistics(principal: Principal) -> Response:
    query = StatisticsQuery.model_validate(query_params())
    stats = wiring.statistics().read(principal, query.since, query.until)
    return json_answer(StatisticsOut.model_validate(stats.model_dump()))
