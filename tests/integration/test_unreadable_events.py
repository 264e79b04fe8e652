"""One odd event never costs another: a customer message batched next to an event the adapter
cannot read is stored, the odd event is kept with its raw payload and reason, and the provider
gets 200 for its authentic delivery (so it does not redeliver, or disable, the webhook). Channels
that post one event per request (Telegram, Viber, Twilio) keep the odd one and store the next."""

import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalicelib.domain.models import Channel, UnreadableEvent
from chalicelib.storage.unreadable_events import UnreadableEventStore

from tests.integration.conftest import drain, settle_then_drain
from tests.integration.inbox_support import get
from tests.integration.test_message_pipeline import conversation_of
from tests.integration.test_rich_inbound import deliver_signed
from tests.support import find, new_wa_id, post_whatsapp, wait_for


def test_whatsapp_message_next_to_an_unreadable_status_is_stored_and_the_status_kept(
        runtime, api, agent1, demo, webhook_url):
    settle_then_drain(runtime)
    wa_id = new_wa_id()
    odd_id = f"wamid.ODD-{secrets.token_hex(6)}"
    metadata = {"display_phone_number": "15550001111", "phone_number_id": demo["whatsapp"]["phone_number_id"]}
    body = json.dumps({"object": "whatsapp_business_account", "entry": [
        {"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": metadata,
            # a status without its timestamp: cannot be read
            "statuses": [{"id": odd_id, "status": "delivered", "recipient_id": wa_id}]}}]},
        {"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": metadata,
            "contacts": [{"profile": {"name": "Marit"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": f"wamid.{secrets.token_hex(8)}", "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": "Batched next to an odd one"}}]}}]},
    ]}).encode()
    # When WhatsApp posts it
    response = post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"])
    # Then the delivery is answered 200, the message reaches the inbox and the odd part is kept
    assert response.status_code == 200, response.text
    assert response.json() == {"queued": 2}
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")

    assert wait_for(lambda: conversation_of(api, agent1, wa_id), timeout=10, what="the conversation in New")

    def kept():
        return next((event for event in UnreadableEventStore().recent("wa-demo", limit=200)
                     if odd_id in event.raw), None)

    event = wait_for(kept, timeout=10)
    assert "timestamp" in event.reason
    assert event.location == "entry[0].changes[0].value.statuses[0]"


def test_the_newest_kept_parts_come_first_whatever_their_digests(runtime) -> None:
    # Given parts kept one after another whose digests sort the other way round
    account_id = f"wa-odd-{secrets.token_hex(3)}"
    now = datetime.now(UTC)
    store = UnreadableEventStore()
    for age, digest in ((3, "a"), (2, "b"), (1, "c"), (0, "0")):
        assert store.keep(UnreadableEvent(
            channel=Channel.WHATSAPP, account_id=account_id, reason=f"odd {age}", location="entry[0]",
            raw="{}", provider_event_id=digest * 8, received_at=now - timedelta(minutes=age)))
    # When an operator asks for the newest two, Then they are the two kept last, newest first
    assert [event.reason for event in store.recent(account_id, limit=2)] == ["odd 0", "odd 1"]


def one_at_a_time(runtime, channel: str, customer: str, text: str, *, odd: bool) -> dict[str, Any]:
    """A delivery of a channel that posts one event per request: the customer's text, or the same
    delivery with a field the provider documents (and the adapter needs) broken."""
    now = time.time()
    if channel == "telegram":
        person = {"id": int(customer), "is_bot": False, "first_name": "Joris"}
        message: dict[str, Any] = {"message_id": secrets.randbelow(10**6), "from": person,
                                   "chat": {"id": int(customer), "type": "private"}, "date": int(now), "text": text}
        if odd:
            message["message_id"] = "not-a-number"
        return {"update_id": secrets.randbelow(10**9), "message": message}
    if channel == "viber":
        content = {"type": "location", "location": {"lat": 50.45}} if odd else {"type": "text", "text": text}
        return {"event": "message", "timestamp": int(now * 1000), "message_token": 10**18 + secrets.randbelow(10**18),
                "sender": {"id": customer, "name": "Olena", "api_version": 10}, "message": content, "silent": False}
    [account] = runtime.simulator.accounts("sms")[:1]
    sid = "SM" + secrets.token_hex(16)
    return {"SmsMessageSid": sid, "NumMedia": "1" if odd else "0", "SmsSid": sid, "SmsStatus": "received",
            "Body": text, "To": account.provider_account_id, "NumSegments": "1", "MessageSid": sid,
            "AccountSid": account.credentials["account_sid"], "From": customer, "ApiVersion": "2010-04-01"}


@pytest.mark.parametrize("channel", ["telegram", "viber", "sms"])
def test_an_unreadable_event_of_a_one_event_channel_is_kept_and_the_next_message_stored(runtime, api, agent1, channel):
    settle_then_drain(runtime)
    customer = {"telegram": str(10**9 + secrets.randbelow(10**9)), "viber": secrets.token_urlsafe(12) + "=",
                "sms": "+3161" + str(secrets.randbelow(10**7)).zfill(7)}[channel]
    [account] = runtime.simulator.accounts(channel)[:1]
    # Given an authentic delivery the adapter cannot read (answered 200, so it is not redelivered)
    deliver_signed(runtime, channel, one_at_a_time(runtime, channel, customer, "odd", odd=True))
    # When the customer's next message comes
    deliver_signed(runtime, channel, one_at_a_time(runtime, channel, customer, "Still there?", odd=False))
    # Then that message is stored and the odd one kept with its reason
    items = get(api, "/conversations", agent1, view="all", customer=customer).json()["items"]
    conversation = find(items, customer_id=customer)
    assert conversation is not None, channel
    [message] = get(api, f"/conversations/{conversation['id']}/messages", agent1).json()["items"]
    assert message["text"] == "Still there?"
    kept = [event for event in UnreadableEventStore().recent(account.account_id, limit=200) if customer in event.raw]
    assert kept, channel
    assert kept[0].reason
