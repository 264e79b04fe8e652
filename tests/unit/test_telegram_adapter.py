from datetime import UTC, datetime

import pytest
from chalicelib.channels import adapter_for
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.channels.telegram import TelegramAdapter
from chalicelib.domain.errors import InvalidInput, NotFound, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ConsentSignal,
    ContactCard,
    ContentKind,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    OutboundMedia,
    TemplateContent,
    UnreadableEvent,
)

from tests.loopback import OK_EMPTY, closed_port_url, loopback_server

TOKEN = "7012345678:AAHk3xQ-bot-token-for-tests"
CREDENTIALS = {"bot_token": TOKEN, "secret_token": "s3cret_Token-for-webhooks"}
adapter = TelegramAdapter()


def account(api_base_url: str = "http://127.0.0.1:9") -> ChannelAccount:
    return ChannelAccount(id="tg-1", channel=Channel.TELEGRAM, name="Shop Support", provider_account_id="7012345678",
                          api_base_url=api_base_url, team_id="default", enabled=True)


def request(body: bytes, secret: str | None = None) -> WebhookRequest:
    headers = {"x-telegram-bot-api-secret-token": secret} if secret is not None else {}
    return WebhookRequest(method="POST", url="https://example.test/api/webhooks/telegram/tg-1", headers=headers,
                          query={}, body=body)


@pytest.fixture
def provider():
    with loopback_server(OK_EMPTY) as stub:
        yield stub


def parse_one(fixture_bytes, name: str) -> InboundMessage:
    [event] = adapter.parse(request(fixture_bytes(f"telegram/{name}")), account())
    assert isinstance(event, InboundMessage)
    return event


# --- authentication -------------------------------------------------------------------


def test_the_registered_adapter_is_telegram():
    assert adapter_for("telegram").channel is Channel.TELEGRAM


def test_the_secret_token_set_at_set_webhook_is_accepted(fixture_bytes):
    adapter.authenticate(request(fixture_bytes("telegram/text.json"), CREDENTIALS["secret_token"]), CREDENTIALS)


@pytest.mark.parametrize("secret", [
    None,  # missing
    "",  # empty
    "s3cret_Token-for-webhookS",  # forged: one character off
    "old_secret_before_rotation",  # stale: the token of an earlier setWebhook
])
def test_missing_forged_or_stale_secret_tokens_are_rejected(fixture_bytes, secret):
    with pytest.raises(SignatureRejected) as raised:
        adapter.authenticate(request(fixture_bytes("telegram/text.json"), secret), CREDENTIALS)
    assert raised.value.field == "X-Telegram-Bot-Api-Secret-Token"


def test_telegram_has_no_get_handshake():
    # Given a GET on the webhook URL: Telegram never sends one
    with pytest.raises(NotFound):
        adapter.handshake(request(b""), CREDENTIALS)


# --- inbound normalisation ------------------------------------------------------------


def test_text_message_is_normalised_with_chat_and_message_id_as_key(fixture_bytes):
    event = parse_one(fixture_bytes, "text.json")
    assert event == InboundMessage(
        channel=Channel.TELEGRAM, account_id="tg-1", provider_message_id="734018275:55", customer_id="734018275",
        customer_name="Sofia Müller", sent_at=datetime.fromtimestamp(1795500000, tz=UTC), kind=ContentKind.TEXT,
        text="Hallo! Where is my order #4411?", sequence=55)


def test_photo_keeps_the_largest_size_and_the_caption(fixture_bytes):
    event = parse_one(fixture_bytes, "photo.json")
    assert event.kind is ContentKind.IMAGE
    assert event.text == "the parcel arrived like this"
    assert event.media == [MediaRef(provider_media_id="AgACAgQAAxkBAAM4Z0large", content_type="image/jpeg",
                                    size=96321)]
    assert event.raw is not None
    assert len(event.raw["photo"]) == 3


