"""Hostile request bodies: bytes that are not UTF-8 and JSON nested past any sense get a 400
naming the body; HTML and script in every free-text field are stored and given back verbatim,
as JSON text (the web app renders text, never markup), and never cause a 5xx.

"Every" is checked: each string field of each documented request body is either exercised here
or listed, with its reason, as not free text. A new body field fails the census until it is.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import requests
from chalicelib.api import kit
from pydantic import BaseModel

from local.runtime import load_functions_app
from tests.integration.admin_helpers import (
    Account,
    call,
    new_team,
    new_user,
    new_whatsapp_account,
    ok,
    say,
    unique,
    whatsapp_credentials,
)
from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer, exported
from tests.loopback import closed_port_url
from tests.support import HTTP_TIMEOUT, find, new_wa_id, post_upload

load_functions_app()  # registers every route of the app
# Markup, a script, quotes and an entity; lowercase and single-spaced so that tags (case-folded,
# whitespace collapsed) keep it as is, and short enough for a quick reply group's 40 characters.
HOSTILE = '<script>alert("x")</script>&amp;'
HERE = "tests/integration/test_hostile_input.py"


def json_of(response: requests.Response, status: int) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


# --- bodies that are not JSON at all ------------------------------------------------------------

AGENT_POSTS = ["/notes", "/messages", "/tags", "/uploads", "/archive"]
NOT_JSON = {
    "latin-1 bytes": '{"text": "caf\xe9"}'.encode("latin-1"),
    "a lone continuation byte": b'{"text": "\x80"}',
    "nested 100000 deep": b"[" * 100_000 + b"]" * 100_000,
    "an object nested 100000 deep": b'{"text": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001,
}


@pytest.fixture(scope="module")
def conversation(runtime, api, admin, agent1) -> Iterator[dict[str, Any]]:
    account = new_whatsapp_account(runtime, api, admin)
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "hello")
    found = by_customer(api, admin, wa_id)
    assert found is not None
    yield {**ok(call("POST", f"{api}/conversations/{found['id']}/pickup", agent1)), "account": account}
    drain(runtime, "outbound", "send")


@pytest.mark.parametrize("suffix", AGENT_POSTS)
@pytest.mark.parametrize("name", NOT_JSON)
def test_a_body_that_is_not_utf8_json_is_refused_naming_the_body(api, agent1, conversation, suffix, name):
    # When the conversation's agent posts bytes that are not UTF-8, or JSON nested far too deep
    response = requests.post(f"{api}/conversations/{conversation['id']}{suffix}", data=NOT_JSON[name],
                             headers={**agent1, "Content-Type": "application/json"}, timeout=HTTP_TIMEOUT)
    # Then a 400 that names the body, not a 5xx
    error = json_of(response, 400)["error"]
    assert error["field"] == "body"
    assert "body is not valid JSON" in error["message"]


def nested_lists(depth: int) -> Any:
    nested: Any = "x"
    for _ in range(depth):
        nested = [nested]
    return nested


def test_json_nested_within_reason_is_refused_at_the_field(api, agent1, conversation):
    # Given nesting Python parses, where a string belongs
    nested = nested_lists(500)
    # When posted as a note's text; Then the field is named
    response = call("POST", f"{api}/conversations/{conversation['id']}/notes", agent1, {"text": nested})
    assert json_of(response, 400)["error"]["field"] == "text"


# --- HTML and script in every free-text field --------------------------------------------------------


def string_fields(model: type[BaseModel]) -> set[str]:
    """Dotted paths of the string leaves of a request body ("[]": list items, "*": map values)."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    found: set[str] = set()

    def walk(node: dict[str, Any], path: str) -> None:
        if "$ref" in node:
            walk(defs[node["$ref"].rsplit("/", 1)[-1]], path)
            return
        for option in node.get("anyOf", []):
            walk(option, path)
        kind = node.get("type")
        if kind == "string" and "enum" not in node:
            found.add(f"{model.__name__}.{path}")
        elif kind == "object":
            for name, child in node.get("properties", {}).items():
                walk(child, f"{path}.{name}" if path else name)
            if isinstance(node.get("additionalProperties"), dict):
                walk(node["additionalProperties"], f"{path}.*")
        elif kind == "array":
            walk(node.get("items", {}), f"{path}[]")

    walk(schema, "")
    return found


