"""Fuzzing the API from its own OpenAPI document: schemathesis draws requests (valid ones, and
ones that break the schema) for every documented operation, sends them over loopback HTTP to the
in-process runtime as an administrator and as an agent, and no answer may be a 5xx. Every 4xx is
our JSON error naming the problem; every 2xx matches the documented response schema.

Bounded and repeatable: a few examples per operation, derandomized (the same examples each run),
no example database. Run alone with ``pytest -m fuzz``.

The requests change things, so they act on objects made for the fuzz run (a team, two channel
accounts, a conversation, a user, ...) and the shared settings they touch are put back after.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import schemathesis
from chalicelib.api import kit
from chalicelib.api.openapi import openapi_document
from chalicelib.core import cursors
from chalicelib.domain.errors import InvalidInput
from chalicelib.storage import presence
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from local.runtime import load_functions_app
from tests.integration.admin_helpers import (
    call,
    new_team,
    new_user,
    new_whatsapp_account,
    ok,
    say,
    set_free_seats,
    unique,
)
from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer
from tests.loopback import closed_port_url
from tests.support import HTTP_TIMEOUT, new_wa_id

load_functions_app()  # registers every route of the app
SCHEMA = schemathesis.openapi.from_dict(openapi_document(), config=schemathesis.Config())


def _operations() -> dict[tuple[str, str], APIOperation[Any, Any, Any, Any]]:
    operations = {}
    for result in SCHEMA.get_all_operations():
        # An operation schemathesis cannot read is a broken document: fail here, not skip it.
        assert isinstance(result, Ok), result
        operations[(result.ok().method.upper(), result.ok().path)] = result.ok()
    return operations


OPERATIONS = _operations()
ACCESS = {(route.method, route.path): route.access for route in kit.API_ROUTES}
# Access labels under which an agent may call a route (fuzzed as the agent too), and those that
# refuse agents before reading anything (fuzzed as the administrator only).
AGENT_LABELS = {kit.ANYONE, kit.SELF, kit.WORKERS, kit.CUSTOMER_WORKERS, kit.STARTERS, kit.ASSIGNERS, kit.OWNER,
                f"{kit.OWNER}; administrator", f"{kit.WORKERS}; if assigned: {kit.OWNER} or administrator",
                f"{kit.READERS}; agents of the team"}
NO_AGENT_LABELS = {kit.ADMIN, kit.READERS, kit.PUBLIC}
HERE = "tests/integration/test_openapi_fuzz.py"
# FUZZ_EXAMPLES=200 for a longer hunt by hand; CI keeps the default short.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# Writing first, then reading what was written (an export of fuzzed text, say); deletions, then
# the conversation's own lifecycle, last (they use their object up).
_LAST = {"/conversations/{conversation_id}/handback": 4, "/conversations/{conversation_id}/archive": 5}


def _order(key: tuple[str, str]) -> tuple[int, str, str]:
    method, path = key
    return (_LAST.get(path, {"GET": 2, "DELETE": 3}.get(method, 1)), path, method)


# Operation by operation, the conversation's agent first (hand back and archive are theirs before
# the administrator's); the conversation's lifecycle ends the run.
CASES = [(who, key) for key in sorted(OPERATIONS, key=_order) for who in ("agent", "administrator")
         if who == "administrator" or ACCESS[key] in AGENT_LABELS]


@dataclass
class FuzzWorld:
    api: str
    team_id: str
    headers: dict[str, dict[str, str]]
    path_values: dict[str, str]
    settings: dict[str, Any]
    session: requests.Session
    # Where the fuzz's event subscriptions point: nothing listens, nothing leaves the machine.
    receiver_url: str


@pytest.fixture(scope="module")
def fuzz(runtime, api, admin) -> Iterator[FuzzWorld]:
    set_free_seats(api, admin, 3)
    team = new_team(api, admin)["id"]
    # Their own administrator and agent: what the fuzz does to "my profile" stays theirs.
    fuzz_admin, admin_headers = new_user(runtime, api, admin, role="administrator", team_ids=["default", team])
    agent, agent_headers = new_user(runtime, api, admin, role="agent", team_ids=[team])
    subject, _ = new_user(runtime, api, admin, role="watcher", team_ids=[team])
    # The conversation's account, and a spare one the account routes may rename, disable or re-key.
    account = new_whatsapp_account(runtime, api, admin, team_id=team)
    spare = new_whatsapp_account(runtime, api, admin, team_id=team)
    template = {"name": "fuzz_hello", "language": "en", "body": "Hello {{1}}"}
    ok(call("POST", f"{api}/admin/channel-accounts/{spare.id}/templates", admin, template), 201)
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "hello")
    conversation = by_customer(api, admin, wa_id, team=team)
    assert conversation is not None
    ok(call("POST", f"{api}/conversations/{conversation['id']}/pickup", agent_headers))
    group = ok(call("POST", f"{api}/admin/quick-reply-groups", admin, {"name": unique("fz")}), 201)
    reply = ok(call("POST", f"{api}/admin/quick-replies", admin, {"group_id": group["id"], "text": "Hi"}), 201)
    rule = ok(call("POST", f"{api}/channel-accounts/{spare.id}/routing-rules", admin, {"team_id": team}), 201)
    customer_id = ok(call("GET", f"{api}/conversations/{conversation['id']}/customer", admin))["profile"]["id"]
    # The fuzz agent's own export: the administrator reads it as not found (a job is its asker's alone).
    export_id = ok(call("POST", f"{api}/conversations/{conversation['id']}/exports", agent_headers,
                        {"format": "csv"}), 202)["id"]
    key = ok(call("POST", f"{api}/customer-attributes", admin,
                  {"key": unique("fz").replace("-", "_"), "label": "Fuzz", "type": "text"}), 201)["key"]
    receiver_url = f"{closed_port_url()}/events"
    subscription = ok(call("POST", f"{api}/event-subscriptions", admin,
                           {"url": receiver_url, "events": ["conversation.archived"], "description": "fuzz"}), 201)
    subscription_id = subscription["subscription"]["id"]
    ok(call("PATCH", f"{api}/event-subscriptions/{subscription_id}", admin, {"enabled": False}))
    current = ok(call("GET", f"{api}/settings/service", admin))
    before = {name: current[name] for name in ("agents_may_create_tags", "reopen_days", "seats", "auto_delete_days")}
    with requests.Session() as session:
        yield FuzzWorld(
            api=api, team_id=team, headers={"administrator": admin_headers, "agent": agent_headers},
            path_values={"conversation_id": conversation["id"], "team_id": team, "account_id": spare.id,
                         "user_id": subject["id"], "tag": unique("fuzz"), "group_id": group["id"],
                         "reply_id": reply["id"], "rule_id": rule["id"], "name": template["name"],
                         "language": template["language"], "customer_id": customer_id, "key": key,
                         # No delivery exists under this id: the replay answers 404 (the matrix replays a real one).
                         "subscription_id": subscription_id, "delivery_id": "fuzz-delivery",
                         "export_id": export_id},
            settings=before, session=session, receiver_url=receiver_url)
    # Put back what the fuzz changed for everyone: who is online, the seats its users took, the
    # service settings (seats not below those still in use: users it invited keep theirs).
    for user_id, teams in ((fuzz_admin["id"], ["default", team]), (agent["id"], [team])):
        presence.record_heartbeat(user_id, teams, datetime(2020, 1, 1, tzinfo=UTC))
    for user_id in (fuzz_admin["id"], agent["id"], subject["id"]):
        ok(call("POST", f"{api}/users/{user_id}/disable", admin))
    used = ok(call("GET", f"{api}/settings/service", admin))["seats_used"]
    ok(call("PATCH", f"{api}/settings/service", admin, {**before, "seats": max(before["seats"], used)}))
    made = ok(call("GET", f"{api}/event-subscriptions?limit=100", admin))["items"]
    for item in [item for item in made if item["url"] == receiver_url]:
        ok(call("DELETE", f"{api}/event-subscriptions/{item['id']}", admin), 204)
    drain(runtime, "outbound", "send")
    drain(runtime, "exports", rounds=5000)  # the exports the fuzz asked for, one per batch


def _pin(case: Case[Any], world: FuzzWorld) -> None:
    """Keep the fuzz's changes on its own objects where a field would reach beyond them."""
    if case.query and "team" in case.query:
        # Acting in a drawn team is refused before anything else (the authorization matrix covers
        # it); acting in the fuzz team lets the request go on to the use case.
        case.query["team"] = world.team_id
    if not isinstance(case.body, dict):
        return
    if (case.method.upper(), case.path) == ("POST", "/users") and "team_ids" in case.body:
        case.body["team_ids"] = [world.team_id]  # invited users join the fuzz team, not the default one
    if (case.method.upper(), case.path) == ("PATCH", "/settings/service") and "auto_delete_days" in case.body:
        # A new retention reschedules every archived conversation of the session: not a few examples' work.
        case.body["auto_delete_days"] = world.settings["auto_delete_days"]
    if case.path.startswith("/event-subscriptions") and case.method.upper() in {"POST", "PATCH"}:
        # Events go to no drawn host: only to the fuzz's own loopback address, and only while disabled.
        if "url" in case.body:
            case.body["url"] = world.receiver_url
        if case.method.upper() == "PATCH" and "enabled" in case.body:
            case.body["enabled"] = False


