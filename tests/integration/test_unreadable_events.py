"""One odd event never costs another: a customer message batched next to an event the adapter
cannot read is stored, the odd event is kept with its raw payload and reason, and the provider
gets 200 for its authentic delivery (so it does not redeliver, or disable, the webhook)."""

import json
import secrets
import time
from datetime import UTC, datetime, timedelta

from chalicelib.domain.models import Channel, UnreadableEvent
from chalicelib.storage.unreadable_events import UnreadableEventStore

from tests.integration.conftest import drain, settle_then_drain
from tests.integration.test_message_pipeline import conversation_of
from tests.support import new_wa_id, post_whatsapp, wait_for


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
    drain(runtime, "inbound", "assignment", "out-of-office")

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
