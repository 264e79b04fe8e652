"""The authorization matrix: every documented route (``API_ROUTES`` of the functions app), called
by every kind of caller, answers as the route's access label says.

Callers: the administrator; the agent who owns the conversation; an agent of the same team who
does not own it; a watcher; a supervisor; an agent of another team (as is, and choosing the default team with
``?team=``); a user disabled after signing in (their token is still a valid JWT); no token at
all; and the owning agent again with the ids of another team's objects (object-level checks).
Path parameters are real ids of objects made here.

A caller the label allows gets the route's documented status; one it does not allow gets 401
(no token), 403 (role, disabled), or 403/404 when the object belongs to a team they are not in;
nobody gets a 5xx. Routes added later are covered as they come: a new access label or path
parameter fails loudly, naming the table to extend.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import requests
from chalicelib.api import kit
from chalicelib.storage import presence
from pydantic import BaseModel

from local.runtime import LocalRuntime, load_functions_app
from tests.accounts_support import NEW_PASSWORD, reset_code, temporary_password, wait_for_mail
from tests.integration.admin_helpers import (
    Account,
    call,
    new_team,
    new_user,
    new_whatsapp_account,
    ok,
    say,
    set_free_seats,
    unique,
    whatsapp_credentials,
)
from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer
from tests.loopback import Answer, LoopbackServer, loopback_server
from tests.support import HTTP_TIMEOUT, new_wa_id

load_functions_app()  # registers every route of the app
ROUTES: list[Any] = kit.API_ROUTES
PATH_PARAMETER = re.compile(r"{(\w+)}")
HERE = "tests/integration/test_authorization_matrix.py"

ADMINISTRATOR, AGENT, WATCHER, SUPERVISOR, DISABLED = "administrator", "agent", "watcher", "supervisor", "disabled"
# Roles that see every team (the role table of shared/domain/identity.py).
ACCOUNT_WIDE = {ADMINISTRATOR, WATCHER, SUPERVISOR}
TEMPLATE = {"name": "matrix_hello", "language": "en", "body": "Hello from the matrix"}


# --- the callers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    role: str | None  # None: no token
    user_id: str | None = None
    team_ids: tuple[str, ...] = ()
    # "own": the default team's objects; "foreign": another team's (object-level checks).
    objects: str = "own"
    # ?team= on every call: acting in a team the caller chose (they must belong to it).
    team_query: str | None = None


@dataclass(frozen=True)
class Call:
    """One row's context: who calls, and what the path's objects are."""

    caller: Caller
    conversation: ConversationRef | None
    team_id: str | None
    # The team the path's customer wrote to (None: the path names no customer).
    customer_team_id: str | None = None


@dataclass(frozen=True)
class ConversationRef:
    id: str
    team_id: str
    owner_id: str | None


def is_owner(call_: Call) -> bool:
    return call_.conversation is not None and call_.caller.user_id == call_.conversation.owner_id


def in_conversation_team(call_: Call) -> bool:
    return call_.conversation is None or call_.conversation.team_id in call_.caller.team_ids


def in_path_team(call_: Call) -> bool:
    return call_.team_id is None or call_.team_id in call_.caller.team_ids


def in_customer_team(call_: Call) -> bool:
    return call_.customer_team_id is None or call_.customer_team_id in call_.caller.team_ids


def signed_in(call_: Call) -> bool:
    return call_.caller.role in {ADMINISTRATOR, AGENT, WATCHER, SUPERVISOR}


def conversation_reader(call_: Call) -> bool:
    """Any signed-in user; an agent only for their teams' conversations."""
    return signed_in(call_) and (call_.caller.role != AGENT or in_conversation_team(call_))


def worker(call_: Call) -> bool:
    return call_.caller.role == ADMINISTRATOR or (call_.caller.role == AGENT and in_conversation_team(call_))


def assigner(call_: Call) -> bool:
    return worker(call_) or call_.caller.role == SUPERVISOR


def owner(call_: Call) -> bool:
    return call_.caller.role == AGENT and is_owner(call_)


def owner_or_administrator(call_: Call) -> bool:
    return call_.caller.role == ADMINISTRATOR or owner(call_)