def check_answer(case: Case[Any], response: requests.Response) -> None:
    status = response.status_code
    if 400 <= status < 500:
        assert response.headers.get("Content-Type", "").startswith("application/json"), response.text[:300]
        error = response.json()["error"]
        assert error["code"], response.text[:300]
        assert error["message"], response.text[:300]
    # Never a 5xx; a 2xx body as documented.
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def test_the_fuzz_knows_every_access_label_and_path_parameter(fuzz):
    # Given every operation of the document; Then the fuzz knows whom to send it as, and its ids
    unknown = [f"{' '.join(key)}: access label {ACCESS[key]!r} is unknown; add it to AGENT_LABELS or "
               f"NO_AGENT_LABELS in {HERE}" for key in OPERATIONS if ACCESS[key] not in AGENT_LABELS | NO_AGENT_LABELS]
    unknown += [f"{' '.join(key)}: path parameter {{{parameter.name}}} has no id; add one to the fuzz fixture's "
                f"path_values in {HERE}" for key, operation in OPERATIONS.items()
                for parameter in operation.path_parameters if parameter.name not in fuzz.path_values]
    assert not unknown, "\n".join(unknown)


def fuzz_operation(world: FuzzWorld, who: str, key: tuple[str, str]) -> None:
    operation = OPERATIONS[key]
    missing = [parameter.name for parameter in operation.path_parameters if parameter.name not in world.path_values]
    assert not missing, f"{' '.join(key)}: add ids for {missing} to the fuzz fixture's path_values in {HERE}"
    fixed = {parameter.name: world.path_values[parameter.name] for parameter in operation.path_parameters}
    # The fuzz run's own objects (deep: the request reaches the use case), and drawn ids (shallow).
    strategy: st.SearchStrategy[Case[Any]] = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
        operation.as_strategy(GenerationMode.POSITIVE))
    headers = world.headers[who]

    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def answers_without_a_server_error(case: Case[Any]) -> None:
        _pin(case, world)
        request = case.as_transport_kwargs(base_url=world.api)
        # Signed in always: a drawn Authorization header (or none) would stop every request at the door.
        request["headers"] = {**(request.get("headers") or {}), **headers}
        response = world.session.request(**request, timeout=HTTP_TIMEOUT)
        check_answer(case, response)

    answers_without_a_server_error()


