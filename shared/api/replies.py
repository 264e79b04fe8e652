"""Quick replies and approved templates: agents find and fill them, administrators keep them."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    ANYONE,
    RouteBlueprint,
    json_answer,
    no_content,
    parse_body,
    query_params,
)
from chalicelib.api.schemas.inputs import (
    QuickReplyGroupInput,
    QuickReplyInput,
    QuickReplyQuery,
    QuickReplyUpdateInput,
    TemplateDefinitionInput,
    TemplateQuery,
)
from chalicelib.api.schemas.outputs import (
    QuickReplyGroupListOut,
    QuickReplyGroupOut,
    QuickReplyListOut,
    QuickReplyOut,
    RenderedOut,
    TemplateListOut,
)
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.domain.identity import Principal
from chalicelib.domain.templates import TemplateSync
from chalicelib.domain.work_models import QuickReply, QuickReplyGroup, Template

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/conversations/{conversation_id}/templates", "GET", "Approved templates of the conversation's "
            "channel account", access=ANYONE, query=TemplateQuery, response=TemplateListOut)
def conversation_templates(principal: Principal, conversation_id: str) -> Response:
    query = TemplateQuery.model_validate(query_params())
    items = wiring.templates().for_conversation(principal, conversation_id, query.language)
    return json_answer(TemplateListOut(items=items))


@documented("/conversations/{conversation_id}/quick-replies/{reply_id}", "GET", "A quick reply with its "
            "placeholders filled for this conversation", access=ANYONE, response=RenderedOut)
def render_quick_reply(principal: Principal, conversation_id: str, reply_id: str) -> Response:
    PageQuery.model_validate({k: v for k, v in query_params().items() if k == "team"})
    rendered = wiring.quick_replies().render(principal, conversation_id, reply_id)
    return json_answer(RenderedOut(text=rendered.text, missing=list(rendered.missing)))


@documented("/quick-replies", "GET", "Quick replies with their shortcuts, optionally searched", access=ANYONE,
            query=QuickReplyQuery, response=QuickReplyListOut)
def find_quick_replies(principal: Principal) -> Response:
    query = QuickReplyQuery.model_validate(query_params())
    found = wiring.quick_replies().find(principal, query.q)
    return json_answer(QuickReplyListOut(items=[QuickReplyOut.of(item) for item in found]))


@documented("/quick-reply-groups", "GET", "Quick reply groups by name, with their shortcut and number of "
            "replies (empty groups too)", access=ANYONE, response=QuickReplyGroupListOut)
def list_quick_reply_groups(principal: Principal) -> Response:
    groups = wiring.quick_replies().groups(principal)
    return json_answer(QuickReplyGroupListOut(items=[QuickReplyGroupOut.of(group) for group in groups]))


@documented("/channel-accounts/{account_id}/templates", "GET", "Approved templates of a channel account",
            access=ANYONE, query=TemplateQuery, response=TemplateListOut)
def account_templates(principal: Principal, account_id: str) -> Response:
    query = TemplateQuery.model_validate(query_params())
    return json_answer(TemplateListOut(items=wiring.templates().for_account(principal, account_id, query.language)))


@documented("/admin/quick-reply-groups", "POST", "Create a quick reply group", access=ADMIN,
            body=QuickReplyGroupInput, response=QuickReplyGroup, status=201)
def create_quick_reply_group(principal: Principal) -> Response:
    body = parse_body(QuickReplyGroupInput)
    return json_answer(wiring.quick_replies().create_group(principal, body.name), status=201)


@documented("/admin/quick-reply-groups/{group_id}", "PUT", "Rename a quick reply group", access=ADMIN,
            body=QuickReplyGroupInput, response=QuickReplyGroup)
def rename_quick_reply_group(principal: Principal, group_id: str) -> Response:
    body = parse_body(QuickReplyGroupInput)
    return json_answer(wiring.quick_replies().rename_group(principal, group_id, body.name))


@documented("/admin/quick-reply-groups/{group_id}", "DELETE", "Delete a quick reply group", access=ADMIN,
            status=204)
def delete_quick_reply_group(principal: Principal, group_id: str) -> Response:
    wiring.quick_replies().delete_group(principal, group_id)
    return no_content()


@documented("/admin/quick-replies", "POST", "Create a quick reply", access=ADMIN, body=QuickReplyInput,
            response=QuickReply, status=201)
def create_quick_reply(principal: Principal) -> Response:
    body = parse_body(QuickReplyInput)
    return json_answer(wiring.quick_replies().create_reply(principal, body.group_id, body.text), status=201)


@documented("/admin/quick-replies/{reply_id}", "PUT", "Change a quick reply's text", access=ADMIN,
            body=QuickReplyUpdateInput, response=QuickReply)
def update_quick_reply(principal: Principal, reply_id: str) -> Response:
    body = parse_body(QuickReplyUpdateInput)
    return json_answer(wiring.quick_replies().update_reply(principal, reply_id, body.text))


@documented("/admin/quick-replies/{reply_id}", "DELETE", "Delete a quick reply", access=ADMIN, status=204)
def delete_quick_reply(principal: Principal, reply_id: str) -> Response:
    wiring.quick_replies().delete_reply(principal, reply_id)
    return no_content()


@documented("/admin/channel-accounts/{account_id}/templates", "POST", "Add or replace an approved template",
            access=ADMIN, body=TemplateDefinitionInput, response=Template, status=201)
def put_template(principal: Principal, account_id: str) -> Response:
    body = parse_body(TemplateDefinitionInput)
    template = wiring.templates().put(principal, account_id, name=body.name, language=body.language,
                                      body=body.body, parameters=body.parameters, labels=body.labels)
    return json_answer(template, status=201)


@documented("/admin/channel-accounts/{account_id}/templates/sync", "POST", "Take the provider's approved "
            "templates of a WhatsApp account (its business_account_id credential): new ones added, changed ones "
            "replaced, ones the provider no longer lists reported", access=ADMIN, response=TemplateSync)
def sync_templates(principal: Principal, account_id: str) -> Response:
    return json_answer(wiring.templates().sync(principal, account_id))


@documented("/admin/channel-accounts/{account_id}/templates/{name}/{language}", "DELETE", "Delete a template",
            access=ADMIN, status=204)
def delete_template(principal: Principal, account_id: str, name: str, language: str) -> Response:
    wiring.templates().delete(principal, account_id, name, language)
    return no_content()
