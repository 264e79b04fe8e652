"""Messenger and Instagram: Meta's signature and handshake, the messaging events (messages,
attachments, receipts, echoes), and the Send API with the HUMAN_AGENT tag."""

from datetime import UTC, datetime

import pytest
from chalicelib.channels import adapter_for
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.channels.meta.graph import sign
from chalicelib.channels.meta.instagram import InstagramAdapter
from chalicelib.channels.meta.messenger import MessengerAdapter
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
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

from tests.loopback import Answer, loopback_server

SECRET = "0123456789abcdef0123456789abcdef"
CREDENTIALS = {"app_secret": SECRET, "access_token": "EAAPage", "verify_token": "verify-me"}
PAGE_ID = "104578231098765"
IG_ID = "17841400000000001"
messenger = MessengerAdapter()
instagram = InstagramAdapter()


def page(base_url: str = "http://127.0.0.1:9") -> ChannelAccount:
    return ChannelAccount(id="fb-1", channel=Channel.MESSENGER, name="Page", provider_account_id=PAGE_ID,
                          api_base_url=base_url, team_id="default", enabled=True)


def ig(base_url: str = "http://127.0.0.1:9") -> ChannelAccount:
    return ChannelAccount(id="ig-1", channel=Channel.INSTAGRAM, name="IG", provider_account_id=IG_ID,
                          api_base_url=base_url, team_id="default", enabled=True)


def request(body: bytes, signature: str | None = None, query: dict[str, str] | None = None) -> WebhookRequest:
    headers = {"x-hub-signature-256": signature} if signature is not None else {}
    return WebhookRequest("POST", "https://x.test/webhooks/messenger/fb-1", headers, query or {}, body)


@pytest.fixture
def graph():
    with loopback_server() as server:
        yield server


def test_both_adapters_are_registered():
    assert isinstance(adapter_for("messenger"), MessengerAdapter)
    assert isinstance(adapter_for(Channel.INSTAGRAM), InstagramAdapter)


# --- authentication -------------------------------------------------------------------


def test_meta_signature_matches_the_computed_vector():
    body = b'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[]}]}'
    assert sign(body, SECRET) == "sha256=16bb397c59c4fbda71af9933c84d59c62bf8cee8d4ea457d83ba8fb749344768"


@pytest.mark.parametrize("adapter", [messenger, instagram])
def test_signed_body_is_accepted(fixture_bytes, adapter):
    body = fixture_bytes("messenger/text.json")
    adapter.authenticate(request(body, sign(body, SECRET)), CREDENTIALS)


@pytest.mark.parametrize("adapter", [messenger, instagram])
@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha1=3f1b"])
def test_missing_or_forged_signature_is_rejected(fixture_bytes, adapter, signature):
    with pytest.raises(SignatureRejected):
        adapter.authenticate(request(fixture_bytes("messenger/text.json"), signature), CREDENTIALS)


def test_signature_is_over_the_raw_bytes(fixture_bytes):
    body = fixture_bytes("messenger/text.json")
    reserialised = body.replace(b"\\u00e9", "é".encode())
    with pytest.raises(SignatureRejected):
        messenger.authenticate(request(reserialised, sign(body, SECRET)), CREDENTIALS)


def test_handshake_echoes_the_challenge_for_the_verify_token():
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "verify-me"}
    assert instagram.handshake(request(b"", query=query), CREDENTIALS) == "1158201444"
    with pytest.raises(SignatureRejected):
        messenger.handshake(request(b"", query={**query, "hub.verify_token": "nope"}), CREDENTIALS)


# --- Messenger inbound ----------------------------------------------------------------


def test_text_message_is_normalised(fixture_bytes):
    [event] = messenger.parse(request(fixture_bytes("messenger/text.json")), page())
    assert event == InboundMessage(
        channel=Channel.MESSENGER, account_id="fb-1", provider_message_id="m_AbCdEf0123456789text",
        customer_id="7412589630125478", sent_at=datetime.fromtimestamp(1763900000.987, tz=UTC),
        kind=ContentKind.TEXT, text="Is my order shipped? é", sequence=0)


def test_attachments_become_media_location_or_unsupported(fixture_bytes):
    photos, document, place, share = messenger.parse(request(fixture_bytes("messenger/attachments.json")), page())
    assert isinstance(photos, InboundMessage)
    assert photos.kind is ContentKind.IMAGE
    assert [m.url for m in photos.media] == [
        "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_oc=abc&oh=00_sig&oe=67000000",
        "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo2.jpg?oh=00_sig2"]
    assert isinstance(document, InboundMessage)
    assert document.kind is ContentKind.DOCUMENT
    assert isinstance(place, InboundMessage)
    assert place.location == Location(latitude=48.8584, longitude=2.2945, name="Pinned location")
    assert isinstance(share, InboundMessage)
    assert share.kind is ContentKind.UNSUPPORTED
    assert share.media == []
    assert share.raw is not None
    assert share.raw["message"]["attachments"][0]["type"] == "fallback"