# Each access label of the route kit (shared/api/kit.py), read as a rule over the call. A route whose label is not
# here fails the matrix: add the label's rule here (and keep it as the label reads).
ACCESS_RULES: dict[str, Callable[[Call], bool]] = {
    kit.PUBLIC: lambda call_: True,
    kit.ANYONE: conversation_reader,
    kit.SELF: conversation_reader,
    kit.READERS: lambda call_: call_.caller.role in ACCOUNT_WIDE,
    kit.ADMIN: lambda call_: call_.caller.role == ADMINISTRATOR,
    kit.WORKERS: worker,
    kit.CUSTOMER_WORKERS: lambda call_: call_.caller.role == ADMINISTRATOR or (
        call_.caller.role == AGENT and in_customer_team(call_)),
    # the account named in the body: its team (row_context) must be one of the agent's
    kit.STARTERS: lambda call_: call_.caller.role == ADMINISTRATOR or (
        call_.caller.role == AGENT and in_path_team(call_)),
    kit.ASSIGNERS: assigner,
    kit.OWNER: owner,
    f"{kit.OWNER}; administrator": owner_or_administrator,
    f"{kit.WORKERS}; if assigned: {kit.OWNER} or administrator": lambda call_: worker(call_) and (
        call_.conversation is None or call_.conversation.owner_id is None or owner_or_administrator(call_)),
    f"{kit.READERS}; agents of the team": lambda call_: (
        call_.caller.role in ACCOUNT_WIDE or (call_.caller.role == AGENT and in_path_team(call_))),
}


def allows(route: Any, call_: Call) -> bool:
    if route.access == kit.PUBLIC:
        return True
    chosen = call_.caller.team_query
    if chosen is not None and chosen not in call_.caller.team_ids and call_.caller.role == AGENT:
        return False  # an agent acts only in their own teams, whatever the route
    return ACCESS_RULES[route.access](call_)


def refusals(call_: Call) -> set[int]:
    """The statuses a refused caller may get."""
    if call_.caller.role is None:
        return {401}
    if call_.caller.role == DISABLED or call_.caller.team_query is not None:
        return {403}
    if not in_conversation_team(call_) or not in_path_team(call_) or not in_customer_team(call_):
        # Another team's object: refused, or not found; never shown.
        return {403, 404}
    return {403}


# --- the objects -----------------------------------------------------------------------------


@dataclass
class ObjectSet:
    """Ids the path parameters take: the default team's objects, or another team's."""

    conversation: ConversationRef
    team_id: str  # read routes: the team whose agents are the callers (or not)
    writable_team_id: str  # routes that change a team: one made for the matrix, not the default team
    account: Account
    user_id: str
    customer_id: str


