import base64
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from chalicelib.channels import adapter_for, webhook_reply
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.channels.twilio_sms import TwilioSmsAdapter, sign
from chalicelib.domain.errors import InvalidInput, NotFound, SignatureRejected
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
    UnreadableEvent,
)

from tests.loopback import OK_EMPTY, closed_port_url, loopback_server

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
WEBHOOK_URL = "https://contact.example.test/api/webhooks/sms/sms-1"
CREDENTIALS = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "status_callback_url": WEBHOOK_URL}
adapter = TwilioSmsAdapter(clock=lambda: NOW)


def account(api_base_url: str = "https://api.twilio.com", number: str = "+14155552671") -> ChannelAccount:
    return ChannelAccount(id="sms-1", channel=Channel.SMS, name="SMS US", provider_account_id=number,
                          api_base_url=api_base_url, team_id="default", enabled=True)


def signed(body: bytes, *, url: str = WEBHOOK_URL, token: str = AUTH_TOKEN) -> str:
    return sign(url, parse_qsl(body.decode(), keep_blank_values=True), token)


def request(body: bytes, signature: str | None = None, url: str = WEBHOOK_URL) -> WebhookRequest:
    headers = {"x-twilio-signature": signature} if signature is not None else {}
    return WebhookRequest(method="POST", url=url, headers=headers, query={}, body=body)


@pytest.fixture
def provider():
    with loopback_server(OK_EMPTY) as stub:
        yield stub


# --- signatures -----------------------------------------------------------------------

VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
                 ("From", "+14158675309"), ("To", "+18005551212")]


