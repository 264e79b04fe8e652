from datetime import UTC, datetime

import pytest
from chalicelib.channels.base import WebhookRequest
from chalicelib.channels.meta.whatsapp import WhatsAppAdapter, sign
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    StatusUpdate,
    UnreadableEvent,
)

SECRET = "0123456789abcdef0123456789abcdef"
CREDENTIALS = {"app_secret": SECRET, "access_token": "token", "verify_token": "verify-me"}
ACCOUNT = ChannelAccount(id="wa-1", channel=Channel.WHATSAPP, name="WhatsApp", provider_account_id="1065400000",
                         api_base_url="http://127.0.0.1:9", team_id="default", enabled=True)
adapter = WhatsAppAdapter()


def request(body: bytes, signature: str | None = None, query: dict[str, str] | None = None) -> WebhookRequest:
    headers = {"x-hub-signature-256": signature} if signature is not None else {}
    return WebhookRequest(method="POST", url="https://example.test/webhooks/whatsapp/wa-1", headers=headers,
                          query=query or {}, body=body)


def test_signature_matches_the_computed_vector():
    # Given the vector from the channel facts (HMAC-SHA256 of the raw body with the app secret)
    body = b'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[]}]}'
    # Then
    assert sign(body, SECRET) == "sha256=16bb397c59c4fbda71af9933c84d59c62bf8cee8d4ea457d83ba8fb749344768"


def test_valid_signature_is_accepted(fixture_bytes):
    body = fixture_bytes("whatsapp/text.json")
    adapter.authenticate(request(body, sign(body, SECRET)), CREDENTIALS)


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha1=abc", "16bb397c"])
def test_missing_or_wrong_signature_is_rejected(fixture_bytes, signature):
    body = fixture_bytes("whatsapp/text.json")
    with pytest.raises(SignatureRejected):
        adapter.authenticate(request(body, signature), CREDENTIALS)


def test_signature_covers_the_raw_bytes_not_reserialised_json(fixture_bytes):
    # Given a body signed as sent (non-ASCII escaped as \\u00e4)
    body = fixture_bytes("whatsapp/text.json")
    signature = sign(body, SECRET)
    # When the same document arrives re-serialised with the raw character
    reserialised = body.replace(b"\\u00e4", "ä".encode())
    # Then the signature no longer matches
    with pytest.raises(SignatureRejected):
        adapter.authenticate(request(reserialised, signature), CREDENTIALS)


def test_text_message_is_normalised(fixture_bytes):
    events = adapter.parse(request(fixture_bytes("whatsapp/text.json")), ACCOUNT)
    assert events == [InboundMessage(
        channel=Channel.WHATSAPP, account_id="wa-1",
        provider_message_id="wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTdGQjk3NkNFMUQzOEQxRUVBMwA=",
        customer_id="31612345678", customer_name="Ana de Vries",
        sent_at=datetime.fromtimestamp(1763900000, tz=UTC), kind=ContentKind.TEXT,
        text="Hallo, waar blijft mijn bestelling? ä", sequence=0)]


def test_image_keeps_caption_and_raw_payload(fixture_bytes):
    [event] = adapter.parse(request(fixture_bytes("whatsapp/image.json")), ACCOUNT)
    assert isinstance(event, InboundMessage)
    assert event.kind is ContentKind.IMAGE
    assert event.text == "the broken part"
    assert event.raw is not None
    assert event.raw["image"]["id"] == "1479537139650973"


def test_statuses_are_normalised_with_the_provider_reason(fixture_bytes):
    read, failed = adapter.parse(request(fixture_bytes("whatsapp/statuses.json")), ACCOUNT)
    assert isinstance(read, StatusUpdate)
    assert read.status is DeliveryStatus.READ
    assert isinstance(failed, StatusUpdate)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.error_code == "131047"
    assert failed.error_message == "Re-engagement message"


@pytest.mark.parametrize(("body", "field"), [
    (b"{not json", "body"),
    (b"[1, 2]", "body"),
    (b'{"object":"page","entry":[]}', "object"),
    (b'{"entry":[]}', "object"),
    (b"[" * 100_000 + b"]" * 100_000, "body"),
])
def test_malformed_payloads_name_the_problem(body, field):
    with pytest.raises(InvalidInput) as raised:
        adapter.parse(request(body), ACCOUNT)
    assert raised.value.field == field


def test_a_change_for_another_number_is_kept_unread(fixture_bytes):
    body = fixture_bytes("whatsapp/text.json").replace(b"1065400000", b"9999999999")
    [kept] = adapter.parse(request(body), ACCOUNT)
    assert isinstance(kept, UnreadableEvent)
    assert "not this account's number" in kept.reason


def test_handshake_answers_the_challenge_only_with_the_right_token():
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "verify-me"}
    assert adapter.handshake(request(b"", query=query), CREDENTIALS) == "1158201444"
    with pytest.raises(SignatureRejected):
        adapter.handshake(request(b"", query={**query, "hub.verify_token": "guess"}), CREDENTIALS)
