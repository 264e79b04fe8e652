"""SMS and MMS through Twilio Programmable Messaging: form-encoded webhooks for incoming
messages and status callbacks (signed in ``X-Twilio-Signature``) and the REST API's
``Messages.json`` to send.

Credentials: ``account_sid`` and ``auth_token`` (the primary token: it signs the webhooks and
authorises the REST calls), and optionally ``status_callback_url``, this account's public webhook
URL, which is passed as ``StatusCallback`` so that delivery statuses come back to us.
``provider_account_id`` is the account's sending number in E.164, or the SID (``MG...``) of the
Messaging Service that sends for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from chalicelib.core.api_gateway import encode_query
from chalicelib.core.clock import utc_now
from chalicelib.domain.capabilities import media_refusal
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    MediaRef,
    OutboundContent,
    StatusUpdate,
)
from chalicelib.domain.phone import to_e164

from .base import (
    Credentials,
    MediaSource,
    PartProgress,
    SendFailed,
    SentMessage,
    WebhookReply,
    WebhookRequest,
    no_handshake,
    send_parts,
    unreadable,
)
from .http import post_form

SIGNATURE_HEADER = "x-twilio-signature"
API_VERSION = "2010-04-01"
MAX_MEDIA_PER_MESSAGE = 10
# Twilio reads TwiML from the answer to an incoming-message webhook; an empty Response sends no reply.
EMPTY_TWIML = WebhookReply(content_type="text/xml",
                           body='<?xml version="1.0" encoding="UTF-8"?><Response></Response>')

# Where Twilio's Media resource redirects the download: a short-lived URL on mms.twiliocdn.com
# when the account enforces HTTP auth on media, the older public S3 URL on
# s3-external-1.amazonaws.com otherwise (Twilio's support article on HTTP auth for media).
MEDIA_REDIRECT_HOSTS = frozenset({"mms.twiliocdn.com", "s3-external-1.amazonaws.com"})
# Media goes as MMS, only between US and Canadian numbers and up to 5 MB per message
# (domain/capabilities.py); compose refuses other replies with media, and so does send().
# Error codes worth retrying later: 20429 is Twilio's "too many requests". Every other code is
# permanent: 21610 (the recipient replied STOP), 21211 (invalid To number), 21614 (not a mobile
# number), authentication and parameter errors.
TRANSIENT_ERROR_CODES = frozenset({20429})
OPT_OUT_ERROR_CODE = "21610"

# MessageStatus values of an outbound message. queued / accepted / scheduled / sending say no
# more than our own "queued" and "sent", so they produce no event (a status never moves back).
_STATUSES = {
    "sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED, "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED, "failed": DeliveryStatus.FAILED, "canceled": DeliveryStatus.FAILED,
}
_NOT_YET = frozenset({"queued", "accepted", "scheduled", "sending"})
_INBOUND_STATUSES = frozenset({"received", "receiving"})
_KNOWN_ERRORS = {
    # Opt-out: a permanent failure, and the customer's consent records it (SendFailed.opted_out /
    # StatusUpdate.opted_out; domain/consent.py).
    OPT_OUT_ERROR_CODE: "the recipient has unsubscribed (replied STOP) and cannot be messaged",
}


def sign(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """X-Twilio-Signature of a form POST: Base64 HMAC-SHA1, keyed with the auth token, of the
    full URL followed by every parameter name and value, sorted by name (a repeated name's
    values sorted too), without separators."""
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        grouped.setdefault(name, []).append(value)
    data = url + "".join(name + value for name in sorted(grouped) for value in sorted(grouped[name]))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str, query_items: Sequence[tuple[str, str]] = ()) -> set[str]:
    """The URLs Twilio may have signed for this request. The port rules of Twilio's own
    validators: the URL as called, without its port, and with the scheme's default port. And,
    since API Gateway hands over the query decoded (shared/core/api_gateway.py), the query as the
    administrator may have written it into the webhook URL: RFC 3986 encoding (``%20``), form
    encoding (``+``), or with the characters RFC 3986 allows in a query left unencoded."""
    parts = urlsplit(url)
    queries = {parts.query}
    if query_items:
        queries |= {encode_query(query_items), encode_query(query_items, plus_spaces=True),
                    encode_query(query_items, safe=_QUERY_SAFE)}
    host = parts.hostname or ""
    default_port = 443 if parts.scheme == "https" else 80
    netlocs = {parts.netloc, _netloc(parts.username, parts.password, host, None),
               _netloc(parts.username, parts.password, host, parts.port or default_port)}
    return {urlunsplit(parts._replace(netloc=netloc, query=query)) for netloc in netlocs for query in queries}


# Characters RFC 3986 allows unencoded inside a query value (sub-delims but & = + ;, and : @ / ?).
_QUERY_SAFE = "!$'()*,:@/?"


def _netloc(user: str | None, password: str | None, host: str, port: int | None) -> str:
    credentials = f"{user}:{password}@" if user and password else (f"{user}@" if user else "")
    return credentials + host + (f":{port}" if port else "")


def _form(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidInput(f"body is not a UTF-8 form: {error}", field="body") from error


def _json_fields(body: bytes) -> dict[str, str]:
    """The fields of a JSON webhook body (one whose URL carries bodySHA256), as a form's."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidInput(f"body is not JSON: {error}", field="body") from error
    if not isinstance(document, dict):
        raise InvalidInput("the JSON body is not an object", field="body")
    return {str(k): str(v) for k, v in document.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def _basic_auth(credentials: Credentials) -> dict[str, str]:
    pair = f"{credentials['account_sid']}:{credentials['auth_token']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def _phone(value: str | None, field: str) -> str:
    if not value:
        raise InvalidInput(f"{field} is missing", field=field)
    try:
        return to_e164(value)
    except InvalidInput as error:
        raise InvalidInput(f"{field} {value!r} is not a phone number", field=field) from error


def _media_kind(content_type: str) -> ContentKind:
    lowered = content_type.lower()
    if lowered in {"text/vcard", "text/x-vcard"}:
        return ContentKind.CONTACTS  # an MMS contact card: kept as media, read later
    major = lowered.split("/", 1)[0]
    return {"image": ContentKind.IMAGE, "audio": ContentKind.AUDIO,
            "video": ContentKind.VIDEO}.get(major, ContentKind.DOCUMENT)


class TwilioSmsAdapter:
    channel = Channel.SMS
    # A form of a few dozen short fields; far below this bound.
    max_body_bytes = 256 * 1024

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        # Twilio's webhooks carry no timestamp: events are dated when they arrive.
        self._clock = clock

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        no_handshake(self.channel)

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        # Twilio signs the URL it called (WebhookRequest.url, as API Gateway reports it; see
        # _url_variants). Nothing signed is dated, so a replayed request is absorbed
        # by the MessageSid idempotency, not here.
        provided = request.headers.get(SIGNATURE_HEADER)
        if not provided:
            raise SignatureRejected("X-Twilio-Signature header is missing", field="X-Twilio-Signature")
        body_hash = dict(request.query_items or request.query.items()).get("bodySHA256")
        if body_hash is not None:
            # A JSON body: the URL carries the body's SHA-256 and only the URL is signed.
            if not hmac.compare_digest(body_hash.lower().encode(), hashlib.sha256(request.body).hexdigest().encode()):
                raise SignatureRejected("bodySHA256 does not match the body", field="bodySHA256")
            params: list[tuple[str, str]] = []
        else:
            params = _form(request.body)
        token = credentials["auth_token"]
        if not any(hmac.compare_digest(provided.encode(), sign(url, params, token).encode())
                   for url in sorted(_url_variants(request.url, request.query_items))):
            raise SignatureRejected("X-Twilio-Signature does not match the URL and parameters",
                                    field="X-Twilio-Signature")

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[ChannelEvent]:
        fields = _json_fields(request.body) if "bodySHA256" in request.query else dict(_form(request.body))
        sid = fields.get("MessageSid") or fields.get("SmsSid")
        if not sid:
            raise InvalidInput("MessageSid is missing", field="MessageSid")
        # A form with a MessageSid is Twilio's; one that cannot be read past that is kept as an
        # UnreadableEvent and answered 200 (Twilio would otherwise retry it).
        status = fields.get("MessageStatus") or fields.get("SmsStatus")
        try:
            if status is not None and status not in _INBOUND_STATUSES:
                return list(self._status(sid, status, fields, account))
            return [self._message(sid, fields, account)]
        except InvalidInput as error:
            customer = fields.get("To" if status not in _INBOUND_STATUSES and status else "From", "")
            return [unreadable(self.channel, account, fields, error, customer_id=customer,
                               location=f"MessageSid {sid}")]

    def _message(self, sid: str, fields: dict[str, str], account: ChannelAccount) -> InboundMessage:
        _check_ours(account, fields.get("To"), fields.get("MessagingServiceSid"), field="To")
        media = _inbound_media(fields)
        body = fields.get("Body") or None
        if media:
            kind = _media_kind(media[0].content_type or "")
        else:
            kind = ContentKind.TEXT if body else ContentKind.UNSUPPORTED
        return InboundMessage(
            channel=self.channel, account_id=account.id, provider_message_id=sid,
            customer_id=_phone(fields.get("From"), "From"), customer_name=fields.get("ProfileName") or None,
            sent_at=self._clock(), kind=kind, text=body, media=media,
            raw=dict(fields) if kind is not ContentKind.TEXT else None,
        )

    def _status(self, sid: str, status: str, fields: dict[str, str],
                account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        delivery = _STATUSES.get(status)
        if delivery is None:
            if status in _NOT_YET:
                return []
            raise InvalidInput(f"MessageStatus {status!r} is not a Twilio message status", field="MessageStatus")
        _check_ours(account, fields.get("From"), fields.get("MessagingServiceSid"), field="From")
        code = fields.get("ErrorCode") or None
        message = fields.get("ErrorMessage") or (_KNOWN_ERRORS.get(code) if code else None)
        if delivery is DeliveryStatus.FAILED and code and not message:
            message = f"Twilio error {code}"
        return [StatusUpdate(
            channel=self.channel, account_id=account.id, provider_message_id=sid,
            customer_id=_phone(fields.get("To"), "To"), status=delivery, occurred_at=self._clock(),
            error_code=code if delivery is DeliveryStatus.FAILED else None,
            error_message=message if delivery is DeliveryStatus.FAILED else None,
            opted_out=delivery is DeliveryStatus.FAILED and code == OPT_OUT_ERROR_CODE,
        )]

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        if content.template is not None:
            raise SendFailed("template_unsupported", "SMS has no message templates: send text or media",
                             permanent=True)
        if not content.text and not content.media:
            raise SendFailed("empty_message", "nothing to send: no text and no media", permanent=True)
        refusal = media_refusal(self.channel, account.provider_account_id, to) if content.media else None
        if refusal is not None:
            raise SendFailed("mms_unsupported", refusal, permanent=True)
        url = f"{account.api_base_url.rstrip('/')}/{API_VERSION}/Accounts/{credentials['account_sid']}/Messages.json"
        sender = account.provider_account_id
        common: list[tuple[str, str]] = [("To", to),
                                         ("MessagingServiceSid" if sender.startswith("MG") else "From", sender)]
        callback = credentials.get("status_callback_url")
        if callback:
            common.append(("StatusCallback", callback))
        # One message carries the text and up to ten attachments; more attachments follow in
        # further messages. The first message's SID stands for the reply.
        batches: list[Sequence[str]] = [
            [m.url for m in content.media[start:start + MAX_MEDIA_PER_MESSAGE]]
            for start in range(0, len(content.media), MAX_MEDIA_PER_MESSAGE)
        ] or [[]]
        forms = []
        for index, urls in enumerate(batches):
            form = list(common)
            if index == 0 and content.text:
                form.append(("Body", content.text))
            form.extend(("MediaUrl", media_url) for media_url in urls)
            forms.append(form)
        return send_parts(forms, lambda form: _create_message(url, form, credentials), progress)

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """MediaUrl{N} points at the Message's Media resource on Twilio's API host; reading it
        takes the account's Basic auth when the account enforces HTTP auth for media. The API
        answers with a redirect to the file on Twilio's media hosts, which the download follows
        (without the Basic auth); a URL in the webhook may not point there directly."""
        api_host = urlsplit(account.api_base_url).hostname or ""
        if not ref.url or urlsplit(ref.url).hostname != api_host:
            raise InvalidInput(f"Twilio media must be a URL on {api_host}", field="media.url")
        return MediaSource(url=ref.url, headers=_basic_auth(credentials), allowed_hosts=frozenset({api_host}),
                           redirect_hosts=MEDIA_REDIRECT_HOSTS)


def _check_ours(account: ChannelAccount, number: str | None, service_sid: str | None, *, field: str) -> None:
    """The webhook concerns this account's number or Messaging Service, not another's."""
    ours = account.provider_account_id
    if ours.startswith("MG"):
        if service_sid != ours:
            raise InvalidInput(f"MessagingServiceSid {service_sid!r} is not this account's service",
                               field="MessagingServiceSid")
        return
    if _phone(number, field) != to_e164(ours):
        raise InvalidInput(f"{field} {number} is not this account's number", field=field)


def _inbound_media(fields: dict[str, str]) -> list[MediaRef]:
    try:
        count = int(fields.get("NumMedia") or "0")
    except ValueError as error:
        raise InvalidInput(f"NumMedia {fields.get('NumMedia')!r} is not a number", field="NumMedia") from error
    media = []
    for index in range(max(0, min(count, MAX_MEDIA_PER_MESSAGE))):
        url = fields.get(f"MediaUrl{index}")
        if not url:
            raise InvalidInput(f"MediaUrl{index} is missing", field=f"MediaUrl{index}")
        media.append(MediaRef(url=url, content_type=fields.get(f"MediaContentType{index}") or None,
                              provider_media_id=url.rstrip("/").rsplit("/", 1)[-1]))
    return media


def _create_message(url: str, form: list[tuple[str, str]], credentials: Credentials) -> str:
    response = post_form(url, form, _basic_auth(credentials))
    body: dict[str, Any] = response.body if isinstance(response.body, dict) else {}
    if 200 <= response.status < 300:
        if body.get("sid"):
            return str(body["sid"])
        raise SendFailed("invalid_response", "Twilio's answer has no message sid", permanent=False)
    code = body.get("code")
    message = str(body.get("message") or f"HTTP {response.status}")
    failure_code = str(code or response.status)
    if response.status >= 500 or response.status == 429 or code in TRANSIENT_ERROR_CODES:
        raise SendFailed(failure_code, message, permanent=False)
    raise SendFailed(failure_code, _KNOWN_ERRORS.get(failure_code, message), permanent=True,
                     opted_out=failure_code == OPT_OUT_ERROR_CODE)
