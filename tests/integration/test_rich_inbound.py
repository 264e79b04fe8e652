"""What a customer sends beyond text reaches the agent through the API: a reply chosen from
buttons (its title and payload; a payload that means STOP opts the customer out), a shared
location and shared contact cards (WhatsApp, and Telegram, Viber and Messenger from each
channel's own fixtures)."""

import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from chalicelib import wiring
from chalicelib.channels.twilio_sms import sign as twilio_sign
from chalicelib.domain.models import Channel

from local.simulator.meta import signed_call
from local.simulator.model import WebhookCall
from local.simulator.viber import viber_signature
from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer, get
from tests.support import HTTP_TIMEOUT, find, new_wa_id, post_whatsapp


def deliver_messages(runtime, webhook_url, demo, wa_id: str, messages: list[dict[str, object]]) -> None:
    now = str(int(time.time()))
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": demo["whatsapp"]["phone_number_id"]},
            "contacts": [{"profile": {"name": "Marit"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": f"wamid.{secrets.token_hex(8)}", "timestamp": now, **message}
                         for message in messages]}}]}]}).encode()
    assert post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def thread(api, agent, wa_id):
    conversation = by_customer(api, agent, wa_id)
    assert conversation is not None
    return get(api, f"/conversations/{conversation['id']}/messages", agent).json()["items"]


def test_a_template_button_whose_payload_is_stop_opts_the_customer_out(runtime, api, agent1, webhook_url, demo):
    # Given a customer who taps a template's quick-reply button titled "No more updates" (payload STOP)
    wa_id = new_wa_id()
    deliver_messages(runtime, webhook_url, demo, wa_id, [
        {"type": "button", "context": {"id": "wamid.TEMPLATE"},
         "button": {"payload": "STOP", "text": "No more updates"}}])
    # Then the agent sees the title, the API carries the payload, and the address is opted out
    [message] = thread(api, agent1, wa_id)
    assert (message["kind"], message["text"], message["reply_payload"]) == ("text", "No more updates", "STOP")
    assert wiring.consent_store().state(Channel.WHATSAPP, "+" + wa_id).opted_out is True


def test_whatsapp_reply_buttons_and_list_rows_arrive_as_title_and_payload(runtime, api, agent1, webhook_url, demo):
    # Given a customer who taps a reply button, then picks a row of a list message
    wa_id = new_wa_id()
    deliver_messages(runtime, webhook_url, demo, wa_id, [
        {"type": "interactive", "context": {"from": "15550001111", "id": "wamid.BUTTONS"},
         "interactive": {"type": "button_reply", "button_reply": {"id": "track-parcel", "title": "Track my parcel"}}},
        {"type": "interactive", "context": {"from": "15550001111", "id": "wamid.LIST"},
         "interactive": {"type": "list_reply", "list_reply": {
             "id": "slot-tue-am", "title": "Tuesday morning", "description": "08:00-12:00"}}}])
    # Then each is the option's title with its payload beside it
    assert [(m["kind"], m["text"], m["reply_payload"]) for m in thread(api, agent1, wa_id)] == [
        ("text", "Track my parcel", "track-parcel"), ("text", "Tuesday morning", "slot-tue-am")]


def test_location_and_contacts_reach_the_agent(runtime, api, agent1, webhook_url, demo):
    wa_id = new_wa_id()
    deliver_messages(runtime, webhook_url, demo, wa_id, [
        {"type": "location", "location": {"latitude": 51.9225, "longitude": 4.47917, "name": "Markthal",
                                          "address": "Dominee Jan Scharpstraat 298, Rotterdam"}},
        {"type": "contacts", "contacts": [{"name": {"formatted_name": "Sanne Visser", "first_name": "Sanne"},
                                           "phones": [{"phone": "+31 10 765 4321", "type": "CELL"}],
                                           "emails": [{"email": "sanne@example.nl", "type": "HOME"}]}]}])
    location, contacts = thread(api, agent1, wa_id)
    assert location["kind"] == "location"
    assert location["location"] == {"latitude": 51.9225, "longitude": 4.47917, "name": "Markthal",
                                    "address": "Dominee Jan Scharpstraat 298, Rotterdam"}
    assert contacts["kind"] == "contacts"
    assert contacts["contacts"] == [{"name": "Sanne Visser", "phones": ["+31 10 765 4321"],
                                     "emails": ["sanne@example.nl"]}]