def test_signature_matches_twilios_published_vectors():
    # Given the parameters of twilio-python's test and of Twilio's docs, in any order
    assert sign(VECTOR_URL, list(reversed(VECTOR_PARAMS)), "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    docs = [(name, "+12349013030" if name in {"Caller", "From"} else value) for name, value in VECTOR_PARAMS]
    assert sign(VECTOR_URL, docs, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "docs example"


def test_a_signed_webhook_is_accepted(fixture_bytes):
    body = fixture_bytes("sms/inbound_text.txt")
    adapter.authenticate(request(body, signed(body)), CREDENTIALS)


@pytest.mark.parametrize("signed_url", [
    "https://contact.example.test:443/api/webhooks/sms/sms-1",  # Twilio signed with the explicit port
])
def test_the_url_with_or_without_the_default_port_is_accepted(fixture_bytes, signed_url):
    body = fixture_bytes("sms/inbound_text.txt")
    adapter.authenticate(request(body, signed(body, url=signed_url)), CREDENTIALS)
    adapter.authenticate(request(body, signed(body), url=signed_url), CREDENTIALS)


def test_parameters_twilio_adds_later_are_covered_by_the_signature(fixture_bytes):
    # Given a body with a parameter this code has never heard of, signed by Twilio
    body = fixture_bytes("sms/inbound_text.txt") + b"&NewFeatureFlag=on"
    adapter.authenticate(request(body, signed(body)), CREDENTIALS)
    # Then dropping it breaks the signature
    with pytest.raises(SignatureRejected):
        adapter.authenticate(request(fixture_bytes("sms/inbound_text.txt"), signed(body)), CREDENTIALS)


@pytest.mark.parametrize("case", ["missing", "empty", "forged", "other url", "tampered body", "stale token"])
def test_missing_forged_or_stale_signatures_are_rejected(fixture_bytes, case):
    body = fixture_bytes("sms/inbound_text.txt")
    signature: str | None = signed(body)
    if case == "missing":
        signature = None
    elif case == "empty":
        signature = ""
    elif case == "forged":
        signature = base64.b64encode(b"\x00" * 20).decode()
    elif case == "other url":
        # a signature captured on another account's webhook, replayed on this one
        signature = signed(body, url=WEBHOOK_URL.replace("sms-1", "sms-2"))
    elif case == "tampered body":
        body = body.replace(b"Body=Hi", b"Body=Yo")
    elif case == "stale token":
        # signed with the auth token before it was rotated
        signature = signed(body, token="00000000000000000000000000000000")
    with pytest.raises(SignatureRejected) as raised:
        adapter.authenticate(request(body, signature), CREDENTIALS)
    assert raised.value.field == "X-Twilio-Signature"


def test_twilio_has_no_get_handshake():
    with pytest.raises(NotFound):
        adapter.handshake(request(b""), CREDENTIALS)


def test_twilio_gets_empty_twiml_back():
    assert adapter_for("sms").channel is Channel.SMS
    reply = webhook_reply("sms")
    assert reply is not None
    assert reply.content_type == "text/xml"
    assert reply.body.endswith("<Response></Response>")
    assert webhook_reply("telegram") is None


# --- inbound normalisation ------------------------------------------------------------


def test_text_message_is_normalised_with_the_sender_in_e164(fixture_bytes):
    [event] = adapter.parse(request(fixture_bytes("sms/inbound_text.txt")), account())
    assert event == InboundMessage(
        channel=Channel.SMS, account_id="sms-1", provider_message_id="SM5f1a9c0e2b7d4e6f8a0b1c2d3e4f5a6b",
        customer_id="+31612345678", sent_at=NOW, kind=ContentKind.TEXT,
        text="Hi, my parcel #4411 never arrived — can you check?")


def test_mms_media_are_listed_in_order_with_their_types(fixture_bytes):
    [event] = adapter.parse(request(fixture_bytes("sms/inbound_mms.txt")), account())
    assert isinstance(event, InboundMessage)
    assert event.kind is ContentKind.IMAGE
    assert event.text == "Photo of the damage and the receipt"
    media_base = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM7b2c3d4e5f60718293a4b5c6d7e8f901"
    assert event.media == [
        MediaRef(provider_media_id="ME11aa22bb33cc44dd55ee66ff77889900",
                 url=f"{media_base}/Media/ME11aa22bb33cc44dd55ee66ff77889900", content_type="image/jpeg"),
        MediaRef(provider_media_id="ME99ff88ee77dd66cc55bb44aa33221100",
                 url=f"{media_base}/Media/ME99ff88ee77dd66cc55bb44aa33221100", content_type="application/pdf"),
    ]
    assert event.raw is not None
    assert event.raw["NumMedia"] == "2"


def test_a_messaging_service_account_matches_on_its_sid(fixture_bytes):
    body = fixture_bytes("sms/inbound_text.txt") + b"&MessagingServiceSid=MG00112233445566778899aabbccddeeff"
    [event] = adapter.parse(request(body), account(number="MG00112233445566778899aabbccddeeff"))
    assert isinstance(event, InboundMessage)


def test_a_form_without_a_message_sid_is_refused(fixture_bytes):
    body = fixture_bytes("sms/inbound_text.txt").replace(b"SmsSid=SM5f1a9c0e2b7d4e6f8a0b1c2d3e4f5a6b&", b"")
    body = body.replace(b"MessageSid=SM5f1a9c0e2b7d4e6f8a0b1c2d3e4f5a6b&", b"")
    with pytest.raises(InvalidInput) as raised:
        adapter.parse(request(body), account())
    assert raised.value.field == "MessageSid"


@pytest.mark.parametrize(("change", "field"), [
    ((b"To=%2B14155552671", b"To=%2B14155550000"), "To"),  # another account's number
    ((b"From=%2B31612345678", b"From=not-a-number"), "From"),
    ((b"NumMedia=0", b"NumMedia=two"), "NumMedia"),
])
def test_malformed_or_foreign_webhooks_are_kept_with_the_problem(fixture_bytes, change, field):
    body = fixture_bytes("sms/inbound_text.txt").replace(*change)
    [kept] = adapter.parse(request(body), account())
    assert isinstance(kept, UnreadableEvent)
    assert f"(at {field})" in kept.reason


def test_the_deprecated_sms_sid_still_identifies_the_message(fixture_bytes):
    body = fixture_bytes("sms/inbound_text.txt").replace(b"MessageSid=SM5f1a9c0e2b7d4e6f8a0b1c2d3e4f5a6b&", b"")
    [event] = adapter.parse(request(body), account())
    assert event.provider_message_id == "SM5f1a9c0e2b7d4e6f8a0b1c2d3e4f5a6b"


# --- status callbacks -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "status", "code", "message"), [
    ("status_sent.txt", DeliveryStatus.SENT, None, None),
    ("status_delivered.txt", DeliveryStatus.DELIVERED, None, None),
    ("status_undelivered.txt", DeliveryStatus.FAILED, "30003", "Twilio error 30003"),
    # opt-out: a permanent failure that also says the customer opted out (routing records it)
    ("status_failed_opt_out.txt", DeliveryStatus.FAILED, "21610",
     "the recipient has unsubscribed (replied STOP) and cannot be messaged"),
])
def test_status_callbacks_become_status_updates(fixture_bytes, name, status, code, message):
    [event] = adapter.parse(request(fixture_bytes(f"sms/{name}")), account())
    assert event == StatusUpdate(channel=Channel.SMS, account_id="sms-1",
                                 provider_message_id="SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", customer_id="+31612345678",
                                 status=status, occurred_at=NOW, error_code=code, error_message=message,
                                 opted_out=code == "21610")


