"""Event webhooks on moto: an administrator subscribes a loopback receiver, the inbox's events
reach it signed with the subscription's secret, a failed delivery comes back through the
delayed-retry machine, the delivery log shows every attempt newest first, and a replay delivers
the event once more."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.admin_helpers import call, ok
from tests.integration.conftest import drain, queue_depth, settle_then_drain
from tests.integration.test_message_pipeline import conversation_of, deliver
from tests.loopback import Answer, LoopbackServer, Recorded, loopback_server
from tests.support import new_wa_id, wait_for

Subscribe = Callable[..., dict[str, Any]]


def verified(recorded: Recorded, secret: str, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/event-webhooks.md tells integrators to write it."""
    fields: dict[str, list[str]] = {}
    for part in recorded.headers["x-contact-signature"].split(","):
        name, _, value = part.partition("=")
        fields.setdefault(name.strip(), []).append(value.strip())
    timestamp = int(fields["t"][0])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + recorded.body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - timestamp) <= tolerance
    return fresh and any(hmac.compare_digest(expected, v1) for v1 in fields.get("v1", []))


@pytest.fixture
def receiver() -> Iterator[LoopbackServer]:
    with loopback_server(Answer(200, {"received": True})) as server:
        yield server


@pytest.fixture
def subscribe(runtime, api, admin) -> Iterator[Subscribe]:
    """Subscribe URLs, after the events queue is drained of earlier tests' events (every inbox test
    publishes some, three records a batch); unsubscribe after."""
    drain(runtime, "events", rounds=2000)
    created: list[str] = []

    def create(url: str, events: list[str]) -> dict[str, Any]:
        answer = ok(call("POST", f"{api}/event-subscriptions", admin, {"url": url, "events": events}), 201)
        created.append(answer["subscription"]["id"])
        return dict(answer)

    yield create
    for subscription_id in created:
        call("DELETE", f"{api}/event-subscriptions/{subscription_id}", admin)


def log_of(api: str, admin: dict[str, str], subscription_id: str) -> list[dict[str, Any]]:
    return list(ok(call("GET", f"{api}/event-subscriptions/{subscription_id}/deliveries?limit=50", admin))["items"])


def test_a_failed_delivery_is_retried_logged_and_can_be_replayed(runtime, api, admin, agent1, webhook_url, demo,
                                                                 receiver, subscribe):
    # Given a subscription to new conversations whose receiver fails once
    receiver.answer("POST", "/hooks", Answer(500, {"error": "busy"}), Answer(200, {"ok": True}))
    created = subscribe(f"{receiver.base_url}/hooks", ["conversation.created"])
    subscription, secret = created["subscription"], created["secret"]
    assert secret.startswith("whsec_")
    # And the secret is shown only at creation
    assert "secret" not in ok(call("GET", f"{api}/event-subscriptions/{subscription['id']}", admin))

    # When a customer opens a conversation and the event worker runs
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "hello, anyone?")
    conversation = conversation_of(api, agent1, wa_id)

    def delivered_twice() -> bool:
        drain(runtime, "events")
        return len(receiver.requests) >= 2

    # Then the delayed-retry machine brings the failed delivery back and the second attempt succeeds
    wait_for(delivered_twice, timeout=30, interval=0.5, what="the retried event delivery")
    first, second = receiver.requests
    for recorded in (first, second):
        assert verified(recorded, secret)
        assert recorded.headers["x-contact-event"] == "conversation.created"
    assert first.body == second.body
    assert first.headers["x-contact-event-id"] == second.headers["x-contact-event-id"]
    assert (first.headers["x-contact-attempt"], second.headers["x-contact-attempt"]) == ("1", "2")
    event = second.json()
    assert event["type"] == "conversation.created"
    assert event["id"] == second.headers["x-contact-event-id"]
    assert event["data"]["conversation"]["id"] == conversation["id"]
    assert event["data"]["conversation"]["customer_id"] == "+" + wa_id

    # And the delivery log shows both attempts, newest first
    log = log_of(api, admin, subscription["id"])
    assert [(line["attempt"], line["status_code"], line["outcome"]) for line in log] == [
        (2, 200, "delivered"), (1, 500, "retrying")]
    assert {line["event_id"] for line in log} == {event["id"]}
    delivery_id = log[0]["delivery_id"]
    assert second.headers["x-contact-delivery"] == delivery_id

    # When an administrator replays the delivery
    replay = ok(call("POST", f"{api}/event-subscriptions/{subscription['id']}/deliveries/{delivery_id}/replay",
                     admin), 202)
    assert replay["event_id"] == event["id"]
    drain(runtime, "events")

    # Then the receiver gets the same event a third time, signed afresh, and the log says so
    assert len(receiver.requests) == 3
    third = receiver.requests[2]
    assert verified(third, secret)
    assert third.body == second.body
    assert third.headers["x-contact-attempt"] == "3"
    newest = log_of(api, admin, subscription["id"])[0]
    assert (newest["attempt"], newest["outcome"], newest["replay"]) == (3, "delivered", True)


