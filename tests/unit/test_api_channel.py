"""The generic API channel's adapter: signed inbound messages and status updates normalised, the
signed reply POST to the integrator's reply_url and how its answers map to send failures."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from chalicelib.channels import adapter_for, check_credentials
from chalicelib.channels.api_channel import ApiChannelAdapter
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.core.signing import signature_header, verify
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    MediaRef,
    OutboundContent,
    OutboundMedia,
    StatusUpdate,
    TemplateContent,
)

from tests.loopback import Answer, closed_port_url, loopback_server

# The replies go to loopback receivers, as in the local runtime (tests/unit/test_receivers.py: in AWS they may not).
pytestmark = pytest.mark.usefixtures("private_receivers")

NOW = 1_760_000_000
SECRET = "api-secret-0123456789abcdef0123456789"
adapter = ApiChannelAdapter(clock=lambda: NOW)


def account(base: str = "https://shop.example") -> ChannelAccount:
    return ChannelAccount(id="shop", channel=Channel.API, name="Web shop", provider_account_id="shop-backend",
                          api_base_url=base, team_id="default", enabled=True)


def credentials(reply_url: str = "https://shop.example/contact/replies") -> dict[str, str]:
    return {"secret": SECRET, "reply_url": reply_url}


def request(document: dict[str, Any], *, signed_at: int = NOW, secret: str = SECRET) -> WebhookRequest:
    body = json.dumps(document).encode()
    return WebhookRequest(method="POST", url="https://contact.example/api/webhooks/api/shop",
                          headers={"x-contact-signature": signature_header(secret, signed_at, body)},
                          query={}, body=body)


MESSAGE = {"type": "message", "message_id": "order-77-msg-1", "customer_id": "cust-42", "customer_name": "Ada",
           "text": "Where is my order?", "timestamp": NOW - 5}


def test_the_registered_adapter_is_the_api_channel():
    assert adapter_for("api").channel is Channel.API


def test_a_signed_request_authenticates_and_a_forged_or_stale_one_does_not():
    adapter.authenticate(request(MESSAGE), credentials())
    with pytest.raises(SignatureRejected):
        adapter.authenticate(request(MESSAGE, secret="someone-else-entirely-0123456789"), credentials())
    with pytest.raises(SignatureRejected, match="from now"):
        adapter.authenticate(request(MESSAGE, signed_at=NOW - 301), credentials())


def test_the_previous_secret_is_still_accepted_while_rotating():
    rotated = {**credentials(), "secret": "the-new-secret-0123456789abcdefghij", "previous_secret": SECRET}
    adapter.authenticate(request(MESSAGE), rotated)


def test_a_message_becomes_one_inbound_message_keyed_by_the_integrators_id():
    [event] = adapter.parse(request(MESSAGE), account())
    assert event == InboundMessage(channel=Channel.API, account_id="shop", provider_message_id="order-77-msg-1",
                                   customer_id="cust-42", customer_name="Ada",
                                   sent_at=datetime.fromtimestamp(NOW - 5, tz=UTC), kind=ContentKind.TEXT,
                                   text="Where is my order?")


def test_media_urls_and_an_iso_timestamp_are_read():
    document = {**MESSAGE, "timestamp": "2025-10-09T08:53:15+02:00", "text": "see photo",
                "media": [{"url": "https://shop.example/u/p.jpg", "content_type": "image/jpeg", "filename": "p.jpg"}]}
    [event] = adapter.parse(request(document), account())
    assert isinstance(event, InboundMessage)
    assert event.kind is ContentKind.IMAGE
    assert event.sent_at == datetime(2025, 10, 9, 6, 53, 15, tzinfo=UTC)
    assert event.media == [MediaRef(url="https://shop.example/u/p.jpg", content_type="image/jpeg", filename="p.jpg")]


def test_a_status_update_names_the_reply_by_the_id_we_posted():
    document = {"type": "status", "message_id": "1760000000000-abc", "customer_id": "cust-42", "status": "failed",
                "timestamp": NOW, "error": {"code": "blocked", "message": "customer left"}}
    [event] = adapter.parse(request(document), account())
    assert isinstance(event, StatusUpdate)
    assert (event.provider_message_id, event.status, event.error_code) == ("1760000000000-abc",
                                                                          DeliveryStatus.FAILED, "blocked")


@pytest.mark.parametrize(("document", "field"), [
    ({**MESSAGE, "timestamp": "2025-10-09T08:53:15"}, "timestamp"),
    ({k: v for k, v in MESSAGE.items() if k != "message_id"}, "message_id"),
    ({**MESSAGE, "text": "", "media": []}, "text"),
    ({**MESSAGE, "type": "typing"}, "type"),
    ({**MESSAGE, "media": [{"url": "ftp://x"}]}, "media.0.url"),
    ({**MESSAGE, "surprise": 1}, "surprise"),
])
def test_invalid_payloads_are_refused_naming_the_field(document, field):
    with pytest.raises(InvalidInput) as refused:
        adapter.parse(request(document), account())
    assert refused.value.field == field


def test_credentials_need_a_long_secret_and_an_http_reply_url():
    check_credentials(Channel.API, credentials())
    with pytest.raises(InvalidInput) as short:
        check_credentials(Channel.API, {**credentials(), "secret": "short"})
    assert short.value.field == "credentials.secret"
    with pytest.raises(InvalidInput) as no_url:
        check_credentials(Channel.API, {"secret": SECRET, "reply_url": "mailto:x@example.com"})
    assert no_url.value.field == "credentials.reply_url"
    # (the providers' channels follow their own rules: tests/unit/test_credential_rules.py)
    with pytest.raises(InvalidInput):
        check_credentials(Channel.TELEGRAM, {"anything": "goes"})


def test_inbound_media_may_come_only_from_the_integrators_hosts():
    source = adapter.media_source(account(), credentials("https://hooks.shop.example/r"),
                                  MediaRef(url="https://shop.example/u/p.jpg"))
    assert source.allowed_hosts == frozenset({"shop.example", "hooks.shop.example"})


# --- sending ---------------------------------------------------------------------------


REPLY = OutboundContent(text="It ships today", message_id="1760000000000-abc", conversation_id="c-1",
                        media=[OutboundMedia(url="https://media.example/s", content_type="image/png", size=3)])


def test_a_reply_is_posted_signed_with_its_id_as_idempotency_key():
    with loopback_server(Answer(200, {"ok": True})) as integrator:
        sent = adapter.send(account(), credentials(f"{integrator.base_url}/replies"), "cust-42", REPLY)
    # Then our message id names the reply (status updates quote it)
    assert sent.provider_message_id == "1760000000000-abc"
    [posted] = integrator.requests
    assert posted.path == "/replies"
    assert posted.headers["idempotency-key"] == "1760000000000-abc"
    # And the body verifies under the shared secret, with the signed timestamp
    assert verify(posted.headers["x-contact-signature"], posted.body, SECRET, now=NOW) == NOW
    assert posted.json() == {"type": "message", "message_id": "1760000000000-abc", "conversation_id": "c-1",
                             "customer_id": "cust-42", "text": "It ships today", "timestamp": NOW,
                             "media": [{"url": "https://media.example/s", "content_type": "image/png",
                                        "filename": None, "size": 3}]}


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (503, False), (429, False), (408, False),
                                                   (400, True), (401, True), (404, True), (410, True)])
def test_server_errors_and_throttling_are_transient_other_refusals_permanent(status, permanent):
    with loopback_server(Answer(status, {"error": "no"})) as integrator, pytest.raises(SendFailed) as failed:
        adapter.send(account(), credentials(f"{integrator.base_url}/replies"), "cust-42", REPLY)
    assert failed.value.permanent is permanent
    assert failed.value.code == f"http_{status}"


def test_an_unreachable_reply_url_is_transient():
    with pytest.raises(SendFailed) as failed:
        adapter.send(account(), credentials(f"{closed_port_url()}/replies"), "cust-42", REPLY)
    assert failed.value.permanent is False


def test_templates_are_refused_permanently():
    with pytest.raises(SendFailed) as failed:
        adapter.send(account(), credentials(), "cust-42",
                     OutboundContent(template=TemplateContent(name="t", language="en"), message_id="m"))
    assert failed.value.permanent is True