def test_queued_says_nothing_new_and_gives_no_event(fixture_bytes):
    assert adapter.parse(request(fixture_bytes("sms/status_queued.txt")), account()) == []


def test_an_unknown_status_is_kept_unread(fixture_bytes):
    body = fixture_bytes("sms/status_sent.txt").replace(b"MessageStatus=sent", b"MessageStatus=teleported")
    [kept] = adapter.parse(request(body), account())
    assert isinstance(kept, UnreadableEvent)
    assert "(at MessageStatus)" in kept.reason


# --- sending --------------------------------------------------------------------------


def created(sid: str = "SM9988776655443322110099887766554a") -> dict[str, object]:
    return {"sid": sid, "status": "queued", "account_sid": ACCOUNT_SID, "num_media": "0"}


def test_text_is_posted_as_a_form_with_basic_auth_and_our_status_callback(provider):
    provider.queue(201, created())
    sent = adapter.send(account(provider.base_url), CREDENTIALS, "+31612345678", OutboundContent(text="On its way!"))
    assert sent.provider_message_id == "SM9988776655443322110099887766554a"
    [call] = provider.requests
    assert call.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.headers["authorization"] == "Basic " + base64.b64encode(
        f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert call.form() == [("To", "+31612345678"), ("From", "+14155552671"), ("StatusCallback", WEBHOOK_URL),
                           ("Body", "On its way!")]


US_CUSTOMER = "+14155550199"  # MMS goes only between US and Canadian numbers


def test_media_urls_repeat_and_a_messaging_service_sends(provider):
    provider.queue(201, created())
    media = [OutboundMedia(url=f"https://media.example.test/{n}.jpg", content_type="image/jpeg") for n in range(2)]
    credentials = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}  # no callback URL known
    adapter.send(account(provider.base_url, number="MG00112233445566778899aabbccddeeff"), credentials, US_CUSTOMER,
                 OutboundContent(text="photos", media=media))
    [call] = provider.requests
    assert call.form() == [("To", US_CUSTOMER), ("MessagingServiceSid", "MG00112233445566778899aabbccddeeff"),
                           ("Body", "photos"), ("MediaUrl", media[0].url), ("MediaUrl", media[1].url)]


def test_more_than_ten_attachments_are_split_over_messages(provider):
    provider.queue(201, created("SM-first"))
    provider.queue(201, created("SM-second"))
    media = [OutboundMedia(url=f"https://media.example.test/{n}.jpg", content_type="image/jpeg") for n in range(12)]
    sent = adapter.send(account(provider.base_url), CREDENTIALS, US_CUSTOMER,
                        OutboundContent(text="all", media=media))
    assert sent.provider_message_id == "SM-first"
    first, second = (dict_of_lists(r.form()) for r in provider.requests)
    assert len(first["MediaUrl"]) == 10
    assert first["Body"] == ["all"]
    assert len(second["MediaUrl"]) == 2
    assert "Body" not in second


@pytest.mark.parametrize(("sender", "recipient", "which"), [
    ("+14155552671", "+31612345678", "customer's number +31612345678 is from NL"),
    ("+31612345678", "+16135550123", "account's number +31612345678 is from NL"),
    ("MG00112233445566778899aabbccddeeff", "+447400123456", "customer's number +447400123456 is from GB"),
])
def test_media_outside_the_us_and_canada_is_refused_before_twilio_is_called(provider, sender, recipient, which):
    # Given a reply with a picture between numbers MMS does not connect
    media = [OutboundMedia(url="https://media.example.test/1.jpg", content_type="image/jpeg", size=1000)]
    # When it is sent, Then it fails for good, naming the number, and Twilio is never called
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url, number=sender), CREDENTIALS, recipient,
                     OutboundContent(text="photo", media=media))
    assert (raised.value.code, raised.value.permanent) == ("mms_unsupported", True)
    assert which in raised.value.message
    assert provider.requests == []


