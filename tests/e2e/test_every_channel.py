"""Every channel, over real HTTP on loopback against ``python -m local``: a customer writes
through the channel simulator (the provider's own signed webhook), the agent picks the
conversation up and replies, the reply reaches the simulator on the customer's channel through
the provider's API, and where the provider reports statuses the reply reaches delivered or read."""

import secrets

import requests

from tests.support import HTTP_TIMEOUT, find, login, new_wa_id, wait_for

CHANNELS = ("whatsapp", "messenger", "instagram", "telegram", "sms", "viber", "email")
# The furthest status each provider reports through the simulator (Telegram reports none; SES
# reports delivery through SNS).
FINAL_STATUS = {"whatsapp": "read", "messenger": "read", "instagram": "read", "telegram": "sent",
                "sms": "delivered", "viber": "read", "email": "delivered"}


def new_customer(channel: str) -> str:
    """A customer id as the channel writes it; it is also the id our conversation keeps."""
    return {
        "whatsapp": new_wa_id(),
        "messenger": "6" + str(secrets.randbelow(10**15)).zfill(15),
        "instagram": "5" + str(secrets.randbelow(10**15)).zfill(15),
        "telegram": str(10**9 + secrets.randbelow(10**9)),
        "sms": "+3161" + str(secrets.randbelow(10**7)).zfill(7),
        "viber": secrets.token_urlsafe(12) + "=",
        "email": f"customer.{secrets.token_hex(4)}@example.net",
    }[channel]


def stored_id(channel: str, customer: str) -> str:
    """The customer id our conversation keeps: phone numbers in E.164 (WhatsApp sends digits)."""
    return "+" + customer if channel == "whatsapp" else customer


def in_new(api: str, agent: dict[str, str], customer: str) -> dict[str, object] | None:
    """The customer's conversation in New (by the exact customer filter: earlier tests leave many
    conversations waiting there)."""
    items = requests.get(f"{api}/conversations", params={"view": "new", "customer": customer}, headers=agent,
                         timeout=HTTP_TIMEOUT).json()["items"]
    return find(items, customer_id=customer)


def test_a_customer_on_each_channel_gets_the_agents_reply_on_that_channel(system):
    info = system.info
    api, simulator = info["api_url"], info["simulator_url"]
    accounts = info["demo"]["accounts"]
    assert set(accounts) == set(CHANNELS)
    customers = {channel: new_customer(channel) for channel in CHANNELS}

    # Given a customer writes on each channel through the simulator
    for channel in CHANNELS:
        answer = requests.post(f"{simulator}/control/{channel}/{accounts[channel]['account_id']}/messages",
                               json={"from": customers[channel], "name": "Ana de Vries",
                                     "text": f"Where is my order? ({channel})"}, timeout=HTTP_TIMEOUT)
        assert answer.json()["webhook_status"] == 200, (channel, answer.text)

    # When the agent finds each conversation in New, picks it up and replies
    agent = login(api, "agent1@example.com", info["demo"]["password"])

    def all_in_new():
        found = {channel: in_new(api, agent, stored_id(channel, customers[channel])) for channel in CHANNELS}
        return found if all(found.values()) else None

    conversations = wait_for(all_in_new, timeout=20, what="a conversation per channel in New")
    for channel, conversation in conversations.items():
        assert conversation["channel"] == channel
        requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent,
                      timeout=HTTP_TIMEOUT).raise_for_status()
        reply = requests.post(f"{api}/conversations/{conversation['id']}/messages",
                              json={"text": f"It ships today ({channel})"}, headers=agent, timeout=HTTP_TIMEOUT)
        assert reply.status_code == 202, (channel, reply.text)

    # Then each reply reaches the simulator on the customer's channel
    def all_at_simulator():
        outbox = requests.get(f"{simulator}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"]
        sent = {channel: find(outbox, channel=channel, to=customers[channel]) or
                find(outbox, channel=channel, to=stored_id(channel, customers[channel])) for channel in CHANNELS}
        return sent if all(sent.values()) else None

    sent = wait_for(all_at_simulator, timeout=20, what="every reply at the simulator")
    for channel in CHANNELS:
        assert sent[channel]["text"] == f"It ships today ({channel})"
        assert sent[channel]["account"] == accounts[channel]["account_id"]

    # And each reply's status comes back to the conversation, as far as the provider reports it
    def all_settled():
        settled = {}
        for channel, conversation in conversations.items():
            items = requests.get(f"{api}/conversations/{conversation['id']}/messages", headers=agent,
                                 timeout=HTTP_TIMEOUT).json()["items"]
            message = find(items, direction="outbound")
            if not message or message["status"] != FINAL_STATUS[channel]:
                return None
            settled[channel] = message
        return settled

    settled = wait_for(all_settled, timeout=20, what="every reply's final status")
    for channel in CHANNELS:
        assert settled[channel]["provider_message_id"] == sent[channel]["id"]