@dataclass
class Context:
    runtime: Any
    api: str
    admin: dict[str, str]
    agent1: dict[str, str]
    conversation: dict[str, Any]

    def url(self, path: str) -> str:
        return f"{self.api}{path}"

    @property
    def conversation_path(self) -> str:
        return f"/conversations/{self.conversation['id']}"

    @property
    def account(self) -> Account:
        account: Account = self.conversation["account"]
        return account


def note(ctx: Context) -> list[str]:
    made = json_of(call("POST", ctx.url(ctx.conversation_path + "/notes"), ctx.agent1, {"text": HOSTILE}), 201)
    listed = json_of(call("GET", ctx.url(ctx.conversation_path + "/notes?limit=100"), ctx.agent1), 200)["items"]
    stored = find(listed, id=made["id"])
    assert stored is not None
    return [made["text"], stored["text"]]


def reply(ctx: Context) -> list[str]:
    ticket = json_of(call("POST", ctx.url(ctx.conversation_path + "/uploads"), ctx.agent1,
                          {"filename": "photo.png", "content_type": "image/png", "size": 3}), 201)
    assert post_upload(ticket, b"png").ok
    sent = json_of(call("POST", ctx.url(ctx.conversation_path + "/messages"), ctx.agent1,
                        {"text": HOSTILE, "attachments": [{"key": ticket["key"], "filename": HOSTILE}]}), 202)
    thread = json_of(call("GET", ctx.url(ctx.conversation_path + "/messages?limit=100"), ctx.agent1), 200)["items"]
    stored = find(thread, id=sent["id"])
    assert stored is not None
    return [sent["text"], sent["attachments"][0]["filename"], stored["text"], stored["attachments"][0]["filename"]]


def template_variable(ctx: Context) -> list[str]:
    template = {"name": "hostile_hello", "language": "en", "body": HOSTILE + " {{1}}", "labels": {"1": HOSTILE}}
    defined = json_of(call("POST", ctx.url(f"/admin/channel-accounts/{ctx.account.id}/templates"), ctx.admin,
                           template), 201)
    listed = json_of(call("GET", ctx.url(f"/channel-accounts/{ctx.account.id}/templates"), ctx.agent1), 200)["items"]
    stored = find(listed, name="hostile_hello")
    assert stored is not None
    sent = json_of(call("POST", ctx.url(ctx.conversation_path + "/messages"), ctx.agent1, {
        "template": {"name": "hostile_hello", "language": "en", "variables": {"1": HOSTILE}}}), 202)
    return [defined["body"].removesuffix(" {{1}}"), stored["body"].removesuffix(" {{1}}"),
            defined["labels"]["1"], stored["labels"]["1"], sent["template"]["variables"][0]]


def tags(ctx: Context) -> list[str]:
    defined = json_of(call("POST", ctx.url("/tags"), ctx.admin, {"tag": HOSTILE}), 201)["tag"]
    tagged = json_of(call("POST", ctx.url(ctx.conversation_path + "/tags"), ctx.agent1, {"tags": [HOSTILE]}), 200)
    read = json_of(call("GET", ctx.url(ctx.conversation_path), ctx.agent1), 200)["conversation"]
    return [defined, *[tag for tag in tagged["tags"] if "<" in tag], *[tag for tag in read["tags"] if "<" in tag]]


def archive_tags(ctx: Context) -> list[str]:
    wa_id = new_wa_id()
    say(ctx.runtime, ctx.account, wa_id, "hello")
    found = by_customer(ctx.api, ctx.admin, wa_id)
    assert found is not None
    archived = json_of(call("POST", ctx.url(f"/conversations/{found['id']}/archive"), ctx.admin,
                            {"tags": [HOSTILE]}), 200)
    return [tag for tag in archived["tags"] if "<" in tag]


