"""Channel accounts: credentials, out-of-office messages and routing rules."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    ANYONE,
    READERS,
    RouteBlueprint,
    json_answer,
    no_content,
    page_answer,
    page_query,
    parse_body,
    request,
)
from chalicelib.api.schemas.admin_inputs import (
    ChannelAccountInput,
    ChannelAccountPatch,
    CredentialsInput,
    OutOfOfficeInput,
    RoutingRuleInput,
)
from chalicelib.api.schemas.admin_outputs import (
    ChannelAccountPage,
    OutOfOfficeOut,
    RoutingRuleList,
    RoutingRulePage,
)
from chalicelib.api.schemas.inputs import UploadInput
from chalicelib.api.schemas.outputs import (
    TeamChannelAccountPage,
    UploadOut,
)
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.core import api_gateway
from chalicelib.domain.admin_models import ChannelAccountView, RoutingRule
from chalicelib.domain.channel_admin import new_account
from chalicelib.domain.identity import Principal

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


def _api_url() -> str:
    """The API's base URL as this caller reached it: webhook URLs are right before a public API
    URL is configured (the first deploy), on execute-api or a custom domain alike."""
    return api_gateway.api_base_url(request().to_original_event())


@documented("/team/channel-accounts", "GET", "Channel accounts of my teams, to start a conversation from "
            "(every account for administrators and watchers); a page may be short, follow next_cursor",
            access=ANYONE, query=PageQuery, response=TeamChannelAccountPage)
def team_channel_accounts(principal: Principal) -> Response:
    query = page_query()
    page = wiring.channels_admin().team_accounts(principal, limit=query.limit, cursor=query.cursor)
    return json_answer(TeamChannelAccountPage.of(page))


@documented("/channel-accounts", "GET", "List channel accounts with their webhook URLs", access=READERS,
            query=PageQuery, response=ChannelAccountPage)
def list_channel_accounts(principal: Principal) -> Response:
    query = page_query()
    page = wiring.channels_admin().list_accounts(principal, limit=query.limit, cursor=query.cursor,
                                                 api_url=_api_url())
    return page_answer(ChannelAccountPage, page)


@documented("/channel-accounts", "POST", "Add a channel account (credentials go to Secrets Manager); the "
            "answer names the webhook URL to give the provider", access=ADMIN, body=ChannelAccountInput,
            response=ChannelAccountView, status=201)
def add_channel_account(principal: Principal) -> Response:
    body = parse_body(ChannelAccountInput)
    account = new_account(account_id=body.id, channel=body.channel, name=body.name,
                          provider_account_id=body.provider_account_id, api_base_url=body.api_base_url,
                          team_id=body.team_id)
    return json_answer(wiring.channels_admin().add(principal, account, body.credentials, api_url=_api_url()),
                       status=201)


@documented("/channel-accounts/{account_id}", "GET", "One channel account", access=READERS,
            response=ChannelAccountView)
def get_channel_account(principal: Principal, account_id: str) -> Response:
    return json_answer(wiring.channels_admin().get(principal, account_id, api_url=_api_url()))


@documented("/channel-accounts/{account_id}", "PATCH", "Rename, enable or disable, or route the account to a team",
            access=ADMIN, body=ChannelAccountPatch, response=ChannelAccountView)
def patch_channel_account(principal: Principal, account_id: str) -> Response:
    body = parse_body(ChannelAccountPatch)
    return json_answer(wiring.channels_admin().update(principal, account_id, name=body.name, team_id=body.team_id,
                                                      enabled=body.enabled, api_url=_api_url()))


@documented("/channel-accounts/{account_id}/credentials", "PUT", "Rotate the account's credentials",
            access=ADMIN, body=CredentialsInput, status=204)
def rotate_credentials(principal: Principal, account_id: str) -> Response:
    wiring.channels_admin().rotate_credentials(principal, account_id, parse_body(CredentialsInput).credentials)
    return no_content()


@documented("/channel-accounts/{account_id}/out-of-office", "GET", "The account's out-of-office messages",
            access=READERS, response=OutOfOfficeOut)
def get_out_of_office(principal: Principal, account_id: str) -> Response:
    messages = wiring.channels_admin().out_of_office(principal, account_id)
    return json_answer(OutOfOfficeOut(account_id=account_id, messages=messages))


@documented("/channel-accounts/{account_id}/out-of-office/uploads", "POST", "A presigned PUT URL for one media "
            "file of the out-of-office messages (400 when the account's channel cannot carry it)", access=ADMIN,
            body=UploadInput, response=UploadOut, status=201)
def upload_out_of_office_media(principal: Principal, account_id: str) -> Response:
    body = parse_body(UploadInput)
    ticket = wiring.channels_admin().out_of_office_upload(principal, account_id, filename=body.filename,
                                                          content_type=body.content_type, size=body.size)
    return json_answer(UploadOut.of(ticket), status=201)


@documented("/channel-accounts/{account_id}/out-of-office", "PUT", "Set the account's out-of-office messages: "
            "text and/or media uploaded for the account", access=ADMIN, body=OutOfOfficeInput,
            response=OutOfOfficeOut)
def put_out_of_office(principal: Principal, account_id: str) -> Response:
    messages = wiring.channels_admin().set_out_of_office(principal, account_id, parse_body(OutOfOfficeInput).messages)
    return json_answer(OutOfOfficeOut(account_id=account_id, messages=messages))


@documented("/routing/rules", "GET", "Every routing rule, by account and priority", access=READERS,
            query=PageQuery, response=RoutingRulePage)
def list_routing_rules(principal: Principal) -> Response:
    query = page_query()
    page = wiring.channels_admin().list_rules(principal, limit=query.limit, cursor=query.cursor)
    return page_answer(RoutingRulePage, page)


@documented("/channel-accounts/{account_id}/routing-rules", "GET", "The account's routing rules by priority",
            access=READERS, response=RoutingRuleList)
def list_account_rules(principal: Principal, account_id: str) -> Response:
    return json_answer(RoutingRuleList(items=wiring.channels_admin().account_rules(principal, account_id)))


@documented("/channel-accounts/{account_id}/routing-rules", "POST", "Route the account's new conversations to a "
            "team, optionally only for a language or a keyword", access=ADMIN, body=RoutingRuleInput,
            response=RoutingRule, status=201)
def add_routing_rule(principal: Principal, account_id: str) -> Response:
    body = parse_body(RoutingRuleInput)
    rule = wiring.channels_admin().add_rule(principal, account_id=account_id, team_id=body.team_id,
                                            priority=body.priority, language=body.language, keyword=body.keyword)
    return json_answer(rule, status=201)


@documented("/channel-accounts/{account_id}/routing-rules/{rule_id}", "DELETE", "Delete a routing rule",
            access=ADMIN, status=204)
def delete_routing_rule(principal: Principal, account_id: str, rule_id: str) -> Response:
    wiring.channels_admin().delete_rule(principal, account_id, rule_id)
    return no_content()
