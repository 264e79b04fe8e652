"""Statuses that outrun the send: Twilio reports the reply delivered before its send API call
has answered us with the SID, so no message carries that SID yet. The status is held and applied
once the SID is recorded; statuses still never move backwards. A watermark receipt (Messenger),
which names no message, is held under its customer with its watermark."""

import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from chalicelib.channels.twilio_sms import sign as twilio_sign
from chalicelib.domain.held_statuses import watermark_key
from chalicelib.domain.models import Channel, DeliveryStatus, StatusUpdate
from chalicelib.storage.early_statuses import EarlyStatusStore

from tests.integration.conftest import drain
from tests.integration.customer_support import SMS_NUMBER, new_phone, new_sms_account, texts
from tests.integration.inbox_support import get, post
from tests.integration.test_push import open_socket, received
from tests.loopback import Answer, loopback_server
from tests.support import HTTP_TIMEOUT

SID = "SM" + secrets.token_hex(16)


@pytest.fixture
def sms(runtime):
    with loopback_server(Answer(201, {"sid": SID, "status": "queued"})) as twilio:
        yield new_sms_account(runtime, twilio)


def status_callback(runtime, sms, phone: str, status: str) -> None:
    body = urlencode({"MessageSid": SID, "SmsSid": SID, "MessageStatus": status, "SmsStatus": status,
                      "To": phone, "From": SMS_NUMBER, "AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01"})
    response = requests.post(sms.webhook_url, data=body, timeout=HTTP_TIMEOUT, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_sign(sms.webhook_url, parse_qsl(body), sms.auth_token)})
    assert response.status_code == 200, response.text
    drain(runtime, "inbound", "statuses")


def test_a_delivered_status_before_the_send_answered_is_applied_once_the_sid_is_recorded(
        runtime, api, agent1, sms):
    # Given an agent's reply queued to a customer who texted, and the agent's tab pushed to
    phone = new_phone()
    texts(runtime, sms, phone, "hello")
    [conversation] = get(api, "/conversations", agent1, view="all", customer=phone).json()["items"]
    assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).status_code == 200
    # (the notices every earlier test left unread go first: in a full run they are hundreds)
    drain(runtime, "notices", rounds=500)
    socket = open_socket(runtime, agent1, "default")
    assert post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "hi"}).status_code == 202
    # When Twilio's "delivered" (and a late "sent") for the SID arrive before the send call answered
    status_callback(runtime, sms, phone, "delivered")
    status_callback(runtime, sms, phone, "sent")
    drain(runtime, "outbound", "send")
    # Then the reply is delivered, not left at sent, and not moved back by the late "sent"
    thread = get(api, f"/conversations/{conversation['id']}/messages", agent1).json()["items"]
    [reply] = [m for m in thread if m["direction"] == "outbound"]
    assert (reply["provider_message_id"], reply["status"]) == (SID, "delivered")
    # And the open tab is told of the held status as of any other (it learns statuses from notices)
    drain(runtime, "notices", rounds=500)
    statuses = [n["status"] for m in received(socket) for n in m["notices"]
                if n["type"] == "status" and n.get("message_id") == reply["id"]]
    socket.close()
    assert statuses[-1:] == ["delivered"], statuses


def test_a_held_watermark_receipt_keeps_its_watermark(runtime):
    # Given a Messenger read receipt (a watermark, naming no message) held under its customer
    at = datetime.now(UTC).replace(microsecond=0)
    psid = "6" + secrets.token_hex(7)
    store = EarlyStatusStore()
    store.hold(StatusUpdate(channel=Channel.MESSENGER, account_id="ms-demo", provider_message_id=watermark_key(psid),
                            customer_id=psid, status=DeliveryStatus.READ, occurred_at=at, watermark=at))
    # When the next send to the customer takes it, Then it is still "everything before this moment"
    [held] = store.take(Channel.MESSENGER, "ms-demo", watermark_key(psid))
    assert (held.status, held.watermark) == (DeliveryStatus.READ, at)
    assert store.take(Channel.MESSENGER, "ms-demo", watermark_key(psid)) == []
