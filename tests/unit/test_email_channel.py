"""Email through SES: the SNS signature (SignatureVersion 2), the topic and freshness checks,
MIME parsing from our bucket, attachments as media, and threaded replies through SES v2."""

import email
import email.message
import email.policy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalicelib.channels import adapter_for
from chalicelib.channels.base import SendFailed, WebhookRequest
from chalicelib.channels.ses import EmailAdapter, html_to_text
from chalicelib.channels.ses import outbound as outbound_module
from chalicelib.core.settings import get_settings
from chalicelib.domain.errors import SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    OutboundContent,
    OutboundMedia,
    StatusUpdate,
    UnreadableEvent,
)
from moto import mock_aws
from moto.ses.models import ses_backends

from tests.sns_signing import CERT_URL, TOPIC_ARN, new_signer, ses_received, sns_notification

MOTO_ACCOUNT_ID = "123456789012"
NOW = datetime(2026, 11, 23, 11, 0, 5, tzinfo=UTC)
BUCKET = "open-contact-media"
ACCOUNT = ChannelAccount(id="mail-1", channel=Channel.EMAIL, name="Support", provider_account_id="support@example.com",
                         api_base_url="https://email.us-east-1.amazonaws.com", team_id="default", enabled=True)
CREDENTIALS = {"topic_arn": TOPIC_ARN}
SIGNER = new_signer()


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("CONTACT_MEDIA_BUCKET", BUCKET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield s3
    get_settings.cache_clear()


def adapter(s3=None, confirmed: list[str] | None = None, sesv2=None) -> EmailAdapter:
    certificates = {CERT_URL: SIGNER.certificate_pem}
    return EmailAdapter(certificates=lambda url: certificates[url], s3=lambda: s3, sesv2=lambda: sesv2,
                        clock=lambda: NOW, confirm=(confirmed.append if confirmed is not None else None))


def request(document: dict[str, Any]) -> WebhookRequest:
    return WebhookRequest("POST", "https://x.test/webhooks/email/mail-1", {"content-type": "text/plain"}, {},
                          json.dumps(document).encode())


def stored_mail(s3, fixture_bytes, name: str, ses_message_id: str) -> str:
    key = f"inbound-mail/mail-1/{ses_message_id}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=fixture_bytes(f"email/{name}"))
    return key


def notification(key: str, ses_message_id: str, **options: str) -> dict[str, Any]:
    return sns_notification(ses_received(bucket=BUCKET, key=key, ses_message_id=ses_message_id,
                                         source="ana@example.nl", timestamp=NOW - timedelta(seconds=5), **options),
                            timestamp=NOW - timedelta(seconds=2))


def test_the_email_adapter_is_registered():
    assert isinstance(adapter_for("email"), EmailAdapter)


# --- authentication -------------------------------------------------------------------


def test_a_signed_notification_from_the_accounts_topic_is_accepted():
    adapter().authenticate(request(SIGNER.sign(notification("k", "m1"))), CREDENTIALS)


def test_a_tampered_message_is_rejected():
    signed = SIGNER.sign(notification("k", "m1"))
    signed["Message"] = signed["Message"].replace("ana@example.nl", "mallory@example.net")
    with pytest.raises(SignatureRejected):
        adapter().authenticate(request(signed), CREDENTIALS)


def test_a_message_signed_by_another_key_is_rejected():
    forged = new_signer().sign(notification("k", "m1"))
    with pytest.raises(SignatureRejected) as raised:
        adapter().authenticate(request(forged), CREDENTIALS)
    assert raised.value.field == "Signature"


@pytest.mark.parametrize("missing", ["Signature", "SigningCertURL", "SignatureVersion"])
def test_missing_signature_fields_are_rejected(missing):
    signed = SIGNER.sign(notification("k", "m1"))
    del signed[missing]
    with pytest.raises(SignatureRejected):
        adapter().authenticate(request(signed), CREDENTIALS)


def test_another_topic_is_rejected_even_when_validly_signed():
    # Anyone can create an SNS topic and subscribe our URL: SNS's signature alone proves nothing
    other = SIGNER.sign(sns_notification("{}", timestamp=NOW, topic_arn="arn:aws:sns:us-east-1:999999999999:x"))
    with pytest.raises(SignatureRejected) as raised:
        adapter().authenticate(request(other), CREDENTIALS)
    assert raised.value.field == "TopicArn"


@pytest.mark.parametrize("cert_url", [
    "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
    "http://sns.us-east-1.amazonaws.com/cert.pem",
    "https://evil.example/sns.us-east-1.amazonaws.com.pem",
    "https://user@sns.us-east-1.amazonaws.com/cert.pem",
])
def test_certificate_urls_off_sns_are_refused_before_any_fetch(cert_url):
    fetched: list[str] = []
    email_adapter = EmailAdapter(certificates=lambda url: fetched.append(url) or b"", clock=lambda: NOW)
    with pytest.raises(SignatureRejected) as raised:
        email_adapter.authenticate(request(SIGNER.sign(notification("k", "m1"), cert_url=cert_url)), CREDENTIALS)
    assert raised.value.field == "SigningCertURL"
    assert fetched == []


def test_signature_version_1_is_refused():
    signed = SIGNER.sign(notification("k", "m1"))
    signed["SignatureVersion"] = "1"
    with pytest.raises(SignatureRejected):
        adapter().authenticate(request(signed), CREDENTIALS)


def test_a_stale_message_is_rejected():
    stale = sns_notification("{}", timestamp=NOW - timedelta(hours=2))
    with pytest.raises(SignatureRejected) as raised:
        adapter().authenticate(request(SIGNER.sign(stale)), CREDENTIALS)
    assert raised.value.field == "Timestamp"


def test_a_verified_subscription_confirmation_is_confirmed():
    # Given SNS's confirmation request for our endpoint
    subscribe_url = ("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
                     f"{TOPIC_ARN}&Token=2336412f37")
    confirmation = SIGNER.sign({
        "Type": "SubscriptionConfirmation", "MessageId": "165545c9", "Token": "2336412f37",
        "TopicArn": TOPIC_ARN, "Message": "You have chosen to subscribe to the topic ...",
        "SubscribeURL": subscribe_url, "Timestamp": "2026-11-23T11:00:00.000Z"})
    confirmed: list[str] = []
    email_adapter = adapter(confirmed=confirmed)
    # When
    email_adapter.authenticate(request(confirmation), CREDENTIALS)
    # Then the link is visited and nothing is queued
    assert confirmed == [subscribe_url]
    assert email_adapter.parse(request(confirmation), ACCOUNT) == []


# --- parsing --------------------------------------------------------------------------


def test_a_mail_is_read_from_our_bucket_and_normalised(aws, fixture_bytes):
    # Given a mail SES stored for this account
    key = stored_mail(aws, fixture_bytes, "reply_with_attachment.eml", "o3vlf1ak8kh2q7c4tnqb0001")
    # When
    [event] = adapter(aws).parse(request(SIGNER.sign(notification(key, "o3vlf1ak8kh2q7c4tnqb0001"))), ACCOUNT)
    # Then
    assert isinstance(event, InboundMessage)
    assert event.provider_message_id == "o3vlf1ak8kh2q7c4tnqb0001"
    assert event.customer_id == "ana.de.vries@example.nl"
    assert event.customer_name == "Ana de Vries"
    assert event.kind is ContentKind.TEXT
    assert event.text == "The package arrived damaged, photo attached. Café au lait stains."
    assert event.raw is not None
    assert event.raw["subject"] == "Re: Your order 1234"
    assert event.raw["message_id"] == "<CAF3d9x1a2b3c4@mail.example.nl>"
    [photo] = event.media
    assert (photo.provider_media_id, photo.content_type, photo.filename) == (f"{key}#0", "image/png", "box.png")


def test_an_html_only_mail_is_turned_into_text(aws, fixture_bytes):
    key = stored_mail(aws, fixture_bytes, "html_only.eml", "html0001")
    [event] = adapter(aws).parse(request(SIGNER.sign(notification(key, "html0001"))), ACCOUNT)
    assert isinstance(event, InboundMessage)
    assert event.text == "Hi there,\nwhere is my refund?"
    assert "alert" not in html_to_text("<script>alert(1)</script>ok")


def test_attachments_of_a_mail_with_a_virus_verdict_are_not_offered(aws, fixture_bytes):
    key = stored_mail(aws, fixture_bytes, "reply_with_attachment.eml", "virus0001")
    [event] = adapter(aws).parse(request(SIGNER.sign(notification(key, "virus0001", virus="FAIL"))), ACCOUNT)
    assert isinstance(event, InboundMessage)
    assert event.media == []
    assert event.raw is not None
    assert event.raw["verdicts"]["virusVerdict"] == "FAIL"


def test_a_mail_stored_for_another_account_is_kept_unread_with_the_reason(aws, fixture_bytes):
    aws.put_object(Bucket=BUCKET, Key="inbound-mail/other/x1", Body=fixture_bytes("email/html_only.eml"))
    [kept] = adapter(aws).parse(request(SIGNER.sign(notification("inbound-mail/other/x1", "x1"))), ACCOUNT)
    assert isinstance(kept, UnreadableEvent)
    assert "(at receipt.action.objectKey)" in kept.reason


def test_an_attachment_source_is_a_signed_url_of_the_stored_mail(aws, fixture_bytes):
    key = stored_mail(aws, fixture_bytes, "reply_with_attachment.eml", "att0001")
    [event] = adapter(aws).parse(request(SIGNER.sign(notification(key, "att0001"))), ACCOUNT)
    assert isinstance(event, InboundMessage)
    source = adapter(aws).media_source(ACCOUNT, CREDENTIALS, event.media[0])
    assert source.mime_attachment == 0
    assert "inbound-mail/mail-1/att0001" in source.url
    assert source.allowed_hosts == frozenset({source.url.split("/")[2]})


# --- delivery feedback (SES Bounce / Complaint / Delivery notifications) --------------------

SENT_ID = "0100019a2f6c3d1e-5f1e8a6b-3c2d-4e8f-9a7b-1c2d3e4f5a6b-000000"


def feedback(fixture_bytes, name: str, **changes: Any) -> list[StatusUpdate]:
    document = json.loads(fixture_bytes(f"email/{name}"))
    document.update(changes)
    signed = SIGNER.sign(sns_notification(json.dumps(document), timestamp=NOW))
    email_adapter = adapter()
    email_adapter.authenticate(request(signed), CREDENTIALS)
    events = email_adapter.parse(request(signed), ACCOUNT)
    assert all(isinstance(event, StatusUpdate) for event in events)
    return [event for event in events if isinstance(event, StatusUpdate)]


def test_a_delivery_notification_marks_the_reply_delivered(fixture_bytes):
    [update] = feedback(fixture_bytes, "delivery.json")
    assert (update.provider_message_id, update.customer_id, update.status) == (
        SENT_ID, "ana.de.vries@example.nl", DeliveryStatus.DELIVERED)
    assert update.occurred_at == datetime(2026, 11, 23, 11, 0, 0, 771000, tzinfo=UTC)
    assert (update.error_code, update.opted_out) == (None, False)


def test_a_permanent_bounce_fails_the_reply_with_the_servers_diagnostic(fixture_bytes):
    [update] = feedback(fixture_bytes, "bounce_permanent.json")
    assert (update.status, update.error_code) == (DeliveryStatus.FAILED, "bounce.General")
    assert update.error_message is not None
    assert "550 5.1.1" in update.error_message
    assert update.customer_id == "ana.de.vries@example.nl"  # the bounced address, lower-cased
    assert update.opted_out is False  # a bad address is no opt-out


def test_a_transient_or_undetermined_bounce_is_not_a_failure(fixture_bytes):
    assert feedback(fixture_bytes, "bounce_transient.json") == []
    document = json.loads(fixture_bytes("email/bounce_permanent.json"))
    undetermined = {**document["bounce"], "bounceType": "Undetermined", "bounceSubType": "Undetermined"}
    assert feedback(fixture_bytes, "bounce_permanent.json", bounce=undetermined) == []


def test_a_complaint_published_as_an_event_fails_the_reply_and_opts_the_address_out(fixture_bytes):
    [update] = feedback(fixture_bytes, "complaint_event.json")
    assert (update.provider_message_id, update.status) == (SENT_ID, DeliveryStatus.FAILED)
    assert (update.error_code, update.opted_out) == ("complaint.abuse", True)
    assert update.occurred_at == datetime(2026, 11, 23, 11, 0, 3, tzinfo=UTC)


def test_feedback_without_the_object_it_announces_is_kept_unread(fixture_bytes):
    document = json.loads(fixture_bytes("email/delivery.json"))
    del document["delivery"]
    signed = SIGNER.sign(sns_notification(json.dumps(document), timestamp=NOW))
    [kept] = adapter().parse(request(signed), ACCOUNT)
    assert isinstance(kept, UnreadableEvent)
    assert "(at delivery)" in kept.reason
    del document["mail"]["messageId"]
    document["delivery"] = {"recipients": ["a@example.nl"]}
    [kept] = adapter().parse(request(SIGNER.sign(sns_notification(json.dumps(document), timestamp=NOW))), ACCOUNT)
    assert isinstance(kept, UnreadableEvent)
    assert "(at mail.messageId)" in kept.reason


def test_feedback_from_a_separate_feedback_topic_is_accepted_and_others_are_not(fixture_bytes):
    other_topic = "arn:aws:sns:us-east-1:123456789012:open-contact-mail-feedback"
    signed = SIGNER.sign(sns_notification(fixture_bytes("email/delivery.json").decode(), timestamp=NOW,
                                          topic_arn=other_topic))
    with pytest.raises(SignatureRejected):
        adapter().authenticate(request(signed), CREDENTIALS)
    adapter().authenticate(request(signed), {**CREDENTIALS, "feedback_topic_arn": other_topic})


# --- sending --------------------------------------------------------------------------


def test_a_reply_threads_to_the_customers_mail(aws, fixture_bytes):
    # Given the customer's stored mail and a verified sending domain
    stored_mail(aws, fixture_bytes, "reply_with_attachment.eml", "thread0001")
    sesv2 = boto3.client("sesv2", region_name="us-east-1")
    sesv2.create_email_identity(EmailIdentity="example.com")
    # When
    sent = adapter(aws, sesv2=sesv2).send(ACCOUNT, CREDENTIALS, "ana.de.vries@example.nl",
                                          OutboundContent(text="We are sorry!", in_reply_to="thread0001"))
    # Then
    [raw] = [m for m in ses_backends[MOTO_ACCOUNT_ID]["us-east-1"].sent_messages if m.id == sent.provider_message_id]
    reply = email.message_from_string(raw.raw_data, policy=email.policy.default)
    assert reply["In-Reply-To"] == "<CAF3d9x1a2b3c4@mail.example.nl>"
    assert reply["References"].split() == ["<0100018c-first@example.com>", "<0100018c-reply@example.com>",
                                           "<CAF3d9x1a2b3c4@mail.example.nl>"]
    assert reply["Subject"] == "Re: Your order 1234"
    assert reply.get_content().strip() == "We are sorry!"
    assert set(raw.destinations) == {"ana.de.vries@example.nl"}


def test_an_unverified_sender_fails_permanently(aws):
    sesv2 = boto3.client("sesv2", region_name="us-east-1")
    with pytest.raises(SendFailed) as raised:
        adapter(aws, sesv2=sesv2).send(ACCOUNT, CREDENTIALS, "ana@example.nl", OutboundContent(text="Hi"))
    assert raised.value.permanent
    assert raised.value.code == "MessageRejected"


def upload(s3, key: str, data: bytes, content_type: str) -> OutboundMedia:
    s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=content_type)
    return OutboundMedia(url=f"https://{BUCKET}.s3.amazonaws.com/{key}?X-Amz-Signature=x", content_type=content_type,
                         filename=key.rsplit("/", 1)[-1], size=len(data), key=key)