def test_a_refused_delivery_is_not_retried(runtime, api, admin, webhook_url, demo, receiver, subscribe):
    receiver.answer("POST", "/refuse", Answer(410, {"error": "gone"}))
    subscription = subscribe(f"{receiver.base_url}/refuse", ["message.created"])["subscription"]
    deliver(runtime, webhook_url, demo, new_wa_id(), "anyone?")
    drain(runtime, "events")
    time.sleep(2)  # longer than the first backoff: a retry would be back by now
    drain(runtime, "events")
    assert len(receiver.requests) == 1
    [line] = log_of(api, admin, subscription["id"])
    assert (line["status_code"], line["outcome"]) == (410, "failed")


def test_the_inbox_publishes_each_kind_of_event(runtime, api, admin, agent1, webhook_url, demo, receiver,
                                                subscribe):
    # Given a subscription to every event
    secret = subscribe(f"{receiver.base_url}/all", ["conversation.created", "conversation.assigned",
                                                    "conversation.archived", "message.created",
                                                    "message.status_changed"])["secret"]
    # When a conversation goes through its life: opened, picked up, answered, archived
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "my kettle leaks")
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    ok(call("POST", f"{api}/conversations/{conversation_id}/pickup", agent1))
    reply = ok(call("POST", f"{api}/conversations/{conversation_id}/messages", agent1, {"text": "Sorry!"}), 202)
    drain(runtime, "outbound", "send")
    settle_then_drain(runtime)  # the provider's delivered and read callbacks, through the status worker
    ok(call("POST", f"{api}/conversations/{conversation_id}/archive", agent1, {}))
    drain(runtime, "events")

    # Then the receiver got each event of this conversation, signed
    mine = [r for r in receiver.requests if conversation_id in r.body.decode()]
    assert all(verified(r, secret) for r in mine)
    kinds = [r.json()["type"] for r in mine]
    for kind in ("conversation.created", "conversation.assigned", "conversation.archived"):
        assert kinds.count(kind) == 1, kinds
    messages = [r.json()["data"]["message"] for r in mine if r.json()["type"] == "message.created"]
    assert [(m["direction"], m["text"]) for m in messages] == [("inbound", "my kettle leaks"), ("outbound", "Sorry!")]
    statuses = [r.json()["data"] for r in mine if r.json()["type"] == "message.status_changed"]
    for status in ("sent", "delivered", "read"):
        assert {"message_id": reply["id"], "conversation_id": conversation_id, "status": status,
                "error": None} in statuses


def test_only_administrators_manage_subscriptions(api, agent1, admin, receiver, subscribe):
    response = call("POST", f"{api}/event-subscriptions", agent1,
                    {"url": f"{receiver.base_url}/x", "events": ["message.created"]})
    assert response.status_code == 403
    bad = call("POST", f"{api}/event-subscriptions", admin, {"url": "ftp://example.com", "events": ["x"]})
    assert bad.status_code == 400
    missing = call("POST", f"{api}/event-subscriptions/nope/deliveries/nope/replay", admin)
    assert missing.status_code == 404


def test_an_event_nobody_subscribed_to_costs_no_queue_message(runtime, api, admin, webhook_url, demo, sqs, receiver,
                                                              subscribe):
    # Given no event subscriptions at all (whatever earlier tests left) and an empty events queue
    for leftover in ok(call("GET", f"{api}/event-subscriptions?limit=100", admin))["items"]:
        call("DELETE", f"{api}/event-subscriptions/{leftover['id']}", admin)
    events_queue = runtime.resources.queue_urls["events"]
    assert queue_depth(sqs, events_queue) == 0

    # When a customer opens a conversation
    deliver(runtime, webhook_url, demo, new_wa_id(), "is anyone listening?")
    # Then neither conversation.created nor message.created was queued
    assert queue_depth(sqs, events_queue) == 0

    # When an administrator subscribes to new messages (in this process the change applies at once)
    subscribe(f"{receiver.base_url}/messages", ["message.created"])
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "and now?")
    # Then only the wanted event is queued, and delivered
    assert queue_depth(sqs, events_queue) == 1
    drain(runtime, "events")
    [delivered] = receiver.requests
    assert delivered.json()["type"] == "message.created"
    assert delivered.json()["data"]["message"]["text"] == "and now?"