@dataclass
class World:
    runtime: LocalRuntime
    api: str
    admin: dict[str, str]
    agent1: dict[str, str]
    password: str
    own: ObjectSet
    foreign: ObjectSet
    tag: str
    group_id: str
    reply_id: str
    rule_id: str
    attribute_key: str
    subscription_id: str
    delivery_id: str
    receiver_url: str
    export_id: str
    settings: dict[str, Any]
    conversations: dict[str, ConversationRef] = field(default_factory=dict)

    def objects(self, caller: Caller) -> ObjectSet:
        return self.foreign if caller.objects == "foreign" else self.own

    # Throwaway objects for the allowed callers of routes that use their object up.

    def new_conversation(self, *, owned: bool) -> str:
        wa_id = new_wa_id()
        say(self.runtime, self.own.account, wa_id, "hello from a throwaway conversation")
        found = by_customer(self.api, self.admin, wa_id)
        assert found is not None
        if owned:
            ok(call("POST", f"{self.api}/conversations/{found['id']}/pickup", self.agent1))
        return str(found["id"])

    def new_archived(self) -> str:
        conversation_id = self.new_conversation(owned=True)
        ok(call("POST", f"{self.api}/conversations/{conversation_id}/archive", self.agent1, {}))
        return conversation_id

    def new_group(self) -> str:
        return str(ok(call("POST", f"{self.api}/admin/quick-reply-groups", self.admin,
                           {"name": unique("mx")}), 201)["id"])

    def new_reply(self) -> str:
        return str(ok(call("POST", f"{self.api}/admin/quick-replies", self.admin,
                           {"group_id": self.group_id, "text": "throwaway"}), 201)["id"])

    def new_template(self) -> str:
        name = f"matrix_{secrets.token_hex(4)}"
        ok(call("POST", f"{self.api}/admin/channel-accounts/{self.own.account.id}/templates", self.admin,
                {**TEMPLATE, "name": name}), 201)
        return name

    def new_rule(self) -> str:
        return str(ok(call("POST", f"{self.api}/channel-accounts/{self.own.account.id}/routing-rules", self.admin,
                           {"team_id": "default", "priority": 9000}), 201)["id"])

    def new_team(self) -> str:
        return str(new_team(self.api, self.admin)["id"])

    def new_customer(self) -> str:
        wa_id = new_wa_id()
        say(self.runtime, self.own.account, wa_id, "hello from a throwaway customer")
        found = by_customer(self.api, self.admin, wa_id)
        assert found is not None
        return customer_of(self.api, self.admin, str(found["id"]))

    def new_attribute(self) -> str:
        return str(ok(call("POST", f"{self.api}/customer-attributes", self.admin, attribute(unique("mx"))), 201)["key"])

    def new_subscription(self) -> str:
        return subscription(self.api, self.admin, self.receiver_url)

    # --- accounts: the public sign-in routes need a live step of a real user each time ---

    def new_invited(self) -> tuple[str, str]:
        """A user invited and not signed in yet: (id, email)."""
        email = f"{unique('mx-invited')}@example.com"
        user = ok(call("POST", f"{self.api}/users", self.admin, {"email": email, "display_name": "Matrix",
                                                                 "role": WATCHER}), 201)
        return str(user["id"]), email

    def new_password_challenge(self) -> dict[str, Any]:
        _, email = self.new_invited()
        assert self.runtime.info is not None
        temporary = temporary_password(wait_for_mail(self.runtime.info.simulator_url, email, "invited"))
        step = ok(requests.post(f"{self.api}/auth/login", json={"email": email, "password": temporary},
                                timeout=HTTP_TIMEOUT))
        return {"challenge": "NEW_PASSWORD_REQUIRED", "email": email, "session": step["session"],
                "new_password": NEW_PASSWORD}

    def new_reset_code(self) -> dict[str, Any]:
        user, _ = new_user(self.runtime, self.api, self.admin, role=WATCHER)
        assert self.runtime.info is not None
        ok(requests.post(f"{self.api}/auth/forgot-password", json={"email": user["email"]}, timeout=HTTP_TIMEOUT), 202)
        code = reset_code(wait_for_mail(self.runtime.info.simulator_url, user["email"], "reset"))
        return {"email": user["email"], "code": code, "new_password": NEW_PASSWORD}

    def new_session_cookie(self) -> dict[str, str]:
        signed_in = requests.post(f"{self.api}/auth/login", json={"email": "agent1@example.com",
                                                                   "password": self.password}, timeout=HTTP_TIMEOUT)
        return {"Cookie": f"oc_session={signed_in.cookies['oc_session']}"}


# What each path parameter is, by name, for one caller's object set and the route's method. A
# route with a parameter not named here fails the matrix: add the parameter here.
PATH_VALUES: dict[str, Callable[[World, ObjectSet, str], str]] = {
    "conversation_id": lambda world, objects, method: objects.conversation.id,
    "team_id": lambda world, objects, method: objects.team_id if method == "GET" else objects.writable_team_id,
    "account_id": lambda world, objects, method: objects.account.id,
    "user_id": lambda world, objects, method: objects.user_id,
    "tag": lambda world, objects, method: world.tag,
    "group_id": lambda world, objects, method: world.group_id,
    "reply_id": lambda world, objects, method: world.reply_id,
    "rule_id": lambda world, objects, method: world.rule_id,
    "name": lambda world, objects, method: TEMPLATE["name"],
    "language": lambda world, objects, method: TEMPLATE["language"],
    "customer_id": lambda world, objects, method: objects.customer_id,
    "key": lambda world, objects, method: world.attribute_key,
    "subscription_id": lambda world, objects, method: world.subscription_id,
    "delivery_id": lambda world, objects, method: world.delivery_id,
    "export_id": lambda world, objects, method: world.export_id,
}

