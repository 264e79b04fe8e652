"""Email through Amazon SES, played the way an SES receipt rule with an S3 action works: the
customer's raw MIME is stored in the media bucket under the rule's prefix
(``inbound-mail/<account id>/``) plus SES's message id, and SNS then POSTs a ``Received``
notification to the account's HTTPS subscription, signed with SignatureVersion 2
(SHA256withRSA). The signing certificate is served by the simulator; the account's
``sns_local_host`` credential names the simulator as the one extra host it may come from.

Replies go out through SES on moto: moto keeps what SES sent, and the simulator reads it there
(moto runs in the same process as the simulator). For each reply SES's feedback follows through
SNS, signed as above: a ``Delivery`` notification, or, when planned through the control API
(``POST /control/email/failures {"mode": "bounce"|"complaint"}``), a permanent ``Bounce``, or
a ``Delivery`` followed by a ``Complaint``.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .model import (
    ApiAnswer,
    ApiRequest,
    CustomerMessage,
    Inbound,
    SentRecord,
    SimulatedAccount,
    StoredMail,
    Switchboard,
    WebhookCall,
)
from .sample import FILENAME, sample_png

MAIL_PREFIX = "inbound-mail"
# The fields SNS signs in a Notification, in this order, each as "Name\nvalue\n" when present.
_SIGNED_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SentMail = tuple[str, str]  # SES message id, raw MIME
# What a test can make SES report for the next mail instead of a plain delivery.
FEEDBACK_MODES = ("bounce", "complaint")
_FEEDBACK = {"": ["Delivery"], "bounce": ["Bounce"], "complaint": ["Delivery", "Complaint"]}
SENDING_ACCOUNT_ID = "123456789012"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SnsSigner:
    """A throwaway key and self-signed certificate standing in for SNS's signing certificate."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = datetime.now(UTC)
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                       .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
                       .sign(self._key, hashes.SHA256()))
        self.certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)
        self.certificate_name = f"SimpleNotificationService-{secrets.token_hex(16)}.pem"

    def sign(self, notice: dict[str, str]) -> str:
        text = "".join(f"{name}\n{notice[name]}\n" for name in _SIGNED_NOTIFICATION_FIELDS if name in notice)
        return base64.b64encode(self._key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def mail_key(account: SimulatedAccount, ses_message_id: str) -> str:
    return f"{MAIL_PREFIX}/{account.account_id}/{ses_message_id}"


def text_of(document: EmailMessage) -> str:
    body = document.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    return content.strip() if isinstance(content, str) else ""


class SesProvider:
    channel = "email"
    # SNS's signing certificates (the account's SigningCertURL host).
    prefix = "sns"

    def __init__(self, base_url: Callable[[], str] = lambda: "") -> None:
        self.signer = SnsSigner()
        # Where the simulator is served (its SigningCertURL host), known once it is serving.
        self._base_url = base_url
        self._planned: dict[str, str] = {}  # SES message id -> feedback mode

    # --- towards our webhook ------------------------------------------------------------------

    def customer_mail(self, account: SimulatedAccount, message: CustomerMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = Address(display_name=message.name, addr_spec=message.customer)
        mail["To"] = account.provider_account_id
        mail["Subject"] = message.text.splitlines()[0][:60] if message.text.strip() else "Photo"
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(domain=message.customer.rpartition("@")[2] or None)
        mail.set_content(message.text or "")
        if message.image:
            mail.add_attachment(sample_png(), maintype="image", subtype="png", filename=FILENAME)
        return mail

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        _, address = parseaddr(message.customer)
        if "@" not in address:
            raise ValueError(f"an email customer is an address, not {message.customer!r}")
        mail = self.customer_mail(account, message)
        ses_message_id = secrets.token_hex(20)
        now = datetime.now(UTC)
        # What SES adds on receipt, above the sender's own headers.
        received = (f"Return-Path: <{address}>\r\nReceived: from mail.example.net by inbound-smtp.us-east-1."
                    f"amazonaws.com with SMTP id {ses_message_id}; {formatdate(usegmt=True)}\r\n"
                    "X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n").encode()
        raw = received + mail.as_bytes(policy=email.policy.SMTP)
        key = mail_key(account, ses_message_id)
        topic_arn = account.credentials["topic_arn"]
        notification = {
            "notificationType": "Received",
            "mail": {"timestamp": _iso(now), "source": address, "messageId": ses_message_id,
                     "destination": [account.provider_account_id], "headersTruncated": False,
                     "headers": [{"name": name, "value": str(value)} for name, value in mail.items()],
                     "commonHeaders": {"returnPath": address, "from": [str(mail["From"])], "date": str(mail["Date"]),
                                       "to": [account.provider_account_id], "messageId": str(mail["Message-ID"]),
                                       "subject": str(mail["Subject"])}},
            "receipt": {"timestamp": _iso(now), "processingTimeMillis": 312,
                        "recipients": [account.provider_account_id],
                        "spamVerdict": {"status": "PASS"}, "virusVerdict": {"status": "PASS"},
                        "spfVerdict": {"status": "PASS"}, "dkimVerdict": {"status": "PASS"},
                        "dmarcVerdict": {"status": "PASS"},
                        "action": {"type": "S3", "topicArn": topic_arn, "bucketName": account.details["bucket"],
                                   "objectKeyPrefix": f"{MAIL_PREFIX}/{account.account_id}/", "objectKey": key}},
        }
        return Inbound(self._sns_post(account, topic_arn, json.dumps(notification), media_base_url),
                       ses_message_id, mail=StoredMail(key, raw))

    def _sns_post(self, account: SimulatedAccount, topic_arn: str, message: str, base_url: str,
                  subject: str | None = "Amazon SES Email Receipt Notification") -> WebhookCall:
        notice: dict[str, str] = {
            "Type": "Notification", "MessageId": str(uuid.uuid4()), "TopicArn": topic_arn, "Message": message,
            "Timestamp": _iso(datetime.now(UTC)), "SignatureVersion": "2"}
        if subject is not None:
            notice["Subject"] = subject
        notice["Signature"] = self.signer.sign(notice)
        notice["SigningCertURL"] = f"{base_url}/{self.prefix}/{self.signer.certificate_name}"
        subscription = f"{topic_arn}:{uuid.uuid4()}"
        notice["UnsubscribeURL"] = f"{base_url}/{self.prefix}/?Action=Unsubscribe&SubscriptionArn={subscription}"
        return WebhookCall(account.webhook_url, {
            "Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent",
            "x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": notice["MessageId"],
            "x-amz-sns-topic-arn": topic_arn, "x-amz-sns-subscription-arn": subscription,
        }, json.dumps(notice, indent=2).encode())

    # --- SES's feedback on the mail it sent -----------------------------------------------------

    def plan_feedback(self, ses_message_id: str, mode: str) -> None:
        """What SES is to report for this mail: "" (delivered), "bounce" or "complaint"."""
        if mode not in _FEEDBACK:
            raise ValueError(f"email feedback mode must be one of {', '.join(FEEDBACK_MODES)}")
        self._planned[ses_message_id] = mode

    def statuses(self, record: SentRecord) -> list[str]:
        return list(_FEEDBACK[self._planned.get(record.provider_message_id, "")])

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        """The SNS notification of one Delivery, Bounce or Complaint, as an identity's feedback
        notifications look (notificationType; the mail object names SES's message id)."""
        now = _iso(datetime.now(UTC))
        sender = account.provider_account_id
        mail = {"timestamp": _iso(datetime.fromtimestamp(record.received_at, UTC)),
                "messageId": record.provider_message_id, "source": sender,
                "sourceArn": f"arn:aws:ses:us-east-1:{SENDING_ACCOUNT_ID}:identity/{sender}",
                "sourceIp": "127.0.0.1", "sendingAccountId": SENDING_ACCOUNT_ID, "destination": [record.to],
                "headersTruncated": False,
                "headers": [{"name": name, "value": str(value)} for name, value in record.payload.items()
                            if name[:1].isupper()],
                "commonHeaders": {"from": [str(record.payload.get("From", sender))], "to": [record.to],
                                  "subject": str(record.payload.get("Subject", ""))}}
        feedback_id = f"{secrets.token_hex(8)}-{uuid.uuid4()}-000000"
        notification: dict[str, Any] = {"notificationType": status, "mail": mail}
        if status == "Delivery":
            notification["delivery"] = {"timestamp": now, "processingTimeMillis": 812, "recipients": [record.to],
                                        "smtpResponse": "250 2.0.0 OK queued", "remoteMtaIp": "127.0.0.1",
                                        "reportingMTA": "a8-51.smtp-out.amazonses.com"}
        elif status == "Bounce":
            notification["bounce"] = {
                "bounceType": "Permanent", "bounceSubType": "General", "timestamp": now, "feedbackId": feedback_id,
                "reportingMTA": "dsn; a8-51.smtp-out.amazonses.com",
                "bouncedRecipients": [{"emailAddress": record.to, "action": "failed", "status": "5.1.1",
                                       "diagnosticCode": f"smtp; 550 5.1.1 <{record.to}>: user unknown"}]}
        elif status == "Complaint":
            notification["complaint"] = {
                "complainedRecipients": [{"emailAddress": record.to}], "timestamp": now, "feedbackId": feedback_id,
                "userAgent": "Simulated-Mail-Feedback/1.0", "complaintFeedbackType": "abuse", "arrivalDate": now}
        else:
            raise ValueError(f"SES reports no {status!r} notification")
        topic_arn = account.credentials.get("feedback_topic_arn") or account.credentials["topic_arn"]
        return self._sns_post(account, topic_arn, json.dumps(notification), self._base_url(), subject=None)

    def failure(self, mode: str) -> ApiAnswer:
        raise ValueError("email goes out through SES on moto, which the simulator cannot make fail")

    # --- SNS's certificate host ---------------------------------------------------------------

    def handle(self, request: ApiRequest, switchboard: Switchboard) -> ApiAnswer:
        if request.method == "GET" and request.parts == [self.signer.certificate_name]:
            return ApiAnswer(200, self.signer.certificate_pem, "application/x-x509-ca-cert")
        return ApiAnswer(404, b"<Error><Code>NotFound</Code></Error>", "text/xml")

    # --- replies, as SES sent them --------------------------------------------------------------

    def sent(self, account: SimulatedAccount, ses_message_id: str, raw: str) -> SentRecord | None:
        """The record of one mail SES sent, if it was sent from this account's address."""
        document = email.message_from_string(raw, policy=email.policy.default)
        assert isinstance(document, EmailMessage)
        _, sender = parseaddr(str(document.get("From", "")))
        if sender.lower() != account.provider_account_id.lower():
            return None
        _, to = parseaddr(str(document.get("To", "")))
        payload: dict[str, Any] = {name: str(document[name]) for name in (
            "From", "To", "Subject", "Message-ID", "In-Reply-To", "References") if document.get(name)}
        payload["text"] = text_of(document)
        return SentRecord(self.channel, account.account_id, to.lower(), payload["text"], payload, ses_message_id)


def moto_sent_mail(region: str) -> Callable[[], Sequence[SentMail]]:
    """What SES on moto (in this process) has sent so far, oldest first."""

    def read() -> Sequence[SentMail]:
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
        return [(m.id, m.raw_data) for m in list(backend.sent_messages) if hasattr(m, "raw_data")]

    return read