def test_a_reply_carries_the_agents_attachments_as_mime_parts(aws):
    # Given two uploads in the media bucket and a verified sender
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    csv = "order,status\n1234,shipped ✓\n".encode()
    media = [upload(aws, "uploads/c1/u1/label.png", png, "image/png"),
             upload(aws, "uploads/c1/u2/orders.csv", csv, "text/csv")]
    sesv2 = boto3.client("sesv2", region_name="us-east-1")
    sesv2.create_email_identity(EmailIdentity="example.com")
    # When the reply goes out through SES
    sent = adapter(aws, sesv2=sesv2).send(ACCOUNT, CREDENTIALS, "ana.de.vries@example.nl",
                                          OutboundContent(text="Your label and orders.", media=media))
    # Then SES sent one multipart message: the text, then each file with its type, name and bytes
    [raw] = [m for m in ses_backends[MOTO_ACCOUNT_ID]["us-east-1"].sent_messages if m.id == sent.provider_message_id]
    mail = email.message_from_string(raw.raw_data, policy=email.policy.default)
    assert isinstance(mail, email.message.EmailMessage)
    assert mail.get_content_type() == "multipart/mixed"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Your label and orders."
    parts = [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in mail.iter_attachments()]
    assert parts == [("image/png", "label.png", png), ("text/csv", "orders.csv", csv)]


