"""Meta's three messaging products: WhatsApp Cloud API, Messenger and Instagram messaging.

Webhooks are signed with the app secret (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`` of the
raw bytes; Meta sends compact JSON with non-ASCII escaped and signs those bytes). The Graph API
send endpoint ``/<version>/<id>/messages`` checks the bearer token; WhatsApp's media lookup
``GET /<version>/<media id>`` answers with a download URL.

Receipts, as each product reports them: WhatsApp ``statuses`` (sent, delivered, read);
Messenger ``delivery`` (with the message ids and a watermark) and ``read`` (a watermark only);
Instagram ``read`` naming the message seen (no delivery receipts).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any

from .model import (
    ApiAnswer,
    ApiRequest,
    Blob,
    CustomerMessage,
    Inbound,
    SentRecord,
    SimulatedAccount,
    Switchboard,
    WebhookCall,
)
from .sample import CONTENT_TYPE, sample_png

_VERSION = re.compile(r"^v\d+\.\d+$")


def meta_signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed_call(account: SimulatedAccount, document: dict[str, Any]) -> WebhookCall:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=True).encode()
    return WebhookCall(account.webhook_url, {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(body, account.credentials["app_secret"]),
    }, body)


def graph_error(status: int, code: int, message: str, *, subcode: int | None = None,
                transient: bool = False) -> ApiAnswer:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": secrets.token_urlsafe(12)}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return ApiAnswer.of(status, {"error": error})


def _millis() -> int:
    return int(time.time() * 1000)


# --- WhatsApp --------------------------------------------------------------------------------


def _whatsapp_value(account: SimulatedAccount) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "metadata": {
        "display_phone_number": account.details.get("display_phone_number", account.provider_account_id),
        "phone_number_id": account.provider_account_id}}


def _whatsapp_notification(account: SimulatedAccount, value: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{
        "id": account.details.get("waba_id", account.provider_account_id),
        "changes": [{"field": "messages", "value": {**_whatsapp_value(account), **value}}]}]}


class WhatsAppProvider:
    channel = "whatsapp"

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        wa_id = message.customer.lstrip("+")
        wamid = "wamid.SIM" + secrets.token_hex(12).upper()
        common = {"from": wa_id, "id": wamid, "timestamp": str(int(time.time()))}
        media: dict[str, Blob] = {}
        if message.image:
            media_id = str(10**14 + secrets.randbelow(9 * 10**14))
            data = sample_png()
            image: dict[str, Any] = {"mime_type": CONTENT_TYPE, "sha256": hashlib.sha256(data).hexdigest(),
                                     "id": media_id}
            if message.text:
                image["caption"] = message.text
            media[media_id] = Blob(data, CONTENT_TYPE)
            sent: dict[str, Any] = {**common, "type": "image", "image": image}
        elif message.choice is not None:
            sent = {**common, "type": "interactive", "context": {"id": "wamid.SIMOFFER"}, "interactive": {
                "type": "button_reply", "button_reply": {"id": message.choice, "title": message.text}}}
        else:
            sent = {**common, "type": "text", "text": {"body": message.text}}
        document = _whatsapp_notification(account, {
            "contacts": [{"profile": {"name": message.name}, "wa_id": wa_id}], "messages": [sent]})
        if message.odd_neighbour:
            # A status without its timestamp, in an entry of its own before the message's.
            odd = _whatsapp_notification(account, {"statuses": [{
                "id": "wamid.SIMODD" + secrets.token_hex(6).upper(), "status": "delivered", "recipient_id": wa_id}]})
            document["entry"] = odd["entry"] + document["entry"]
        return Inbound(signed_call(account, document), wamid, media)

    def statuses(self, record: SentRecord) -> list[str]:
        return ["sent", "delivered", "read"]

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        return signed_call(account, _whatsapp_notification(account, {"statuses": [{
            "id": record.provider_message_id, "status": status, "timestamp": str(int(time.time())),
            "recipient_id": record.to}]}))

    def failure(self, mode: str) -> ApiAnswer:
        if mode == "500":
            return graph_error(500, 2, "Service temporarily unavailable", transient=True)
        if mode == "429":
            return graph_error(429, 130429, "(#130429) Rate limit hit")
        return graph_error(400, 131026, "(#131026) Message undeliverable")

    def send(self, account: SimulatedAccount, payload: dict[str, Any], switchboard: Switchboard) -> ApiAnswer:
        recipient = str(payload.get("to", "")).lstrip("+")
        kind = str(payload.get("type", ""))
        body = payload.get(kind)
        if payload.get("messaging_product") != "whatsapp" or not recipient.isdigit() or not isinstance(body, dict):
            return graph_error(400, 100, "(#100) Invalid parameter")
        text = body.get("body") if kind == "text" else body.get("caption")
        wamid = "wamid.SIM" + secrets.token_hex(12).upper()
        switchboard.record_sent(account, SentRecord(
            "whatsapp", account.account_id, recipient, str(text or f"[{kind}]"), payload, wamid))
        return ApiAnswer.of(200, {"messaging_product": "whatsapp",
                                  "contacts": [{"input": payload["to"], "wa_id": recipient}],
                                  "messages": [{"id": wamid}]})


# --- Messenger and Instagram -----------------------------------------------------------------


class MessengerProvider:
    channel = "messenger"
    webhook_object = "page"

    def _mid(self) -> str:
        return "m_" + secrets.token_urlsafe(30)

    def _notification(self, account: SimulatedAccount, customer: str, events: list[dict[str, Any]]) -> WebhookCall:
        now = _millis()
        messaging = [{"sender": {"id": customer}, "recipient": {"id": account.provider_account_id},
                      "timestamp": now, **event} for event in events]
        return signed_call(account, {"object": self.webhook_object, "entry": [{
            "id": account.provider_account_id, "time": now, "messaging": messaging}]})

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        # Messenger has no captions: a photo and a text are two messages (delivered together here).
        events: list[dict[str, Any]] = []
        media: dict[str, Blob] = {}
        if message.image:
            media_id = secrets.token_hex(12) + ".png"
            media[media_id] = Blob(sample_png(), CONTENT_TYPE)
            url = f"{media_base_url}/cdn/{media_id}?_nc_sig={secrets.token_hex(8)}"
            events.append({"message": {"mid": self._mid(), "attachments": [
                {"type": "image", "payload": {"url": url}}]}})
        if message.text or not events:
            text: dict[str, Any] = {"mid": self._mid(), "text": message.text}
            if message.choice is not None:
                text["quick_reply"] = {"payload": message.choice}
            events.append({"message": text})
        call = self._notification(account, message.customer, events)
        if message.odd_neighbour:
            # A receipt without its sender, batched first in the same entry.
            document = json.loads(call.body)
            document["entry"][0]["messaging"].insert(0, {"recipient": {"id": account.provider_account_id},
                                                         "timestamp": _millis(), "read": {"watermark": _millis()}})
            call = signed_call(account, document)
        return Inbound(call, events[-1]["message"]["mid"], media)

    def statuses(self, record: SentRecord) -> list[str]:
        return ["delivered", "read"]

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        if status == "delivered":
            event: dict[str, Any] = {"delivery": {"mids": [record.provider_message_id], "watermark": _millis()}}
        else:
            event = {"read": {"watermark": _millis()}}
        return self._notification(account, record.to, [event])

    def failure(self, mode: str) -> ApiAnswer:
        if mode == "500":
            return graph_error(500, 2, "An unexpected error has occurred. Please retry your request later.",
                               transient=True)
        if mode == "429":
            return graph_error(429, 613, "Calls to this api have exceeded the rate limit.")
        return graph_error(400, 551, "This person isn't available right now.", subcode=1545041)

    def send(self, account: SimulatedAccount, payload: dict[str, Any], switchboard: Switchboard) -> ApiAnswer:
        recipient = payload.get("recipient")
        message = payload.get("message")
        recipient_id = recipient.get("id") if isinstance(recipient, dict) else None
        if not isinstance(recipient_id, str) or not recipient_id or not isinstance(message, dict):
            return graph_error(400, 100, "(#100) The parameter recipient is required")
        if not (isinstance(message.get("text"), str) or isinstance(message.get("attachment"), dict)):
            return graph_error(400, 100, "(#100) Param message must contain text or attachment")
        if payload.get("messaging_type") == "MESSAGE_TAG" and payload.get("tag") != "HUMAN_AGENT":
            return graph_error(400, 100, "(#100) Tag is not supported")
        text = message.get("text") or f"[{message['attachment'].get('type', 'attachment')}]"
        mid = self._mid()
        switchboard.record_sent(account, SentRecord(
            self.channel, account.account_id, recipient_id, str(text), payload, mid))
        return ApiAnswer.of(200, {"recipient_id": recipient_id, "message_id": mid})


class InstagramProvider(MessengerProvider):
    channel = "instagram"
    webhook_object = "instagram"

    def _mid(self) -> str:
        return "aWdf" + secrets.token_urlsafe(40)

    def statuses(self, record: SentRecord) -> list[str]:
        return ["read"]  # Instagram has no delivery receipts; messaging_seen names the message

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        return self._notification(account, record.to, [{"read": {"mid": record.provider_message_id}}])


# --- the Graph API ---------------------------------------------------------------------------

# The templates a WhatsApp Business Account has at Meta until a test sets others (control API):
# Meta's own list format, approved and not, numbered and named variables.
DEFAULT_TEMPLATES: tuple[dict[str, Any], ...] = (
    {"name": "order_update", "language": "en", "status": "APPROVED", "category": "UTILITY",
     "parameter_format": "POSITIONAL", "id": "1100000000000001",
     "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped and arrives on {{3}}.",
                     "example": {"body_text": [["Ana", "A-1001", "Friday"]]}}]},
    {"name": "follow_up", "language": "en", "status": "APPROVED", "category": "UTILITY",
     "parameter_format": "POSITIONAL", "id": "1100000000000002",
     "components": [{"type": "BODY", "text": "Hi {{1}}, we'd like to follow up on your question. "
                                             "Reply here to continue.",
                     "example": {"body_text": [["Ana"]]}}]},
    {"name": "appointment_reminder", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
     "parameter_format": "NAMED", "id": "1100000000000003",
     "components": [{"type": "HEADER", "format": "TEXT", "text": "Your appointment"},
                    {"type": "BODY", "text": "Hello {{first_name}}, see you on {{appointment_date}}.",
                     "example": {"body_text_named_params": [
                         {"param_name": "first_name", "example": "Ana"},
                         {"param_name": "appointment_date", "example": "12 May"}]}},
                    {"type": "FOOTER", "text": "Reply STOP to opt out"}]},
    {"name": "spring_sale", "language": "en", "status": "PENDING", "category": "MARKETING",
     "parameter_format": "POSITIONAL", "id": "1100000000000004",
     "components": [{"type": "BODY", "text": "Spring sale: 20% off until {{1}}."}]},
)
TEMPLATE_PAGE = 2


class GraphApi:
    """graph.facebook.com (and graph.instagram.com) for the three products."""

    prefix = "graph"

    def __init__(self) -> None:
        self.products: dict[str, WhatsAppProvider | MessengerProvider] = {
            "whatsapp": WhatsAppProvider(), "messenger": MessengerProvider(), "instagram": InstagramProvider()}
        # Each WhatsApp Business Account's templates (by WABA id); absent: DEFAULT_TEMPLATES.
        self.templates: dict[str, list[dict[str, Any]]] = {}

    def _owner(self, switchboard: Switchboard, object_id: str) -> SimulatedAccount | None:
        for channel in self.products:
            for account in switchboard.accounts(channel):
                if account.provider_account_id == object_id:
                    return account
        return None

    def handle(self, request: ApiRequest, switchboard: Switchboard) -> ApiAnswer:
        parts = request.parts
        if len(parts) < 2 or not _VERSION.match(parts[0]):
            return graph_error(400, 2500, "Unknown path components")
        if request.method == "POST" and len(parts) == 3 and parts[2] == "messages":
            return self._send(request, switchboard, parts[1])
        if request.method == "GET" and len(parts) == 3 and parts[2] == "message_templates":
            return self._templates(request, switchboard, parts[1])
        if request.method == "GET" and len(parts) == 2 and "fields" in request.query:
            return self._profile(request, switchboard, parts[1])
        if request.method == "GET" and len(parts) == 2:
            return self._media(request, switchboard, parts[1])
        return graph_error(400, 2500, "Unknown path components")

    def _send(self, request: ApiRequest, switchboard: Switchboard, object_id: str) -> ApiAnswer:
        account = self._owner(switchboard, object_id)
        if account is None:
            return graph_error(400, 100, f"Unsupported post request. Object with ID '{object_id}' does not exist")
        if request.headers.get("authorization") != f"Bearer {account.credentials['access_token']}":
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        product = self.products[account.channel]
        payload = request.json()
        if not isinstance(payload, dict):
            return graph_error(400, 100, "(#100) The request body must be a JSON object")
        recipient = payload.get("recipient")  # Messenger and Instagram: {"id": ...}; WhatsApp: "to", the wa_id
        planned = switchboard.take_failure(account.channel, str(
            recipient.get("id", "") if isinstance(recipient, dict) else payload.get("to", "")).lstrip("+"))
        if planned:
            return product.failure(planned)
        return product.send(account, payload, switchboard)

    def _templates(self, request: ApiRequest, switchboard: Switchboard, waba_id: str) -> ApiAnswer:
        """A WhatsApp Business Account's message templates, a page at a time (``limit``, ``after``)."""
        owners = [a for a in switchboard.accounts("whatsapp") if a.details.get("waba_id") == waba_id]
        if not owners:
            return graph_error(400, 100, f"Unsupported get request. Object with ID '{waba_id}' does not exist")
        if request.headers.get("authorization") not in {f"Bearer {a.credentials['access_token']}" for a in owners}:
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        templates = self.templates.get(waba_id, list(DEFAULT_TEMPLATES))
        limit = min(int(request.query.get("limit") or TEMPLATE_PAGE), TEMPLATE_PAGE)
        start = int(request.query.get("after") or 0) if (request.query.get("after") or "0").isdigit() else 0
        page = templates[start:start + limit]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
        if start + len(page) < len(templates):
            paging["next"] = f"{switchboard.base_url()}/graph/{request.parts[0]}/{waba_id}/message_templates"
        return ApiAnswer.of(200, {"data": page, "paging": paging})

    def _profile(self, request: ApiRequest, switchboard: Switchboard, user_id: str) -> ApiAnswer:
        """The User Profile API of Messenger (first_name, last_name) and Instagram (name,
        username) for a customer who wrote to the account whose Page token asks."""
        account = next((a for channel in ("messenger", "instagram") for a in switchboard.accounts(channel)
                        if request.headers.get("authorization") == f"Bearer {a.credentials['access_token']}"), None)
        if account is None:
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        name = switchboard.customer_name(account.channel, account.account_id, user_id)
        if name is None:
            return graph_error(400, 100, f"Unsupported get request. Object with ID '{user_id}' does not exist")
        wanted = set(request.query["fields"].split(","))
        if account.channel == "messenger":
            first, _, last = name.partition(" ")
            known: dict[str, Any] = {"first_name": first, "last_name": last}
        else:
            known = {"name": name, "username": name.lower().replace(" ", "_")}
        return ApiAnswer.of(200, {"id": user_id, **{k: v for k, v in known.items() if k in wanted}})

    def _media(self, request: ApiRequest, switchboard: Switchboard, media_id: str) -> ApiAnswer:
        """WhatsApp's media lookup: the object's short-lived download URL."""
        tokens = {f"Bearer {a.credentials['access_token']}" for a in switchboard.accounts("whatsapp")}
        if request.headers.get("authorization") not in tokens:
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        blob = switchboard.media(media_id)
        if blob is None:
            return graph_error(400, 100, f"Unsupported get request. Object with ID '{media_id}' does not exist")
        return ApiAnswer.of(200, {
            "messaging_product": "whatsapp", "url": f"{switchboard.base_url()}/cdn/{media_id}?ext={int(time.time())}",
            "mime_type": blob.content_type, "sha256": hashlib.sha256(blob.data).hexdigest(),
            "file_size": len(blob.data), "id": media_id})