def test_receipts_map_mids_and_watermarks(fixture_bytes):
    events = messenger.parse(request(fixture_bytes("messenger/receipts.json")), page())
    assert all(isinstance(e, StatusUpdate) for e in events)
    first, second, watermark_delivery, watermark_read = events
    # Delivery with mids: one update per message id, tied to it
    assert isinstance(first, StatusUpdate)
    assert (first.provider_message_id, first.status, first.watermark) == ("m_out0001", DeliveryStatus.DELIVERED, None)
    assert isinstance(second, StatusUpdate)
    assert second.provider_message_id == "m_out0002"
    # A bare watermark applies to everything sent before it
    assert isinstance(watermark_delivery, StatusUpdate)
    assert watermark_delivery.status is DeliveryStatus.DELIVERED
    assert watermark_delivery.watermark == datetime.fromtimestamp(1763900400.5, tz=UTC)
    assert isinstance(watermark_read, StatusUpdate)
    assert watermark_read.status is DeliveryStatus.READ
    assert watermark_read.watermark == datetime.fromtimestamp(1763900401.5, tz=UTC)
    assert watermark_read.customer_id == "7412589630125478"
    assert watermark_read.provider_message_id != watermark_delivery.provider_message_id


def test_echoes_are_ignored_and_other_events_kept(fixture_bytes):
    reaction, postback = messenger.parse(request(fixture_bytes("messenger/echo_and_reaction.json")), page())
    assert isinstance(reaction, InboundMessage)
    assert (reaction.reaction_to, reaction.reaction, reaction.text) == ("m_out0001", "❤", "Reacted ❤")
    # The reaction names the message it reacts to; its own key must not collide with that message
    assert reaction.provider_message_id != "m_out0001"
    again = messenger.parse(request(fixture_bytes("messenger/echo_and_reaction.json")), page())[0]
    assert isinstance(again, InboundMessage)
    assert again.provider_message_id == reaction.provider_message_id
    assert isinstance(postback, InboundMessage)
    assert (postback.kind, postback.text, postback.provider_message_id) == (
        ContentKind.TEXT, "Talk to a person", "m_postback0001")


@pytest.mark.parametrize(("body", "field"), [
    (b"{", "body"),
    (b'{"object":"instagram","entry":[]}', "object"),
])
def test_malformed_payloads_name_the_problem(body, field):
    with pytest.raises(InvalidInput) as raised:
        messenger.parse(request(body), page())
    assert raised.value.field == field


@pytest.mark.parametrize(("body", "location", "reason"), [
    (b'{"object":"page","entry":[{"id":"999","messaging":[]}]}', "entry[0].id", "not this account"),
    (b'{"object":"page","entry":[{"id":"104578231098765","messaging":[{"sender":{}}]}]}',
     "entry[0].messaging[0]", "is required"),
    (b'{"object":"page","entry":[{"id":"104578231098765","messaging":[{"sender":{"id":"1"},'
     b'"recipient":{"id":"104578231098765"},"timestamp":1,"message":{"text":"no mid"}}]}]}',
     "entry[0].messaging[0]", "no mid"),
])
def test_an_unreadable_part_is_kept_with_its_reason(body, location, reason):
    [kept] = messenger.parse(request(body), page())
    assert isinstance(kept, UnreadableEvent)
    assert kept.location == location
    assert reason in kept.reason
    assert kept.raw


# --- Instagram inbound ----------------------------------------------------------------


def test_instagram_text_and_media(fixture_bytes):
    [text] = instagram.parse(request(fixture_bytes("instagram/text.json")), ig())
    assert isinstance(text, InboundMessage)
    assert (text.channel, text.customer_id, text.text) == (Channel.INSTAGRAM, "6123456789012345",
                                                           "Do you ship to Belgium?")
    image, unsupported, story, seen = instagram.parse(request(fixture_bytes("instagram/media_and_flags.json")), ig())
    assert isinstance(image, InboundMessage)
    assert image.media == [MediaRef(
        url="https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18012345678901234&signature=AbCdEf")]
    # is_unsupported and unknown attachment types are kept; is_deleted is dropped (see adapter)
    assert isinstance(unsupported, InboundMessage)
    assert unsupported.kind is ContentKind.UNSUPPORTED
    assert isinstance(story, InboundMessage)
    assert story.story is not None
    assert (story.kind, story.story.kind, story.text) == (ContentKind.TEXT, "mention", "Mentioned you in their story")
    assert story.story.url == "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18099999999999999&signature=Zz"
    assert story.media == []  # the story's media is never copied (Meta's terms)
    # messaging_seen names the message read
    assert isinstance(seen, StatusUpdate)
    assert (seen.provider_message_id, seen.status, seen.watermark) == ("aWdfOUT0001", DeliveryStatus.READ, None)


