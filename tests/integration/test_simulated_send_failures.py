"""A send the simulated provider refuses with 429 goes out after the delayed-retry state machine
puts it back on the send queue, on a channel other than WhatsApp (Twilio SMS), and its status
callback then moves it to delivered."""

import secrets

import requests

from tests.integration.conftest import drain
from tests.integration.test_message_pipeline import conversation_of, messages_of
from tests.support import HTTP_TIMEOUT, find, wait_for


def test_an_sms_reply_refused_with_429_goes_out_after_the_delayed_retry(runtime, api, agent1, demo):
    simulator = runtime.info.simulator_url
    account_id = demo["accounts"]["sms"]["account_id"]
    customer = "+3161" + str(secrets.randbelow(10**7)).zfill(7)
    # Given a customer texted the demo SMS number through the simulator (a signed Twilio webhook)
    answer = requests.post(f"{simulator}/control/sms/{account_id}/messages",
                           json={"from": customer, "name": "Ana", "text": "Any news?"}, timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200
    drain(runtime, "inbound", "assignment", "out-of-office")
    conversation_id = conversation_of(api, agent1, customer)["id"]
    requests.post(f"{api}/conversations/{conversation_id}/pickup", headers=agent1,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    # And Twilio will answer the next send with 429 Too Many Requests
    requests.post(f"{simulator}/control/sms/failures", json={"mode": "429", "count": 1},
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
        drain(runtime, "inbound")
        message = find(messages_of(api, agent1, conversation_id), direction="outbound")
        return message if message["status"] == "delivered" else None

    assert wait_for(delivered, what="delivered status")["provider_message_id"] == sent["id"]