def post_telegram_update(runtime, update: dict[str, object]) -> None:
    account = runtime.simulator.account("telegram", "tg-demo")
    response = requests.post(account.webhook_url, data=json.dumps(update).encode(), timeout=HTTP_TIMEOUT, headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": account.credentials["secret_token"]})
    assert response.status_code == 200, response.text
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def test_a_telegram_edit_changes_the_original_and_keeps_the_earlier_text(runtime, api, agent1):
    # Given a customer's Telegram message
    chat = 10**9 + secrets.randbelow(10**9)
    person = {"id": chat, "is_bot": False, "first_name": "Joris"}
    original = {"message_id": 7, "from": person, "chat": {"id": chat, "first_name": "Joris", "type": "private"},
                "date": int(time.time()), "text": "My order is #4411"}
    post_telegram_update(runtime, {"update_id": secrets.randbelow(10**9), "message": original})
    # When they edit it
    edited = {**original, "text": "My order is #4412", "edit_date": int(time.time()) + 5}
    post_telegram_update(runtime, {"update_id": secrets.randbelow(10**9), "edited_message": edited})
    # Then the one message shows the new text, marked edited, with the earlier text kept
    items = get(api, "/conversations", agent1, view="all", customer=str(chat)).json()["items"]
    [message] = get(api, f"/conversations/{items[0]['id']}/messages", agent1).json()["items"]
    assert (message["text"], message["earlier_texts"]) == ("My order is #4412", ["My order is #4411"])
    assert message["edited_at"] is not None


def test_a_whatsapp_reaction_lands_on_the_message_it_reacts_to(runtime, api, agent1, webhook_url, demo):
    wa_id = new_wa_id()
    message_id = f"wamid.{secrets.token_hex(8)}"
    deliver_messages(runtime, webhook_url, demo, wa_id, [{"id": message_id, "type": "text",
                                                          "text": {"body": "The parcel arrived"}}])
    deliver_messages(runtime, webhook_url, demo, wa_id, [{"type": "reaction", "reaction": {
        "message_id": message_id, "emoji": "\N{THUMBS UP SIGN}"}}])
    [message] = thread(api, agent1, wa_id)
    assert (message["text"], message["reaction"]) == ("The parcel arrived", "\N{THUMBS UP SIGN}")


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(path: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / path).read_text())
    return document


