"""WhatsApp Business Cloud API: Meta's webhook (X-Hub-Signature-256, hub.challenge handshake),
the Graph API ``/<phone_number_id>/messages`` send endpoint (text, media by link, templates) and
the ``/<media-id>`` lookup that gives an inbound media object's download URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

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
from chalicelib.channels.http import get_json, post_json
from chalicelib.core.model_base import Model
from chalicelib.core.problems import first_problem
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    ContactCard,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    OutboundMedia,
    StatusUpdate,
    TemplateContent,
)
from chalicelib.domain.templates import parameters_of
from chalicelib.domain.work_models import Template
from pydantic import ConfigDict, ValidationError

from .graph import (
    answer_handshake,
    api_host,
    bearer,
    graph_url,
    raise_for_graph_error,
    response_object,
    sign,
    verify_signature,
)

__all__ = ["WhatsAppAdapter", "sign"]

TEXT_LIMIT = 4096
# Pages of 100 templates read by a sync (WhatsApp allows a business account 250 templates).
TEMPLATE_PAGES = 10
CAPTION_LIMIT = 1024

# WhatsApp's own "retry later" codes on top of Graph's: WABA and pair rate limits, throughput,
# and the generic "something went wrong" family (131000, 131016 service unavailable).
TRANSIENT_ERROR_CODES = frozenset({80007, 130429, 131000, 131016, 131056})
# The Graph media lookup answers with a URL on Meta's media CDN; bearer-authorised downloads
# go there and nowhere else.
MEDIA_HOSTS = frozenset({"lookaside.fbsbx.com"})

_KINDS = {
    "text": ContentKind.TEXT, "image": ContentKind.IMAGE, "document": ContentKind.DOCUMENT,
    "audio": ContentKind.AUDIO, "voice": ContentKind.AUDIO, "video": ContentKind.VIDEO,
    "sticker": ContentKind.IMAGE, "location": ContentKind.LOCATION, "contacts": ContentKind.CONTACTS,
}
_MEDIA_TYPES = frozenset({"image", "document", "audio", "voice", "video", "sticker"})
_STATUSES = {
    "sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ, "failed": DeliveryStatus.FAILED,
}


class _Loose(Model):
    model_config = ConfigDict(extra="allow")


class _Profile(_Loose):
    name: str | None = None


class _Contact(_Loose):
    wa_id: str
    profile: _Profile | None = None


class _Message(_Loose):
    id: str
    timestamp: str
    type: str
    text: dict[str, Any] | None = None


class _StatusError(_Loose):
    code: int | None = None
    title: str | None = None
    message: str | None = None


class _Status(_Loose):
    id: str
    status: str
    timestamp: str
    # Optional: the message's id is what a status is applied by.
    recipient_id: str | None = None
    errors: list[_StatusError] = []


class _Metadata(_Loose):
    phone_number_id: str


class _Value(_Loose):
    metadata: _Metadata
    contacts: list[_Contact] = []
    messages: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []


class _Change(_Loose):
    field: str
    value: dict[str, Any]


class _Entry(_Loose):
    id: str
    changes: list[_Change] = []


class _MediaObject(_Loose):
    id: str
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None


class _SharedLocation(_Loose):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class _SharedContact(_Loose):
    name: dict[str, Any] = {}
    phones: list[dict[str, Any]] = []
    emails: list[dict[str, Any]] = []


def _timestamp(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except ValueError as error:
        raise InvalidInput(f"timestamp {value!r} is not Unix seconds", field="timestamp") from error


def _chosen_reply(message_type: str, body: Any) -> tuple[str, str] | None:
    """(title, payload) of a reply the customer chose: an interactive reply button or list row
    (``interactive.button_reply`` / ``list_reply``: id and title) or a template's quick-reply
    button (``button``: payload and text)."""
    if not isinstance(body, dict):
        return None
    if message_type == "button":
        return str(body.get("text") or body.get("payload") or ""), str(body.get("payload") or "")
    if message_type == "interactive":
        choice = body.get(str(body.get("type")))
        if body.get("type") in {"button_reply", "list_reply"} and isinstance(choice, dict):
            return str(choice.get("title") or choice.get("id") or ""), str(choice.get("id") or "")
    return None


def _content(message_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The canonical content fields of one message: text, media, location, contacts or a chosen reply."""
    body = raw.get(message_type)
    try:
        if message_type == "text":
            return {"text": (body or {}).get("body")}
        chosen = _chosen_reply(message_type, body)
        if chosen is not None:
            return {"text": chosen[0] or None, "reply_payload": chosen[1] or None}
        if message_type in _MEDIA_TYPES and isinstance(body, dict):
            media = _MediaObject.model_validate(body)
            return {"text": media.caption, "media": [MediaRef(
                provider_media_id=media.id, content_type=media.mime_type, filename=media.filename)]}
        if message_type == "location" and isinstance(body, dict):
            place = _SharedLocation.model_validate(body)
            return {"location": Location(latitude=place.latitude, longitude=place.longitude,
                                         name=place.name, address=place.address)}
        if message_type == "contacts" and isinstance(body, list):
            return {"contacts": [_contact_card(_SharedContact.model_validate(card)) for card in body]}
    except ValidationError as error:
        raise InvalidInput(f"invalid {message_type} message: {first_problem(error)[1]}",
                           field=f"messages.{message_type}") from error
    return {}


