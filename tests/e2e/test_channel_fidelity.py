"""Channel fidelity through the simulator, one test per class over the channels it applies to:
a reply chosen from buttons arrives as its title with its payload (Viber sends only the button's
ActionBody, as an ordinary text); a button that means STOP opts the customer out; a message
batched next to an event we cannot read is stored all the same; a customer who blocks the bot
cannot be written to; a photo is stored at once and attached, or shown as not available when the
provider no longer serves it, and a slow media host holds up no other customer; statuses that
outrun the send's answer are applied to the reply."""

from typing import Any

import pytest
import requests

from tests.e2e.test_every_channel import FINAL_STATUS, new_customer, stored_id
from tests.support import HTTP_TIMEOUT, find, login, wait_for


def customer_sends(info, channel: str, document: dict[str, object]) -> None:
    account = info["demo"]["accounts"][channel]["account_id"]
    answer = requests.post(f"{info['simulator_url']}/control/{channel}/{account}/messages", json=document,
                           timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200, (channel, answer.text)


def messages_of(api: str, agent: dict[str, str], channel: str, customer: str) -> list[dict[str, Any]] | None:
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


def test_a_viber_keyboard_reply_arrives_as_the_buttons_action_body(system):
    info = system.info
    agent = login(info["api_url"], "agent1@example.com", info["demo"]["password"])
    customer = new_customer("viber")
    # Given a Viber customer taps a reply button showing "Track my parcel" (ActionBody track-parcel)
    customer_sends(info, "viber", {"from": customer, "name": "Olena", "text": "Track my parcel",
                                   "choice": "track-parcel"})
    # Then the agent sees what Viber sent: the ActionBody, as text (nothing marks it as a tap, so
    # there is no separate payload)
    [message] = wait_for(lambda: messages_of(info["api_url"], agent, "viber", customer), timeout=20,
                         what="the Viber keyboard reply")
    assert (message["kind"], message["text"], message["reply_payload"]) == ("text", "track-parcel", None)


def consent_of(api: str, agent: dict[str, str], channel: str, customer: str) -> tuple[dict[str, object], bool]:
    """The customer's conversation and whether their address on the channel is opted out."""
    items = requests.get(f"{api}/conversations", params={"view": "all", "customer": stored_id(channel, customer)},
                         headers=agent, timeout=HTTP_TIMEOUT).json()["items"]
    conversation = find(items, customer_id=stored_id(channel, customer))
    assert conversation is not None, (channel, customer)
    profile = requests.get(f"{api}/conversations/{conversation['id']}/customer", headers=agent,
                           timeout=HTTP_TIMEOUT).json()["profile"]
    states = requests.get(f"{api}/customers/{profile['id']}/consent", headers=agent,
                          timeout=HTTP_TIMEOUT).json()["states"]
    return conversation, find(states, channel=channel, opted_out=True) is not None


def wrote_and_picked_up(info, agent: dict[str, str], channel: str, customer: str, text: str) -> dict[str, Any]:
    """The conversation of a customer who wrote ``text``, picked up by the agent."""
    api = info["api_url"]
    customer_sends(info, channel, {"from": customer, "name": "Ana", "text": text})
    wait_for(lambda: messages_of(api, agent, channel, customer), timeout=20, what="the customer's message")
    conversation, _ = consent_of(api, agent, channel, customer)
    requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    return conversation


def test_a_button_whose_payload_is_stop_opts_the_customer_out(system):
    info = system.info
    api = info["api_url"]
    agent = login(api, "agent1@example.com", info["demo"]["password"])
    channels = ("whatsapp", "messenger", "instagram", "telegram", "viber")
    customers = {channel: new_customer(channel) for channel in channels}
    # Given each customer taps a button titled "No more messages" whose payload is STOP
    for channel in channels:
        customer_sends(info, channel, {"from": customers[channel], "name": "Ana", "text": "No more messages",
                                       "choice": "STOP"})
    for channel in channels:
        wait_for(lambda c=channel: messages_of(api, agent, c, customers[c]), timeout=20,
                 what=f"the {channel} STOP button")
        # Then the address is opted out on that channel
        wait_for(lambda c=channel: consent_of(api, agent, c, customers[c])[1] or None, timeout=20,
                 what=f"the {channel} STOP button recorded as an opt-out")


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


@pytest.mark.parametrize("learned_from", ["the provider's event", "a refused send"])
@pytest.mark.parametrize("channel", ["telegram", "viber"])
def test_a_customer_who_blocks_the_bot_cannot_be_written_to(system, channel, learned_from):
    info = system.info
    api = info["api_url"]
    agent = login(api, "agent1@example.com", info["demo"]["password"])
    customer = new_customer(channel)
    conversation = wrote_and_picked_up(info, agent, channel, customer, "Thanks, that's all")
    if learned_from == "the provider's event":
        # Given the customer blocks the bot (Telegram my_chat_member kicked, Viber unsubscribed)
        customer_sends(info, channel, {"from": customer, "name": "Ana", "blocks": True})
    else:
        # Given the customer blocked the bot and we never heard: the send is refused (Telegram 403
        # "bot was blocked by the user", Viber status 6 receiverNotSubscribed)
        requests.post(f"{info['simulator_url']}/control/{channel}/failures",
                      json={"mode": "permanent", "to": customer}, timeout=HTTP_TIMEOUT).raise_for_status()
        sent = requests.post(f"{api}/conversations/{conversation['id']}/messages", json={"text": "Yes, it is"},
                             headers=agent, timeout=HTTP_TIMEOUT)
        assert sent.status_code == 202, sent.text

    # Then the agent sees the address opted out
    wait_for(lambda: consent_of(api, agent, channel, customer)[1] or None, timeout=20,
             what="the blocked bot recorded as an opt-out")
    # And a reply is refused
    reply = requests.post(f"{api}/conversations/{conversation['id']}/messages", json={"text": "One more thing"},
                          headers=agent, timeout=HTTP_TIMEOUT)
    assert 400 <= reply.status_code < 500, reply.text
    assert "opted out" in reply.json()["error"]["message"]
    # And so is a new conversation started to them once this one is archived
    requests.post(f"{api}/conversations/{conversation['id']}/archive", json={}, headers=agent,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    start = requests.post(f"{api}/conversations", json={
        "account_id": conversation["account_id"], "customer_id": customer, "text": "We have news"},
        headers=agent, timeout=HTTP_TIMEOUT)
    assert start.status_code == 409, start.text
    assert "opted out" in start.json()["error"]["message"]


MEDIA_CHANNELS = ("whatsapp", "messenger", "instagram", "telegram", "sms", "viber")


def test_a_photo_is_stored_at_once_and_attached_or_shown_as_not_available(system):
    info = system.info
    api = info["api_url"]
    agent = login(api, "agent1@example.com", info["demo"]["password"])
    served = {channel: new_customer(channel) for channel in MEDIA_CHANNELS}
    gone = {channel: new_customer(channel) for channel in MEDIA_CHANNELS}
    # Given on each channel a customer who sends a photo without caption, and one whose photo the
    # provider no longer serves when we fetch it
    for channel in MEDIA_CHANNELS:
        customer_sends(info, channel, {"from": served[channel], "name": "Ana", "image": True})
        customer_sends(info, channel, {"from": gone[channel], "name": "Bo", "image": True, "media_gone": True})

    def attached(channel: str) -> dict[str, Any] | None:
        found = messages_of(api, agent, channel, served[channel])
        return found[0] if found and found[0]["attachments"] else None

    def given_up_or_retrying(channel: str) -> dict[str, Any] | None:
        found = messages_of(api, agent, channel, gone[channel]) or [{"media_issues": []}]
        issues = found[0]["media_issues"]
        return found[0] if issues and issues[0]["state"] in {"retrying", "failed"} else None

    for channel in MEDIA_CHANNELS:
        # Then the served photo is attached to its message
        message = wait_for(lambda c=channel: attached(c), timeout=30, what=f"the {channel} photo attached")
        assert (message["kind"], message["media_issues"]) == ("image", []), channel
        # And the photo that is gone is on its message as not available, with the reason
        message = wait_for(lambda c=channel: given_up_or_retrying(c), timeout=30,
                           what=f"the {channel} photo recorded as not available")
        [issue] = message["media_issues"]
        assert message["attachments"] == [], channel
        assert issue["reason"], (channel, issue)
        # And the inbox shows what it is, not an empty message
        customer = stored_id(channel, gone[channel])
        items = requests.get(f"{api}/conversations", params={"view": "all", "customer": customer}, headers=agent,
                             timeout=HTTP_TIMEOUT).json()["items"]
        assert find(items, customer_id=customer)["preview"], channel


STATUS_CHANNELS = ("whatsapp", "messenger", "instagram", "sms", "viber")


def test_statuses_that_outrun_the_send_are_applied_to_the_reply(system):
    info = system.info
    api, simulator = info["api_url"], info["simulator_url"]
    agent = login(api, "agent1@example.com", info["demo"]["password"])
    customers = {channel: new_customer(channel) for channel in STATUS_CHANNELS}
    # Given on each channel with receipts a customer whose provider reports a send's statuses
    # before it answers the send call
    for channel in STATUS_CHANNELS:
        customer_sends(info, channel, {"from": customers[channel], "name": "Ana", "text": "Any news?"})
        requests.post(f"{simulator}/control/{channel}/statuses-first", json={"to": customers[channel]},
                      timeout=HTTP_TIMEOUT).raise_for_status()
    # When the agent replies
    for channel in STATUS_CHANNELS:
        wait_for(lambda c=channel: messages_of(api, agent, c, customers[c]), timeout=20, what=f"the {channel} message")
        conversation, _ = consent_of(api, agent, channel, customers[channel])
        requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent,
                      timeout=HTTP_TIMEOUT).raise_for_status()
        reply = requests.post(f"{api}/conversations/{conversation['id']}/messages", json={"text": "It ships today"},
                              headers=agent, timeout=HTTP_TIMEOUT)
        assert reply.status_code == 202, (channel, reply.text)

    # Then the reply reaches the provider's last status, not left at sent
    def final(channel: str) -> dict[str, Any] | None:
        found = messages_of(api, agent, channel, customers[channel]) or []
        replies = [m for m in found if m["direction"] == "outbound"]
        return replies[0] if replies and replies[0]["status"] == FINAL_STATUS[channel] else None

    for channel in STATUS_CHANNELS:
        wait_for(lambda c=channel: final(c), timeout=30, what=f"the {channel} reply at {FINAL_STATUS[channel]}")


def test_a_slow_media_host_holds_up_no_other_customer(system):
    info = system.info
    api = info["api_url"]
    agent = login(api, "agent1@example.com", info["demo"]["password"])
    slow = {channel: new_customer(channel) for channel in MEDIA_CHANNELS}
    quick = {channel: new_customer(channel) for channel in MEDIA_CHANNELS}
    # Given on each channel a customer whose photo's host answers only after 6 s
    for channel in MEDIA_CHANNELS:
        customer_sends(info, channel, {"from": slow[channel], "name": "Ana", "image": True, "media_delay": 6})
    # When another customer writes right after
    for channel in MEDIA_CHANNELS:
        customer_sends(info, channel, {"from": quick[channel], "name": "Bo", "text": "Just a question"})
    # Then that text is in the inbox while the photo is still on its way (its message stored, its
    # media pending): nothing on the inbound path waited for the media host
    for channel in MEDIA_CHANNELS:
        wait_for(lambda c=channel: messages_of(api, agent, c, quick[c]), timeout=20, what=f"the {channel} text")
        [photo] = wait_for(lambda c=channel: messages_of(api, agent, c, slow[c]), timeout=20,
                           what=f"the {channel} photo's message")
        assert (photo["kind"], photo["attachments"]) == ("image", []), channel
        assert [issue["state"] for issue in photo["media_issues"]] == ["pending"], channel

    # And each photo is attached once its host answered
    def attached(channel: str) -> bool:
        found = messages_of(api, agent, channel, slow[channel]) or [{"attachments": []}]
        return bool(found[0]["attachments"])

    for channel in MEDIA_CHANNELS:
        wait_for(lambda c=channel: attached(c), timeout=90, what=f"the {channel} slow photo attached")
