import json
from datetime import UTC, datetime, timedelta

import pytest
from chalicelib.channels import adapter_for
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.channels.viber import ViberAdapter, sign
from chalicelib.domain.errors import InvalidInput, NotFound, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ConsentSignal,
    ContactCard,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    OutboundMedia,
    StatusUpdate,
    TemplateContent,
    UnreadableEvent,
)

from tests.loopback import OK_EMPTY, closed_port_url, loopback_server

TOKEN = "4a1b2c3d4e5f6071-8293a4b5c6d7e8f9-0a1b2c3d4e5f6071"
CREDENTIALS = {"auth_token": TOKEN}
# A quarter of an hour after the fixtures' events.
NOW = datetime.fromtimestamp(1795500900, tz=UTC)
adapter = ViberAdapter(clock=lambda: NOW)


def account(api_base_url: str = "https://chatapi.viber.com") -> ChannelAccount:
    return ChannelAccount(id="vb-1", channel=Channel.VIBER, name="Kettle Shop customer service",
                          provider_account_id="pa:kettleshop", api_base_url=api_base_url, team_id="default",
                          enabled=True)


def request(body: bytes, signature: str | None = None) -> WebhookRequest:
    headers = {"x-viber-content-signature": signature} if signature is not None else {}
    return WebhookRequest(method="POST", url="https://example.test/api/webhooks/viber/vb-1", headers=headers,
                          query={}, body=body)


def parse_one(fixture_bytes, name: str) -> InboundMessage:
    [event] = adapter.parse(request(fixture_bytes(f"viber/{name}")), account())
    assert isinstance(event, InboundMessage)
    return event


@pytest.fixture
def provider():
    with loopback_server(OK_EMPTY) as stub:
        yield stub


# --- signatures -----------------------------------------------------------------------


def test_signature_matches_vibers_published_vector():
    body = b'{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}'
    signature = "d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef"
    assert sign(body, "44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3") == signature
    # the webhook check is answered whatever its date
    adapter.authenticate(request(body, signature), {"auth_token": "44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3"})


def test_a_signed_recent_callback_is_accepted(fixture_bytes):
    body = fixture_bytes("viber/text.json")
    adapter.authenticate(request(body, sign(body, TOKEN)), CREDENTIALS)


@pytest.mark.parametrize("case", ["missing", "empty", "forged", "tampered body", "old token"])
def test_missing_or_forged_signatures_are_rejected(fixture_bytes, case):
    body = fixture_bytes("viber/text.json")
    signature: str | None = sign(body, TOKEN)
    if case == "missing":
        signature = None
    elif case == "empty":
        signature = ""
    elif case == "forged":
        signature = "0" * 64
    elif case == "tampered body":
        body = body.replace(b"blue kettle", b"red kettle")
    elif case == "old token":
        signature = sign(body, "0000000000000000-0000000000000000-0000000000000000")
    with pytest.raises(SignatureRejected) as raised:
        adapter.authenticate(request(body, signature), CREDENTIALS)
    assert raised.value.field == "X-Viber-Content-Signature"


@pytest.mark.parametrize("offset", [timedelta(hours=-3), timedelta(minutes=10)])
def test_a_validly_signed_but_stale_or_future_callback_is_rejected(fixture_bytes, offset):
    # Given a genuine signature over a callback dated outside Viber's hour of retries (a replay)
    document = json.loads(fixture_bytes("viber/text.json"))
    document["timestamp"] = int((NOW + offset).timestamp() * 1000)
    body = json.dumps(document).encode()
    with pytest.raises(SignatureRejected) as raised:
        adapter.authenticate(request(body, sign(body, TOKEN)), CREDENTIALS)
    assert raised.value.field == "timestamp"


def test_an_hour_old_retry_is_still_accepted(fixture_bytes):
    document = json.loads(fixture_bytes("viber/text.json"))
    document["timestamp"] = int((NOW - timedelta(minutes=70)).timestamp() * 1000)
    body = json.dumps(document).encode()
    adapter.authenticate(request(body, sign(body, TOKEN)), CREDENTIALS)


def test_viber_has_no_get_handshake():
    assert adapter_for("viber").channel is Channel.VIBER
    with pytest.raises(NotFound):
        adapter.handshake(request(b""), CREDENTIALS)


# --- inbound normalisation ------------------------------------------------------------


def test_text_message_is_normalised_with_the_message_token_as_key(fixture_bytes):
    assert parse_one(fixture_bytes, "text.json") == InboundMessage(
        channel=Channel.VIBER, account_id="vb-1", provider_message_id="5741311803571721087",
        customer_id="01234567890A=", customer_name="Olena",
        sent_at=datetime(2026, 11, 24, 6, 0, 0, 123000, tzinfo=UTC), kind=ContentKind.TEXT,
        text="Доброго дня! Is the blue kettle back in stock?")