# Routes that use their object up (delete it, or move its conversation on): each allowed caller
# gets a throwaway one, so the next caller and the next route find the objects as they were.
FRESH: dict[tuple[str, str], dict[str, Callable[[World], str]]] = {
    ("POST", "/conversations/{conversation_id}/pickup"): {
        "conversation_id": lambda world: world.new_conversation(owned=False)},
    ("POST", "/conversations/{conversation_id}/handback"): {
        "conversation_id": lambda world: world.new_conversation(owned=True)},
    ("POST", "/conversations/{conversation_id}/archive"): {
        "conversation_id": lambda world: world.new_conversation(owned=True)},
    ("POST", "/conversations/{conversation_id}/reopen"): {"conversation_id": World.new_archived},
    ("DELETE", "/admin/quick-reply-groups/{group_id}"): {"group_id": World.new_group},
    ("DELETE", "/admin/quick-replies/{reply_id}"): {"reply_id": World.new_reply},
    ("DELETE", "/admin/channel-accounts/{account_id}/templates/{name}/{language}"): {"name": World.new_template},
    ("DELETE", "/channel-accounts/{account_id}/routing-rules/{rule_id}"): {"rule_id": World.new_rule},
    ("DELETE", "/teams/{team_id}"): {"team_id": World.new_team},
    ("DELETE", "/customer-attributes/{key}"): {"key": World.new_attribute},
    ("DELETE", "/event-subscriptions/{subscription_id}"): {"subscription_id": World.new_subscription},
    # Only a user who has not signed in yet has an invitation to send again.
    ("POST", "/users/{user_id}/invitation"): {"user_id": lambda world: world.new_invited()[0]},
}

