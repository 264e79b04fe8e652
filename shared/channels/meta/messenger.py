"""Facebook Messenger (and, by subclassing, Instagram messaging): the Messenger Platform's
``entry[].messaging[]`` webhook events and the Send API ``/<page_id>/messages``.

Status receipts: Messenger reports delivery as ``{"mids": [...], "watermark": ms}`` and reads as
``{"watermark": ms}``. Where mids are given each becomes a StatusUpdate tied to that provider
message id. A bare watermark means "everything sent before this moment"; it cannot be tied to
one message id, so it becomes a StatusUpdate with ``watermark`` set (and a provider id naming
the receipt, for deduplication only): storage then moves every earlier outbound message of the
customer's open conversation forward (statuses never move backwards).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from chalicelib.channels.base import (
    Credentials,
    MediaSource,
    PartProgress,
    SendFailed,
    SentMessage,
    WebhookRequest,
    in_batch_order,
    parse_json_object,
    send_parts,
    unreadable,
)
from chalicelib.channels.http import post_json
from chalicelib.core.model_base import Model
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    StatusUpdate,
    StoryRef,
)
from pydantic import ConfigDict, ValidationError

from .graph import (
    answer_handshake,
    api_host,
    bearer,
    graph_url,
    raise_for_graph_error,
    response_object,
    verify_signature,
)

_ATTACHMENT_KINDS = {
    "image": ContentKind.IMAGE, "video": ContentKind.VIDEO, "audio": ContentKind.AUDIO,
    "file": ContentKind.DOCUMENT, "location": ContentKind.LOCATION,
}
Event = InboundMessage | StatusUpdate


class _Loose(Model):
    model_config = ConfigDict(extra="allow")


class _Party(_Loose):
    id: str


class _Messaging(_Loose):
    sender: _Party
    recipient: _Party
    timestamp: int


class _Entry(_Loose):
    id: str
    messaging: list[dict[str, Any]] = []


def _millis(value: Any, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidInput(f"{field} {value!r} is not Unix milliseconds", field=field) from error


def _event_id(raw: dict[str, Any]) -> str:
    """An idempotency key for events that carry no id of their own (reactions, referrals...):
    the same event redelivered hashes to the same key."""
    return "evt." + hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:40]


def _attachment(raw: Any) -> tuple[ContentKind, MediaRef | None, Location | None]:
    if not isinstance(raw, dict):
        return ContentKind.UNSUPPORTED, None, None
    kind = _ATTACHMENT_KINDS.get(str(raw.get("type")), ContentKind.UNSUPPORTED)
    payload = raw.get("payload") if isinstance(raw.get("payload"), dict) else {}
    assert isinstance(payload, dict)
    if kind is ContentKind.LOCATION:
        coordinates = payload.get("coordinates") or {}
        try:
            return kind, None, Location(latitude=float(coordinates["lat"]), longitude=float(coordinates["long"]),
                                        name=raw.get("title"))
        except (KeyError, TypeError, ValueError):
            return ContentKind.UNSUPPORTED, None, None
    if kind is not ContentKind.UNSUPPORTED and isinstance(payload.get("url"), str):
        return kind, MediaRef(url=payload["url"], filename=raw.get("title") or payload.get("title")), None
    return ContentKind.UNSUPPORTED, None, None


def _story(message: dict[str, Any]) -> StoryRef | None:
    """An Instagram story mention (an attachment of type ``story_mention`` with the story's CDN
    URL) or story reply (``reply_to.story`` with its url and id)."""
    reply_to = message.get("reply_to")
    story = reply_to.get("story") if isinstance(reply_to, dict) else None
    if isinstance(story, dict):
        return StoryRef(kind="reply", url=_text_or_none(story.get("url")), story_id=_text_or_none(story.get("id")))
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("type") == "story_mention":
            payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
            return StoryRef(kind="mention", url=_text_or_none((payload or {}).get("url")))
    return None


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None


class MessengerAdapter:
    channel = Channel.MESSENGER
    max_body_bytes = 3 * 1024 * 1024
    webhook_object: ClassVar[str] = "page"
    text_limit: ClassVar[int] = 2000
    # Messenger's attachment URLs are signed links on Meta's CDNs (scontent-*.xx.fbcdn.net,
    # cdn.fbsbx.com, lookaside.fbsbx.com); a leading dot allows the domain's subdomains.
    media_hosts: ClassVar[frozenset[str]] = frozenset({".fbcdn.net", ".fbsbx.com"})
    send_attachment_types: ClassVar[frozenset[str]] = frozenset({"image", "video", "audio", "file"})
    # Messenger's "retry later" codes beyond Graph's common ones: none documented besides the
    # rate limits (4, 613) and the temporary error (2) that meta.py already treats as transient.
    transient_codes: ClassVar[frozenset[int]] = frozenset()

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        return answer_handshake(request, credentials)

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        verify_signature(request, credentials)

    # --- inbound ------------------------------------------------------------------------

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[ChannelEvent]:
        """Every messaging event of every entry, each read on its own: one that cannot be read
        is kept as an UnreadableEvent and the others go on (Meta retries the whole POST on any
        non-200). Only a body that is not a notification of this product is refused."""
        document = parse_json_object(request.body)
        if document.get("object") != self.webhook_object:
            raise InvalidInput(f"object {document.get('object')!r} is not {self.webhook_object}", field="object")
        entries = document.get("entry")
        if not isinstance(entries, list):
            raise InvalidInput("entry must be a list", field="entry")
        events: list[ChannelEvent] = []
        for index, raw_entry in enumerate(entries):
            try:
                entry = _Entry.model_validate(raw_entry)
            except ValidationError as error:
                events.append(unreadable(self.channel, account, raw_entry, error, location=f"entry[{index}]"))
                continue
            if entry.id != account.provider_account_id:
                events.append(unreadable(self.channel, account, raw_entry,
                                         f"entry {entry.id} is not this account's {self.channel.value} id",
                                         location=f"entry[{index}].id"))
                continue
            for number, raw in enumerate(entry.messaging):
                try:
                    events.extend(self._event(_Messaging.model_validate(raw), raw, account))
                except (ValidationError, InvalidInput) as error:
                    sender = raw.get("sender") if isinstance(raw, dict) else None
                    events.append(unreadable(self.channel, account, raw, error,
                                             customer_id=sender.get("id", "") if isinstance(sender, dict) else "",
                                             location=f"entry[{index}].messaging[{number}]"))
        return in_batch_order(events)

    def _event(self, messaging: _Messaging, raw: dict[str, Any], account: ChannelAccount) -> list[Event]:
        customer = messaging.sender.id
        at = _millis(messaging.timestamp, "timestamp")
        if isinstance(raw.get("message"), dict):
            return self._message(raw["message"], raw, customer, at, account)
        for key, status in (("delivery", DeliveryStatus.DELIVERED), ("read", DeliveryStatus.READ)):
            if isinstance(raw.get(key), dict):
                return self._receipt(raw[key], status, customer, at, account)
        if isinstance(raw.get("reaction"), dict) and raw["reaction"].get("mid"):
            # A reaction on a message: {"mid", "action": "react" | "unreact", "reaction", "emoji"}.
            reaction = raw["reaction"]
            emoji = str(reaction.get("emoji") or "") if reaction.get("action") != "unreact" else ""
            return [self._inbound(account, _event_id(raw), customer, at, kind=ContentKind.TEXT,
                                  text=f"Reacted {emoji}" if emoji else "Removed a reaction",
                                  reaction_to=str(reaction["mid"]), reaction=emoji, raw=raw)]
        if isinstance(raw.get("postback"), dict):
            # A button the customer pressed: what they see in the thread is the button's title.
            postback = raw["postback"]
            return [self._inbound(account, str(postback.get("mid") or _event_id(raw)), customer, at,
                                  kind=ContentKind.TEXT, text=postback.get("title"),
                                  reply_payload=str(postback["payload"]) if postback.get("payload") else None,
                                  raw=raw)]
        # Reactions, referrals, opt-ins...: kept as unsupported so nothing is lost.
        return [self._inbound(account, _event_id(raw), customer, at, kind=ContentKind.UNSUPPORTED, raw=raw)]

    def _message(self, message: dict[str, Any], raw: dict[str, Any], customer: str, at: datetime,
                 account: ChannelAccount) -> list[Event]:
        # Echoes are our own sends reflected back; deletions retract a message already stored.
        if message.get("is_echo") or message.get("is_deleted"):
            return []
        mid = message.get("mid")
        if not isinstance(mid, str) or not mid:
            raise InvalidInput("message has no mid", field="messaging.message.mid")
        text = message.get("text") if isinstance(message.get("text"), str) else None
        story = _story(message)
        if story is not None:
            # The story's link only: Meta's terms forbid storing story media.
            return [self._inbound(account, mid, customer, at, kind=ContentKind.TEXT, story=story, raw=raw,
                                  text=text or ("Mentioned you in their story" if story.kind == "mention"
                                                else "Replied to your story"))]
        parsed = [_attachment(item) for item in message.get("attachments") or []]
        if message.get("is_unsupported"):
            kind = ContentKind.UNSUPPORTED
        elif parsed:
            kind = parsed[0][0]
        else:
            kind = ContentKind.TEXT if text else ContentKind.UNSUPPORTED
        media = [ref for _, ref, _ in parsed if ref is not None] if kind is not ContentKind.UNSUPPORTED else []
        location = next((place for _, _, place in parsed if place is not None), None)
        # A quick reply the customer tapped: the text is its title, quick_reply.payload its payload.
        quick = message.get("quick_reply")
        payload = quick.get("payload") if isinstance(quick, dict) else None
        return [self._inbound(account, mid, customer, at, kind=kind, text=text, media=media, location=location,
                              reply_payload=str(payload) if payload else None,
                              raw=None if kind is ContentKind.TEXT else raw)]

    def _receipt(self, receipt: dict[str, Any], status: DeliveryStatus, customer: str, at: datetime,
                 account: ChannelAccount) -> list[Event]:
        mids = [str(mid) for mid in receipt.get("mids") or [] if mid]
        if isinstance(receipt.get("mid"), str):
            mids.append(receipt["mid"])  # Instagram's messaging_seen names the message read
        if mids:
            return [StatusUpdate(channel=self.channel, account_id=account.id, provider_message_id=mid,
                                 customer_id=customer, status=status, occurred_at=at) for mid in mids]
        if "watermark" not in receipt:
            return []
        watermark = _millis(receipt["watermark"], f"{status.value}.watermark")
        return [StatusUpdate(channel=self.channel, account_id=account.id, customer_id=customer, status=status,
                             provider_message_id=f"{status.value}-watermark.{receipt['watermark']}",
                             occurred_at=at, watermark=watermark)]

    def _inbound(self, account: ChannelAccount, provider_message_id: str, customer: str, at: datetime,
                 **content: Any) -> InboundMessage:
        return InboundMessage(channel=self.channel, account_id=account.id, provider_message_id=provider_message_id,
                              customer_id=customer, sent_at=at, **content)

    # --- outbound -----------------------------------------------------------------------

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        """The text, then one message per attachment (Messenger has no captions). Past the 24-hour
        window the dispatcher sets human_agent_tag and every message goes with the HUMAN_AGENT tag.
        Returns the id of the first message sent."""
        if content.template is not None:
            raise SendFailed("unsupported_content", f"{self.channel.value} has no message templates", permanent=True)
        messages: list[dict[str, Any]] = []
        if content.text:
            if len(content.text) > self.text_limit:
                raise SendFailed("text_too_long", f"{self.channel.value} allows {self.text_limit} characters",
                                 permanent=True)
            messages.append({"text": content.text})
        for media in content.media:
            messages.append({"attachment": {"type": self._attachment_type(media.content_type),
                                            "payload": {"url": media.url, "is_reusable": True}}})
        if not messages:
            raise SendFailed("empty_content", "nothing to send", permanent=True)
        return send_parts(messages, lambda message: self._post(account, credentials, to, message,
                                                               content.human_agent_tag), progress)

    def _attachment_type(self, content_type: str) -> str:
        major = content_type.split("/", 1)[0]
        kind = major if major in {"image", "video", "audio"} else "file"
        if kind not in self.send_attachment_types:
            raise SendFailed("unsupported_content", f"{self.channel.value} cannot send {content_type}",
                             permanent=True)
        return kind

    def _post(self, account: ChannelAccount, credentials: Credentials, to: str, message: dict[str, Any],
              human_agent: bool) -> str:
        payload: dict[str, Any] = {"recipient": {"id": to}, "message": message}
        if human_agent:
            payload.update({"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"})
        else:
            payload["messaging_type"] = "RESPONSE"
        response = post_json(graph_url(account, account.provider_account_id, "messages"), payload,
                             bearer(credentials))
        raise_for_graph_error(response, self.transient_codes)
        message_id = response_object(response).get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise SendFailed("invalid_response", "the provider's answer has no message_id", permanent=False)
        return message_id

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """Attachment URLs are pre-signed CDN links: no token goes with the download."""
        if not ref.url:
            raise InvalidInput(f"{self.channel.value} media needs a URL", field="media.url")
        return MediaSource(url=ref.url, headers={}, allowed_hosts=self.media_hosts | {api_host(account)})
