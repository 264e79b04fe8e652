"""Telegram Bot API: ``Update`` objects POSTed to the webhook with the ``secret_token`` given to
``setWebhook`` echoed in ``X-Telegram-Bot-Api-Secret-Token``; the ``/bot<token>/<method>``
API (sendMessage, sendPhoto and the other send methods, getFile) and file downloads at
``/file/bot<token>/<file_path>``. Telegram reports no delivery or read receipts to bots."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections import defaultdict
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
from .sample import CONTENT_TYPE, SIZE, sample_png

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
SEND_METHODS = {"sendMessage": "text", "sendPhoto": "photo", "sendDocument": "document", "sendAudio": "audio",
                "sendVideo": "video"}


def _error(status: int, description: str, **extra: Any) -> ApiAnswer:
    return ApiAnswer.of(status, {"ok": False, "error_code": status, "description": description, **extra})


def chat_id_of(customer: str) -> int:
    """A private chat's id is the user's id: an integer."""
    try:
        return int(customer)
    except ValueError as error:
        raise ValueError(f"a Telegram chat id is an integer, not {customer!r}") from error


class TelegramProvider:
    channel = "telegram"
    prefix = "telegram"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._update_ids = itertools.count(700_000_000 + secrets.randbelow(10**8))
        # message_id counts per chat, over both directions, as in Telegram.
        self._message_ids: defaultdict[tuple[str, int], itertools.count[int]] = defaultdict(
            lambda: itertools.count(1))

    def _next_message_id(self, account: SimulatedAccount, chat_id: int) -> int:
        with self._lock:
            return next(self._message_ids[(account.account_id, chat_id)])

    # --- towards our webhook ------------------------------------------------------------------

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        chat_id = chat_id_of(message.customer)
        first, _, last = message.name.partition(" ")
        person: dict[str, Any] = {"first_name": first or "Customer", **({"last_name": last} if last else {})}
        content: dict[str, Any]
        media: dict[str, Blob] = {}
        if message.image:
            file_id = "AgAC" + secrets.token_urlsafe(40)
            media[file_id] = Blob(sample_png(), CONTENT_TYPE)
            content = {"photo": [{"file_id": file_id, "file_unique_id": "AQAD" + secrets.token_urlsafe(10),
                                  "file_size": len(sample_png()), "width": SIZE, "height": SIZE}]}
            if message.text:
                content["caption"] = message.text
        else:
            content = {"text": message.text}
        with self._lock:
            update_id = next(self._update_ids)
        message_id = self._next_message_id(account, chat_id)
        sender = {"id": chat_id, "is_bot": False, **person, "language_code": "en"}
        chat = {"id": chat_id, **person, "type": "private"}
        bot = {"id": int(account.provider_account_id), "is_bot": True, "first_name": account.name}
        update: dict[str, Any] = {"update_id": update_id}
        key = f"{chat_id}:{message_id}"
        if message.blocks:
            update["my_chat_member"] = {"chat": chat, "from": sender, "date": int(time.time()),
                                        "old_chat_member": {"user": bot, "status": "member"},
                                        "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0}}
        elif message.choice is not None:
            # The customer pressed a button of an inline keyboard on one of the bot's messages.
            query_id = str(secrets.randbelow(10**18))
            update["callback_query"] = {
                "id": query_id, "from": sender, "chat_instance": str(-secrets.randbelow(10**18)),
                "data": message.choice, "message": {
                    "message_id": message_id, "from": bot, "chat": chat, "date": int(time.time()),
                    "text": "Choose one", "reply_markup": {"inline_keyboard": [[
                        {"text": message.text, "callback_data": message.choice}]]}}}
            key = f"{chat_id}:callback:{query_id}"
        else:
            update["message"] = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time()),
                                 **content}
        body = json.dumps(update, ensure_ascii=False).encode()
        call = WebhookCall(account.webhook_url, {"Content-Type": "application/json",
                                                 SECRET_HEADER: account.credentials["secret_token"]}, body)
        return Inbound(call, key, media)

    def statuses(self, record: SentRecord) -> list[str]:
        return []

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        raise ValueError("Telegram sends no status callbacks")

    def failure(self, mode: str) -> ApiAnswer:
        if mode == "500":
            return _error(500, "Internal Server Error")
        if mode == "429":
            return _error(429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
        return _error(403, "Forbidden: bot was blocked by the user")

    # --- the Bot API ----------------------------------------------------------------------------

    def handle(self, request: ApiRequest, switchboard: Switchboard) -> ApiAnswer:
        parts = request.parts
        if request.method == "GET" and len(parts) >= 3 and parts[0] == "file":
            return self._download(parts, switchboard)
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return _error(404, "Not Found")
        account = self._bot(parts[0][3:], switchboard)
        if account is None:
            return _error(401, "Unauthorized")
        method = parts[1]
        payload = request.json()
        if not isinstance(payload, dict):
            return _error(400, "Bad Request: the request body must be a JSON object")
        if method == "getFile":
            return self._get_file(payload, switchboard)
        if method == "answerCallbackQuery":
            if not isinstance(payload.get("callback_query_id"), str) or not payload["callback_query_id"]:
                return _error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            switchboard.record_call(self.channel, method, payload)
            return ApiAnswer.of(200, {"ok": True, "result": True})
        if method not in SEND_METHODS:
            return _error(404, "Not Found: method not found")
        planned = switchboard.take_failure(self.channel, str(payload.get("chat_id", "")))
        if planned:
            return self.failure(planned)
        return self._send(account, method, payload, switchboard)

    def _bot(self, token: str, switchboard: Switchboard) -> SimulatedAccount | None:
        return next((a for a in switchboard.accounts(self.channel) if a.credentials["bot_token"] == token), None)

    def _send(self, account: SimulatedAccount, method: str, payload: dict[str, Any],
              switchboard: Switchboard) -> ApiAnswer:
        field = SEND_METHODS[method]
        try:
            chat_id = int(payload.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return _error(400, "Bad Request: chat not found")
        value = payload.get(field)
        if not isinstance(value, str) or not value.strip():
            return _error(400, "Bad Request: message text is empty" if field == "text"
                          else f"Bad Request: there is no {field} in the request")
        message_id = self._next_message_id(account, chat_id)
        sent: dict[str, Any] = {"message_id": message_id,
                                "from": {"id": int(account.provider_account_id), "is_bot": True,
                                         "first_name": account.name, "username": "open_contact_demo_bot"},
                                "chat": {"id": chat_id, "type": "private"}, "date": int(time.time())}
        if field == "text":
            sent["text"] = value
            shown = value
        else:
            sent[field] = {"file_id": "BQAC" + secrets.token_urlsafe(20)}
            shown = str(payload.get("caption") or f"[{field}]")
            if payload.get("caption"):
                sent["caption"] = payload["caption"]
        switchboard.record_sent(account, SentRecord(
            self.channel, account.account_id, str(chat_id), shown, {"method": method, **payload},
            f"{chat_id}:{message_id}"))
        return ApiAnswer.of(200, {"ok": True, "result": sent})

    def _get_file(self, payload: dict[str, Any], switchboard: Switchboard) -> ApiAnswer:
        file_id = str(payload.get("file_id") or "")
        blob = switchboard.media(file_id)
        if blob is None:
            return _error(400, "Bad Request: invalid file_id")
        return ApiAnswer.of(200, {"ok": True, "result": {
            "file_id": file_id, "file_unique_id": "AQAD" + file_id[-10:], "file_size": len(blob.data),
            "file_path": f"photos/{file_id}.png"}})

    def _download(self, parts: list[str], switchboard: Switchboard) -> ApiAnswer:
        # /file/bot<token>/photos/<file_id>.png
        if self._bot(parts[1][3:], switchboard) is None:
            return _error(401, "Unauthorized")
        file_id = parts[-1].rsplit(".", 1)[0]
        blob = switchboard.media(file_id)
        if blob is None:
            return _error(404, "Not Found")
        return ApiAnswer(200, blob.data, blob.content_type)