@pytest.mark.parametrize(("name", "kind", "text", "media"), [
    ("picture.json", ContentKind.IMAGE, "broken lid",
     MediaRef(url="https://dl-media.viber.com/5/media/2/short/any/sig/image/0x0/5c1e/9f2a0b1c.jpg",
              filename="IMG_20261123.jpg", size=184320)),
    ("video.json", ContentKind.VIDEO, None,
     MediaRef(url="https://dl-media.viber.com/5/media/2/short/any/sig/video/0x0/77aa/unboxing.mp4", size=5242880)),
    ("file.json", ContentKind.DOCUMENT, None,
     MediaRef(url="https://dl-media.viber.com/5/share/2/long/sig/file/receipt-4411.pdf",
              filename="receipt-4411.pdf", size=48213)),
    ("sticker.json", ContentKind.IMAGE, None,
     MediaRef(url="https://dl-media.viber.com/5/media/2/short/sticker/46105.png")),
])
def test_media_messages_carry_the_url_viber_gives(fixture_bytes, name, kind, text, media):
    event = parse_one(fixture_bytes, name)
    assert (event.kind, event.text, event.media) == (kind, text, [media])
    assert event.raw is not None


def test_location(fixture_bytes):
    event = parse_one(fixture_bytes, "location.json")
    assert event.kind is ContentKind.LOCATION
    assert event.location == Location(latitude=50.450001, longitude=30.523333, address="Khreshchatyk St, 22, Kyiv")


def test_contact(fixture_bytes):
    event = parse_one(fixture_bytes, "contact.json")
    assert event.contacts == [ContactCard(name="Taras Shevchenko", phones=["+380501234567"])]


def test_a_shared_link_is_text(fixture_bytes):
    event = parse_one(fixture_bytes, "url.json")
    assert (event.kind, event.text) == (ContentKind.TEXT, "https://shop.example.test/kettles/blue")


def test_a_reply_button_tap_is_the_buttons_action_body_as_text(fixture_bytes):
    # Viber sends a keyboard or rich-media "reply" button as the customer's text (its ActionBody),
    # with the tracking_data of the bot's last message; nothing tells it from typed text.
    event = parse_one(fixture_bytes, "keyboard_reply.json")
    assert (event.kind, event.text, event.reply_payload) == (ContentKind.TEXT, "STOP", None)


def test_rich_media_is_unsupported_and_kept(fixture_bytes):
    event = parse_one(fixture_bytes, "rich_media.json")
    assert event.kind is ContentKind.UNSUPPORTED
    assert event.raw is not None
    assert event.raw["rich_media"]["Buttons"][0]["ActionBody"] == "yes"


@pytest.mark.parametrize(("name", "status", "code", "message"), [
    ("delivered.json", DeliveryStatus.DELIVERED, None, None),
    ("seen.json", DeliveryStatus.READ, None, None),
    ("failed.json", DeliveryStatus.FAILED, "failed", "failure description"),
])
def test_receipts_become_status_updates(fixture_bytes, name, status, code, message):
    [event] = adapter.parse(request(fixture_bytes(f"viber/{name}")), account())
    assert isinstance(event, StatusUpdate)
    assert (event.provider_message_id, event.customer_id) == ("5741311803571721200", "01234567890A=")
    assert (event.status, event.error_code, event.error_message) == (status, code, message)


@pytest.mark.parametrize("name", ["webhook.json", "conversation_started.json"])
def test_setup_events_give_no_events(fixture_bytes, name):
    assert adapter.parse(request(fixture_bytes(f"viber/{name}")), account()) == []


@pytest.mark.parametrize(("name", "opted_out"), [("unsubscribed.json", True), ("subscribed.json", False)])
def test_subscription_events_change_consent(fixture_bytes, name, opted_out):
    # Given Viber's unsubscribed (user_id) or subscribed (user object) callback
    [event] = adapter.parse(request(fixture_bytes(f"viber/{name}")), account())
    # Then it is a consent signal for that user, dated by the callback, deduplicated by its token
    assert isinstance(event, ConsentSignal)
    assert (event.customer_id, event.opted_out, event.account_id) == ("01234567890A=", opted_out, "vb-1")
    assert event.occurred_at.year == 2026
    assert event.provider_event_id.startswith(name.split(".")[0] + "-57413118035717213")


@pytest.mark.parametrize(("body", "field"), [
    (b"{not json", "body"),
    (b'{"timestamp":1795500000000}', "event"),
])
def test_malformed_callbacks_name_the_problem(body, field):
    with pytest.raises(InvalidInput) as raised:
        adapter.parse(request(body), account())
    assert raised.value.field == field


@pytest.mark.parametrize(("body", "field"), [
    (b'{"event":"message","timestamp":1795500000000,"message_token":1}', "message"),
    (b'{"event":"seen","timestamp":1795500000000,"message_token":1}', "message_token"),
])
def test_a_callback_that_cannot_be_read_is_kept_with_its_reason(body, field):
    [kept] = adapter.parse(request(body), account())
    assert isinstance(kept, UnreadableEvent)
    assert f"(at {field})" in kept.reason
    assert kept.raw


