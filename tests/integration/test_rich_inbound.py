"""What a customer sends beyond text reaches the agent through the API: a reply chosen from
buttons (its title and payload; a payload that means STOP opts the customer out), a shared
location and shared contact cards."""

import json
import secrets
import time

import requests
from chalicelib import wiring
from chalicelib.domain.models import Channel

from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer, get
from tests.support import HTTP_TIMEOUT, new_wa_id, post_whatsapp


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
    drain(runtime, "inbound", "assignment", "out-of-office")


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
    drain(runtime, "inbound", "assignment", "out-of-office")


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