def quick_replies(ctx: Context) -> list[str]:
    group = json_of(call("POST", ctx.url("/admin/quick-reply-groups"), ctx.admin, {"name": HOSTILE}), 201)
    made = json_of(call("POST", ctx.url("/admin/quick-replies"), ctx.admin,
                        {"group_id": group["id"], "text": "first " + HOSTILE}), 201)
    try:
        changed = json_of(call("PUT", ctx.url(f"/admin/quick-replies/{made['id']}"), ctx.admin, {"text": HOSTILE}), 200)
        renamed = json_of(call("PUT", ctx.url(f"/admin/quick-reply-groups/{group['id']}"), ctx.admin,
                               {"name": HOSTILE + "!"}), 200)
        listed = json_of(requests.get(ctx.url("/quick-replies"), params={"q": "alert"}, headers=ctx.agent1,
                                      timeout=HTTP_TIMEOUT), 200)["items"]
        stored = next(item for item in listed if item["id"] == made["id"])
        return [made["text"].removeprefix("first "), changed["text"], group["name"],
                renamed["name"].removesuffix("!"), stored["text"]]
    finally:
        # The group's name makes a shortcut that other suites' searches would otherwise find.
        call("DELETE", ctx.url(f"/admin/quick-replies/{made['id']}"), ctx.admin)
        call("DELETE", ctx.url(f"/admin/quick-reply-groups/{group['id']}"), ctx.admin)


def team(ctx: Context) -> list[str]:
    made = json_of(call("POST", ctx.url("/teams"), ctx.admin, {"name": HOSTILE}), 201)
    patched = json_of(call("PATCH", ctx.url(f"/teams/{made['id']}"), ctx.admin, {"name": HOSTILE + "!"}), 200)
    read = json_of(call("GET", ctx.url(f"/teams/{made['id']}"), ctx.admin), 200)
    return [made["name"], patched["name"].removesuffix("!"), read["name"].removesuffix("!")]


def people(ctx: Context) -> list[str]:
    team_id = new_team(ctx.api, ctx.admin)["id"]
    invited = json_of(call("POST", ctx.url("/users"), ctx.admin, {
        "email": f"{unique('hostile')}@example.com", "display_name": HOSTILE, "role": "watcher",
        "team_ids": [team_id]}), 201)
    read = json_of(call("GET", ctx.url(f"/users/{invited['id']}"), ctx.admin), 200)
    _, headers = new_user(ctx.runtime, ctx.api, ctx.admin, role="watcher", team_ids=[team_id])
    patched = json_of(call("PATCH", ctx.url("/me/profile"), headers, {"display_name": HOSTILE}), 200)
    profile = json_of(call("GET", ctx.url("/me/profile"), headers), 200)
    return [invited["display_name"], read["display_name"], patched["display_name"], profile["display_name"]]


def channel_account(ctx: Context) -> list[str]:
    body = {"id": unique("hostile"), "channel": "whatsapp", "name": HOSTILE, "provider_account_id": HOSTILE,
            "api_base_url": "http://127.0.0.1:9/graph", "credentials": whatsapp_credentials()}
    made = json_of(call("POST", ctx.url("/channel-accounts"), ctx.admin, body), 201)
    patched = json_of(call("PATCH", ctx.url(f"/channel-accounts/{made['id']}"), ctx.admin,
                           {"name": HOSTILE + "!", "enabled": False}), 200)
    read = json_of(call("GET", ctx.url(f"/channel-accounts/{made['id']}"), ctx.admin), 200)
    return [made["name"], made["provider_account_id"], patched["name"].removesuffix("!"),
            read["provider_account_id"], read["name"].removesuffix("!")]


def out_of_office_and_routing(ctx: Context) -> list[str]:
    # A spare account, so no customer of the shared one gets these answers.
    account = new_whatsapp_account(ctx.runtime, ctx.api, ctx.admin)
    base = f"/channel-accounts/{account.id}"
    ticket = json_of(call("POST", ctx.url(base + "/out-of-office/uploads"), ctx.admin,
                          {"filename": "hours.png", "content_type": "image/png", "size": 3}), 201)
    assert post_upload(ticket, b"png").ok
    put = json_of(call("PUT", ctx.url(base + "/out-of-office"), ctx.admin, {"messages": [
        {"text": HOSTILE, "media": {"key": ticket["key"], "filename": HOSTILE}}]}), 200)
    read = json_of(call("GET", ctx.url(base + "/out-of-office"), ctx.admin), 200)
    rule = json_of(call("POST", ctx.url(base + "/routing-rules"), ctx.admin,
                        {"team_id": "default", "keyword": HOSTILE}), 201)
    rules = json_of(call("GET", ctx.url(base + "/routing-rules"), ctx.admin), 200)["items"]
    return [put["messages"][0]["text"], read["messages"][0]["text"], put["messages"][0]["media"]["filename"],
            read["messages"][0]["media"]["filename"], rule["keyword"], rules[0]["keyword"]]