@pytest.mark.parametrize(("name", "kind", "media"), [
    ("document.json", ContentKind.DOCUMENT, MediaRef(provider_media_id="BQACAgQAAxkBAAM5invoice",
                                                     content_type="application/pdf", filename="invoice-4411.pdf",
                                                     size=48213)),
    ("voice.json", ContentKind.AUDIO, MediaRef(provider_media_id="AwACAgQAAxkBAAM6voice", content_type="audio/ogg",
                                               size=15360)),
    ("video.json", ContentKind.VIDEO, MediaRef(provider_media_id="BAACAgQAAxkBAAM7video", content_type="video/mp4",
                                               filename="unboxing.mp4", size=2483112)),
    # Telegram fills "document" too for an animation: it is still one video
    ("animation.json", ContentKind.VIDEO, MediaRef(provider_media_id="CgACAgQAAxkBAAM8anim",
                                                   content_type="video/mp4", filename="thanks.mp4", size=120400)),
])
def test_files_become_media_refs_by_file_id(fixture_bytes, name, kind, media):
    event = parse_one(fixture_bytes, name)
    assert event.kind is kind
    assert event.media == [media]


def test_venue_gives_a_named_location(fixture_bytes):
    event = parse_one(fixture_bytes, "venue.json")
    assert event.kind is ContentKind.LOCATION
    assert event.location == Location(latitude=52.370216, longitude=4.895168, name="Pick-up point Dam",
                                      address="Dam 1, 1012 JS Amsterdam")


def test_plain_location(fixture_bytes):
    event = parse_one(fixture_bytes, "location.json")
    assert event.location == Location(latitude=48.137154, longitude=11.576124)


def test_shared_contact(fixture_bytes):
    event = parse_one(fixture_bytes, "contact.json")
    assert event.kind is ContentKind.CONTACTS
    assert event.contacts == [ContactCard(name="Jonas Weber", phones=["+4915123456789"])]


def test_a_poll_is_unsupported_and_its_payload_is_kept(fixture_bytes):
    event = parse_one(fixture_bytes, "poll.json")
    assert event.kind is ContentKind.UNSUPPORTED
    assert event.raw is not None
    assert event.raw["poll"]["question"] == "Which colour?"


def test_an_edit_is_kept_under_its_own_key_not_taken_for_a_redelivery(fixture_bytes):
    original = parse_one(fixture_bytes, "text.json")
    edit = parse_one(fixture_bytes, "edited.json")
    assert edit.provider_message_id == "734018275:55:edit:1795500600"
    assert edit.provider_message_id != original.provider_message_id
    # It names the original, which takes its text
    assert (edit.edit_of, edit.kind, edit.text) == (original.provider_message_id, ContentKind.TEXT,
                                                    "Hallo! Where is my order #4412?")


def test_the_user_blocking_the_bot_is_an_opt_out_signal(fixture_bytes):
    # Given the user blocking the bot (a my_chat_member update)
    [signal] = adapter.parse(request(fixture_bytes("telegram/blocked.json")), account())
    # Then it is the provider's opt-out signal (tests/unit/test_channel_fidelity.py has more)
    assert isinstance(signal, ConsentSignal)
    assert signal.opted_out is True


@pytest.mark.parametrize(("body", "field"), [
    (b"{not json", "body"),
    (b"[]", "body"),
    (b'{"message":{}}', "update_id"),
])
def test_malformed_updates_name_the_problem(body, field):
    with pytest.raises(InvalidInput) as raised:
        adapter.parse(request(body), account())
    assert raised.value.field == field


def test_an_update_that_cannot_be_read_is_kept_with_the_field_at_fault():
    body = b'{"update_id":1,"message":{"message_id":1,"date":1795500000}}'
    [kept] = adapter.parse(request(body), account())
    assert isinstance(kept, UnreadableEvent)
    assert "message.chat" in kept.reason


# --- sending --------------------------------------------------------------------------


def ok(message_id: int, chat_id: int = 734018275) -> dict[str, object]:
    return {"ok": True, "result": {"message_id": message_id, "chat": {"id": chat_id, "type": "private"},
                                   "date": 1795500900}}


def test_text_is_sent_with_send_message(provider):
    provider.queue(200, ok(77))
    sent = adapter.send(account(provider.base_url), CREDENTIALS, "734018275", OutboundContent(text="On its way!"))
    assert sent.provider_message_id == "734018275:77"
    [call] = provider.requests
    assert call.path == f"/bot{TOKEN}/sendMessage"
    assert call.json() == {"chat_id": 734018275, "text": "On its way!"}


