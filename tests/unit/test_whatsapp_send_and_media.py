"""WhatsApp: the kinds of inbound message, the send payloads (text, media by link, templates),
the classification of Graph errors, and the media lookup."""

from datetime import UTC, datetime

import pytest
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.channels.meta.whatsapp import WhatsAppAdapter
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ContactCard,
    ContentKind,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    OutboundMedia,
    TemplateContent,
)

from tests.loopback import Answer, loopback_server

CREDENTIALS = {"app_secret": "s", "access_token": "EAAG-token", "verify_token": "v"}
adapter = WhatsAppAdapter()


@pytest.fixture
def graph():
    with loopback_server() as server:
        yield server


def account(base_url: str = "http://127.0.0.1:9") -> ChannelAccount:
    return ChannelAccount(id="wa-1", channel=Channel.WHATSAPP, name="WhatsApp", provider_account_id="1065400000",
                          api_base_url=base_url, team_id="default", enabled=True)


def parse(body: bytes) -> list[InboundMessage]:
    events = adapter.parse(WebhookRequest("POST", "https://x.test/", {}, {}, body), account())
    assert all(isinstance(e, InboundMessage) for e in events)
    return [e for e in events if isinstance(e, InboundMessage)]


def test_document_location_contacts_and_audio_are_normalised(fixture_bytes):
    # Given a batch with one message of each kind
    document, location, contacts, reaction, voice = parse(fixture_bytes("whatsapp/kinds.json"))
    # Then each is mapped to its canonical content
    assert document.kind is ContentKind.DOCUMENT
    assert document.text == "invoice"
    assert document.media == [MediaRef(provider_media_id="2093847561029384", content_type="application/pdf",
                                       filename="invoice-2026-11.pdf")]
    assert location.kind is ContentKind.LOCATION
    assert location.location == Location(latitude=52.3676, longitude=4.9041, name="Dam Square",
                                         address="Dam, 1012 JS Amsterdam")
    assert contacts.contacts == [ContactCard(name="Piet Jansen", phones=["+31 20 123 4567"],
                                             emails=["piet@example.nl"])]
    assert voice.kind is ContentKind.AUDIO
    assert voice.media[0].provider_media_id == "3847561029384756"
    # And a reaction names the message it is on
    assert (reaction.reaction_to, reaction.reaction) == ("wamid.OUT0001", "\N{THUMBS UP SIGN}")
    assert reaction.raw is not None
    assert reaction.sent_at == datetime.fromtimestamp(1763900130, tz=UTC)


def test_image_carries_a_media_reference(fixture_bytes):
    [image] = parse(fixture_bytes("whatsapp/image.json"))
    assert image.media == [MediaRef(provider_media_id="1479537139650973", content_type="image/jpeg")]


def ok(message_id: str) -> Answer:
    return Answer(200, {"messaging_product": "whatsapp", "contacts": [{"input": "31612345678", "wa_id": "31612345678"}],
                        "messages": [{"id": message_id}]})


def test_text_send_posts_the_cloud_api_payload_with_the_bearer_token(graph):
    # Given
    graph.answer("POST", "/v21.0/1065400000/messages", ok("wamid.OUT1"))
    # When
    sent = adapter.send(account(graph.base_url), CREDENTIALS, "31612345678", OutboundContent(text="Hello"))
    # Then
    assert sent.provider_message_id == "wamid.OUT1"
    [request] = graph.requests
    assert request.headers["authorization"] == "Bearer EAAG-token"
    assert request.json() == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "31612345678",
                              "type": "text", "text": {"preview_url": False, "body": "Hello"}}


