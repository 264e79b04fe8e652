"""The generic API channel end to end on moto: an integrator's signed message becomes a
conversation, the agent's reply reaches the integrator's reply_url signed (after the delayed
retries when the integrator's server fails), and unsigned, forged or stale requests queue nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.integration.admin_helpers import call, ok, unique
from tests.integration.conftest import drain, queue_depth
from tests.loopback import Answer, LoopbackServer, loopback_server
from tests.support import HTTP_TIMEOUT, find, wait_for

SECRET = "integration-" + secrets.token_hex(16)


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """The integrator's side of the scheme, written from docs/api-channel.md (not our module)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verified(header: str, body: bytes, secret: str = SECRET, tolerance: int = 300) -> bool:
    """What the integrator's receiver does with our replies (the snippet of docs/api-channel.md)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    timestamp = int(fields["t"][0])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))


@pytest.fixture
def integrator() -> Iterator[LoopbackServer]:
    with loopback_server(Answer(200, {"ok": True})) as server:
        yield server


def new_api_account(api: str, admin: dict[str, str], integrator: LoopbackServer, name: str = "shop") -> str:
    account_id = unique(name)
    ok(call("POST", f"{api}/channel-accounts", admin, {
        "id": account_id, "channel": "api", "name": f"Integrator {name}", "provider_account_id": f"{name}-backend",
        "api_base_url": integrator.base_url,
        "credentials": {"secret": SECRET, "reply_url": f"{integrator.base_url}/replies"}}), 201)
    return account_id


@pytest.fixture
def api_account(api: str, admin: dict[str, str], integrator: LoopbackServer) -> str:
    return new_api_account(api, admin, integrator)


def post_signed(runtime: Any, account_id: str, document: dict[str, Any], *, signed_at: int | None = None,
                secret: str = SECRET, signature: str | None = None) -> requests.Response:
    body = json.dumps(document).encode()
    headers = {"Content-Type": "application/json"}
    if signature is None:
        signature = sign(body, signed_at or int(time.time()), secret)
    if signature:
        headers["X-Contact-Signature"] = signature
    return requests.post(f"{runtime.info.webhook_base_url}/api/{account_id}", data=body, headers=headers,
                         timeout=HTTP_TIMEOUT)


def customer_message(customer_id: str, text: str, message_id: str | None = None) -> dict[str, Any]:
    return {"type": "message", "message_id": message_id or unique("msg"), "customer_id": customer_id,
            "customer_name": "Ada Lovelace", "text": text, "timestamp": int(time.time())}


def conversation_of(api: str, headers: dict[str, str], account_id: str, customer_id: str) -> dict[str, Any]:
    items = requests.get(f"{api}/conversations", params={"view": "all", "limit": "100"}, headers=headers,
                         timeout=HTTP_TIMEOUT).json()["items"]
    found = find(items, account_id=account_id, customer_id=customer_id)
    assert found is not None
    return found


def thread(api: str, headers: dict[str, str], conversation_id: str) -> list[dict[str, Any]]:
    return list(requests.get(f"{api}/conversations/{conversation_id}/messages", headers=headers,
                             timeout=HTTP_TIMEOUT).json()["items"])


def test_round_trip_with_signatures_both_ways_and_retries(runtime, api, agent1, integrator, api_account):
    # Given a customer's message posted by the integrator, signed with the account's secret
    response = post_signed(runtime, api_account, customer_message("cust-1", "Where is order 77?"))
    assert response.status_code == 200, response.text
    assert response.json() == {"queued": 1}
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    conversation = conversation_of(api, agent1, api_account, "cust-1")
    assert (conversation["channel"], conversation["customer_name"]) == ("api", "Ada Lovelace")
    assert [m["text"] for m in thread(api, agent1, conversation["id"])] == ["Where is order 77?"]

    # And the integrator's server fails twice before it takes the reply
    integrator.answer("POST", "/replies", Answer(500, {"error": "down"}), Answer(503, b""),
                      Answer(200, {"ok": True}))
    ok(call("POST", f"{api}/conversations/{conversation['id']}/pickup", agent1))

    # When the agent replies
    ok(call("POST", f"{api}/conversations/{conversation['id']}/messages", agent1, {"text": "It ships today"}), 202)
    drain(runtime, "outbound", "send")
    assert find(thread(api, agent1, conversation["id"]), direction="outbound")["status"] == "queued"

    # Then the delayed-retry machine brings the reply back until the integrator takes it
    def three_posts() -> bool:
        drain(runtime, "send")
        return len(integrator.requests) >= 3

    wait_for(three_posts, timeout=30, interval=0.5, what="the reply after two failures")
    reply = find(thread(api, agent1, conversation["id"]), direction="outbound")
    assert reply["status"] == "sent"
    # And every attempt was the same reply, signed so that the integrator can verify it
    assert {posted.json()["message_id"] for posted in integrator.requests} == {reply["id"]}
    for posted in integrator.requests:
        assert posted.path == "/replies"
        assert verified(posted.headers["x-contact-signature"], posted.body)
        assert posted.headers["idempotency-key"] == reply["id"]
    document = integrator.requests[-1].json()
    assert (document["message_id"], document["customer_id"], document["text"]) == (reply["id"], "cust-1",
                                                                                  "It ships today")
    assert document["conversation_id"] == conversation["id"]

    # When the integrator reports the reply delivered
    status = {"type": "status", "message_id": reply["id"], "customer_id": "cust-1", "status": "delivered",
              "timestamp": int(time.time())}
    assert post_signed(runtime, api_account, status).status_code == 200
    drain(runtime, "inbound", "statuses")
    # Then the agent sees it
    assert find(thread(api, agent1, conversation["id"]), direction="outbound")["status"] == "delivered"


def test_a_refused_reply_fails_at_once(runtime, api, agent1, integrator, api_account):
    post_signed(runtime, api_account, customer_message("cust-2", "hello"))
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    conversation = conversation_of(api, agent1, api_account, "cust-2")
    ok(call("POST", f"{api}/conversations/{conversation['id']}/pickup", agent1))
    # Given an integrator that refuses the reply as a bad request
    integrator.answer("POST", "/replies", Answer(400, {"error": "unknown customer"}))
    # When the agent replies
    ok(call("POST", f"{api}/conversations/{conversation['id']}/messages", agent1, {"text": "hi"}), 202)
    drain(runtime, "outbound", "send")
    # Then it is not retried and the failure shows on the message
    reply = find(thread(api, agent1, conversation["id"]), direction="outbound")
    assert reply["status"] == "failed"
    assert reply["error"]["code"] == "http_400"
    assert len(integrator.requests) == 1


def test_a_redelivered_message_is_stored_once(runtime, api, agent1, api_account):
    message = customer_message("cust-3", "only once", message_id=unique("dup"))
    for _ in range(3):
        assert post_signed(runtime, api_account, message).status_code == 200
        drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    conversation = conversation_of(api, agent1, api_account, "cust-3")
    assert [m["text"] for m in thread(api, agent1, conversation["id"])] == ["only once"]


@pytest.mark.parametrize("case", ["missing", "forged", "other secret", "stale", "future", "tampered"])
def test_unsigned_forged_and_stale_requests_get_401_and_queue_nothing(runtime, sqs, api_account, case):
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    message = customer_message("cust-4", "let me in")
    now = int(time.time())
    body = json.dumps(message).encode()
    signature = {
        "missing": "",
        "forged": f"t={now},v1={'ab' * 32}",
        "other secret": sign(body, now, secret="not-the-account-secret-0123456789"),
        "stale": sign(body, now - 301),
        "future": sign(body, now + 3600),
        # Signed over other bytes than those sent
        "tampered": sign(json.dumps({**message, "text": "something else"}).encode(), now),
    }[case]
    response = post_signed(runtime, api_account, message, signature=signature)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert queue_depth(sqs, runtime.resources.queue_urls["inbound"]) == 0


def test_an_invalid_payload_is_400_naming_the_field(runtime, api_account):
    response = post_signed(runtime, api_account, {"type": "message", "customer_id": "c", "text": "x",
                                                  "timestamp": int(time.time())})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "message_id"


def test_api_credentials_are_checked_when_the_account_is_added(api, admin, integrator):
    response = call("POST", f"{api}/channel-accounts", admin, {
        "id": unique("weak"), "channel": "api", "name": "Weak", "provider_account_id": "x",
        "api_base_url": integrator.base_url, "credentials": {"secret": "short", "reply_url": integrator.base_url}})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "credentials.secret"


def test_two_integrators_using_the_same_customer_id_have_two_customers(runtime, api, admin, agent1, integrator,
                                                                       api_account):
    # Given a second integrator, with its own API channel account
    bank = new_api_account(api, admin, integrator, "bank")
    # When each integrator's customer with the same id writes
    customer_id = unique("cust")
    for account_id, text in ((api_account, "from the shop"), (bank, "from the bank")):
        assert post_signed(runtime, account_id, customer_message(customer_id, text)).status_code == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    # Then there are two customers, each owning the address of its account only
    shop_customer, bank_customer = (
        ok(call("GET", f"{api}/conversations/{conversation_of(api, agent1, account_id, customer_id)['id']}/customer",
                agent1)) for account_id in (api_account, bank))
    assert shop_customer["profile"]["id"] != bank_customer["profile"]["id"]
    assert [a["address"] for a in shop_customer["addresses"]] == [f"api:{api_account}/{customer_id}"]
    assert [a["address"] for a in bank_customer["addresses"]] == [f"api:{bank}/{customer_id}"]
    # And searching by the integrators' own id finds both
    found = ok(call("GET", f"{api}/customers?field=channel_id&q={customer_id}", agent1))["items"]
    assert {hit["id"] for hit in found} == {shop_customer["profile"]["id"], bank_customer["profile"]["id"]}
