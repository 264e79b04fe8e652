"""An agent's reply as a mail: SES v2 ``SendEmail`` with a raw MIME message, threaded to the
customer's last mail (``In-Reply-To`` / ``References``, read back from the stored MIME). The
agent's attachments (uploads in our media bucket) go in the same message, multipart/mixed; SES
takes at most 40 MB per message once encoded (domain/capabilities.py keeps replies below that).
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import botocore.exceptions
from chalicelib.channels.base import Credentials, SendFailed, SentMessage
from chalicelib.core.settings import get_settings
from chalicelib.domain import ids
from chalicelib.domain.models import ChannelAccount, OutboundContent, OutboundMedia

MAX_SEND_BYTES = 40 * 1024 * 1024  # SES's limit for a sent message, after encoding
# SES errors worth retrying later; the others (rejected message, unverified sender, suspended
# account, bad request) will not succeed by waiting.
_TRANSIENT_SES_ERRORS = frozenset({"TooManyRequestsException", "LimitExceededException", "InternalFailure",
                                   "ServiceUnavailable", "ThrottlingException", "SendingPausedException"})


def _failure(error: botocore.exceptions.ClientError) -> SendFailed:
    code = str(error.response.get("Error", {}).get("Code", "ClientError"))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
    transient = code in _TRANSIENT_SES_ERRORS or status >= 500 or status == 429
    return SendFailed(code, str(error.response.get("Error", {}).get("Message", code)), permanent=not transient)


class MailSender:
    def __init__(self, *, s3: Callable[[], Any], sesv2: Callable[[], Any]) -> None:
        self._s3 = s3
        self._sesv2 = sesv2

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent) -> SentMessage:
        if content.template is not None:
            raise SendFailed("unsupported_content", "email has no message templates", permanent=True)
        if not content.text and not content.media:
            raise SendFailed("empty_content", "nothing to send", permanent=True)
        sender = credentials.get("from_address") or account.provider_account_id
        raw = self._compose(account, credentials, sender, to, content)
        if len(raw) > MAX_SEND_BYTES:
            raise SendFailed("message_too_large", f"the mail is {len(raw)} bytes encoded; SES sends up to "
                             f"{MAX_SEND_BYTES}", permanent=True)
        try:
            answer = self._sesv2().send_email(FromEmailAddress=sender, Destination={"ToAddresses": [to]},
                                              Content={"Raw": {"Data": raw}})
        except botocore.exceptions.ClientError as error:
            raise _failure(error) from error
        except botocore.exceptions.BotoCoreError as error:
            raise SendFailed("network", f"SES unreachable: {type(error).__name__}", permanent=False) from error
        return SentMessage(provider_message_id=str(answer["MessageId"]))

    def _compose(self, account: ChannelAccount, credentials: Credentials, sender: str, to: str,
                 content: OutboundContent) -> bytes:
        reply = EmailMessage()
        reply["From"] = Address(display_name=credentials.get("from_name", ""), addr_spec=sender)
        reply["To"] = to
        reply["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        subject = content.subject or credentials.get("default_subject", "Your message")
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
        return reply.as_bytes()

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