def test_media_goes_by_link_with_the_text_as_caption(graph):
    graph.answer("POST", "/v21.0/1065400000/messages", ok("wamid.IMG"), ok("wamid.DOC"))
    content = OutboundContent(text="Your invoice", media=[
        OutboundMedia(url="https://bucket.example/a.jpg?sig=1", content_type="image/jpeg"),
        OutboundMedia(url="https://bucket.example/b.pdf?sig=2", content_type="application/pdf", filename="b.pdf")])
    sent = adapter.send(account(graph.base_url), CREDENTIALS, "31612345678", content)
    assert sent.provider_message_id == "wamid.IMG"
    image, document = (r.json() for r in graph.requests)
    assert image["type"] == "image"
    assert image["image"] == {"link": "https://bucket.example/a.jpg?sig=1", "caption": "Your invoice"}
    assert document["type"] == "document"
    assert document["document"] == {"link": "https://bucket.example/b.pdf?sig=2", "filename": "b.pdf"}


def test_audio_has_no_caption_so_the_text_goes_first(graph):
    graph.answer("POST", "/v21.0/1065400000/messages", ok("wamid.TXT"), ok("wamid.AUD"))
    content = OutboundContent(text="Listen",
                              media=[OutboundMedia(url="https://b.example/a.ogg", content_type="audio/ogg")])
    adapter.send(account(graph.base_url), CREDENTIALS, "31612345678", content)
    text, audio = (r.json() for r in graph.requests)
    assert text["text"]["body"] == "Listen"
    assert audio["audio"] == {"link": "https://b.example/a.ogg"}


def test_template_send_names_language_and_body_parameters(graph):
    graph.answer("POST", "/v21.0/1065400000/messages", ok("wamid.TPL"))
    template = TemplateContent(name="order_update", language="en_US", variables=["Ana", "#1234"])
    adapter.send(account(graph.base_url), CREDENTIALS, "31612345678", OutboundContent(template=template))
    payload = graph.requests[0].json()
    assert payload["type"] == "template"
    assert payload["template"] == {"name": "order_update", "language": {"code": "en_US"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "#1234"}]}]}


@pytest.mark.parametrize(("status", "code", "permanent"), [
    (400, 131047, True),    # more than 24 h since the customer's last message
    (400, 131026, True),    # undeliverable (blocked user)
    (400, 100, True),       # invalid parameter (e.g. recipient)
    (400, 131048, True),    # spam rate limit: do not retry
    (429, 130429, False),   # throughput limit
    (400, 131056, False),   # pair rate limit
    (400, 80007, False),    # WABA rate limit
    (503, 2, False),        # temporarily unavailable
    (500, None, False),
])
def test_graph_errors_are_classified(graph, status, code, permanent):
    error = {"message": "boom", "type": "OAuthException", "fbtrace_id": "x"}
    if code is not None:
        error["code"] = code
    graph.answer("POST", "/v21.0/1065400000/messages", Answer(status, {"error": error}))
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(graph.base_url), CREDENTIALS, "31612345678", OutboundContent(text="Hi"))
    assert raised.value.permanent is permanent
    assert raised.value.code == str(code if code is not None else status)


def test_an_unreachable_provider_is_transient():
    with pytest.raises(SendFailed) as raised:
        adapter.send(account("http://127.0.0.1:9"), CREDENTIALS, "31612345678", OutboundContent(text="Hi"))
    assert not raised.value.permanent


def test_media_source_asks_graph_for_the_url_and_keeps_the_token_for_meta_hosts_only(graph):
    # Given Graph's answer for a media id
    graph.answer("GET", "/v21.0/1479537139650973", Answer(200, {
        "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973&ext=1&hash=abc",
        "mime_type": "image/jpeg", "sha256": "2f7b", "file_size": 1234, "id": "1479537139650973",
        "messaging_product": "whatsapp"}))
    # When
    source = adapter.media_source(account(graph.base_url), CREDENTIALS, MediaRef(provider_media_id="1479537139650973"))
    # Then
    assert graph.requests[0].headers["authorization"] == "Bearer EAAG-token"
    assert source.url.startswith("https://lookaside.fbsbx.com/whatsapp_business/attachments/")
    assert source.headers == {"Authorization": "Bearer EAAG-token"}
    assert source.allowed_hosts == frozenset({"lookaside.fbsbx.com", graph.netloc})


def test_media_source_refuses_a_non_numeric_media_id():
    with pytest.raises(InvalidInput):
        adapter.media_source(account(), CREDENTIALS, MediaRef(provider_media_id="../../me"))
