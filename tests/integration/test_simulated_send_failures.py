"""A send the simulated provider refuses with 429 goes out after the delayed-retry state machine
puts it back on the send queue, on a channel other than WhatsApp (Twilio SMS), and its status
callback then moves it to delivered. A reply sent as several provider messages whose second part
fails resumes after the part that went: the customer gets each part once."""

import json
import secrets

import requests

from tests.integration.conftest import drain
from tests.integration.inbox_support import picked_up_from_simulator
from tests.integration.test_inbox_compose import upload
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, find, wait_for


def send_failures(output: str) -> list[tuple[str, str]]:
    """The SendFailures figures (EMF lines the send worker printed): (channel, failure class) each."""
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"SendFailures"' in line]
    return [(line["channel"], line["failure_class"]) for line in lines if "_aws" in line]


def test_an_sms_reply_refused_with_429_goes_out_after_the_delayed_retry(runtime, api, agent1, demo, capsys):
    simulator = runtime.info.simulator_url
    customer = "+3161" + str(secrets.randbelow(10**7)).zfill(7)
    # Given a customer texted the demo SMS number through the simulator (a signed Twilio webhook)
    conversation_id = picked_up_from_simulator(runtime, api, agent1, demo, "sms", customer, "Any news?")
    # And Twilio will answer the next send with 429 Too Many Requests
    requests.post(f"{simulator}/control/sms/failures", json={"mode": "429", "count": 1, "to": customer},
                  timeout=HTTP_TIMEOUT).raise_for_status()

    # When the agent replies
    requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "Yes: it left today"},
                  headers=agent1, timeout=HTTP_TIMEOUT).raise_for_status()
    drain(runtime, "outbound", "send")

    # Then the first attempt is refused and the reply waits, queued
    def at_simulator():
        return find(requests.get(f"{simulator}/control/outbox", params={"channel": "sms", "to": customer},
                                 timeout=HTTP_TIMEOUT).json()["items"], to=customer)

    assert at_simulator() is None
    assert find(messages_of(api, agent1, conversation_id), direction="outbound")["status"] == "queued"
    # And the send worker counted a transient SMS send failure (the SendFailures metric, by class;
    # the runtime is shared, so an earlier test's delayed retry on another channel may be counted too)
    counted = send_failures(capsys.readouterr().out)
    assert [failure for failure in counted if failure[0] == "sms"] == [("sms", "transient")]

    # And the delayed retry sends it once
    def retried():
        drain(runtime, "send")
        return at_simulator()

    sent = wait_for(retried, timeout=30, interval=0.5, what="the send after the delayed retry")
    assert sent["text"] == "Yes: it left today"
    outbox = requests.get(f"{simulator}/control/outbox", params={"channel": "sms", "to": customer},
                          timeout=HTTP_TIMEOUT).json()["items"]
    assert len(outbox) == 1

    # And Twilio's status callbacks mark it delivered
    def delivered():
        drain(runtime, "inbound", "statuses")
        message = find(messages_of(api, agent1, conversation_id), direction="outbound")
        return message if message["status"] == "delivered" else None

    assert wait_for(delivered, what="delivered status")["provider_message_id"] == sent["id"]


def test_a_reply_in_parts_resumes_after_the_parts_that_went(runtime, api, agent1, demo):
    simulator = runtime.info.simulator_url
    chat = str(10**9 + secrets.randbelow(10**9))
    # Given a Telegram customer (Telegram takes one picture per message, the text as the first caption)
    conversation_id = picked_up_from_simulator(runtime, api, agent1, demo, "telegram", chat, "Photos of the damage?")
    pictures = [upload(api, agent1, conversation_id, f"photo{n}.png", "image/png",
                       b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(500)) for n in range(3)]
    # And Telegram will answer the second call with 500, once
    requests.post(f"{simulator}/control/telegram/failures", json={"mode": "500", "count": 1, "after": 1, "to": chat},
                  timeout=HTTP_TIMEOUT).raise_for_status()

    # When the agent replies with text and three pictures (three Telegram messages)
    requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent1, timeout=HTTP_TIMEOUT,
                  json={"text": "Here they are", "attachments": [{"key": key} for key in pictures]}
                  ).raise_for_status()
    drain(runtime, "outbound", "send")

    def at_customer():
        return requests.get(f"{simulator}/control/outbox", params={"channel": "telegram", "to": chat},
                            timeout=HTTP_TIMEOUT).json()["items"]

    # Then the first part went, the second failed, and the reply waits for its retry
    assert [item["text"] for item in at_customer()] == ["Here they are"]
    reply = find(messages_of(api, agent1, conversation_id), direction="outbound")
    assert reply["status"] == "queued"
    assert len(reply["sent_parts"]) == 1

    # And after the delayed retry the customer has each part exactly once, in order
    def all_parts():
        drain(runtime, "send")
        items = at_customer()
        return items if len(items) >= 3 else None

    items = wait_for(all_parts, timeout=30, interval=0.5, what="the rest of the reply after the retry")
    assert len(at_customer()) == 3
    assert [item["payload"]["method"] for item in items] == ["sendPhoto"] * 3
    assert [item["payload"].get("caption") for item in items] == ["Here they are", None, None]
    assert len({item["payload"]["photo"].split("?")[0] for item in items}) == 3
    reply = find(messages_of(api, agent1, conversation_id), direction="outbound")
    assert reply["status"] == "sent"
    assert reply["provider_message_id"] == items[0]["id"]
    assert reply["sent_parts"] == [item["id"] for item in items]