@pytest.mark.parametrize(("content_type", "method", "field"), [
    ("image/jpeg", "sendPhoto", "photo"),
    ("application/pdf", "sendDocument", "document"),
    ("audio/mpeg", "sendAudio", "audio"),
    ("video/mp4", "sendVideo", "video"),
    ("image/svg+xml", "sendDocument", "document"),
])
def test_media_goes_to_its_method_with_the_text_as_caption(provider, content_type, method, field):
    provider.queue(200, ok(78))
    media = OutboundMedia(url="https://media.example.test/signed/a1?X-Amz-Signature=abc", content_type=content_type)
    sent = adapter.send(account(provider.base_url), CREDENTIALS, "734018275",
                        OutboundContent(text="here you go", media=[media]))
    assert sent.provider_message_id == "734018275:78"
    [call] = provider.requests
    assert call.path == f"/bot{TOKEN}/{method}"
    assert call.json() == {"chat_id": 734018275, field: media.url, "caption": "here you go"}


def test_text_too_long_for_a_caption_goes_first_as_its_own_message(provider):
    provider.queue(200, ok(79))
    provider.queue(200, ok(80))
    media = OutboundMedia(url="https://media.example.test/a.png", content_type="image/png")
    sent = adapter.send(account(provider.base_url), CREDENTIALS, "734018275",
                        OutboundContent(text="x" * 1025, media=[media]))
    assert [r.path.rsplit("/", 1)[-1] for r in provider.requests] == ["sendMessage", "sendPhoto"]
    assert "caption" not in provider.requests[1].json()
    assert sent.provider_message_id == "734018275:79"


def test_templates_are_refused_permanently_without_calling_telegram(provider):
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "734018275",
                     OutboundContent(template=TemplateContent(name="order_update", language="en")))
    assert raised.value.permanent
    assert "template" in raised.value.message
    assert provider.requests == []


@pytest.mark.parametrize(("status", "body", "permanent", "opted_out"), [
    (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}, True, True),
    (403, {"ok": False, "error_code": 403, "description": "Forbidden: user is deactivated"}, True, False),
    (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}, True, False),
    (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, True, False),
    (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
           "parameters": {"retry_after": 7}}, False, False),
    (502, b"<html>Bad Gateway</html>", False, False),
])
def test_errors_are_classified_from_telegrams_answer(provider, status, body, permanent, opted_out):
    provider.queue(status, body)
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "734018275", OutboundContent(text="hi"))
    assert raised.value.permanent is permanent
    # A bot the customer blocked is the answer-side twin of my_chat_member "kicked": an opt-out
    assert raised.value.opted_out is opted_out
    assert raised.value.code == str(status)
    if status == 429:
        assert "retry after 7 s" in raised.value.message


def test_an_unreachable_api_is_a_transient_failure():
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(closed_port_url()), CREDENTIALS, "734018275", OutboundContent(text="hi"))
    assert not raised.value.permanent
    assert TOKEN not in str(raised.value)


# --- media ----------------------------------------------------------------------------


def test_media_source_resolves_the_file_id_through_get_file(provider):
    provider.queue(200, {"ok": True, "result": {"file_id": "AgACAgQAAxkBAAM4Z0large", "file_unique_id": "AQADlarge",
                                                 "file_size": 96321, "file_path": "photos/file_3.jpg"}})
    source = adapter.media_source(account(provider.base_url), CREDENTIALS,
                                  MediaRef(provider_media_id="AgACAgQAAxkBAAM4Z0large", content_type="image/jpeg"))
    assert source.url == f"{provider.base_url}/file/bot{TOKEN}/photos/file_3.jpg"
    assert source.allowed_hosts == frozenset({"127.0.0.1"})
    [call] = provider.requests
    assert call.path == f"/bot{TOKEN}/getFile"
    assert call.json() == {"file_id": "AgACAgQAAxkBAAM4Z0large"}


def test_media_source_names_a_file_telegram_will_not_serve(provider):
    provider.queue(400, {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"})
    with pytest.raises(InvalidInput) as raised:
        adapter.media_source(account(provider.base_url), CREDENTIALS, MediaRef(provider_media_id="BIG"))
    assert "file is too big" in raised.value.message
