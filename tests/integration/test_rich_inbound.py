"""What a customer sends beyond text reaches the agent through the API: a reply chosen from
buttons (its title and payload; a payload that means STOP opts the customer out), a shared
location and shared contact cards."""

import json
import secrets
import time

from chalicelib import wiring
from chalicelib.domain.models import Channel

from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer, get
from tests.support import new_wa_id, post_whatsapp


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