def test_media_between_canadian_and_us_numbers_goes_as_mms(provider):
    provider.queue(201, created("MM-1"))
    media = [OutboundMedia(url="https://media.example.test/1.png", content_type="image/png", size=1000)]
    sent = adapter.send(account(provider.base_url), CREDENTIALS, "+16135550123", OutboundContent(media=media))
    assert sent.provider_message_id == "MM-1"
    assert ("MediaUrl", media[0].url) in provider.requests[0].form()


def dict_of_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def test_templates_are_refused_permanently(provider):
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "+31612345678",
                     OutboundContent(template=TemplateContent(name="order_update", language="en")))
    assert raised.value.permanent
    assert "template" in raised.value.message
    assert provider.requests == []


@pytest.mark.parametrize(("status", "code", "permanent"), [
    (400, 21610, True),  # the recipient replied STOP
    (400, 21211, True),  # invalid To
    (400, 21614, True),  # not a mobile number
    (429, 20429, False),  # too many requests
    (503, 20503, False),
])
def test_errors_are_classified_from_twilios_codes(provider, status, code, permanent):
    provider.queue(status, {"code": code, "message": f"error {code}", "more_info": f"https://www.twilio.com/docs/errors/{code}",
                             "status": status})
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(provider.base_url), CREDENTIALS, "+31612345678", OutboundContent(text="hi"))
    assert raised.value.permanent is permanent
    assert raised.value.code == str(code)
    # And only 21610 says the recipient opted out (the dispatcher records it on their consent)
    assert raised.value.opted_out is (code == 21610)


def test_an_unreachable_api_is_a_transient_failure():
    with pytest.raises(SendFailed) as raised:
        adapter.send(account(closed_port_url()), CREDENTIALS, "+31612345678", OutboundContent(text="hi"))
    assert not raised.value.permanent


# --- media ----------------------------------------------------------------------------


def test_media_source_adds_basic_auth_for_twilios_media_url():
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"
    source = adapter.media_source(account(), CREDENTIALS, MediaRef(url=url, content_type="image/jpeg"))
    assert source.url == url
    assert source.headers["Authorization"].startswith("Basic ")
    assert source.allowed_hosts == frozenset({"api.twilio.com"})
    # Twilio's API answers with a redirect to the file on its media hosts
    assert source.redirect_hosts == frozenset({"mms.twiliocdn.com", "s3-external-1.amazonaws.com"})


def test_media_source_refuses_another_host():
    with pytest.raises(InvalidInput):
        adapter.media_source(account(), CREDENTIALS, MediaRef(url="https://attacker.example/x.jpg"))


# --- JSON bodies: the URL carries bodySHA256 and only the URL is signed ----------------------

JSON_BODY = b'{"property": "value", "boolean": true}'
JSON_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
JSON_URL = f"https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256={JSON_HASH}"


def json_request(body: bytes, signature: str) -> WebhookRequest:
    items = tuple(parse_qsl(JSON_URL.partition("?")[2]))
    return WebhookRequest(method="POST", url=JSON_URL, headers={"x-twilio-signature": signature},
                          query=dict(items), body=body, query_items=items)


def test_a_json_body_is_verified_by_its_sha256_in_the_signed_url():
    # Given twilio-python's published JSON-body vector, When it is authenticated, Then it passes
    TwilioSmsAdapter().authenticate(json_request(JSON_BODY, "a9nBmqA0ju/hNViExpshrM61xv4="), {"auth_token": "12345"})
    # And a body changed after signing fails on its hash, naming it
    with pytest.raises(SignatureRejected) as refused:
        TwilioSmsAdapter().authenticate(json_request(JSON_BODY.replace(b"true", b"false"),
                                                     "a9nBmqA0ju/hNViExpshrM61xv4="), {"auth_token": "12345"})
    assert refused.value.field == "bodySHA256"
    # And a wrong signature over the right body fails too
    with pytest.raises(SignatureRejected):
        TwilioSmsAdapter().authenticate(json_request(JSON_BODY, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
                                        {"auth_token": "12345"})


def test_a_json_status_callback_is_read_like_a_form():
    body = b'{"MessageSid": "SM123", "MessageStatus": "delivered", "To": "+31612345678", "From": "+14155552671"}'
    items = (("bodySHA256", "x"),)
    events = TwilioSmsAdapter().parse(WebhookRequest(method="POST", url=WEBHOOK_URL, headers={}, query=dict(items),
                                                     body=body, query_items=items), account())
    assert [type(event).__name__ for event in events] == ["StatusUpdate"]
