"""Telegram Bot API: ``Update`` objects POSTed to the URL given to ``setWebhook`` (authenticated by
the secret token Telegram echoes in ``X-Telegram-Bot-Api-Secret-Token``), the ``send*`` methods
and ``getFile`` for inbound media.

Credentials: ``bot_token`` (the token BotFather issued) and ``secret_token`` (the value passed as
``secret_token`` to ``setWebhook``). ``provider_account_id`` is the bot's numeric id.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from chalicelib.core.clock import utc_now
from chalicelib.core.model_base import Model
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    ConsentSignal,
    ContactCard,
    ContentKind,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    OutboundMedia,
)
from pydantic import ConfigDict, Field, ValidationError

from .base import (
    Credentials,
    MediaSource,
    PartProgress,
    SendFailed,
    SentMessage,
    WebhookRequest,
    invalid_payload,
    no_handshake,
    parse_json_object,
    send_parts,
    unreadable,
)
from .http import post_json

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
CAPTION_LIMIT = 1024  # captions of sendPhoto / sendDocument / sendAudio / sendVideo

# Fields of a Message that carry a file, in the order they are tested: Telegram also fills
# ``document`` for an animation, so ``animation`` comes first. The type is the one Telegram
# produces where it sends no ``mime_type`` (photos are re-encoded as JPEG, video notes are MPEG-4).
_FILE_FIELDS: tuple[tuple[str, ContentKind, str | None], ...] = (
    ("animation", ContentKind.VIDEO, "video/mp4"),
    ("video", ContentKind.VIDEO, None),
    ("video_note", ContentKind.VIDEO, "video/mp4"),
    ("voice", ContentKind.AUDIO, "audio/ogg"),
    ("audio", ContentKind.AUDIO, None),
    ("document", ContentKind.DOCUMENT, None),
)
# Where an outbound attachment goes, by the top-level part of its content type.
_SEND_METHODS = {
    "image": ("sendPhoto", "photo"),
    "audio": ("sendAudio", "audio"),
    "video": ("sendVideo", "video"),
}
# sendPhoto takes these; other images (SVG, TIFF, ...) go as documents.
_PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


class _Loose(Model):
    model_config = ConfigDict(extra="allow")


class _User(_Loose):
    id: int
    first_name: str = ""
    last_name: str | None = None


class _Chat(_Loose):
    id: int
    title: str | None = None


class _Message(_Loose):
    message_id: int
    date: int
    chat: _Chat
    sender: _User | None = Field(default=None, alias="from")
    edit_date: int | None = None


class _Update(_Loose):
    update_id: int
    message: dict[str, Any] | None = None
    edited_message: dict[str, Any] | None = None
    callback_query: dict[str, Any] | None = None
    my_chat_member: dict[str, Any] | None = None


class _CallbackQuery(_Loose):
    id: str
    sender: _User = Field(alias="from")
    message: dict[str, Any] | None = None
    data: str | None = None


class _MemberChat(_Loose):
    id: int
    type: str


class _ChatMemberUpdated(_Loose):
    chat: _MemberChat
    date: int
    new_chat_member: dict[str, Any]


def _button_title(message: dict[str, Any], data: str | None) -> str | None:
    """The text of the inline keyboard button whose callback_data is ``data``."""
    markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for row in rows if isinstance(rows, list) else []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and data is not None and button.get("callback_data") == data:
                return str(button.get("text") or "") or None
    return None


def _full_name(first: str | None, last: str | None) -> str | None:
    name = " ".join(part for part in (first, last) if part)
    return name or None


def _timestamp(value: int) -> datetime:
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise InvalidInput(f"date {value!r} is not Unix seconds", field="message.date") from error


def provider_message_id(chat_id: int | str, message_id: int | str) -> str:
    """Our idempotency key for a Telegram message: ``<chat id>:<message_id>``.

    ``message_id`` is unique only within its chat, so the chat id goes with it. ``update_id``
    would identify the delivery rather than the message, and Telegram picks it at random again
    after a week without updates; the chat and message ids also name the messages we send
    (``sendMessage`` answers with them), so inbound and outbound share one key space.
    """
    return f"{chat_id}:{message_id}"


class TelegramAdapter:
    channel = Channel.TELEGRAM
    # An Update is a few kilobytes; anything near this bound is not Telegram.
    max_body_bytes = 1024 * 1024

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        no_handshake(self.channel)

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        # Telegram signs nothing: it echoes the secret token set with setWebhook. Nor does it
        # send a timestamp, so a replayed update is absorbed by the message-id idempotency.
        provided = request.headers.get(SECRET_HEADER)
        if not provided:
            raise SignatureRejected("X-Telegram-Bot-Api-Secret-Token header is missing",
                                    field="X-Telegram-Bot-Api-Secret-Token")
        if not hmac.compare_digest(provided.encode(), credentials["secret_token"].encode()):
            raise SignatureRejected("X-Telegram-Bot-Api-Secret-Token does not match this account's secret token",
                                    field="X-Telegram-Bot-Api-Secret-Token")

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[ChannelEvent]:
        """One Update per POST. A body that is no Update at all is refused; an Update that
        cannot be read is kept as an UnreadableEvent and answered 200 (Telegram would otherwise
        redeliver it, and hold back the updates behind it)."""
        document = parse_json_object(request.body)
        try:
            update = _Update.model_validate(document)
        except ValidationError as error:
            raise invalid_payload(error, "not a Telegram update") from error
        try:
            return self._update(update, account)
        except (ValidationError, InvalidInput) as error:
            return [unreadable(self.channel, account, document, error, location=f"update {update.update_id}")]

    def _update(self, update: _Update, account: ChannelAccount) -> list[ChannelEvent]:
        if update.message is not None:
            return [self._message(update.message, account, edited=False)]
        if update.edited_message is not None:
            return [self._message(update.edited_message, account, edited=True)]
        if update.callback_query is not None:
            return [self._callback(update.callback_query, account)]
        if update.my_chat_member is not None:
            return self._member(update.my_chat_member, account)
        # Other updates (channel posts, polls, ...) carry no customer message.
        return []

    def _callback(self, raw: dict[str, Any], account: ChannelAccount) -> InboundMessage:
        """A button of an inline keyboard the customer pressed (``callback_query``): its title
        (looked up in the keyboard of the message it was on) is the text, its callback data
        the payload. Telegram dates it by nothing, so it is dated on arrival."""
        query = _CallbackQuery.model_validate(raw)
        message = query.message or {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else None
        chat_id = chat["id"] if chat and "id" in chat else query.sender.id
        title = _button_title(message, query.data)
        return InboundMessage(
            channel=self.channel, account_id=account.id, customer_id=str(chat_id),
            customer_name=_full_name(query.sender.first_name, query.sender.last_name),
            provider_message_id=f"{chat_id}:callback:{query.id}", sent_at=utc_now(), kind=ContentKind.TEXT,
            text=title or query.data, reply_payload=query.data, choice_id=query.id, raw={"callback_query": raw})

    def _member(self, raw: dict[str, Any], account: ChannelAccount) -> list[ChannelEvent]:
        """``my_chat_member``: the bot's membership in a chat changed. In a private chat,
        ``kicked`` means the customer blocked the bot (no message reaches them until they
        restart it) and ``member`` after that means they restarted it."""
        update = _ChatMemberUpdated.model_validate(raw)
        status = str(update.new_chat_member.get("status") or "")
        if update.chat.type != "private" or status not in {"kicked", "member"}:
            return []
        blocked = status == "kicked"
        return [ConsentSignal(
            channel=self.channel, account_id=account.id, customer_id=str(update.chat.id), opted_out=blocked,
            occurred_at=_timestamp(update.date), provider_event_id=f"{update.chat.id}:member:{update.date}:{status}",
            detail="the customer blocked the bot" if blocked else "the customer restarted the bot")]

    def _message(self, raw: dict[str, Any], account: ChannelAccount, *, edited: bool) -> InboundMessage:
        field = "edited_message" if edited else "message"
        try:
            message = _Message.model_validate(raw)
        except ValidationError as error:
            raise invalid_payload(error, f"invalid {field}", prefix=(field,)) from error
        sender = message.sender
        name = _full_name(sender.first_name, sender.last_name) if sender else None
        common: dict[str, Any] = {
            "channel": self.channel, "account_id": account.id, "customer_id": str(message.chat.id),
            "customer_name": name or message.chat.title,
        }
        kind, media, location, contacts = _content(raw)
        text = raw.get("text") if kind is ContentKind.TEXT else raw.get("caption")
        if edited:
            # An edit re-sends the whole message under the same message_id: it gives the original
            # its new text (edit_of). Its own key (with the edit date) keeps it from being taken
            # for a redelivery of the original, should it be stored as a message of its own.
            edit_date = message.edit_date or message.date
            key = provider_message_id(message.chat.id, message.message_id)
            return InboundMessage(**common, provider_message_id=f"{key}:edit:{edit_date}", edit_of=key,
                                  sent_at=_timestamp(edit_date), kind=ContentKind.TEXT,
                                  text=text if isinstance(text, str) else None, raw={field: raw})
        return InboundMessage(
            **common, provider_message_id=provider_message_id(message.chat.id, message.message_id),
            sent_at=_timestamp(message.date), sequence=message.message_id, kind=kind,
            text=text if isinstance(text, str) else None,
            media=media, location=location, contacts=contacts,
            raw=raw if kind is not ContentKind.TEXT else None,
        )

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        if content.template is not None:
            raise SendFailed("template_unsupported", "Telegram has no message templates: send text or media",
                             permanent=True)
        chat_id: int | str = int(to) if to.lstrip("-").isdigit() else to
        text = content.text or ""
        caption = text if content.media and len(text) <= CAPTION_LIMIT else ""
        calls: list[tuple[str, dict[str, Any]]] = []
        if text and not caption:
            calls.append(("sendMessage", {"chat_id": chat_id, "text": text}))
        for index, media in enumerate(content.media):
            method, field = _send_method(media)
            payload: dict[str, Any] = {"chat_id": chat_id, field: media.url}
            if index == 0 and caption:
                payload["caption"] = caption
            calls.append((method, payload))
        if not calls:
            raise SendFailed("empty_message", "nothing to send: no text and no media", permanent=True)
        bot_url = f"{account.api_base_url.rstrip('/')}/bot{credentials['bot_token']}"
        # One Telegram message per call; the first one's id stands for the whole reply. Telegram
        # has no idempotency key: a retry resumes after the calls that went (send_parts).
        return send_parts(calls, lambda call: _call(bot_url, *call), progress)

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """getFile gives the path of a file of up to 20 MB; the download URL holds the bot token
        and stays valid for at least an hour."""
        if not ref.provider_media_id:
            raise InvalidInput("Telegram media needs a file_id", field="media.provider_media_id")
        base = account.api_base_url.rstrip("/")
        token = credentials["bot_token"]
        response = post_json(f"{base}/bot{token}/getFile", {"file_id": ref.provider_media_id}, {})
        body = response.body if isinstance(response.body, dict) else {}
        result = body.get("result") if isinstance(body.get("result"), dict) else {}
        file_path = result.get("file_path") if result else None
        if 200 <= response.status < 300 and body.get("ok") is True and isinstance(file_path, str) and file_path:
            host = urlsplit(base).hostname or ""
            return MediaSource(url=f"{base}/file/bot{token}/{file_path.lstrip('/')}", headers={},
                               allowed_hosts=frozenset({host}))
        failure = _failure(response.status, body)
        if not failure.permanent:
            raise failure
        raise InvalidInput(f"Telegram cannot serve file {ref.provider_media_id}: {failure.message}",
                           field="media.provider_media_id")


def _content(raw: dict[str, Any]) -> tuple[ContentKind, list[MediaRef], Location | None, list[ContactCard]]:
    """The kind of a Telegram message and what it carries."""
    if isinstance(raw.get("text"), str):
        return ContentKind.TEXT, [], None, []
    photo = raw.get("photo")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict):
        # Telegram lists the sizes of one photo from small to large: keep the largest.
        return ContentKind.IMAGE, [_media_ref(photo[-1], "image/jpeg")], None, []
    for field, kind, default_type in _FILE_FIELDS:
        if isinstance(raw.get(field), dict):
            return kind, [_media_ref(raw[field], default_type)], None, []
    sticker = raw.get("sticker")
    if isinstance(sticker, dict) and not sticker.get("is_animated") and not sticker.get("is_video"):
        return ContentKind.IMAGE, [_media_ref(sticker, "image/webp")], None, []
    location = _location(raw)
    if location is not None:
        return ContentKind.LOCATION, [], location, []
    contact = raw.get("contact")
    if isinstance(contact, dict) and contact.get("phone_number"):
        name = _full_name(contact.get("first_name"), contact.get("last_name")) or str(contact["phone_number"])
        return ContentKind.CONTACTS, [], None, [ContactCard(name=name, phones=[str(contact["phone_number"])])]
    return ContentKind.UNSUPPORTED, [], None, []


def _media_ref(file: dict[str, Any], default_type: str | None) -> MediaRef:
    file_id = file.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise InvalidInput("a Telegram file has no file_id", field="message.file_id")
    size = file.get("file_size")
    return MediaRef(provider_media_id=file_id, content_type=file.get("mime_type") or default_type,
                    filename=file.get("file_name"), size=size if isinstance(size, int) else None)


def _location(raw: dict[str, Any]) -> Location | None:
    venue = raw.get("venue") if isinstance(raw.get("venue"), dict) else None
    point = (venue or {}).get("location", raw.get("location"))
    if not isinstance(point, dict):
        return None
    try:
        return Location(latitude=point["latitude"], longitude=point["longitude"],
                        name=venue.get("title") if venue else None, address=venue.get("address") if venue else None)
    except (KeyError, ValidationError) as error:
        raise InvalidInput("a Telegram location needs a latitude and a longitude", field="message.location") from error


def _send_method(media: OutboundMedia) -> tuple[str, str]:
    major = media.content_type.split("/", 1)[0].lower()
    if major == "image" and media.content_type.lower() not in _PHOTO_TYPES:
        return "sendDocument", "document"
    return _SEND_METHODS.get(major, ("sendDocument", "document"))


def _call(bot_url: str, method: str, payload: dict[str, Any]) -> str:
    """One Bot API call; the sent message's key, or SendFailed."""
    response = post_json(f"{bot_url}/{method}", payload, {})
    body = response.body if isinstance(response.body, dict) else {}
    if 200 <= response.status < 300 and body.get("ok") is True:
        result = body.get("result")
        if isinstance(result, dict) and result.get("message_id") is not None:
            chat = result.get("chat")
            chat_id = chat.get("id") if isinstance(chat, dict) else None
            return provider_message_id(chat_id if chat_id is not None else payload["chat_id"], result["message_id"])
        raise SendFailed("invalid_response", f"Telegram's answer to {method} has no message_id", permanent=False)
    raise _failure(response.status, body)


# Telegram's description of a 403 to a bot the user blocked ("Forbidden: bot was blocked by the user").
BLOCKED_DESCRIPTION = "bot was blocked by the user"


def _failure(status: int, body: dict[str, Any]) -> SendFailed:
    """Telegram's error answer as a SendFailed: flood control (429, with ``retry_after``) and
    server errors are worth retrying; 400 (chat not found, bad file), 401 (bad token) and 403
    (the user blocked the bot) are not."""
    code = body.get("error_code") if isinstance(body.get("error_code"), int) else status
    description = str(body.get("description") or f"HTTP {status}")
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    retry_after = parameters.get("retry_after") if parameters else None
    if status == 429 or code == 429 or status >= 500:
        suffix = f" (retry after {retry_after} s)" if retry_after is not None else ""
        return SendFailed(str(code), description + suffix, permanent=False)
    # The send's answer when the customer blocked the bot (the my_chat_member "kicked" we may not
    # have had): the address is unreachable until they restart it, as the update would record.
    blocked = code == 403 and BLOCKED_DESCRIPTION in description.casefold()
    return SendFailed(str(code), description, permanent=True, opted_out=blocked)
