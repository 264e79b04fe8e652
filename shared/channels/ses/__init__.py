"""Email through Amazon SES (docs/architecture.md, "Email").

Inbound: an SES receipt rule for the account's address stores the raw MIME in our media bucket
under ``inbound-mail/<account id>/`` and notifies an SNS topic, which delivers over HTTPS to this
account's webhook: ``sns`` verifies the notification, ``inbound`` turns the stored mail into a
message, ``feedback`` turns SES's Delivery/Bounce/Complaint notifications into statuses.
Outbound: ``outbound`` sends the agent's reply with SES v2, threaded to the customer's last mail.
This module puts the four together as the channel's adapter.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import boto3
from chalicelib.channels.base import (
    Credentials,
    MediaSource,
    PartProgress,
    SentMessage,
    WebhookRequest,
    unreadable,
)
from chalicelib.core.clock import utc_now
from chalicelib.core.settings import get_settings
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    MediaRef,
    OutboundContent,
)
from chalicelib.storage import keys

from .feedback import FEEDBACK_TYPES, status_updates
from .inbound import MAX_MAIL_BYTES, html_to_text, inbound_message, parse_mail
from .outbound import MailSender
from .sns import SnsVerifier, fetch_certificate, parse_notice, visit_subscribe_url

__all__ = ["EmailAdapter", "html_to_text"]

SIGNED_MAIL_URL_SECONDS = 300


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3")


@lru_cache(maxsize=1)
def _sesv2() -> Any:
    return boto3.client("sesv2")


class EmailAdapter:
    channel = Channel.EMAIL
    max_body_bytes = 256 * 1024  # SNS's message size limit

    def __init__(self, *, certificates: Callable[[str], bytes] = fetch_certificate,
                 s3: Callable[[], Any] = _s3, sesv2: Callable[[], Any] = _sesv2,
                 clock: Callable[[], datetime] = utc_now,
                 confirm: Callable[[str], None] | None = None) -> None:
        self._s3 = s3
        self._clock = clock
        self._sns = SnsVerifier(certificates=certificates, clock=clock, confirm=confirm or visit_subscribe_url)
        self._sender = MailSender(s3=s3, sesv2=sesv2)

    # --- inbound ------------------------------------------------------------------------

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        raise InvalidInput("email has no GET handshake: SNS confirms its subscription by a signed POST",
                           field="method")

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        """Verify the SNS message; a verified subscription confirmation is confirmed here (SNS's
        handshake is a signed POST, not a GET)."""
        self._sns.authenticate(request.body, credentials)

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[ChannelEvent]:
        """One SNS notification per POST. A body that is no SNS notice is refused; an authentic
        notification whose SES content cannot be read is kept as an UnreadableEvent and answered
        200 (SNS would otherwise redeliver it for hours)."""
        notice = parse_notice(request.body)
        if notice.Type != "Notification":
            return []  # subscription (un)confirmations carry no mail
        try:
            ses = json.loads(notice.Message)
        except ValueError:
            return [unreadable(self.channel, account, notice.Message, "the SNS Message is not JSON",
                               location=f"SNS message {notice.MessageId}")]
        if not isinstance(ses, dict):
            return []
        try:
            return self._notification(ses, account)
        except InvalidInput as error:
            return [unreadable(self.channel, account, ses, error, location=f"SNS message {notice.MessageId}")]

    def _notification(self, ses: dict[str, Any], account: ChannelAccount) -> list[ChannelEvent]:
        # Identity notifications name their type in notificationType, event publishing in eventType.
        kind = ses.get("notificationType") or ses.get("eventType")
        if kind in FEEDBACK_TYPES:
            return [*status_updates(str(kind), ses, account, self._clock())]
        if kind != "Received":
            return []
        receipt = ses.get("receipt") or {}
        mail = ses.get("mail") or {}
        action = receipt.get("action") or {}
        ses_message_id = str(mail.get("messageId") or "")
        if action.get("type") != "S3" or not ses_message_id:
            raise InvalidInput("expected an SES S3-action notification with a messageId", field="receipt.action")
        expected_key = keys.raw_mail_key(account.id, ses_message_id)
        if action.get("bucketName") != get_settings().media_bucket or action.get("objectKey") != expected_key:
            raise InvalidInput(f"the mail must be stored at {expected_key} in our bucket",
                               field="receipt.action.objectKey")
        obj = self._s3().get_object(Bucket=get_settings().media_bucket, Key=expected_key)
        if int(obj.get("ContentLength", 0)) > MAX_MAIL_BYTES:
            raise InvalidInput(f"the mail is larger than {MAX_MAIL_BYTES} bytes", field="mail")
        document = parse_mail(obj["Body"].read())
        return [inbound_message(account, ses_message_id, expected_key, document, receipt, mail)]

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """An attachment is a part of the stored MIME: a short-lived signed URL of the mail in our
        own bucket, and which attachment to take from it."""
        key, _, index = (ref.provider_media_id or "").rpartition("#")
        if not key.startswith(keys.raw_mail_key(account.id, "")) or not index.isdigit():
            raise InvalidInput("not an attachment of this account's mail", field="media.provider_media_id")
        url = self._s3().generate_presigned_url("get_object", Params={
            "Bucket": get_settings().media_bucket, "Key": key}, ExpiresIn=SIGNED_MAIL_URL_SECONDS)
        return MediaSource(url=url, headers={}, allowed_hosts=frozenset({urlsplit(url).netloc.lower()}),
                           mime_attachment=int(index))

    # --- outbound -----------------------------------------------------------------------

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        return self._sender.send(account, credentials, to, content)