def deliver_signed(runtime, channel: str, document: dict[str, Any]) -> None:
    """Post a provider document (a form's fields for Twilio) to the channel's demo account,
    signed as the provider signs it."""
    [account] = runtime.simulator.accounts(channel)[:1]
    if channel == "telegram":
        secret = account.credentials["secret_token"]
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
        call = WebhookCall(account.webhook_url, headers, json.dumps(document).encode())
    elif channel == "viber":
        body = json.dumps(document).encode()
        signature = viber_signature(body, account.credentials["auth_token"])
        call = WebhookCall(account.webhook_url, {"Content-Type": "application/json",
                                                 "X-Viber-Content-Signature": signature}, body)
    elif channel == "sms":
        form = urlencode(document)
        signature = twilio_sign(account.webhook_url, parse_qsl(form), account.credentials["auth_token"])
        call = WebhookCall(account.webhook_url, {"Content-Type": "application/x-www-form-urlencoded",
                                                 "X-Twilio-Signature": signature}, form.encode())
    else:
        call = signed_call(account, document)
    response = requests.post(call.url, data=call.body, headers=dict(call.headers), timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, (channel, response.text)
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def shared_on(runtime, channel: str, customer: str) -> list[dict[str, Any]]:
    """The channel's own location and contact fixtures (written from its documentation), sent
    now by a new customer."""
    if channel == "telegram":
        updates = [fixture("telegram/venue.json"), fixture("telegram/contact.json")]
        for number, update in enumerate(updates):
            update["update_id"] = secrets.randbelow(10**9)
            update["message"].update(message_id=number + 1, date=int(time.time()))
            update["message"]["chat"]["id"] = update["message"]["from"]["id"] = int(customer)
        return updates
    if channel == "viber":
        callbacks = [fixture("viber/location.json"), fixture("viber/contact.json")]
        for seconds_ago, callback in zip((2, 1), callbacks, strict=True):
            callback.update(timestamp=int((time.time() - seconds_ago) * 1000),
                            message_token=10**18 + secrets.randbelow(10**18))
            callback["sender"]["id"] = customer
        return callbacks
    [account] = runtime.simulator.accounts("messenger")[:1]
    document = fixture("messenger/attachments.json")
    [place] = [event for event in document["entry"][0]["messaging"]
               if event["message"]["attachments"][0]["type"] == "location"]
    place.update(sender={"id": customer}, recipient={"id": account.provider_account_id},
                 timestamp=int(time.time() * 1000))
    place["message"]["mid"] = f"m_{secrets.token_hex(8)}"
    document["entry"] = [{"id": account.provider_account_id, "time": int(time.time() * 1000), "messaging": [place]}]
    return [document]


@pytest.mark.parametrize(("channel", "customer", "location", "contacts"), [
    ("telegram", str(10**9 + secrets.randbelow(10**9)),
     {"latitude": 52.370216, "longitude": 4.895168, "name": "Pick-up point Dam", "address": "Dam 1, 1012 JS Amsterdam"},
     [{"name": "Jonas Weber", "phones": ["+4915123456789"], "emails": []}]),
    ("viber", secrets.token_urlsafe(12) + "=",
     {"latitude": 50.450001, "longitude": 30.523333, "name": None, "address": "Khreshchatyk St, 22, Kyiv"},
     [{"name": "Taras Shevchenko", "phones": ["+380501234567"], "emails": []}]),
    ("messenger", "6" + str(secrets.randbelow(10**15)).zfill(15),
     {"latitude": 48.8584, "longitude": 2.2945, "name": "Pinned location", "address": None}, None),
])
def test_location_and_contacts_reach_the_agent_on_the_other_channels(runtime, api, agent1, channel, customer,
                                                                      location, contacts):
    # Given a customer who shares a place (and, where the channel can, a contact card)
    for document in shared_on(runtime, channel, customer):
        deliver_signed(runtime, channel, document)
    # Then the agent gets the coordinates, name and address, and the card's name and phones
    items = get(api, "/conversations", agent1, view="all", customer=customer).json()["items"]
    conversation = find(items, customer_id=customer)
    assert conversation is not None, channel
    thread = get(api, f"/conversations/{conversation['id']}/messages", agent1).json()["items"]
    assert (thread[0]["kind"], thread[0]["location"]) == ("location", location)
    if contacts is not None:
        assert (thread[1]["kind"], thread[1]["contacts"]) == ("contacts", contacts)


def test_instagram_reactions_story_mentions_and_story_replies_show_as_what_they_are(runtime, api, agent1):
    [account] = runtime.simulator.accounts("instagram")[:1]
    customer = "5" + str(secrets.randbelow(10**15)).zfill(15)
    now = int(time.time() * 1000)

    def event(seconds_ago: int, **fields: Any) -> dict[str, Any]:
        return {"sender": {"id": customer}, "recipient": {"id": account.provider_account_id},
                "timestamp": now - seconds_ago * 1000, **fields}

    first = f"aWdf{secrets.token_hex(10)}"
    mention = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18099999999999999&signature=Zz"
    story = {"url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18088888888888888&signature=Yy",
             "id": "18088888888888888"}
    # Given a customer who writes, mentions the account in their story, replies to one of its
    # stories, and then reacts to their first message
    deliver_signed(runtime, "instagram", {"object": "instagram", "entry": [{
        "id": account.provider_account_id, "time": now, "messaging": [
            event(3, message={"mid": first, "text": "Do you ship to Ghent?"}),
            event(2, message={"mid": f"aWdf{secrets.token_hex(10)}",
                              "attachments": [{"type": "story_mention", "payload": {"url": mention}}]}),
            event(1, message={"mid": f"aWdf{secrets.token_hex(10)}", "text": "Love this colour",
                              "reply_to": {"story": story}})]}]})
    deliver_signed(runtime, "instagram", {"object": "instagram", "entry": [{
        "id": account.provider_account_id, "time": now, "messaging": [
            event(0, reaction={"mid": first, "action": "react", "reaction": "love", "emoji": "\u2764\ufe0f"})]}]})
    # Then the reaction is on the message it reacts to, and the story mention and reply are
    # stories with their links, each with a text the preview can show
    items = get(api, "/conversations", agent1, view="all", customer=customer).json()["items"]
    conversation = find(items, customer_id=customer)
    assert conversation is not None
    written, mentioned, replied = get(api, f"/conversations/{conversation['id']}/messages", agent1).json()["items"]
    assert (written["text"], written["reaction"]) == ("Do you ship to Ghent?", "\u2764\ufe0f")
    assert (mentioned["story"]["kind"], mentioned["story"]["url"]) == ("mention", mention)
    assert mentioned["text"]
    assert (replied["text"], replied["story"]) == (
        "Love this colour", {"kind": "reply", "url": story["url"], "story_id": story["id"]})
    assert conversation["preview"] == "Love this colour"


def test_messenger_postbacks_and_reactions_reach_the_agent(runtime, api, agent1):
    [account] = runtime.simulator.accounts("messenger")[:1]
    psid = "6" + str(secrets.randbelow(10**15)).zfill(15)
    now = int(time.time() * 1000)
    first = f"m_{secrets.token_hex(10)}"

    def delivered(*events: dict[str, Any]) -> None:
        deliver_signed(runtime, "messenger", {"object": "page", "entry": [{
            "id": account.provider_account_id, "time": now, "messaging": [
                {"sender": {"id": psid}, "recipient": {"id": account.provider_account_id}, **event}
                for event in events]}]})

    # Given a customer who writes, taps a postback button, then reacts to their first message
    delivered({"timestamp": now - 2000, "message": {"mid": first, "text": "Where is my order?"}},
              {"timestamp": now - 1000, "postback": {"mid": f"m_{secrets.token_hex(10)}", "title": "Talk to a person",
                                                     "payload": "HUMAN"}})
    delivered({"timestamp": now, "reaction": {"mid": first, "action": "react", "reaction": "love",
                                              "emoji": "\u2764"}})
    # Then the button is its title with its payload, and the reaction sits on the message
    items = get(api, "/conversations", agent1, view="all", customer=psid).json()["items"]
    conversation = find(items, customer_id=psid)
    assert conversation is not None
    written, chosen = get(api, f"/conversations/{conversation['id']}/messages", agent1).json()["items"]
    assert (written["text"], written["reaction"]) == ("Where is my order?", "\u2764")
    assert (chosen["text"], chosen["reply_payload"]) == ("Talk to a person", "HUMAN")