@pytest.mark.parametrize(("who", "key"), CASES, ids=lambda value: value if isinstance(value, str) else " ".join(value))
def test_no_request_the_schema_describes_or_breaks_gets_a_server_error(fuzz, who, key):
    # Given an operation of the document and a caller; When drawn requests are sent as them
    # Then none gets a 5xx, each 4xx is our JSON error, each 2xx body is as documented
    fuzz_operation(fuzz, who, key)


# --- cursors -----------------------------------------------------------------------------------

CURSOR_ROUTES = sorted((route.method, route.path) for route in kit.API_ROUTES
                       if route.query is not None and "cursor" in route.query.model_fields)


def _forged_cursors(world: FuzzWorld, key: tuple[str, str]) -> dict[str, str]:
    """Cursors no list gave out for this route: made up, altered, or another list's."""
    admin = world.headers["administrator"]
    donor = "/teams" if key[1] == "/users" else "/users"
    genuine = ok(call("GET", f"{world.api}{donor}?limit=1", admin))["next_cursor"]
    assert genuine, f"{donor} has one page only: the fuzz needs a second team and user"
    made_up = base64.urlsafe_b64encode(json.dumps({"pk": {"S": "CONV#x"}, "sk": {"N": "1"}}).encode()).decode()
    storage_cursor, _, mac = genuine.rpartition(".")
    return {"a start key of our own making": made_up, "not base64 at all": "%%%{}",
            "another list's cursor": genuine, "a cursor whose MAC was changed": f"{storage_cursor}.{mac[::-1]}",
            "a storage cursor without its MAC": storage_cursor, "a huge one": "A" * 20_000}


@pytest.mark.parametrize("key", CURSOR_ROUTES, ids=" ".join)
def test_a_cursor_this_list_did_not_give_out_is_a_400(fuzz, key):
    # Given a list route and cursors it never gave out
    path = key[1]
    for name, value in fuzz.path_values.items():
        path = path.replace(f"{{{name}}}", value)
    base = {"field": "name", "q": "fuzz%"} if key[1] == "/customers" else {}
    for what, cursor in _forged_cursors(fuzz, key).items():
        # When the administrator pages with one
        response = fuzz.session.get(f"{fuzz.api}{path}", params={**base, "cursor": cursor},
                                    headers=fuzz.headers["administrator"], timeout=HTTP_TIMEOUT)
        # Then it is refused as a bad cursor (or the request as too long), never run or a 5xx
        assert response.status_code in {400, 413, 414}, f"{what}: {response.status_code} {response.text[:300]}"
        if response.status_code == 400:
            assert response.json()["error"]["field"] == "cursor", f"{what}: {response.text[:300]}"


def test_a_cursor_pages_its_own_list():
    # Given the sealing the transport applies; Then a cursor opens only for the list it was sealed for
    key = b"k" * 32
    users = cursors.scope("/users", {}, [("limit", "1")])
    sealed = cursors.seal(key, users, "eyJwayI6IngifQ==")
    assert cursors.open_sealed(key, cursors.scope("/users", {}, [("limit", "50"), ("cursor", sealed)]),
                               sealed) == "eyJwayI6IngifQ=="
    for other in (cursors.scope("/teams", {}, []), cursors.scope("/users", {}, [("role", "agent")]),
                  cursors.scope("/users/{user_id}", {"user_id": "u"}, [])):
        with pytest.raises(InvalidInput):
            cursors.open_sealed(key, other, sealed)