def started_conversation(ctx: Context) -> list[str]:
    template = {"name": "hostile_start", "language": "en", "body": "Hello"}
    json_of(call("POST", ctx.url(f"/admin/channel-accounts/{ctx.account.id}/templates"), ctx.admin, template), 201)
    started = json_of(call("POST", ctx.url("/conversations"), ctx.agent1, {
        "account_id": ctx.account.id, "phone": "+" + new_wa_id(), "customer_name": HOSTILE,
        "template": {"name": "hostile_start", "language": "en"}}), 201)["conversation"]
    read = json_of(call("GET", ctx.url(f"/conversations/{started['id']}"), ctx.agent1), 200)["conversation"]
    return [started["customer_name"], read["customer_name"]]


def email_subject(ctx: Context) -> list[str]:
    # An email subject is one header line: markup is kept as written (line breaks are refused).
    email_account = ctx.runtime.info.demo["accounts"]["email"]["account_id"]
    started = json_of(call("POST", ctx.url("/conversations"), ctx.agent1, {
        "account_id": email_account, "customer_id": f"hostile.{secrets.token_hex(4)}@example.net",
        "text": "Hello", "subject": HOSTILE}), 201)["conversation"]
    path = f"/conversations/{started['id']}"
    followed = json_of(call("POST", ctx.url(path + "/messages"), ctx.agent1,
                            {"text": "Again", "subject": HOSTILE + "!"}), 202)
    thread = json_of(call("GET", ctx.url(path + "/messages?limit=100"), ctx.agent1), 200)["items"]
    subjects = [m["subject"] for m in thread if m["direction"] == "outbound"]
    return [followed["subject"].removesuffix("!"), *[subject.removesuffix("!") for subject in subjects]]


def customer_profile(ctx: Context) -> list[str]:
    customer = json_of(call("GET", ctx.url(ctx.conversation_path + "/customer"), ctx.agent1), 200)["profile"]["id"]
    path = f"/customers/{quote(customer, safe='')}"
    renamed = json_of(call("PATCH", ctx.url(path), ctx.agent1, {"name": HOSTILE}), 200)["profile"]["name"]
    read = json_of(call("GET", ctx.url(path), ctx.agent1), 200)["profile"]["name"]
    logged = json_of(call("POST", ctx.url(path + "/log"), ctx.agent1,
                          {"direction": "inbound", "medium": "phone", "text": HOSTILE}), 201)
    entries = json_of(call("GET", ctx.url(path + "/log"), ctx.agent1), 200)["items"]
    stored = find(entries, id=logged["id"])
    assert stored is not None
    # An opt-in (the customer stays reachable) with the agent's reason.
    consent = json_of(call("POST", ctx.url(path + "/consent"), ctx.agent1,
                           {"channel": "whatsapp", "opted_out": False, "detail": HOSTILE}), 201)
    details = [change["detail"] for change in consent["history"] if "<" in change["detail"]]
    return [renamed, read, logged["text"], stored["text"], *details[:1]]


def customer_attribute(ctx: Context) -> list[str]:
    key = unique("hostile").replace("-", "_")
    defined = json_of(call("POST", ctx.url("/customer-attributes"), ctx.admin,
                           {"key": key, "label": HOSTILE, "type": "choice", "choices": [HOSTILE]}), 201)
    try:
        changed = json_of(call("PUT", ctx.url(f"/customer-attributes/{key}"), ctx.admin,
                               {"key": key, "label": HOSTILE + "!", "type": "choice", "choices": [HOSTILE]}), 200)
        listed = json_of(call("GET", ctx.url("/customer-attributes"), ctx.agent1), 200)["items"]
        stored = find(listed, key=key)
        assert stored is not None
        return [defined["label"], defined["choices"][0], changed["label"].removesuffix("!"),
                stored["label"].removesuffix("!"), stored["choices"][0]]
    finally:
        call("DELETE", ctx.url(f"/customer-attributes/{key}"), ctx.admin)