def _contact_card(card: _SharedContact) -> ContactCard:
    name = card.name.get("formatted_name") or " ".join(
        str(card.name[part]) for part in ("first_name", "last_name") if card.name.get(part))
    return ContactCard(
        name=str(name or "(no name)"),
        phones=[str(p["phone"]) for p in card.phones if p.get("phone")],
        emails=[str(e["email"]) for e in card.emails if e.get("email")],
    )


def _media_payload(media: OutboundMedia, caption: str | None) -> dict[str, Any]:
    """One media message by link. Images, videos and documents take a caption; audio does not."""
    major = media.content_type.split("/", 1)[0]
    kind = major if major in {"image", "video", "audio"} else "document"
    body: dict[str, Any] = {"link": media.url}
    if caption and kind != "audio":
        body["caption"] = caption[:CAPTION_LIMIT]
    if kind == "document" and media.filename:
        body["filename"] = media.filename
    return {"type": kind, kind: body}


def _approved_template(account: ChannelAccount, raw: dict[str, Any]) -> list[Template]:
    """The template as we keep it, when it is approved and has a body (header, footer and button
    components are not sent by this app)."""
    if raw.get("status") != "APPROVED" or not isinstance(raw.get("name"), str) or not raw.get("language"):
        return []
    components = raw.get("components")
    bodies = [str(c["text"]) for c in (components if isinstance(components, list) else [])
              if isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY" and isinstance(c.get("text"), str)]
    if not bodies or not bodies[0].strip():
        return []
    return [Template(account_id=account.id, name=raw["name"], language=str(raw["language"]), body=bodies[0],
                     parameters=parameters_of(bodies[0]))]


def _template_payload(template: TemplateContent) -> dict[str, Any]:
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.variables:
        names = template.parameter_names
        parameters = ([{"type": "text", "text": value} for value in template.variables] if names is None else
                      [{"type": "text", "parameter_name": name, "text": value}
                       for name, value in zip(names, template.variables, strict=True)])
        body["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": body}


class WhatsAppAdapter:
    channel = Channel.WHATSAPP
    max_body_bytes = 3 * 1024 * 1024

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        return answer_handshake(request, credentials)

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        verify_signature(request, credentials)

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[ChannelEvent]:
        """Every message and status of every change of every entry, each read on its own: a part
        that cannot be read is kept as an UnreadableEvent and the others go on (Meta retries the
        whole POST on any non-200, so one odd part must not cost the rest). Only a body that is
        not a WhatsApp notification at all is refused."""
        document = parse_json_object(request.body)
        if document.get("object") != "whatsapp_business_account":
            raise InvalidInput(f"object {document.get('object')!r} is not whatsapp_business_account", field="object")
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
            for number, change in enumerate(entry.changes):
                if change.field == "messages":
                    events.extend(self._change(change.value, account, f"entry[{index}].changes[{number}]"))
        return in_batch_order(events)

    def _change(self, raw_value: dict[str, Any], account: ChannelAccount, location: str) -> list[ChannelEvent]:
        try:
            value = _Value.model_validate(raw_value)
        except ValidationError as error:
            return [unreadable(self.channel, account, raw_value, error, location=f"{location}.value")]
        if value.metadata.phone_number_id != account.provider_account_id:
            return [unreadable(self.channel, account, raw_value,
                               f"phone_number_id {value.metadata.phone_number_id} is not this account's number",
                               location=f"{location}.value.metadata")]
        names = {c.wa_id: c.profile.name for c in value.contacts if c.profile}
        events: list[ChannelEvent] = []
        for number, raw in enumerate(value.messages):
            try:
                events.append(self._message(raw, names, account))
            except (ValidationError, InvalidInput) as error:
                events.append(unreadable(self.channel, account, raw, error, customer_id=raw.get("from", ""),
                                         location=f"{location}.value.messages[{number}]"))
        for number, raw in enumerate(value.statuses):
            try:
                status = self._status(raw, account)
            except (ValidationError, InvalidInput) as error:
                events.append(unreadable(self.channel, account, raw, error, customer_id=raw.get("recipient_id", ""),
                                         location=f"{location}.value.statuses[{number}]"))
                continue
            if status is not None:
                events.append(status)
        return events

    def _message(self, raw: dict[str, Any], names: dict[str, str | None], account: ChannelAccount) -> InboundMessage:
        message = _Message.model_validate(raw)
        sender = str(raw.get("from", ""))
        if not sender:
            raise InvalidInput("message has no sender", field="messages.from")
        kind = _KINDS.get(message.type, ContentKind.UNSUPPORTED)
        if _chosen_reply(message.type, raw.get(message.type)) is not None:
            kind = ContentKind.TEXT
        reaction = raw.get("reaction") if message.type == "reaction" else None
        if isinstance(reaction, dict) and reaction.get("message_id"):
            # A reaction on a message ({"message_id", "emoji"}; no emoji: the reaction was removed).
            emoji = str(reaction.get("emoji") or "")
            return InboundMessage(
                channel=self.channel, account_id=account.id, provider_message_id=message.id, customer_id=sender,
                customer_name=names.get(sender), sent_at=_timestamp(message.timestamp), kind=ContentKind.TEXT,
                text=f"Reacted {emoji}" if emoji else "Removed a reaction",
                reaction_to=str(reaction["message_id"]), reaction=emoji, raw=raw)
        return InboundMessage(
            channel=self.channel, account_id=account.id, provider_message_id=message.id,
            customer_id=sender, customer_name=names.get(sender), sent_at=_timestamp(message.timestamp),
            kind=kind, raw=raw if kind is not ContentKind.TEXT else None,
            **(_content(message.type, raw) if kind is not ContentKind.UNSUPPORTED else {}),
        )

    def _status(self, raw: dict[str, Any], account: ChannelAccount) -> StatusUpdate | None:
        status = _Status.model_validate(raw)
        delivery = _STATUSES.get(status.status)
        if delivery is None:
            return None
        error = status.errors[0] if status.errors else None
        return StatusUpdate(
            channel=self.channel, account_id=account.id, provider_message_id=status.id,
            customer_id=status.recipient_id or "", status=delivery, occurred_at=_timestamp(status.timestamp),
            error_code=str(error.code) if error and error.code is not None else None,
            error_message=(error.message or error.title) if error else None,
        )

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        """Text, a template, or media by link (the text as the first item's caption; one message
        per media item). Returns the id of the first message WhatsApp accepted."""
        messages: list[dict[str, Any]] = []
        caption = content.text
        if content.template is not None:
            messages.append(_template_payload(content.template))
        elif caption and (not content.media or content.media[0].content_type.startswith("audio/")
                          or len(caption) > CAPTION_LIMIT):
            messages.append({"type": "text", "text": {"preview_url": False, "body": caption[:TEXT_LIMIT]}})
            caption = None
        if content.template is None:
            messages.extend(_media_payload(media, caption if index == 0 else None)
                            for index, media in enumerate(content.media))
        if not messages:
            raise SendFailed("empty_content", "nothing to send", permanent=True)
        return send_parts(messages, lambda message: self._post(account, credentials, to, message), progress)

    def _post(self, account: ChannelAccount, credentials: Credentials, to: str, message: dict[str, Any]) -> str:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        response = post_json(graph_url(account, account.provider_account_id, "messages"), payload,
                             bearer(credentials))
        raise_for_graph_error(response, TRANSIENT_ERROR_CODES)
        messages = response_object(response).get("messages") or []
        if messages and isinstance(messages[0], dict) and messages[0].get("id"):
            return str(messages[0]["id"])
        raise SendFailed("invalid_response", "the provider's answer has no message id", permanent=False)

    def approved_templates(self, account: ChannelAccount, credentials: Credentials) -> list[Template]:
        """The business account's approved templates (``GET /<WABA id>/message_templates``, every
        page): the BODY component's text, its variables numbered or named as the template's
        ``parameter_format`` says."""
        business_account = credentials.get("business_account_id", "")
        if not business_account:
            raise InvalidInput(f"channel account {account.id} has no business_account_id in its credentials; add "
                               "the WhatsApp Business Account id to read its templates",
                               field="credentials.business_account_id")
        found: list[Template] = []
        after = ""
        for _ in range(TEMPLATE_PAGES):
            query = urlencode({"fields": "name,language,status,parameter_format,components", "limit": 100,
                               **({"after": after} if after else {})})
            response = get_json(f"{graph_url(account, business_account, 'message_templates')}?{query}",
                                bearer(credentials))
            raise_for_graph_error(response, TRANSIENT_ERROR_CODES)
            document = response_object(response)
            found += [template for raw in document.get("data") or [] if isinstance(raw, dict)
                      for template in _approved_template(account, raw)]
            paging = document.get("paging")
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = str(cursors.get("after") or "") if isinstance(cursors, dict) else ""
            if not (isinstance(paging, dict) and paging.get("next") and after):
                break
        return found

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """Ask Graph for the media object's short-lived URL; the download needs the same token."""
        if not ref.provider_media_id or not ref.provider_media_id.isdigit():
            raise InvalidInput("WhatsApp media needs a numeric media id", field="media.provider_media_id")
        response = get_json(graph_url(account, ref.provider_media_id), bearer(credentials))
        raise_for_graph_error(response, TRANSIENT_ERROR_CODES)
        url = response_object(response).get("url")
        if not isinstance(url, str) or not url:
            raise InvalidInput(f"Graph gave no URL for media {ref.provider_media_id}", field="media.url")
        return MediaSource(url=url, headers=bearer(credentials),
                           allowed_hosts=MEDIA_HOSTS | {api_host(account)})
