"""Viber REST bot API: JSON callbacks signed in ``X-Viber-Content-Signature`` (hex HMAC-SHA256 of
the raw body, keyed with the bot's auth token, no prefix), ``/pa/send_message`` authorised by
``X-Viber-Auth-Token``, and the ``delivered`` / ``seen`` receipts.

Viber answers every API call with HTTP 200 and puts the outcome in ``status``; rate limiting is
``status 12 tooManyRequests``, so that is what the "429" failure mode gives here.

A keyboard or rich-media button with ActionType ``reply`` sends its ActionBody to the bot as the
customer's text message: the callback is an ordinary ``message`` of type ``text`` (nothing marks
it as a tap), and the button's own Text is only what the customer saw. The ``tracking_data`` of
the last message the bot sent the customer comes back with their reply, whatever they send. A
customer who blocks the bot is reported by an ``unsubscribed`` callback."""

from __future__ import annotations

import hashlib
import hmac
import json
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
from .sample import CONTENT_TYPE, FILENAME, sample_png

SIGNATURE_HEADER = "X-Viber-Content-Signature"
AUTH_HEADER = "x-viber-auth-token"
CHAT_HOSTNAME = "SN-CHAT-05_"
MESSAGE_TYPES = frozenset({"text", "picture", "video", "file", "location", "contact", "sticker", "url",
                           "rich_media", "keyboard"})


def viber_signature(body: bytes, auth_token: str) -> str:
    return hmac.new(auth_token.encode(), body, hashlib.sha256).hexdigest()


def _token() -> int:
    return 5_000_000_000_000_000_000 + secrets.randbelow(10**18)


def _status(status: int, message: str, **extra: Any) -> ApiAnswer:
    return ApiAnswer.of(200, {"status": status, "status_message": message, **extra})


class ViberProvider:
    channel = "viber"
    prefix = "viber"

    def __init__(self) -> None:
        # (account, customer) -> tracking_data of the last message the bot sent them, if it had one.
        self._tracking: dict[tuple[str, str], str] = {}

    def _signed(self, account: SimulatedAccount, document: dict[str, Any]) -> WebhookCall:
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        return WebhookCall(account.webhook_url, {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: viber_signature(body, account.credentials["auth_token"])}, body)

    # --- towards our webhook ------------------------------------------------------------------

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        token = _token()
        now = int(time.time() * 1000)
        if message.blocks:
            return Inbound(self._signed(account, {
                "event": "unsubscribed", "timestamp": now, "chat_hostname": CHAT_HOSTNAME,
                "user_id": message.customer, "message_token": token}), str(token))
        media: dict[str, Blob] = {}
        content: dict[str, Any]
        if message.choice is not None:
            # A reply button: Viber sends its ActionBody; its Text (message.text) is not sent.
            content = {"type": "text", "text": message.choice}
        elif message.image:
            media_id = secrets.token_hex(16) + ".png"
            media[media_id] = Blob(sample_png(), CONTENT_TYPE)
            url = f"{media_base_url}/cdn/{media_id}"
            content = {"type": "picture", "text": message.text, "media": url, "thumbnail": url,
                       "file_name": FILENAME, "size": len(sample_png())}
        else:
            content = {"type": "text", "text": message.text}
        tracking = self._tracking.get((account.account_id, message.customer))
        if tracking is not None:
            content["tracking_data"] = tracking
        call = self._signed(account, {
            "event": "message", "timestamp": now, "chat_hostname": CHAT_HOSTNAME,
            "message_token": token,
            "sender": {"id": message.customer, "name": message.name, "language": "en", "country": "NL",
                       "api_version": 10},
            "message": content, "silent": False})
        return Inbound(call, str(token), media)

    def statuses(self, record: SentRecord) -> list[str]:
        return ["delivered", "seen"]

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        return self._signed(account, {
            "event": status, "timestamp": int(time.time() * 1000), "chat_hostname": CHAT_HOSTNAME,
            "message_token": int(record.provider_message_id), "user_id": record.to})

    def failure(self, mode: str) -> ApiAnswer:
        if mode == "500":
            return ApiAnswer(500, b"Internal Server Error", "text/plain")
        if mode == "429":
            return _status(12, "tooManyRequests")
        return _status(6, "notSubscribed")

    # --- the bot API ----------------------------------------------------------------------------

    def handle(self, request: ApiRequest, switchboard: Switchboard) -> ApiAnswer:
        if request.method != "POST" or request.parts != ["pa", "send_message"]:
            return ApiAnswer(404, b"Not Found", "text/plain")
        token = request.headers.get(AUTH_HEADER, "")
        account = next((a for a in switchboard.accounts(self.channel)
                        if hmac.compare_digest(a.credentials["auth_token"].encode(), token.encode())), None)
        if account is None:
            return _status(2, "invalidAuthToken")
        payload = request.json()
        if not isinstance(payload, dict):
            return _status(1, "invalidUrl")
        planned = switchboard.take_failure(self.channel, str(payload.get("receiver", "")))
        if planned:
            return self.failure(planned)
        receiver = payload.get("receiver")
        kind = payload.get("type")
        sender = payload.get("sender")
        if not isinstance(receiver, str) or not receiver or kind not in MESSAGE_TYPES \
                or not isinstance(sender, dict) or not sender.get("name"):
            return _status(3, "badData")
        if kind == "text" and not str(payload.get("text") or "").strip():
            return _status(3, "badData")
        tracking = payload.get("tracking_data")
        if isinstance(tracking, str) and tracking:
            self._tracking[(account.account_id, receiver)] = tracking
        else:
            self._tracking.pop((account.account_id, receiver), None)
        token_value = _token()
        shown = str(payload.get("text") or f"[{kind}]")
        switchboard.record_sent(account, SentRecord(self.channel, account.account_id, receiver, shown, payload,
                                                    str(token_value)))
        return _status(0, "ok", message_token=token_value, chat_hostname=CHAT_HOSTNAME, billing_status=1)