def event_subscription(ctx: Context) -> list[str]:
    made = json_of(call("POST", ctx.url("/event-subscriptions"), ctx.admin, {
        "url": f"{closed_port_url()}/events", "events": ["conversation.archived"], "description": HOSTILE}), 201)
    path = f"/event-subscriptions/{made['subscription']['id']}"
    try:
        patched = json_of(call("PATCH", ctx.url(path), ctx.admin, {"description": HOSTILE + "!", "enabled": False}),
                          200)
        read = json_of(call("GET", ctx.url(path), ctx.admin), 200)
        return [made["subscription"]["description"], patched["description"].removesuffix("!"),
                read["description"].removesuffix("!")]
    finally:
        call("DELETE", ctx.url(path), ctx.admin)


def consent_keywords(ctx: Context) -> list[str]:
    before = json_of(call("GET", ctx.url("/settings/service"), ctx.admin), 200)["consent_keywords"]
    try:
        patched = json_of(call("PATCH", ctx.url("/settings/service"), ctx.admin, {"consent_keywords": {
            "viber": {"opt_out": [HOSTILE], "opt_in": [HOSTILE + "!"]}}}), 200)["consent_keywords"]["viber"]
        read = json_of(call("GET", ctx.url("/settings/service"), ctx.admin), 200)["consent_keywords"]["viber"]
        return [patched["opt_out"][0], patched["opt_in"][0].removesuffix("!"), read["opt_out"][0]]
    finally:
        ok(call("PATCH", ctx.url("/settings/service"), ctx.admin, {"consent_keywords": before}))


# The checks: each stores its fields' markup and reads it back.
CHECKS: dict[str, Callable[[Context], list[str]]] = {check.__name__: check for check in (
    note, reply, template_variable, tags, archive_tags, quick_replies, team, people, channel_account,
    out_of_office_and_routing, started_conversation, email_subject, customer_profile, customer_attribute,
    event_subscription, consent_keywords)}
# Each free-text field, and the check that stores it and reads it back.
FREE_TEXT: dict[str, str] = {
    "NoteInput.text": "note",
    "MessageInput.text": "reply",
    "MessageInput.attachments[].filename": "reply",
    "MessageInput.template.variables.*": "template_variable",
    "TemplateDefinitionInput.body": "template_variable",
    "TemplateDefinitionInput.labels.*": "template_variable",
    "TagInput.tag": "tags",
    "TagsInput.tags[]": "tags",
    "ArchiveInput.tags[]": "archive_tags",
    "QuickReplyGroupInput.name": "quick_replies",
    "QuickReplyInput.text": "quick_replies",
    "QuickReplyUpdateInput.text": "quick_replies",
    "TeamInput.name": "team",
    "TeamPatch.name": "team",
    "InviteUserInput.display_name": "people",
    "ProfilePatch.display_name": "people",
    "ChannelAccountInput.name": "channel_account",
    "ChannelAccountInput.provider_account_id": "channel_account",
    "ChannelAccountPatch.name": "channel_account",
    "OutOfOfficeInput.messages[].text": "out_of_office_and_routing",
    "OutOfOfficeInput.messages[].media.filename": "out_of_office_and_routing",
    "RoutingRuleInput.keyword": "out_of_office_and_routing",
    "StartConversationInput.customer_name": "started_conversation",
    "StartConversationInput.subject": "email_subject",
    "MessageInput.subject": "email_subject",
    "CustomerPatch.name": "customer_profile",
    "CommunicationInput.text": "customer_profile",
    "ConsentInput.detail": "customer_profile",
    "AttributeDefinition.label": "customer_attribute",
    "AttributeDefinition.choices[]": "customer_attribute",
    "SubscriptionInput.description": "event_subscription",
    "SubscriptionPatch.description": "event_subscription",
    "ServiceSettingsPatch.consent_keywords.*.opt_out[]": "consent_keywords",
    "ServiceSettingsPatch.consent_keywords.*.opt_in[]": "consent_keywords",
}

