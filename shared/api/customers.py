"""Customers: profiles, search, merge, communication log, consent and custom attributes.

Every signed-in role reads customers; administrators and the agents of a team the customer wrote
to change them (docs/security.md, "Customers"; checked in domain/customer_profiles.py)."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    ANYONE,
    CUSTOMER_WORKERS,
    RouteBlueprint,
    json_answer,
    no_content,
    page_answer,
    page_query,
    parse_body,
    query_params,
)
from chalicelib.api.schemas.customer_io import (
    AddressInput,
    AttributeDefinitionList,
    CommunicationInput,
    CommunicationPage,
    ConsentInput,
    ConsentOut,
    CustomerConversationPage,
    CustomerOut,
    CustomerPage,
    CustomerSearchQuery,
    MergeInput,
    MergeOut,
)
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.domain.customers import AttributeDefinition, CommunicationEntry
from chalicelib.domain.identity import Principal
from chalicelib.domain.patches import CustomerPatch

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/customers", "GET", "Search customers by name, phone, email or channel id: exact, prefix with a "
            "trailing %, or Like with % anywhere (a Like page reads a bounded part of the index, so it may hold "
            "fewer than limit customers and still carry a next_cursor)", access=ANYONE, query=CustomerSearchQuery,
            response=CustomerPage)
def search_customers(principal: Principal) -> Response:
    query = CustomerSearchQuery.model_validate(query_params())
    page = wiring.customers().search(principal, query.field, query.q, limit=query.limit, cursor=query.cursor,
                                     region=query.region)
    return page_answer(CustomerPage, page)


@documented("/customers/{customer_id}", "GET", "A customer's profile: addresses, attributes, consent, latest "
            "conversations and logged interactions, merges (a merged id answers with the kept profile)",
            access=ANYONE, response=CustomerOut)
def get_customer(principal: Principal, customer_id: str) -> Response:
    return json_answer(CustomerOut.model_validate(wiring.customers().view(principal, customer_id).model_dump()))


@documented("/conversations/{conversation_id}/customer", "GET", "The customer beside a conversation",
            access=ANYONE, response=CustomerOut)
def conversation_customer(principal: Principal, conversation_id: str) -> Response:
    view = wiring.customers().for_conversation(principal, conversation_id)
    return json_answer(CustomerOut.model_validate(view.model_dump()))


@documented("/customers/{customer_id}", "PATCH", "Change the name, language or custom attributes (null removes "
            "one)", access=CUSTOMER_WORKERS, body=CustomerPatch, response=CustomerOut)
def patch_customer(principal: Principal, customer_id: str) -> Response:
    view = wiring.customers().update(principal, customer_id, parse_body(CustomerPatch))
    return json_answer(CustomerOut.model_validate(view.model_dump()))


@documented("/customers/{customer_id}/addresses", "POST", "Add an address (409 when another profile owns it: "
            "merge them)", access=CUSTOMER_WORKERS, body=AddressInput, response=CustomerOut, status=201)
def add_customer_address(principal: Principal, customer_id: str) -> Response:
    view = wiring.customers().add_address(principal, customer_id, parse_body(AddressInput).address)
    return json_answer(CustomerOut.model_validate(view.model_dump()), status=201)


@documented("/customers/{customer_id}/conversations", "GET", "The customer's conversations on every channel, "
            "newest first", access=ANYONE, query=PageQuery, response=CustomerConversationPage)
def customer_conversations(principal: Principal, customer_id: str) -> Response:
    query = page_query()
    page = wiring.customers().conversations(principal, customer_id, limit=query.limit, cursor=query.cursor)
    return page_answer(CustomerConversationPage, page)


@documented("/customers/{customer_id}/merge", "POST", "Merge another profile into this one (addresses, "
            "conversations, logged interactions, attributes); calling again resumes an unfinished merge",
            access=CUSTOMER_WORKERS, body=MergeInput, response=MergeOut)
def merge_customers(principal: Principal, customer_id: str) -> Response:
    body = parse_body(MergeInput)
    record = wiring.customer_merger().merge(principal, customer_id, body.source_id, max_steps=body.max_steps)
    return json_answer(MergeOut.model_validate(record.model_dump()))


@documented("/customers/{customer_id}/log", "GET", "Interactions logged on the customer, latest first",
            access=ANYONE, query=PageQuery, response=CommunicationPage)
def customer_log(principal: Principal, customer_id: str) -> Response:
    query = page_query()
    page = wiring.customers().log_entries(principal, customer_id, limit=query.limit, cursor=query.cursor)
    return page_answer(CommunicationPage, page)


@documented("/customers/{customer_id}/log", "POST", "Log an interaction that did not come through a channel "
            "(a call, a visit, a letter)", access=CUSTOMER_WORKERS, body=CommunicationInput,
            response=CommunicationEntry, status=201)
def log_communication(principal: Principal, customer_id: str) -> Response:
    body = parse_body(CommunicationInput)
    entry = wiring.customers().log(principal, customer_id, direction=body.direction, medium=body.medium,
                                   occurred_at=body.occurred_at, text=body.text,
                                   conversation_id=body.conversation_id)
    return json_answer(entry, status=201)


@documented("/customers/{customer_id}/consent", "GET", "Consent per channel address and its history",
            access=ANYONE, response=ConsentOut)
def customer_consent(principal: Principal, customer_id: str) -> Response:
    view = wiring.customers().consent(principal, customer_id)
    return json_answer(ConsentOut(states=view.states, history=view.history))


@documented("/customers/{customer_id}/consent", "POST", "Record an opt-out or opt-in the customer gave "
            "elsewhere", access=CUSTOMER_WORKERS, body=ConsentInput, response=ConsentOut, status=201)
def record_consent(principal: Principal, customer_id: str) -> Response:
    body = parse_body(ConsentInput)
    view = wiring.customers().record_consent(principal, customer_id, channel=body.channel,
                                             opted_out=body.opted_out, detail=body.detail,
                                             address=body.address)
    return json_answer(ConsentOut(states=view.states, history=view.history), status=201)


@documented("/customer-attributes", "GET", "The custom attributes of customer profiles", access=ANYONE,
            response=AttributeDefinitionList)
def list_customer_attributes(principal: Principal) -> Response:
    return json_answer(AttributeDefinitionList(items=wiring.customers().definitions(principal)))


@documented("/customer-attributes", "POST", "Define a custom attribute (text, number, date or choice)",
            access=ADMIN, body=AttributeDefinition, response=AttributeDefinition, status=201)
def define_customer_attribute(principal: Principal) -> Response:
    return json_answer(wiring.customers().define(principal, parse_body(AttributeDefinition)), status=201)


@documented("/customer-attributes/{key}", "PUT", "Change a custom attribute's label, type or choices",
            access=ADMIN, body=AttributeDefinition, response=AttributeDefinition)
def redefine_customer_attribute(principal: Principal, key: str) -> Response:
    return json_answer(wiring.customers().redefine(principal, key, parse_body(AttributeDefinition)))


@documented("/customer-attributes/{key}", "DELETE", "Remove a custom attribute (stored values stay hidden)",
            access=ADMIN, status=204)
def delete_customer_attribute(principal: Principal, key: str) -> Response:
    wiring.customers().undefine(principal, key)
    return no_content()
