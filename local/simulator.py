"""Channel simulator: plays the providers on this machine, in their own wire formats.

For WhatsApp it plays Meta: it posts Cloud API webhooks signed with the app secret
(``X-Hub-Signature-256``), serves a Graph-API-shaped ``/<version>/<phone_number_id>/messages``
send endpoint that checks the bearer token and records what it got, and reports delivery
statuses (sent, delivered, read) back through the webhook, as Meta does.

A control API (``/control/...``) lets tests and the chat page act as customers, read what was
sent, and make the send endpoint fail (5xx, 429 or a permanent error) for a number of calls.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger("local.simulator")

PAGE = Path(__file__).with_name("simulator.html")
STATUS_DELAY_SECONDS = 0.2
WEBHOOK_TIMEOUT_SECONDS = 10


@dataclass
class WhatsAppNumber:
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    webhook_url: str
    app_secret: str
    access_token: str


@dataclass
class SentRecord:
    channel: str
    account: str
    to: str
    payload: dict[str, Any]
    provider_message_id: str
    received_at: float


@dataclass
class FailurePlan:
    mode: str = ""  # "", "500", "429" or "permanent"
    remaining: int = 0


@dataclass
class SimulatorState:
    numbers: dict[str, WhatsAppNumber] = field(default_factory=dict)
    outbox: list[SentRecord] = field(default_factory=list)
    customer_messages: list[dict[str, Any]] = field(default_factory=list)
    failures: FailurePlan = field(default_factory=FailurePlan)
    lock: threading.Lock = field(default_factory=threading.Lock)


def meta_signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def whatsapp_message_notification(number: WhatsAppNumber, *, wa_id: str, name: str, text: str,
                                  message_id: str, timestamp: int) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": number.waba_id, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": number.display_phone_number,
                         "phone_number_id": number.phone_number_id},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": str(timestamp),
                          "type": "text", "text": {"body": text}}],
        }}]}],
    }


def whatsapp_status_notification(number: WhatsAppNumber, *, wamid: str, status: str, recipient: str,
                                 timestamp: int, error: dict[str, Any] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": recipient}
    if error:
        entry["errors"] = [error]
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": number.waba_id, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": number.display_phone_number,
                         "phone_number_id": number.phone_number_id},
            "statuses": [entry],
        }}]}],
    }


class ChannelSimulator:
    def __init__(self) -> None:
        self.state = SimulatorState()
        self._http = requests.Session()

    # --- acting as Meta towards the platform -----------------------------------------

    def add_whatsapp_number(self, number: WhatsAppNumber) -> None:
        self.state.numbers[number.phone_number_id] = number

    def post_signed(self, number: WhatsAppNumber, document: dict[str, Any]) -> requests.Response:
        # Meta sends compact JSON with non-ASCII characters escaped, and signs those bytes.
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=True).encode()
        return self._http.post(number.webhook_url, data=body, timeout=WEBHOOK_TIMEOUT_SECONDS, headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, number.app_secret)})

    def customer_says(self, phone_number_id: str, *, wa_id: str, name: str, text: str,
                      message_id: str | None = None, timestamp: int | None = None) -> tuple[int, str]:
        number = self.state.numbers[phone_number_id]
        message_id = message_id or "wamid.SIM" + secrets.token_hex(12).upper()
        timestamp = timestamp or int(time.time())
        document = whatsapp_message_notification(number, wa_id=wa_id, name=name, text=text,
                                                 message_id=message_id, timestamp=timestamp)
        with self.state.lock:
            self.state.customer_messages.append({"channel": "whatsapp", "account": phone_number_id,
                                                 "from": wa_id, "name": name, "text": text,
                                                 "id": message_id, "timestamp": timestamp})
        response = self.post_signed(number, document)
        return response.status_code, message_id

    def _report_statuses(self, number: WhatsAppNumber, wamid: str, recipient: str) -> None:
        for status in ("sent", "delivered", "read"):
            time.sleep(STATUS_DELAY_SECONDS)
            try:
                self.post_signed(number, whatsapp_status_notification(
                    number, wamid=wamid, status=status, recipient=recipient, timestamp=int(time.time())))
            except requests.RequestException:
                log.warning("status callback %s for %s failed", status, wamid)

    # --- acting as the Graph API send endpoint ---------------------------------------

    def graph_send(self, phone_number_id: str, authorization: str, payload: dict[str, Any]) -> tuple[int, Any]:
        number = self.state.numbers.get(phone_number_id)
        if number is None:
            return 400, _graph_error(100, "Unsupported post request. Object does not exist", "GraphMethodException")
        if authorization != f"Bearer {number.access_token}":
            return 401, _graph_error(190, "Invalid OAuth access token", "OAuthException")
        planned = self._take_failure()
        if planned == "500":
            return 500, _graph_error(2, "Service temporarily unavailable", "OAuthException")
        if planned == "429":
            return 429, _graph_error(130429, "(#130429) Rate limit hit", "OAuthException")
        if planned == "permanent":
            return 400, _graph_error(131026, "Message undeliverable", "OAuthException")
        recipient = str(payload.get("to", "")).lstrip("+")
        if payload.get("messaging_product") != "whatsapp" or not recipient:
            return 400, _graph_error(100, "Invalid parameter", "OAuthException")
        wamid = "wamid.SIM" + secrets.token_hex(12).upper()
        with self.state.lock:
            self.state.outbox.append(SentRecord("whatsapp", phone_number_id, recipient, payload, wamid, time.time()))
        threading.Thread(target=self._report_statuses, args=(number, wamid, recipient), daemon=True).start()
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": payload["to"], "wa_id": recipient}],
                     "messages": [{"id": wamid}]}

    def _take_failure(self) -> str:
        with self.state.lock:
            plan = self.state.failures
            if plan.remaining <= 0:
                return ""
            plan.remaining -= 1
            return plan.mode

    def fail_next(self, mode: str, count: int) -> None:
        with self.state.lock:
            self.state.failures = FailurePlan(mode=mode, remaining=count)

    def outbox(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [{"channel": r.channel, "account": r.account, "to": r.to, "payload": r.payload,
                     "id": r.provider_message_id, "received_at": r.received_at} for r in self.state.outbox]


def _graph_error(code: int, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_hex(8)}}


class _Handler(BaseHTTPRequestHandler):
    simulator: ChannelSimulator

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None

    def do_GET(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts == [""]:
            self._send(200, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif parts == ["control", "outbox"]:
            self._send(200, {"items": self.simulator.outbox()})
        elif parts == ["control", "accounts"]:
            self._send(200, {"whatsapp": [{"phone_number_id": n.phone_number_id,
                                           "display_phone_number": n.display_phone_number}
                                          for n in self.simulator.state.numbers.values()]})
        elif parts == ["control", "customer-messages"]:
            with self.simulator.state.lock:
                self._send(200, {"items": list(self.simulator.state.customer_messages)})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        body = self._json_body()
        if not isinstance(body, dict):
            self._send(400, _graph_error(100, "body must be a JSON object", "OAuthException"))
            return
        # Graph API: /graph/<version>/<phone_number_id>/messages
        if len(parts) == 4 and parts[0] == "graph" and parts[3] == "messages":
            status, answer = self.simulator.graph_send(parts[2], self.headers.get("Authorization", ""), body)
            self._send(status, answer)
        elif len(parts) == 4 and parts[:2] == ["control", "whatsapp"] and parts[3] == "messages":
            if parts[2] not in self.simulator.state.numbers:
                self._send(404, {"error": f"no simulated WhatsApp number {parts[2]}"})
                return
            status, message_id = self.simulator.customer_says(
                parts[2], wa_id=str(body.get("from", "")), name=str(body.get("name", "")),
                text=str(body.get("text", "")), message_id=body.get("id"), timestamp=body.get("timestamp"))
            self._send(200, {"webhook_status": status, "id": message_id})
        elif parts == ["control", "failures"]:
            self.simulator.fail_next(str(body.get("mode", "")), int(body.get("count", 1)))
            self._send(200, {"ok": True})
        else:
            self._send(404, {"error": "not found"})


def serve(simulator: ChannelSimulator, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("SimulatorHandler", (_Handler,), {"simulator": simulator})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="simulator", daemon=True).start()
    return server