# String fields that are not free text: ids and references (an unknown one is refused), codes
# and formats (validated), secrets (never given back), or the same field as one checked above.
NOT_FREE_TEXT: dict[str, str] = {
    "StatisticsExportInput.since": "a moment, ISO 8601 with an offset (parsed, else 400); never stored as text",
    "StatisticsExportInput.until": "a moment, ISO 8601 with an offset (parsed, else 400); never stored as text",
    "ConsentInput.address": "an address of the customer's profile (else 400)",
    "SignInInput.email": "credentials: checked against the user pool, never stored by this API",
    "SignInInput.password": "credentials: never stored or given back",
    "ChallengeInput.email": "credentials: checked against the user pool, never stored by this API",
    "ChallengeInput.session": "the user pool's sign-in session (bounded length; a forged one is a 401)",
    "ChallengeInput.new_password": "credentials: the user pool's policy checks it; never stored or given back",
    "ChallengeInput.code": "six digits (pattern)",
    "ChangePasswordInput.current_password": "credentials: never stored or given back",
    "ChangePasswordInput.new_password": "credentials: the user pool's policy checks it; never stored or given back",
    "ForgotPasswordInput.email": "credentials: the user pool mails a code; never stored by this API",
    "ResetPasswordInput.email": "credentials: checked against the user pool, never stored by this API",
    "ResetPasswordInput.code": "six digits (pattern)",
    "ResetPasswordInput.new_password": "credentials: the user pool's policy checks it; never stored or given back",
    "TotpCodeInput.code": "six digits (pattern)",
    "MessageInput.attachments[].key": "reference to an upload of this conversation (else 400)",
    "MessageInput.template.name": "reference to an approved template (else 404)",
    "MessageInput.template.language": "reference to an approved template (else 404)",
    "StartConversationInput.text": "the reply text field (MessageInput.text), checked there",
    "StartConversationInput.attachments[].key": "refused on a start (attachments go in a reply)",
    "StartConversationInput.attachments[].filename": "refused on a start (attachments go in a reply)",
    "StartConversationInput.template.name": "reference to an approved template",
    "StartConversationInput.template.language": "reference to an approved template",
    "StartConversationInput.template.variables.*": "the template variables field, checked on MessageInput",
    "StartConversationInput.account_id": "reference to a channel account (else 400)",
    "StartConversationInput.customer_id": "reference to a customer of the account",
    "StartConversationInput.phone": "a phone number, validated to E.164 (else 400)",
    "OutOfOfficeInput.messages[].media.key": "reference to an out-of-office upload of the account (else 400)",
    "UploadInput.filename": "made safe into the storage key; the name shown is the attachment's filename",
    "UploadInput.content_type": "a media type the channel must carry (else 400)",
    "AssignInput.agent_id": "reference to an agent of the team (else 400)",
    "QuickReplyInput.group_id": "reference to a quick reply group (else 404)",
    "TemplateDefinitionInput.name": "a template name: lowercase letters, digits, underscores (else 400)",
    "TemplateDefinitionInput.language": "a language code (else 400)",
    "TemplateDefinitionInput.parameters[]": "must equal the body's variables (else 400)",
    "ProfilePatch.language": "a language tag (pattern)",
    "ProfilePatch.time_zone": "an IANA time zone",
    "InviteUserInput.email": "an email address (pattern), the sign-in name",
    "InviteUserInput.team_ids[]": "references to teams (else 400)",
    "TeamIdsInput.team_ids[]": "references to teams (else 400)",
    "TeamInput.id": "a team id: lowercase letters, digits, dashes (else 400)",
    "TeamInput.office_hours.time_zone": "an IANA time zone",
    "TeamInput.office_hours.days.*[].open": "a clock time HH:MM",
    "TeamInput.office_hours.days.*[].close": "a clock time HH:MM",
    "TeamInput.office_hours.holidays[]": "a date",
    "OfficeHours.time_zone": "an IANA time zone",
    "OfficeHours.days.*[].open": "a clock time HH:MM",
    "OfficeHours.days.*[].close": "a clock time HH:MM",
    "OfficeHours.holidays[]": "a date",
    "ChannelAccountInput.id": "an account id (pattern)",
    "ChannelAccountInput.api_base_url": "an http(s) URL (pattern)",
    "ChannelAccountInput.team_id": "reference to a team (else 400)",
    "ChannelAccountInput.credentials.*": "secrets: stored in Secrets Manager, never given back",
    "ChannelAccountPatch.team_id": "reference to a team (else 400)",
    "CredentialsInput.credentials.*": "secrets: stored in Secrets Manager, never given back",
    "RoutingRuleInput.team_id": "reference to a team (else 400)",
    "RoutingRuleInput.language": "a language tag (pattern)",
    "MessageInput.reply_to": "reference to a message of the conversation (else 400)",
    "StartConversationInput.reply_to": "reference to a message of the conversation (else 400)",
    "AddressInput.address": "an address of a known kind, validated (E.164 phone, email, channel id)",
    "AttributeDefinition.key": "an attribute key: lowercase letters, digits, underscores (pattern)",
    "CommunicationInput.conversation_id": "reference to a conversation (else 404)",
    "CommunicationInput.occurred_at": "a date-time",
    "CustomerPatch.language": "a language tag (pattern)",
    "MergeInput.source_id": "reference to a customer (else 404)",
    "SubscriptionInput.url": "an http(s) URL (pattern)",
    "SubscriptionPatch.url": "an http(s) URL (pattern)",
}