def test_instagram_refuses_a_page_notification(fixture_bytes):
    with pytest.raises(InvalidInput) as raised:
        instagram.parse(request(fixture_bytes("messenger/text.json")), ig())
    assert raised.value.field == "object"


# --- outbound -------------------------------------------------------------------------


def sent(message_id: str) -> Answer:
    return Answer(200, {"recipient_id": "7412589630125478", "message_id": message_id})


def test_reply_within_the_window_is_a_response(graph):
    graph.answer("POST", f"/v21.0/{PAGE_ID}/messages", sent("m_1"))
    result = messenger.send(page(graph.base_url), CREDENTIALS, "7412589630125478", OutboundContent(text="Hi"))
    assert result.provider_message_id == "m_1"
    [call] = graph.requests
    assert call.headers["authorization"] == "Bearer EAAPage"
    assert call.json() == {"recipient": {"id": "7412589630125478"}, "messaging_type": "RESPONSE",
                           "message": {"text": "Hi"}}


def test_past_24_hours_the_human_agent_tag_is_used(graph):
    graph.answer("POST", f"/v21.0/{IG_ID}/messages", sent("ig_1"))
    instagram.send(ig(graph.base_url), CREDENTIALS, "6123456789012345",
                   OutboundContent(text="Sorry for the wait", human_agent_tag=True))
    payload = graph.requests[0].json()
    assert payload["messaging_type"] == "MESSAGE_TAG"
    assert payload["tag"] == "HUMAN_AGENT"


def test_text_then_one_message_per_attachment(graph):
    graph.answer("POST", f"/v21.0/{PAGE_ID}/messages", sent("m_t"), sent("m_i"), sent("m_f"))
    content = OutboundContent(text="Here you go", media=[
        OutboundMedia(url="https://b.example/p.png", content_type="image/png"),
        OutboundMedia(url="https://b.example/m.pdf", content_type="application/pdf", filename="m.pdf")])
    assert messenger.send(page(graph.base_url), CREDENTIALS, "7412589630125478", content).provider_message_id == "m_t"
    messages = [r.json()["message"] for r in graph.requests]
    assert messages == [
        {"text": "Here you go"},
        {"attachment": {"type": "image", "payload": {"url": "https://b.example/p.png", "is_reusable": True}}},
        {"attachment": {"type": "file", "payload": {"url": "https://b.example/m.pdf", "is_reusable": True}}}]


@pytest.mark.parametrize("content", [
    OutboundContent(template=TemplateContent(name="t", language="en")),
    OutboundContent(text="x" * 2001),
    OutboundContent(),
])
def test_content_messenger_cannot_carry_fails_permanently(content):
    with pytest.raises(SendFailed) as raised:
        messenger.send(page(), CREDENTIALS, "1", content)
    assert raised.value.permanent


def test_instagram_cannot_send_files():
    content = OutboundContent(media=[OutboundMedia(url="https://b.example/m.pdf", content_type="application/pdf")])
    with pytest.raises(SendFailed) as raised:
        instagram.send(ig(), CREDENTIALS, "1", content)
    assert raised.value.permanent


@pytest.mark.parametrize(("status", "error", "permanent", "code"), [
    (400, {"code": 551, "error_subcode": 1545041, "message": "This person isn't available right now."}, True,
     "551/1545041"),
    (400, {"code": 10, "error_subcode": 2018278, "message": "outside of allowed window"}, True, "10/2018278"),
    (400, {"code": 100, "error_subcode": 2018001, "message": "No matching user found"}, True, "100/2018001"),
    (400, {"code": 230, "message": "Requires pages_messaging permission"}, True, "230"),
    (400, {"code": 613, "message": "Calls to this api have exceeded the rate limit."}, False, "613"),
    (400, {"code": 4, "message": "Application request limit reached"}, False, "4"),
    (500, {"code": 2, "message": "An unexpected error has occurred. Please retry your request later."}, False, "2"),
    (400, {"code": 1200, "message": "Temporary send message failure", "is_transient": True}, False, "1200"),
    (502, {}, False, "502"),
])
def test_send_api_errors_are_classified(graph, status, error, permanent, code):
    graph.answer("POST", f"/v21.0/{PAGE_ID}/messages", Answer(status, {"error": error} if error else b"bad gateway"))
    with pytest.raises(SendFailed) as raised:
        messenger.send(page(graph.base_url), CREDENTIALS, "7412589630125478", OutboundContent(text="Hi"))
    assert (raised.value.permanent, raised.value.code) == (permanent, code)


def test_media_source_is_the_cdn_url_without_a_token(graph):
    url = "https://scontent.xx.fbcdn.net/v/photo.jpg?oh=sig"
    source = messenger.media_source(page(graph.base_url), CREDENTIALS, MediaRef(url=url))
    assert source.url == url
    assert source.headers == {}
    assert ".fbcdn.net" in source.allowed_hosts
    assert graph.netloc in source.allowed_hosts
