"""Email through Amazon SES.

Inbound (see docs/architecture.md, "Email"): an SES receipt rule for the account's address
stores the raw MIME in our media bucket under ``inbound-mail/<account id>/`` and notifies an SNS
topic, which delivers over HTTPS to this account's webhook. The webhook verifies the SNS
signature (SignatureVersion 2: SHA256withRSA with the certificate from an
``sns.<region>.amazonaws.com`` URL, checked before it is fetched), that the topic is the
account's, and that the message is recent; then it reads the MIME from our own bucket.

Outbound: SES v2 ``SendEmail`` with a raw MIME message, threaded to the customer's last mail
(``In-Reply-To`` / ``References``) whose headers are read back from the stored MIME. The agent's
attachments (uploads in our media bucket) go in the same message, multipart/mixed, read from the
bucket by key; SES takes at most 40 MB per message once encoded (domain/capabilities.py keeps
replies below that).

Delivery feedback: SES publishes ``Delivery``, ``Bounce`` and ``Complaint`` notifications of the
mail we sent (the identity's feedback notifications, field ``notificationType``, or a
configuration set's event publishing, field ``eventType``) to the same SNS topic, which reaches
the same webhook under the same checks. They become status updates of the reply SES's
``mail.messageId`` names: delivered; failed for a permanent bounce (with the receiving server's
diagnostic) or a complaint, which also opts the address out. A transient or undetermined bounce
is no failure: SES keeps trying, and a later notification says how it ended.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.parser
import email.policy
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
import urllib3
from chalicelib.clock import utc_now
from chalicelib.domain import ids
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
)
from chalicelib.errors import InvalidInput, SignatureRejected
from chalicelib.settings import get_settings
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import BaseModel, ConfigDict, ValidationError

from .base import Credentials, MediaSource, PartProgress, SendFailed, SentMessage, WebhookRequest, invalid_payload

MAX_MAIL_BYTES = 40 * 1024 * 1024  # SES's limit for a received message
MAX_SEND_BYTES = 40 * 1024 * 1024  # SES's limit for a sent message, after encoding
MAX_NOTICE_AGE = timedelta(hours=1)
SIGNED_MAIL_URL_SECONDS = 300
# Where SNS publishes its signing certificates (and subscription confirmation links).
SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
# SES's notifications about the mail we sent (the others, e.g. Send or Open, are ignored).
FEEDBACK_TYPES = frozenset({"Bounce", "Complaint", "Delivery"})
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
# SES errors worth retrying later; the others (rejected message, unverified sender, suspended
# account, bad request) will not succeed by waiting.
_TRANSIENT_SES_ERRORS = frozenset({"TooManyRequestsException", "LimitExceededException", "InternalFailure",
                                   "ServiceUnavailable", "ThrottlingException", "SendingPausedException"})


class _Loose(BaseModel):
    # SES adds fields to its notifications without notice.
    model_config = ConfigDict(extra="allow")


class _FeedbackRecipient(_Loose):
    emailAddress: str
    diagnosticCode: str | None = None


class _Bounce(_Loose):
    bounceType: str
    bounceSubType: str = ""
    bouncedRecipients: list[_FeedbackRecipient]
    timestamp: datetime | None = None


class _Complaint(_Loose):
    complainedRecipients: list[_FeedbackRecipient]
    complaintFeedbackType: str | None = None
    timestamp: datetime | None = None


class _Delivery(_Loose):
    recipients: list[str]
    timestamp: datetime | None = None


class _SentMail(_Loose):
    messageId: str
    timestamp: datetime | None = None


class _Feedback(_Loose):
    """A Bounce, Complaint or Delivery notification: ``mail`` names the message we sent."""

    mail: _SentMail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None


class _SnsNotice(BaseModel):
    model_config = ConfigDict(extra="allow")

    Type: str
    MessageId: str
    TopicArn: str
    Message: str
    Timestamp: str
    # Missing signature fields are an authentication failure (401), not malformed input.
    SignatureVersion: str = ""
    Signature: str = ""
    SigningCertURL: str = ""
    Subject: str | None = None
    SubscribeURL: str | None = None
    Token: str | None = None


def _notice(body: bytes) -> _SnsNotice:
    try:
        return _SnsNotice.model_validate_json(body)
    except ValidationError as error:
        raise invalid_payload(error, "not an SNS message") from error


def string_to_sign(notice: dict[str, Any]) -> bytes:
    """The text SNS signs: ``Name\\nvalue\\n`` for each signed field present, in a fixed order."""
    fields = _NOTIFICATION_FIELDS if notice.get("Type") == "Notification" else _SUBSCRIPTION_FIELDS
    return "".join(f"{name}\n{notice[name]}\n" for name in fields if notice.get(name) is not None).encode()


def sns_url_allowed(url: str, local_host: str | None) -> bool:
    """An https URL on SNS's own host, or (local runtime only) the configured stand-in host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and SNS_HOST.match(host) and not parts.username:
        return True
    return local_host is not None and parts.scheme in {"http", "https"} and parts.netloc.lower() == local_host