# Bodies that need real ids, fresh names, or values that leave shared settings as they are.
# Routes not named here get the smallest body their pydantic model accepts (minimal_instance).
BODIES: dict[tuple[str, str], Callable[[World], Any]] = {
    ("POST", "/auth/login"): lambda world: {"email": "agent1@example.com", "password": world.password},
    ("POST", "/auth/challenge"): World.new_password_challenge,
    ("POST", "/auth/reset-password"): World.new_reset_code,
    ("POST", "/conversations/{conversation_id}/messages"): lambda world: {"text": "a reply from the matrix"},
    ("POST", "/conversations/{conversation_id}/assign"): lambda world: {
        # To the agent who has it already: allowed, and changes nothing.
        "agent_id": world.own.conversation.owner_id},
    ("POST", "/conversations/{conversation_id}/uploads"): lambda world: {
        "filename": "photo.png", "content_type": "image/png", "size": 1024},
    ("POST", "/conversations/{conversation_id}/tags"): lambda world: {"tags": [world.tag]},
    ("POST", "/conversations/{conversation_id}/notes"): lambda world: {"text": "a note from the matrix"},
    ("POST", "/conversations/{conversation_id}/exports"): lambda world: {"format": "csv"},
    ("POST", "/statistics/exports"): lambda world: {
        "since": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "until": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
    ("POST", "/tags"): lambda world: {"tag": unique("matrix")},
    ("POST", "/admin/quick-reply-groups"): lambda world: {"name": unique("mx")},
    ("PUT", "/admin/quick-reply-groups/{group_id}"): lambda world: {"name": unique("mx")},
    ("POST", "/admin/quick-replies"): lambda world: {"group_id": world.group_id, "text": "Hello {name}"},
    ("PUT", "/admin/quick-replies/{reply_id}"): lambda world: {"text": "Hello {name}"},
    ("POST", "/admin/channel-accounts/{account_id}/templates"): lambda world: TEMPLATE,
    ("PATCH", "/me/profile"): lambda world: {"dark_mode": False},
    ("PATCH", "/settings/service"): lambda world: {
        "agents_may_create_tags": world.settings["agents_may_create_tags"]},
    ("POST", "/users"): lambda world: {"email": f"{unique('mx')}@example.com", "display_name": "Matrix",
                                       "role": WATCHER},
    ("PUT", "/users/{user_id}/role"): lambda world: {"role": WATCHER},
    ("POST", "/users/{user_id}/enable"): lambda world: {"role": WATCHER},
    ("PUT", "/users/{user_id}/teams"): lambda world: {"team_ids": ["default"]},
    ("POST", "/teams"): lambda world: {"name": unique("Matrix")},
    ("PATCH", "/teams/{team_id}"): lambda world: {"name": "Matrix team"},
    ("PUT", "/teams/{team_id}/office-hours"): lambda world: {
        "time_zone": "Europe/Amsterdam", "days": {"monday": [{"open": "09:00", "close": "17:00"}]}},
    ("POST", "/channel-accounts"): lambda world: {
        "id": unique("mx"), "channel": "whatsapp", "name": "Matrix", "provider_account_id": unique("1"),
        "api_base_url": "http://127.0.0.1:9/graph", "credentials": whatsapp_credentials()},
    ("PATCH", "/channel-accounts/{account_id}"): lambda world: {"enabled": True},
    # The same credentials again: the account keeps working for the throwaway conversations.
    ("PUT", "/channel-accounts/{account_id}/credentials"): lambda world: {
        "credentials": world.own.account.credentials},
    ("PUT", "/channel-accounts/{account_id}/out-of-office"): lambda world: {"messages": []},
    ("POST", "/channel-accounts/{account_id}/out-of-office/uploads"): lambda world: {
        "filename": "closed.png", "content_type": "image/png", "size": 1024},
    ("POST", "/channel-accounts/{account_id}/routing-rules"): lambda world: {"team_id": "default"},
    # A throwaway profile merged into the row's customer (the merge uses its source up).
    ("POST", "/customers/{customer_id}/merge"): lambda world: {"source_id": world.new_customer()},
    ("POST", "/customers/{customer_id}/addresses"): lambda world: {"address": f"email:{unique('mx')}@example.com"},
    # An opt-in: the row's customer stays reachable for the routes that reply to them.
    ("POST", "/customers/{customer_id}/consent"): lambda world: {"channel": "whatsapp", "opted_out": False},
    ("POST", "/customer-attributes"): lambda world: attribute(unique("mx")),
    ("PUT", "/customer-attributes/{key}"): lambda world: attribute(world.attribute_key),
    ("POST", "/event-subscriptions"): lambda world: {"url": world.receiver_url, "events": ["conversation.archived"]},
    # Kept disabled: the subscription the rows share receives nothing more.
    ("PATCH", "/event-subscriptions/{subscription_id}"): lambda world: {"enabled": False},
}

QUERIES: dict[tuple[str, str], Callable[[World], dict[str, str]]] = {
    ("GET", "/statistics"): lambda world: {
        "since": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "until": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
}

# Routes an allowed caller cannot complete here, with the reason. Their allowed callers must
# still get neither 401/403 nor a 5xx. Empty: every route is exercised to its documented status.
NOT_EXERCISED: dict[tuple[str, str], str] = {
    ("GET", "/exports/{export_id}"): "an export job is its asker's alone: the matrix's one job (agent1's) reads as "
                                     "not found for everyone else (tests/integration/test_export_jobs.py)",
    ("POST", "/me/password"): "needs the caller's own access token and password (tests/integration/test_accounts.py)",
    ("POST", "/me/mfa/totp"): "needs the caller's own access token (tests/integration/test_mfa.py)",
    ("PUT", "/me/mfa/totp"): "needs the caller's access token and authenticator (tests/integration/test_mfa.py)",
    ("POST", "/admin/channel-accounts/{account_id}/templates/sync"): (
        "needs a WhatsApp Business Account at the simulator (tests/integration/test_templates_admin.py)"),
}
# Headers a route needs besides the caller's token: the session routes read the session's cookie.
HEADERS: dict[tuple[str, str], Callable[[World], dict[str, str]]] = {
    ("POST", "/auth/session"): World.new_session_cookie,
    ("DELETE", "/auth/session"): World.new_session_cookie,
}


def attribute(key: str) -> dict[str, Any]:
    return {"key": key.replace("-", "_"), "label": "Matrix attribute", "type": "text"}


def customer_of(api: str, headers: dict[str, str], conversation_id: str) -> str:
    return str(ok(call("GET", f"{api}/conversations/{conversation_id}/customer", headers))["profile"]["id"])


def subscription(api: str, admin: dict[str, str], url: str) -> str:
    """A disabled subscription: rows may change or delete it, and no event goes to it."""
    created = ok(call("POST", f"{api}/event-subscriptions", admin, {"url": url, "events": ["conversation.archived"]}),
                 201)
    subscription_id = str(created["subscription"]["id"])
    ok(call("PATCH", f"{api}/event-subscriptions/{subscription_id}", admin, {"enabled": False}))
    return subscription_id


# --- smallest valid bodies from the pydantic models ---------------------------------------------------


def minimal_instance(model: type[BaseModel]) -> Any:
    """The smallest JSON its model accepts, from its JSON schema (required fields only)."""
    schema = model.model_json_schema()
    return _minimal(schema, schema.get("$defs", {}))


def _minimal(schema: dict[str, Any], defs: dict[str, Any]) -> Any:  # noqa: C901 - one branch per JSON type
    if "$ref" in schema:
        return _minimal(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return _minimal(options[0], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        value = {name: _minimal(schema["properties"][name], defs) for name in schema.get("required", [])}
        if schema.get("minProperties", 0) > len(value):
            value["key"] = _minimal(schema.get("additionalProperties") or {"type": "string"}, defs)
        return value
    if kind == "array":
        return [_minimal(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        formats = {"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "email": "matrix@example.com"}
        return formats.get(schema.get("format", ""), "m" * max(schema.get("minLength", 1), 1))
    if kind in {"integer", "number"}:
        return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    return None


# --- the run ---------------------------------------------------------------------------------


def route_id(route: Any) -> str:
    return f"{route.method} {route.path}"


def gaps(route: Any) -> list[str]:
    """What the matrix lacks to exercise this route, each with what to add."""
    missing = []
    if route.access not in ACCESS_RULES:
        missing.append(f"{route_id(route)}: access label {route.access!r} is unknown; add its rule to "
                       f"ACCESS_RULES in {HERE}")
    missing += [f"{route_id(route)}: path parameter {{{name}}} is unknown; add the id it takes to PATH_VALUES "
                f"(and, if the route uses its object up, a throwaway one to FRESH) in {HERE}"
                for name in PATH_PARAMETER.findall(route.path) if name not in PATH_VALUES]
    return missing


# Least privileged first; routes that only read first, deletions last.
_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
ORDERED_ROUTES = sorted(ROUTES, key=lambda route: _METHOD_ORDER.get(route.method, 1))


def test_the_matrix_knows_every_access_label_and_path_parameter():
    # Given every documented route of the functions app (the runtime's own module)
    # Then each access label has a rule and each path parameter a value here
    missing = [gap for route in ROUTES for gap in gaps(route)]
    assert not missing, "\n".join(missing)
    tables = [*FRESH, *BODIES, *OBJECT_BODIES, *BODY_TEAM, *QUERIES, *NOT_EXERCISED, *HEADERS]
    assert set(tables) <= {(r.method, r.path) for r in ROUTES}, (
        "a table of the matrix names a route that no longer exists")


@pytest.fixture(scope="module")
def callers(runtime, api, demo, admin, agent1, agent2, user_ids) -> Iterator[dict[str, Caller]]:
    # Agents and supervisors take a seat: make room for the other team's agent and the supervisor.
    set_free_seats(api, admin, 3)
    other_team = new_team(api, admin)["id"]
    outsider, outsider_headers = new_user(runtime, api, admin, role=AGENT, team_ids=[other_team])
    watcher, watcher_headers = new_user(runtime, api, admin, role=WATCHER)
    supervisor, supervisor_headers = new_user(runtime, api, admin, role=SUPERVISOR)
    gone, gone_headers = new_user(runtime, api, admin, role=WATCHER)
    # The disabled user signed in before being disabled: the token worked, and is still a valid JWT.
    ok(call("GET", f"{api}/me", gone_headers))
    ok(call("POST", f"{api}/users/{gone['id']}/disable", admin))
    admin_id, agent1_id, agent2_id = (user_ids[f"{who}@example.com"] for who in ("admin", "agent1", "agent2"))
    found = {
        "no token": Caller("no token", {}, None),
        "disabled": Caller("disabled", gone_headers, DISABLED, gone["id"], ("default",)),
        "watcher": Caller("watcher", watcher_headers, WATCHER, watcher["id"], ("default",)),
        "supervisor": Caller("supervisor", supervisor_headers, SUPERVISOR, supervisor["id"], ("default",)),
        "other team's agent": Caller("other team's agent", outsider_headers, AGENT, outsider["id"], (other_team,)),
        "other team's agent choosing ?team=default": Caller(
            "other team's agent choosing ?team=default", outsider_headers, AGENT, outsider["id"], (other_team,),
            team_query="default"),
        "owner with the other team's ids": Caller("owner with the other team's ids", agent1, AGENT, agent1_id,
                                                  ("default",), objects="foreign"),
        "colleague": Caller("colleague", agent2, AGENT, agent2_id, ("default",)),
        "owner": Caller("owner", agent1, AGENT, agent1_id, ("default",)),
        "administrator": Caller("administrator", admin, ADMINISTRATOR, admin_id, ("default",)),
    }
    # Heartbeats of the rows make their callers "online"; afterwards they are as they were, so
    # later suites' assignment (which goes to online agents only) is not changed by this one.
    seen = {(c.user_id, team): presence.last_seen(team, c.user_id)
            for c in found.values() if c.user_id for team in c.team_ids}
    yield found
    for (user_id, team), last in seen.items():
        presence.record_heartbeat(user_id, [team], last or datetime(2020, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def receiver() -> Iterator[LoopbackServer]:
    """Where the matrix's event subscriptions point."""
    with loopback_server(Answer(200, {"received": True})) as server:
        yield server


def delivery_of(runtime: LocalRuntime, api: str, admin: dict[str, str], account: Account, receiver_url: str,
                ) -> tuple[str, str]:
    """A subscription with one delivery in its log (of a conversation opened for it), then disabled."""
    drain(runtime, "events", rounds=2000)  # earlier suites' events go to no subscription of ours
    created = ok(call("POST", f"{api}/event-subscriptions", admin,
                      {"url": receiver_url, "events": ["conversation.created"]}), 201)
    subscription_id = str(created["subscription"]["id"])
    say(runtime, account, new_wa_id(), "hello, events")
    drain(runtime, "events")
    ok(call("PATCH", f"{api}/event-subscriptions/{subscription_id}", admin, {"enabled": False}))
    log = ok(call("GET", f"{api}/event-subscriptions/{subscription_id}/deliveries", admin))["items"]
    assert log, "the event worker delivered nothing to the matrix's subscription"
    return subscription_id, str(log[0]["delivery_id"])


@pytest.fixture(scope="module")
def world(runtime, api, demo, admin, agent1, callers, receiver) -> Iterator[World]:
    other = callers["other team's agent"]
    other_team = other.team_ids[0]
    account = new_whatsapp_account(runtime, api, admin)
    other_account = new_whatsapp_account(runtime, api, admin, team_id=other_team)
    ok(call("POST", f"{api}/admin/channel-accounts/{account.id}/templates", admin, TEMPLATE), 201)
    ok(call("POST", f"{api}/admin/channel-accounts/{other_account.id}/templates", admin, TEMPLATE), 201)
    # The default team's conversation, assigned to agent1; the other team's, in New there.
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "hello")
    fresh = by_customer(api, admin, wa_id)
    assert fresh is not None
    mine = ok(call("POST", f"{api}/conversations/{fresh['id']}/pickup", agent1))
    other_wa_id = new_wa_id()
    say(runtime, other_account, other_wa_id, "hello")
    theirs = by_customer(api, admin, other_wa_id, team=other_team)
    assert theirs is not None
    subject, _ = new_user(runtime, api, admin, role=WATCHER)
    group = ok(call("POST", f"{api}/admin/quick-reply-groups", admin, {"name": unique("mx")}), 201)
    reply = ok(call("POST", f"{api}/admin/quick-replies", admin, {"group_id": group["id"], "text": "Hi {name}"}), 201)
    tag = ok(call("POST", f"{api}/tags", admin, {"tag": unique("matrix")}), 201)["tag"]
    rule = ok(call("POST", f"{api}/channel-accounts/{account.id}/routing-rules", admin, {"team_id": "default"}), 201)
    key = ok(call("POST", f"{api}/customer-attributes", admin, attribute(unique("mx"))), 201)["key"]
    receiver_url = f"{receiver.base_url}/events"
    subscription_id, delivery_id = delivery_of(runtime, api, admin, account, receiver_url)
    export = ok(call("POST", f"{api}/conversations/{mine['id']}/exports", agent1, {"format": "csv"}), 202)
    yield World(
        runtime=runtime, api=api, admin=admin, agent1=agent1, password=demo["password"],
        own=ObjectSet(ConversationRef(mine["id"], mine["team_id"], mine["owner_id"]), "default",
                      new_team(api, admin)["id"], account, subject["id"], customer_of(api, admin, mine["id"])),
        foreign=ObjectSet(ConversationRef(theirs["id"], theirs["team_id"], theirs["owner_id"]), other_team,
                          other_team, other_account, other.user_id or "", customer_of(api, admin, theirs["id"])),
        tag=tag, group_id=group["id"], reply_id=reply["id"], rule_id=rule["id"], attribute_key=key,
        subscription_id=subscription_id, delivery_id=delivery_id, receiver_url=receiver_url, export_id=export["id"],
        settings=ok(call("GET", f"{api}/settings/service", admin)))
    # The replies, started conversations and exports of the rows go out now, not in a later suite's drain.
    drain(runtime, "outbound", "send")
    drain(runtime, "exports", rounds=500)  # one export per batch
    # No subscription of the matrix outlives it (the administrator's row made one more).
    page = ok(call("GET", f"{api}/event-subscriptions?limit=100", admin))["items"]
    for made in [item for item in page if item["url"] == receiver_url]:
        ok(call("DELETE", f"{api}/event-subscriptions/{made['id']}", admin), 204)


# Bodies that name the caller's objects (the default team's, or another team's): the route's
# object-level check is on what the body names, so row_context takes the team from it too.
OBJECT_BODIES: dict[tuple[str, str], Callable[[ObjectSet], Any]] = {
    ("POST", "/conversations"): lambda objects: {
        "account_id": objects.account.id, "phone": "+" + new_wa_id(),
        "template": {"name": TEMPLATE["name"], "language": TEMPLATE["language"]}},
}
# The team of the object a body names, where the access rule depends on it.
BODY_TEAM: dict[tuple[str, str], Callable[[ObjectSet], str]] = {
    ("POST", "/conversations"): lambda objects: objects.team_id,
}


def request_for(world: World, route: Any, call_: Call, allowed: bool) -> tuple[str, Any, dict[str, str]]:
    objects = world.objects(call_.caller)
    values = {name: PATH_VALUES[name](world, objects, route.method) for name in PATH_PARAMETER.findall(route.path)}
    if allowed:
        values.update({name: make(world) for name, make in FRESH.get((route.method, route.path), {}).items()})
    path = PATH_PARAMETER.sub(lambda match: quote(values[match.group(1)], safe=""), route.path)
    key = (route.method, route.path)
    if key in OBJECT_BODIES:
        body = OBJECT_BODIES[key](objects)
    else:
        body = BODIES[key](world) if key in BODIES else (minimal_instance(route.body) if route.body else None)
    query = QUERIES[key](world) if key in QUERIES else (minimal_instance(route.query) if route.query else {})
    return path, body, query


def row_context(world: World, route: Any, caller: Caller) -> Call:
    objects = world.objects(caller)
    names = PATH_PARAMETER.findall(route.path)
    conversation = objects.conversation if "conversation_id" in names else None
    team_id = PATH_VALUES["team_id"](world, objects, route.method) if "team_id" in names else None
    body_team = BODY_TEAM.get((route.method, route.path))
    if body_team is not None:
        team_id = body_team(objects)
    # The row's customer wrote to the object set's team only (its conversation's).
    customer_team_id = objects.conversation.team_id if "customer_id" in names else None
    return Call(caller, conversation, team_id, customer_team_id)


@pytest.mark.parametrize("route", ORDERED_ROUTES, ids=route_id)
def test_each_caller_gets_what_the_access_label_allows(world, callers, route):
    # Given a route the matrix knows how to call
    missing = gaps(route)
    if missing:
        pytest.fail("\n".join(missing))
    key = (route.method, route.path)
    wrong = []
    for caller in callers.values():
        # When each caller calls it with real ids (theirs, or the other team's)
        call_ = row_context(world, route, caller)
        allowed = allows(route, call_)
        path, body, query = request_for(world, route, call_, allowed)
        if caller.team_query is not None:
            query = {**query, "team": caller.team_query}
        extra = HEADERS[key](world) if key in HEADERS else {}
        response = requests.request(route.method, f"{world.api}{path}", params=query, json=body,
                                    headers={**caller.headers, **extra}, timeout=HTTP_TIMEOUT)
        status = response.status_code
        # Then: the documented status when allowed, a refusal otherwise, never a 5xx
        if allowed and key in NOT_EXERCISED:
            expected = "neither 401/403 nor 5xx"
            fine = status not in {401, 403} and status < 500
        elif allowed:
            expected = str(route.status)
            fine = status == route.status
        else:
            refused = refusals(call_)
            expected = " or ".join(map(str, sorted(refused)))
            fine = status in refused and response.json()["error"]["code"] != ""
        if not fine:
            wrong.append(f"  {caller.name} ({'allowed' if allowed else 'refused'}): expected {expected}, "
                         f"got {status} {response.text[:300]}")
    hint = ("" if not any("(allowed)" in line for line in wrong) else
            f"\n(an allowed caller needs a body in BODIES, a query in QUERIES, or throwaway objects in FRESH of "
            f"{HERE}; or, with a reason, an entry in NOT_EXERCISED)")
    assert not wrong, f"{route_id(route)} [{route.access}]:\n" + "\n".join(wrong) + hint
