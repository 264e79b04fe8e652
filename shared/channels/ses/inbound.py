"""A received mail as the inbox sees it: the raw MIME that SES's receipt rule stored in our media
bucket (``inbound-mail/<account id>/<SES messageId>``) turned into one inbound message.

The customer id is the lower-cased From address; the SES messageId is the idempotency key; the
text is the text/plain part (or the HTML part stripped to text); subject, Message-ID and SES's
verdicts are kept in ``raw``; attachments become media references into the stored MIME (none
when SES's virus verdict is FAIL).
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Channel, ChannelAccount, ContentKind, InboundMessage, MediaRef

MAX_MAIL_BYTES = 40 * 1024 * 1024  # SES's limit for a received message
_VERDICTS = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")


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


def parse_mail(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def inbound_message(account: ChannelAccount, ses_message_id: str, key: str, document: EmailMessage,
                    receipt: dict[str, Any], mail: dict[str, Any]) -> InboundMessage:
    """The message of a stored mail; ``receipt`` and ``mail`` are the SES notification's objects."""
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
        channel=Channel.EMAIL, account_id=account.id, provider_message_id=ses_message_id,
        customer_id=address.lower(), customer_name=name or None, sent_at=sent_at,
        kind=ContentKind.TEXT if text or not media else _kind_of(media[0].content_type),
        text=text, media=media,
        raw={"subject": str(document.get("Subject", "")), "message_id": str(document.get("Message-ID", "")),
             "to": str(document.get("To", "")),
             "verdicts": {name: (receipt.get(name) or {}).get("status") for name in _VERDICTS}},
    )