@lru_cache(maxsize=1)
def _http() -> urllib3.PoolManager:
    return urllib3.PoolManager(timeout=urllib3.Timeout(connect=3.0, read=5.0), retries=False)


@lru_cache(maxsize=16)
def _fetch_certificate(url: str) -> bytes:
    """The PEM certificate at an (already checked) SNS URL; cached per container."""
    response = _http().request("GET", url, redirect=False)
    if response.status != 200:
        raise SignatureRejected(f"signing certificate not available (HTTP {response.status})",
                                field="SigningCertURL")
    return bytes(response.data)


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3")


@lru_cache(maxsize=1)
def _sesv2() -> Any:
    return boto3.client("sesv2")


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in {"br", "p", "div", "li", "tr"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line).strip()


def _body_text(message: EmailMessage) -> str | None:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return None
    content = body.get_content()
    if not isinstance(content, str):
        return None
    text = html_to_text(content) if body.get_content_type() == "text/html" else content.strip()
    return text or None


def _kind_of(content_type: str | None) -> ContentKind:
    major = (content_type or "").split("/", 1)[0]
    return {"image": ContentKind.IMAGE, "audio": ContentKind.AUDIO,
            "video": ContentKind.VIDEO}.get(major, ContentKind.DOCUMENT)


class EmailAdapter:
    channel = Channel.EMAIL
    max_body_bytes = 256 * 1024  # SNS's message size limit

    def __init__(self, *, certificates: Callable[[str], bytes] = _fetch_certificate,
                 s3: Callable[[], Any] = _s3, sesv2: Callable[[], Any] = _sesv2,
                 clock: Callable[[], datetime] = utc_now,
                 confirm: Callable[[str], None] | None = None) -> None:
        self._certificates = certificates
        self._s3 = s3
        self._sesv2 = sesv2
        self._clock = clock
        self._confirm = confirm or self._visit

    # --- inbound ------------------------------------------------------------------------

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        raise InvalidInput("email has no GET handshake: SNS confirms its subscription by a signed POST",
                           field="method")

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        """Verify the SNS message; a verified subscription confirmation is confirmed here (SNS's
        handshake is a signed POST, not a GET)."""
        notice = _notice(request.body)
        # Feedback may be published to a topic of its own (optional ``feedback_topic_arn``).
        topics = {credentials["topic_arn"], *filter(None, [credentials.get("feedback_topic_arn")])}
        if notice.TopicArn not in topics:
            raise SignatureRejected("the message comes from another SNS topic than this account's",
                                    field="TopicArn")
        if notice.SignatureVersion != "2":
            raise SignatureRejected("only SignatureVersion 2 (SHA256withRSA) is accepted", field="SignatureVersion")
        local_host = credentials.get("sns_local_host")
        if not sns_url_allowed(notice.SigningCertURL, local_host):
            raise SignatureRejected("SigningCertURL is not an https URL on sns.<region>.amazonaws.com",
                                    field="SigningCertURL")
        self._verify(notice, request.body)
        try:
            sent_at = datetime.fromisoformat(notice.Timestamp.replace("Z", "+00:00"))
        except ValueError as error:
            raise SignatureRejected("Timestamp is not ISO 8601", field="Timestamp") from error
        if abs(self._clock() - sent_at) > MAX_NOTICE_AGE:
            raise SignatureRejected("the message is stale (older than an hour) or from the future", field="Timestamp")
        if notice.Type == "SubscriptionConfirmation":
            if not notice.SubscribeURL or not sns_url_allowed(notice.SubscribeURL, local_host):
                raise SignatureRejected("SubscribeURL is not on SNS's host", field="SubscribeURL")
            self._confirm(notice.SubscribeURL)

    def _verify(self, notice: _SnsNotice, body: bytes) -> None:
        try:
            signature = base64.b64decode(notice.Signature, validate=True)
            certificate = x509.load_pem_x509_certificate(self._certificates(notice.SigningCertURL))
        except (binascii.Error, ValueError) as error:
            raise SignatureRejected(f"signature or certificate unreadable: {error}", field="Signature") from error
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureRejected("the signing certificate has no RSA key", field="SigningCertURL")
        try:
            key.verify(signature, string_to_sign(json.loads(body)), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise SignatureRejected("the SNS signature does not verify", field="Signature") from error

    @staticmethod
    def _visit(url: str) -> None:
        response = _http().request("GET", url, redirect=False)
        if response.status != 200:
            raise InvalidInput(f"confirming the subscription failed (HTTP {response.status})", field="SubscribeURL")

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        notice = _notice(request.body)
        if notice.Type != "Notification":
            return []  # subscription (un)confirmations carry no mail
        try:
            ses = json.loads(notice.Message)
        except ValueError as error:
            raise InvalidInput("the SNS Message is not JSON", field="Message") from error
        if not isinstance(ses, dict):
            return []
        # Identity notifications name their type in notificationType, event publishing in eventType.
        kind = ses.get("notificationType") or ses.get("eventType")
        if kind in FEEDBACK_TYPES:
            return self._feedback(str(kind), ses, account)
        if kind != "Received":
            return []
        receipt = ses.get("receipt") or {}
        mail = ses.get("mail") or {}
        action = receipt.get("action") or {}
        ses_message_id = str(mail.get("messageId") or "")
        if action.get("type") != "S3" or not ses_message_id:
            raise InvalidInput("expected an SES S3-action notification with a messageId", field="receipt.action")
        if action.get("bucketName") != get_settings().media_bucket or \
                action.get("objectKey") != ids.raw_mail_key(account.id, ses_message_id):
            expected_key = ids.raw_mail_key(account.id, ses_message_id)
            raise InvalidInput(f"the mail must be stored at {expected_key} in our bucket",
                               field="receipt.action.objectKey")
        document = self._read_mail(str(action["objectKey"]))
        return [self._message(account, ses_message_id, str(action["objectKey"]), document, receipt, mail)]

    def _feedback(self, kind: str, ses: dict[str, Any], account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        try:
            feedback = _Feedback.model_validate(ses)
        except ValidationError as error:
            raise invalid_payload(error, f"not an SES {kind} notification", default_field="Message") from error

        def update(recipient: str, status: DeliveryStatus, at: datetime | None, *, code: str | None = None,
                   reason: str | None = None, opted_out: bool = False) -> StatusUpdate:
            return StatusUpdate(channel=self.channel, account_id=account.id,
                                provider_message_id=feedback.mail.messageId, customer_id=recipient.strip().lower(),
                                status=status, occurred_at=at or feedback.mail.timestamp or self._clock(),
                                error_code=code, error_message=reason, opted_out=opted_out)

        if kind == "Delivery":
            if feedback.delivery is None:
                raise InvalidInput("a Delivery notification needs its delivery object", field="delivery")
            return [update(r, DeliveryStatus.DELIVERED, feedback.delivery.timestamp)
                    for r in feedback.delivery.recipients]
        if kind == "Bounce":
            bounce = feedback.bounce
            if bounce is None:
                raise InvalidInput("a Bounce notification needs its bounce object", field="bounce")
            if bounce.bounceType != "Permanent":
                return []  # Transient or Undetermined: SES goes on trying; not a failure (yet)
            subtype = bounce.bounceSubType or "General"
            return [update(r.emailAddress, DeliveryStatus.FAILED, bounce.timestamp, code=f"bounce.{subtype}",
                           reason=r.diagnosticCode or f"the mail bounced permanently ({subtype})")
                    for r in bounce.bouncedRecipients]
        complaint = feedback.complaint
        if complaint is None:
            raise InvalidInput("a Complaint notification needs its complaint object", field="complaint")
        feedback_type = complaint.complaintFeedbackType or "abuse"
        return [update(r.emailAddress, DeliveryStatus.FAILED, complaint.timestamp,
                       code=f"complaint.{feedback_type}", opted_out=True,
                       reason=f"the recipient reported the mail as unwanted ({feedback_type}); "
                              "they are opted out of email")
                for r in complaint.complainedRecipients]

    def _read_mail(self, key: str) -> EmailMessage:
        obj = self._s3().get_object(Bucket=get_settings().media_bucket, Key=key)
        if int(obj.get("ContentLength", 0)) > MAX_MAIL_BYTES:
            raise InvalidInput(f"the mail is larger than {MAX_MAIL_BYTES} bytes", field="mail")
        message = email.message_from_bytes(obj["Body"].read(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message

    def _message(self, account: ChannelAccount, ses_message_id: str, key: str, document: EmailMessage,
                 receipt: dict[str, Any], mail: dict[str, Any]) -> InboundMessage:
        name, address = parseaddr(str(document.get("From", "")))
        if "@" not in address:
            raise InvalidInput("the mail has no From address", field="From")
        text = _body_text(document)
        virus = str((receipt.get("virusVerdict") or {}).get("status", ""))
        media = [] if virus == "FAIL" else [
            MediaRef(provider_media_id=f"{key}#{index}", content_type=part.get_content_type(),
                     filename=part.get_filename(), size=len(part.get_payload(decode=True) or b""))
            for index, part in enumerate(document.iter_attachments()) if isinstance(part, EmailMessage)]
        try:
            sent_at = datetime.fromisoformat(str(mail.get("timestamp", "")).replace("Z", "+00:00"))
        except ValueError as error:
            raise InvalidInput("mail.timestamp is not ISO 8601", field="mail.timestamp") from error
        return InboundMessage(
            channel=self.channel, account_id=account.id, provider_message_id=ses_message_id,
            customer_id=address.lower(), customer_name=name or None, sent_at=sent_at,
            kind=ContentKind.TEXT if text or not media else _kind_of(media[0].content_type),
            text=text, media=media,
            raw={"subject": str(document.get("Subject", "")), "message_id": str(document.get("Message-ID", "")),
                 "to": str(document.get("To", "")),
                 "verdicts": {name: (receipt.get(name) or {}).get("status") for name in (
                     "spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")}},
        )

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """An attachment is a part of the stored MIME: a short-lived signed URL of the mail in our
        own bucket, and which attachment to take from it."""
        key, _, index = (ref.provider_media_id or "").rpartition("#")
        if not key.startswith(ids.raw_mail_key(account.id, "")) or not index.isdigit():
            raise InvalidInput("not an attachment of this account's mail", field="media.provider_media_id")
        url = self._s3().generate_presigned_url("get_object", Params={
            "Bucket": get_settings().media_bucket, "Key": key}, ExpiresIn=SIGNED_MAIL_URL_SECONDS)
        return MediaSource(url=url, headers={}, allowed_hosts=frozenset({urlsplit(url).netloc.lower()}),
                           mime_attachment=int(index))

    # --- outbound -----------------------------------------------------------------------

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        if content.template is not None:
            raise SendFailed("unsupported_content", "email has no message templates", permanent=True)
        if not content.text and not content.media:
            raise SendFailed("empty_content", "nothing to send", permanent=True)
        sender = credentials.get("from_address") or account.provider_account_id
        reply = EmailMessage()
        reply["From"] = Address(display_name=credentials.get("from_name", ""), addr_spec=sender)
        reply["To"] = to
        reply["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        subject = credentials.get("default_subject", "Your message")
        if content.in_reply_to:
            original = self._original_headers(account, content.in_reply_to)
            if original.get("Subject"):
                subject = str(original["Subject"])
                subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
            if original.get("Message-ID"):
                message_id = str(original["Message-ID"])
                reply["In-Reply-To"] = message_id
                reply["References"] = " ".join(filter(None, [str(original.get("References", "")), message_id]))
        reply["Subject"] = subject
        reply.set_content(content.text or "")
        for media in content.media:
            maintype, _, subtype = media.content_type.lower().partition("/")
            reply.add_attachment(self._attachment(media), maintype=maintype, subtype=subtype or "octet-stream",
                                 filename=media.filename or (media.key or "attachment").rsplit("/", 1)[-1])
        raw = reply.as_bytes()
        if len(raw) > MAX_SEND_BYTES:
            raise SendFailed("message_too_large", f"the mail is {len(raw)} bytes encoded; SES sends up to "
                             f"{MAX_SEND_BYTES}", permanent=True)
        try:
            answer = self._sesv2().send_email(FromEmailAddress=sender, Destination={"ToAddresses": [to]},
                                              Content={"Raw": {"Data": raw}})
        except botocore.exceptions.ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "ClientError"))
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
            transient = code in _TRANSIENT_SES_ERRORS or status >= 500 or status == 429
            raise SendFailed(code, str(error.response.get("Error", {}).get("Message", code)),
                             permanent=not transient) from error
        except botocore.exceptions.BotoCoreError as error:
            raise SendFailed("network", f"SES unreachable: {type(error).__name__}", permanent=False) from error
        return SentMessage(provider_message_id=str(answer["MessageId"]))

    def _attachment(self, media: OutboundMedia) -> bytes:
        """The bytes of an agent's upload, read from our bucket (a mail carries its files itself)."""
        if not media.key:
            raise SendFailed("media_unavailable", f"{media.filename or 'an attachment'} is not in the media bucket",
                             permanent=True)
        try:
            obj = self._s3().get_object(Bucket=get_settings().media_bucket, Key=media.key)
            return bytes(obj["Body"].read())
        except botocore.exceptions.ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "ClientError"))
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise SendFailed("media_unavailable", f"{media.key} is gone from the media bucket",
                                 permanent=True) from error
            raise SendFailed(code, f"reading {media.key} failed", permanent=False) from error
        except botocore.exceptions.BotoCoreError as error:
            raise SendFailed("network", f"S3 unreachable: {type(error).__name__}", permanent=False) from error

    def _original_headers(self, account: ChannelAccount, ses_message_id: str) -> EmailMessage:
        """The headers of the customer's mail we answer (only the first 64 KB are read)."""
        try:
            obj = self._s3().get_object(Bucket=get_settings().media_bucket,
                                        Key=ids.raw_mail_key(account.id, ses_message_id), Range="bytes=0-65535")
        except botocore.exceptions.ClientError:
            return EmailMessage()  # stored mail gone (purged): the reply goes unthreaded
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(obj["Body"].read())
        assert isinstance(headers, EmailMessage)
        return headers