def test_an_attachment_alone_goes_without_text(aws):
    sesv2 = boto3.client("sesv2", region_name="us-east-1")
    sesv2.create_email_identity(EmailIdentity="example.com")
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100
    sent = adapter(aws, sesv2=sesv2).send(ACCOUNT, CREDENTIALS, "ana@example.nl", OutboundContent(
        media=[upload(aws, "uploads/c1/u3/invoice.pdf", pdf, "application/pdf")]))
    [raw] = [m for m in ses_backends[MOTO_ACCOUNT_ID]["us-east-1"].sent_messages if m.id == sent.provider_message_id]
    mail = email.message_from_string(raw.raw_data, policy=email.policy.default)
    assert isinstance(mail, email.message.EmailMessage)
    [invoice] = list(mail.iter_attachments())
    assert (invoice.get_content_type(), invoice.get_payload(decode=True)) == ("application/pdf", pdf)


def test_a_mail_over_ses_limit_or_with_a_vanished_upload_fails_permanently_before_ses(aws, monkeypatch):
    sesv2 = boto3.client("sesv2", region_name="us-east-1")
    sesv2.create_email_identity(EmailIdentity="example.com")
    before = len(ses_backends[MOTO_ACCOUNT_ID]["us-east-1"].sent_messages)
    # Given an upload that was deleted since the reply was queued
    gone = OutboundMedia(url="https://x.test/gone", content_type="image/png", filename="gone.png", size=10,
                         key="uploads/c1/gone.png")
    with pytest.raises(SendFailed) as raised:
        adapter(aws, sesv2=sesv2).send(ACCOUNT, CREDENTIALS, "ana@example.nl", OutboundContent(media=[gone]))
    assert (raised.value.code, raised.value.permanent) == ("media_unavailable", True)
    # And a mail that encodes above SES's limit (here made small)
    monkeypatch.setattr(outbound_module, "MAX_SEND_BYTES", 2000)
    big = upload(aws, "uploads/c1/u4/big.pdf", b"%PDF" + b"x" * 1600, "application/pdf")
    with pytest.raises(SendFailed) as raised:
        adapter(aws, sesv2=sesv2).send(ACCOUNT, CREDENTIALS, "ana@example.nl", OutboundContent(media=[big]))
    assert (raised.value.code, raised.value.permanent) == ("message_too_large", True)
    # Then SES sent nothing
    assert len(ses_backends[MOTO_ACCOUNT_ID]["us-east-1"].sent_messages) == before