def body_string_fields() -> set[str]:
    models = {route.body for route in kit.API_ROUTES if route.body is not None}
    return {path for model in models for path in string_fields(model)}


def test_every_string_field_of_every_request_body_is_accounted_for():
    # Given the string fields of every documented request body
    fields = body_string_fields()
    # Then each is checked for verbatim storage here, or listed with why it is not free text
    unknown = sorted(fields - set(FREE_TEXT) - set(NOT_FREE_TEXT))
    assert not unknown, (f"string fields of request bodies neither checked nor explained: {unknown}; add each to "
                         f"FREE_TEXT (with a check that stores and reads it back) or NOT_FREE_TEXT in {HERE}")
    assert set(FREE_TEXT.values()) == set(CHECKS), "every check is named in FREE_TEXT, and every name is a check"
    stale = sorted((set(FREE_TEXT) | set(NOT_FREE_TEXT)) - fields)
    assert not stale, f"fields no longer in any request body: {stale}; remove them from {HERE}"


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_markup_in_free_text_is_stored_and_given_back_verbatim(runtime, api, admin, agent1, conversation, check):
    # Given markup and a script in the field; When it is stored and read back through the API
    values = CHECKS[check](Context(runtime, api, admin, agent1, conversation))
    # Then each answer (JSON, checked as read) holds exactly what was sent
    assert values
    assert all(value == HOSTILE for value in values), values


# --- what was stored comes out again ------------------------------------------------------------------

CONTROLS = "bell\x07 vt\x0b nul\x00 esc\x1b end"
SHOWN = "bell vt nul esc end"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_control_characters_and_markup_in_a_thread_do_not_break_its_export(runtime, api, agent1, conversation, fmt):
    # Given a note with control characters (a customer's message may hold them too) and markup
    path = f"{api}/conversations/{conversation['id']}"
    json_of(call("POST", f"{path}/notes", agent1, {"text": CONTROLS + " " + HOSTILE}), 201)
    # When the conversation is exported
    response = exported(runtime, api, f"/conversations/{conversation['id']}/exports", agent1, {"format": fmt})
    # Then a file, not a 500 (regression: XLSX cannot hold control characters, openpyxl refused them)
    assert response.status_code == 200, response.text[:300]
    if fmt == "csv":
        contents = [row[3] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))]
        # Control characters are dropped when a note or message is stored (domain/text_safety.py)
        assert SHOWN + " " + HOSTILE in contents
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        contents = [row[3] for row in sheet.iter_rows(values_only=True)]
        assert SHOWN + " " + HOSTILE in contents
    else:
        assert response.content.startswith(b"%PDF")
