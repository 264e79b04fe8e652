"""Channel fidelity through the simulator, one test per class over the channels it applies to:
a reply chosen from buttons arrives as its title with its payload; a message batched next to an
event we cannot read is stored all the same; a customer who blocks the bot cannot be written to."""

import requests

from tests.e2e.test_every_channel import new_customer, stored_id
from tests.support import HTTP_TIMEOUT, find, login, wait_for


def customer_sends(info, channel: str, document: dict[str, object]) -> None:
    account = info["demo"]["accounts"][channel]["account_id"]
    answer = requests.post(f"{info['simulator_url']}/control/{channel}/{account}/messages", json=document,
                           timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200, (channel, answer.text)


def messages_of(api: str, agent: dict[str, str], channel: str, customer: str) -> list[dict[str, object]] | None:
    items = requests.get(f"{api}/conversations", params={"view": "all", "customer": stored_id(channel, customer)},
                         headers=agent, timeout=HTTP_TIMEOUT).json()["items"]
    conversation = find(items, customer_id=stored_id(channel, customer))
    if conversation is None:
        return None
    found = requests.get(f"{api}/conversations/{conversation['id']}/messages", headers=agent,
                         timeout=HTTP_TIMEOUT).json()["items"]
    return found or None


def test_chosen_replies_arrive_as_title_and_payload(system):
    info = system.info
    agent = login(info["api_url"], "agent1@example.com", info["demo"]["password"])
    channels = ("whatsapp", "messenger", "instagram", "telegram")
    customers = {channel: new_customer(channel) for channel in channels}
    # Given each customer picks the option "Track my parcel" (payload track-parcel)
    for channel in channels:
        customer_sends(info, channel, {"from": customers[channel], "name": "Ana", "text": "Track my parcel",
                                       "choice": "track-parcel"})
    # Then the agent sees the title as the text and the payload beside it
    for channel in channels:
        [message] = wait_for(lambda c=channel: messages_of(info["api_url"], agent, c, customers[c]), timeout=20,
                             what=f"the {channel} choice")
        assert (message["kind"], message["text"], message["reply_payload"]) == (
            "text", "Track my parcel", "track-parcel"), channel


def test_a_message_batched_next_to_an_unreadable_event_is_stored(system):
    info = system.info
    agent = login(info["api_url"], "agent1@example.com", info["demo"]["password"])
    channels = ("whatsapp", "messenger", "instagram")
    customers = {channel: new_customer(channel) for channel in channels}
    for channel in channels:
        customer_sends(info, channel, {"from": customers[channel], "name": "Ana", "text": "Next to an odd one",
                                       "odd_neighbour": True})
    for channel in channels:
        [message] = wait_for(lambda c=channel: messages_of(info["api_url"], agent, c, customers[c]), timeout=20,
                             what=f"the {channel} message")
        assert message["text"] == "Next to an odd one", channel


def test_a_customer_who_blocks_the_bot_cannot_be_written_to(system):
    info = system.info
    api = info["api_url"]
    agent = login(api, "agent1@example.com", info["demo"]["password"])
    customer = new_customer("telegram")
    # Given a Telegram customer who wrote, then blocked the bot
    customer_sends(info, "telegram", {"from": customer, "name": "Ana", "text": "Thanks, that's all"})
    wait_for(lambda: messages_of(api, agent, "telegram", customer), timeout=20, what="the customer's message")
    customer_sends(info, "telegram", {"from": customer, "name": "Ana", "blocks": True})
    items = requests.get(f"{api}/conversations", params={"view": "all", "customer": customer}, headers=agent,
                         timeout=HTTP_TIMEOUT).json()["items"]
    conversation = find(items, customer_id=customer)
    requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent,
                  timeout=HTTP_TIMEOUT).raise_for_status()

    # Then the agent sees the address opted out, with the reason
    profile = requests.get(f"{api}/conversations/{conversation['id']}/customer", headers=agent,
                           timeout=HTTP_TIMEOUT).json()["profile"]

    def opted_out():
        states = requests.get(f"{api}/customers/{profile['id']}/consent", headers=agent,
                              timeout=HTTP_TIMEOUT).json()["states"]
        return find(states, channel="telegram", opted_out=True)

    wait_for(opted_out, timeout=20, what="the blocked bot recorded as an opt-out")
    # And a reply is refused
    reply = requests.post(f"{api}/conversations/{conversation['id']}/messages", json={"text": "One more thing"},
                          headers=agent, timeout=HTTP_TIMEOUT)
    assert 400 <= reply.status_code < 500, reply.text
    assert "opted out" in reply.json()["error"]["message"]
