"""The team boundary on customers (docs/security.md, "Customers"): every signed-in user reads a
profile, but only administrators and agents of a team the customer wrote to change it; a log
entry tied to a conversation is read and written only by those who may work on that
conversation; an opt-out recorded for a channel covers every address of the profile there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.integration.admin_helpers import Account, call, new_whatsapp_account, ok, say
from tests.integration.inbox_support import by_customer, exported
from tests.support import HTTP_TIMEOUT, new_wa_id


@dataclass(frozen=True)
class Customers:
    default_account: Account
    sales_account: Account
    # A customer who wrote only to the sales team.
    sales_only: str
    sales_conversation: str
    # A customer who wrote to both teams (one profile: the same WhatsApp number).
    shared: str
    shared_default_conversation: str
    shared_sales_conversation: str


def _customer_of(api: str, headers: dict[str, str], conversation_id: str) -> str:
    return str(ok(call("GET", f"{api}/conversations/{conversation_id}/customer", headers))["profile"]["id"])


def _writes(runtime: Any, api: str, admin: dict[str, str], account: Account, wa_id: str, team: str) -> str:
    say(runtime, account, wa_id, "hello")
    found = by_customer(api, admin, wa_id, team=team)
    assert found is not None
    return str(found["id"])


@pytest.fixture(scope="module")
def customers(runtime, api, admin, outsider) -> Customers:
    del outsider  # makes the sales team and its agent
    default_account = new_whatsapp_account(runtime, api, admin)
    sales_account = new_whatsapp_account(runtime, api, admin, team_id="sales")
    sales_conversation = _writes(runtime, api, admin, sales_account, new_wa_id(), "sales")
    both = new_wa_id()
    shared_default = _writes(runtime, api, admin, default_account, both, "default")
    shared_sales = _writes(runtime, api, admin, sales_account, both, "sales")
    shared = _customer_of(api, admin, shared_default)
    assert _customer_of(api, admin, shared_sales) == shared
    return Customers(default_account, sales_account, _customer_of(api, admin, sales_conversation),
                     sales_conversation, shared, shared_default, shared_sales)


def test_an_agent_of_another_team_reads_but_does_not_change_the_customer(api, agent1, customers):
    # Given a customer who wrote only to the sales team
    path = f"{api}/customers/{customers.sales_only}"
    before = ok(call("GET", path, agent1))
    # When an agent of the default team tries every change
    attempts = [
        call("PATCH", path, agent1, {"name": "Renamed by another team"}),
        call("POST", f"{path}/addresses", agent1, {"address": "email:not-theirs@example.com"}),
        call("POST", f"{path}/log", agent1, {"direction": "inbound", "medium": "phone", "text": "planted"}),
        call("POST", f"{path}/consent", agent1, {"channel": "whatsapp", "opted_out": True}),
    ]
    # Then each is refused naming the boundary, and the profile is as it was
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    after = ok(call("GET", path, agent1))
    assert after["profile"] == before["profile"]
    assert after["addresses"] == before["addresses"]
    assert after["log"] == before["log"]
    assert after["consent"] == before["consent"]


def test_merge_needs_both_profiles_in_the_agents_teams(runtime, api, agent1, admin, customers):
    # Given a customer of the default team, and one who wrote only to sales
    mine = _customer_of(api, admin, _writes(runtime, api, admin, customers.default_account, new_wa_id(), "default"))
    # When an agent of the default team merges the sales customer into theirs, or theirs into it
    into_mine = call("POST", f"{api}/customers/{mine}/merge", agent1, {"source_id": customers.sales_only})
    into_theirs = call("POST", f"{api}/customers/{customers.sales_only}/merge", agent1, {"source_id": mine})
    # Then both are refused, and neither profile moved
    assert into_mine.status_code == 403, into_mine.text
    assert into_theirs.status_code == 403, into_theirs.text
    assert ok(call("GET", f"{api}/customers/{customers.sales_only}", admin))["profile"]["merged_into"] is None
    assert ok(call("GET", f"{api}/customers/{mine}", admin))["profile"]["merged_into"] is None


def test_a_log_entry_tied_to_a_conversation_follows_that_conversations_team(runtime, api, agent1, admin, outsider,
                                                                          customers):
    # Given a customer who wrote to both teams: agents of either team may change the profile
    path = f"{api}/customers/{customers.shared}"
    mine = ok(call("POST", f"{path}/log", agent1, {"direction": "inbound", "medium": "phone", "text": "called us",
                                                  "conversation_id": customers.shared_default_conversation}), 201)
    # When the default team's agent ties an entry to the sales conversation
    planted = call("POST", f"{path}/log", agent1, {"direction": "inbound", "medium": "phone", "text": "planted",
                                                   "conversation_id": customers.shared_sales_conversation})
    # Then it is refused
    assert planted.status_code == 403, planted.text
    # And an entry the administrator ties to the sales conversation is not shown to the default team's agent
    theirs = ok(call("POST", f"{path}/log", admin, {"direction": "outbound", "medium": "letter", "text": "sales only",
                                                   "conversation_id": customers.shared_sales_conversation}), 201)
    seen_by_agent = {entry["id"] for entry in ok(call("GET", f"{path}/log", agent1))["items"]}
    assert mine["id"] in seen_by_agent
    assert theirs["id"] not in seen_by_agent
    assert theirs["id"] not in {entry["id"] for entry in ok(call("GET", path, agent1))["log"]}
    # While the sales agent sees it, and not the default team's
    seen_by_sales = {entry["id"] for entry in ok(call("GET", f"{path}/log", outsider))["items"]}
    assert theirs["id"] in seen_by_sales
    assert mine["id"] not in seen_by_sales
    # And the planted text reached no export of the sales conversation
    export = exported(runtime, api, f"/conversations/{customers.shared_sales_conversation}/exports", admin,
                      {"format": "csv"})
    assert export.status_code == 200
    assert "planted" not in export.text


def test_an_agent_opt_out_covers_every_address_of_the_channel(runtime, api, agent1, admin, customers):
    # Given a customer of the default team with a second phone number
    conversation = _writes(runtime, api, admin, customers.default_account, new_wa_id(), "default")
    customer = _customer_of(api, admin, conversation)
    second = "+" + new_wa_id()
    ok(call("POST", f"{api}/customers/{customer}/addresses", agent1, {"address": f"phone:{second}"}), 201)
    # When the agent records a WhatsApp opt-out the customer gave on the phone
    view = ok(call("POST", f"{api}/customers/{customer}/consent", agent1,
                   {"channel": "whatsapp", "opted_out": True, "detail": "asked on the phone"}), 201)
    # Then both numbers are opted out on WhatsApp (and SMS is untouched)
    whatsapp = {state["address"]: state["opted_out"] for state in view["states"] if state["channel"] == "whatsapp"}
    assert len(whatsapp) == 2
    assert all(whatsapp.values()), whatsapp
    assert not any(state["opted_out"] for state in view["states"] if state["channel"] == "sms")
    # And an opt-in for one named address covers that one only
    view = ok(call("POST", f"{api}/customers/{customer}/consent", agent1,
                   {"channel": "whatsapp", "opted_out": False, "address": f"phone:{second}"}), 201)
    whatsapp = {state["address"]: state["opted_out"] for state in view["states"] if state["channel"] == "whatsapp"}
    assert whatsapp[second] is False
    assert [value for address, value in whatsapp.items() if address != second] == [True]
    # And an address the profile does not have is refused by name
    stranger = call("POST", f"{api}/customers/{customer}/consent", agent1,
                    {"channel": "whatsapp", "opted_out": True, "address": f"phone:+{new_wa_id()}"})
    assert stranger.status_code == 400, stranger.text
    assert stranger.json()["error"]["field"] == "address"


def test_answers_with_personal_data_are_not_kept_by_browsers_or_proxies(api, agent1, customers):
    # When an agent reads a customer, their own profile, and something that does not exist
    for path in (f"/customers/{customers.shared}", "/me", "/customers/no-such-customer"):
        response = call("GET", f"{api}{path}", agent1)
        # Then no cache keeps the answer, and its type is not sniffed
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_the_local_web_server_sends_the_web_apps_security_headers(runtime):
    # When the browser loads the web app from the local runtime
    response = requests.get(f"{runtime.info.web_url}/", timeout=HTTP_TIMEOUT)
    # Then it carries the headers CloudFront's policy adds in AWS (shared/core/web_policy.py)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