# --- sending --------------------------------------------------------------------------


def ok(token: int) -> dict[str, object]:
    return {"status": 0, "status_message": "ok", "message_token": token, "chat_hostname": "SN-CHAT-05_",
            "billing_status": 1}


def test_text_is_sent_with_the_auth_token_and_a_sender_name(provider):
    provider.queue(200, ok(5741311803571721400))
    sent = adapter.send(account(provider.base_url), CREDENTIALS, "01234567890A=", OutboundContent(text="Yes, it is!"))
    assert sent.provider_message_id == "5741311803571721400"
    [call] = provider.requests
    assert call.path == "/pa/send_message"
    assert call.headers["x-viber-auth-token"] == TOKEN
    assert call.json() == {"receiver": "01234567890A=", "min_api_version": 1,
                           "sender": {"name": "Kettle Shop customer service"[:28]}, "type": "text",
                           "text": "Yes, it is!"}


@pytest.mark.parametrize(("media", "expected"), [
    (OutboundMedia(url="https://media.example.test/kettle.jpg", content_type="image/jpeg"),
     {"type": "picture", "media": "https://media.example.test/kettle.jpg", "text": "our blue kettle"}),
    (OutboundMedia(url="https://media.example.test/demo.mp4", content_type="video/mp4", size=1048576),
     {"type": "video", "media": "https://media.example.test/demo.mp4", "size": 1048576}),
    (OutboundMedia(url="https://media.example.test/sig/manual?X-Amz-Signature=1", content_type="application/pdf",
                   filename="manual.pdf", size=20480),
     {"type": "file", "media": "https://media.example.test/sig/manual?X-Amz-Signature=1", "size": 20480,
      "file_name": "manual.pdf"}),
])
def test_media_types_map_to_viber_message_types(provider, media, expected):
    provider.queue(200, ok(1))
    provider.queue(200, ok(2))
    adapter.send(account(provider.base_url), {**CREDENTIALS, "sender_name": "Kettle Shop"}, "01234567890A=",
                 OutboundContent(text="our blue kettle", media=[media]))
    calls = [r.json() for r in provider.requests]
    if expected["type"] != "picture":  # only a picture carries a caption: the text goes first
        assert calls.pop(0)["text"] == "our blue kettle"
    [call] = calls
    assert call == {"receiver": "01234567890A=", "min_api_version": 1, "sender": {"name": "Kettle Shop"}, **expected}


def test_a_file_without_a_known_size_is_refused_before_anything_is_sent(provider):
    media = OutboundMedia(url="https://media.example.test/manual.pdf", content_type="application/pdf")
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "01234567890A=",
                     OutboundContent(text="doc", media=[media]))
    assert raised.value.permanent
    assert provider.requests == []


def test_templates_are_refused_permanently(provider):
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "01234567890A=",
                     OutboundContent(template=TemplateContent(name="order_update", language="en")))
    assert raised.value.permanent
    assert "template" in raised.value.message
    assert provider.requests == []


@pytest.mark.parametrize(("status", "name", "permanent", "opted_out"), [
    (5, "receiverNotRegistered", True, False),
    (6, "receiverNotSubscribed", True, True),
    (7, "publicAccountBlocked", True, False),
    (12, "tooManyRequests", False, False),
])
def test_errors_come_in_the_body_of_an_http_200(provider, status, name, permanent, opted_out):
    provider.queue(200, {"status": status, "status_message": name})
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "01234567890A=", OutboundContent(text="hi"))
    assert (raised.value.code, raised.value.message, raised.value.permanent) == (str(status), name, permanent)
    # A customer no longer subscribed is the answer-side twin of the "unsubscribed" callback
    assert raised.value.opted_out is opted_out


def test_a_server_error_or_an_unreachable_api_is_transient(provider):
    provider.queue(503, b"Service Unavailable")
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "01234567890A=", OutboundContent(text="hi"))
    assert not raised.value.permanent
    with pytest.raises(SendFailed) as unreachable:
        adapter.send(account(closed_port_url()), CREDENTIALS, "01234567890A=", OutboundContent(text="hi"))
    assert not unreachable.value.permanent


# --- media ----------------------------------------------------------------------------


def test_media_source_downloads_from_vibers_domain_only():
    url = "https://dl-media.viber.com/5/media/2/short/any/sig/image/0x0/5c1e/9f2a0b1c.jpg"
    source = adapter.media_source(account(), CREDENTIALS, MediaRef(url=url))
    assert (source.url, source.headers, source.allowed_hosts) == (url, {}, frozenset({"dl-media.viber.com"}))
    for foreign in ("https://attacker.example/x.jpg", "https://viber.com.attacker.example/x.jpg", None):
        with pytest.raises(InvalidInput):
            adapter.media_source(account(), CREDENTIALS, MediaRef(url=foreign))
