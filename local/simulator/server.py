"""The simulator over HTTP: the chat page, the providers' APIs under their prefixes, the media
it serves, and the control API that tests and the page drive.

Control API::

    GET  /control/accounts                        every simulated account (no secrets)
    POST /control/<channel>/<account>/messages    a customer writes: {"from", "name", "text", "image"},
                                                  or picks an option {"text": title, "choice": payload}
                                                  (Viber sends the payload, a button's ActionBody, only),
                                                  with an unreadable event batched in {"odd_neighbour"},
                                                  or blocks the bot {"blocks": true} (Telegram kicked,
                                                  Viber unsubscribed); {"image": true, "media_gone": true}:
                                                  the provider no longer serves the image;
                                                  {"image": true, "media_delay": s}: its host answers after s seconds
    GET  /control/outbox[?channel=&account=&to=]  what agents sent, with the statuses reported back
    GET  /control/customer-messages[?channel=&account=]
    POST /control/<channel>/failures              {"mode": "500"|"429"|"permanent", "count": n,
                                                   "after": sends that go through first (default 0),
                                                   "to": only sends to this customer id (default any)}
                                                  (email: "bounce"|"complaint", SES's feedback)
    POST /control/failures                        the same, with "channel" in the body (default whatsapp)
    POST /control/<channel>/statuses-first        {"to": customer id}: the statuses of sends to this
                                                  customer are reported before the send is answered
    GET  /control/mailbox[?to=]                   mail the user pool sent agents (invitations, reset
                                                  codes), newest first
    POST /control/whatsapp/<account>/templates    {"data": [...]}: the account's WhatsApp Business Account
                                                  lists these templates (Meta's format) from now on
    POST /control/cognito/token-lifetime          {"seconds": n | null}: ID and access tokens issued
                                                  from now on live n seconds (null: the app client's)
    POST /control/auto-delete/sweep               {"as_of": RFC 3339 | absent (now)}: run the hourly
                                                  auto-deletion sweep now, up to that moment, and wait
                                                  for it: {"execution_arn", "status", "as_of"}

``<account>`` is our account id or the provider's id of the account (a WhatsApp phone_number_id).
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from local.cognito import set_token_lifetime
from local.http_serving import LocalHTTPServer
from local.schedules import parse_as_of

from .core import ChannelSimulator, UnknownAccount
from .model import ApiRequest, CustomerMessage

log = logging.getLogger("local.simulator")

PAGE = Path(__file__).with_name("page.html")
MAX_BODY_BYTES = 1024 * 1024


def _filtered(items: list[dict[str, Any]], query: dict[str, str], *names: str) -> list[dict[str, Any]]:
    wanted = {name: query[name] for name in names if query.get(name)}
    return [item for item in items if all(str(item.get(name)) == value for name, value in wanted.items())]


class _Handler(BaseHTTPRequestHandler):
    simulator: ChannelSimulator

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _send(self, status: int, body: Any, content_type: str = "application/json",
              headers: tuple[tuple[str, str], ...] = ()) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY_BYTES)) if length else b""

    def _route(self) -> None:
        url = urlsplit(self.path)
        parts = [part for part in url.path.split("/") if part]
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        body = self._body() if self.command == "POST" else b""
        if not parts and self.command == "GET":
            self._send(200, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif parts[:1] == ["control"]:
            self._control(parts[1:], query, body)
        elif len(parts) == 2 and parts[0] == "cdn" and self.command == "GET":
            blob = self.simulator.media(parts[1])
            if blob is None:
                self._send(404, {"error": "no such media"})
            else:
                self._send(200, blob.data, blob.content_type)
        elif parts and parts[0] in self.simulator.apis:
            api = self.simulator.apis[parts[0]]
            answer = api.handle(ApiRequest(self.command, parts[1:], query,
                                           {k.lower(): v for k, v in self.headers.items()}, body), self.simulator)
            self._send(answer.status, answer.body, answer.content_type, answer.headers)
        else:
            self._send(404, {"error": "not found"})

    do_GET = do_POST = _route

    def _control_get(self, parts: list[str], query: dict[str, str]) -> None:
        simulator = self.simulator
        if parts == ["accounts"]:
            accounts = simulator.accounts()
            self._send(200, {"accounts": [a.summary() for a in accounts], "whatsapp": [
                {"phone_number_id": a.provider_account_id,
                 "display_phone_number": a.details.get("display_phone_number", "")}
                for a in accounts if a.channel == "whatsapp"]})
        elif parts == ["outbox"]:
            self._send(200, {"items": _filtered(simulator.outbox(query.get("channel") or None), query,
                                                "account", "to")})
        elif parts == ["mailbox"]:
            self._send(200, {"items": [mail.as_json() for mail in
                                       simulator.staff_mailbox.mails(query.get("to") or None)]})
        elif parts == ["customer-messages"]:
            self._send(200, {"items": _filtered(simulator.customer_messages(query.get("channel") or None),
                                                query, "account", "from")})
        else:
            self._send(404, {"error": "not found"})

    def _control(self, parts: list[str], query: dict[str, str], body: bytes) -> None:
        if self.command == "GET":
            self._control_get(parts, query)
            return
        try:
            document = json.loads(body or b"{}")
        except ValueError:
            document = None
        if not isinstance(document, dict):
            self._send(400, {"error": "the body must be a JSON object"})
            return
        try:
            if parts == ["auto-delete", "sweep"]:
                self._sweep(document)
            else:
                self._control_post(parts, document)
        except UnknownAccount as error:
            self._send(404, {"error": str(error)})
        except requests.RequestException as error:
            self._send(502, {"error": f"the webhook could not be reached: {error}"})
        except (ValueError, TypeError) as error:
            self._send(400, {"error": str(error)})

    def _sweep(self, document: dict[str, Any]) -> None:
        """The local scheduler's auto-deletion sweep, now (local/schedules.py)."""
        if self.simulator.sweep is None:
            self._send(404, {"error": "no auto-deletion schedule in this runtime"})
            return
        self._send(200, self.simulator.sweep(parse_as_of(document.get("as_of"))))

    def _control_post(self, parts: list[str], document: dict[str, Any]) -> None:
        simulator = self.simulator
        if parts == ["cognito", "token-lifetime"]:
            seconds = document.get("seconds")
            if seconds is not None and (not isinstance(seconds, int) or seconds < 5):
                raise ValueError("seconds must be a whole number of at least 5, or null")
            set_token_lifetime(seconds)
            self._send(200, {"seconds": seconds})
        elif len(parts) == 3 and parts[0] == "whatsapp" and parts[2] == "templates":
            account = simulator.account("whatsapp", parts[1])
            data = document.get("data")
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise ValueError("'data' must be a list of templates in Meta's format")
            simulator.set_templates(account, data)
            self._send(200, {"ok": True})
        elif len(parts) == 2 and parts[1] == "statuses-first" and parts[0] in simulator.providers:
            customer = str(document.get("to") or "").strip()
            if not customer:
                raise ValueError("'to' (the customer's id on the channel) is required")
            simulator.report_statuses_first(parts[0], customer)
            self._send(200, {"ok": True})
        elif parts == ["failures"] or (len(parts) == 2 and parts[1] == "failures"):
            channel = parts[0] if len(parts) == 2 else str(document.get("channel") or "whatsapp")
            simulator.fail_next(channel, str(document.get("mode", "")), int(document.get("count", 1)),
                                int(document.get("after", 0)), str(document.get("to") or ""))
            self._send(200, {"ok": True})
        elif len(parts) == 3 and parts[2] == "messages" and parts[0] in simulator.providers:
            status, message_id = simulator.customer_says(parts[0], parts[1], _customer_message(document))
            self._send(200, {"webhook_status": status, "id": message_id})
        else:
            self._send(404, {"error": "not found"})


MAX_MEDIA_DELAY_SECONDS = 60


def _customer_message(document: dict[str, Any]) -> CustomerMessage:
    """What a customer does, as the control API's body describes it."""
    customer = str(document.get("from") or "").strip()
    if not customer:
        raise ValueError("'from' (the customer's id on the channel) is required")
    choice = document.get("choice")
    message = CustomerMessage(customer=customer, name=str(document.get("name") or "Customer"),
                              text=str(document.get("text") or ""), image=bool(document.get("image")),
                              choice=str(choice) if choice is not None else None,
                              odd_neighbour=bool(document.get("odd_neighbour")),
                              media_gone=bool(document.get("media_gone")),
                              media_delay=float(document.get("media_delay") or 0),
                              blocks=bool(document.get("blocks")))
    if not message.text and not message.image and not message.blocks:
        raise ValueError("a message needs text or the sample image")
    if not 0 <= message.media_delay <= MAX_MEDIA_DELAY_SECONDS:
        raise ValueError(f"'media_delay' is seconds from 0 to {MAX_MEDIA_DELAY_SECONDS}")
    return message


def serve(simulator: ChannelSimulator, host: str, port: int) -> LocalHTTPServer:
    handler = type("SimulatorHandler", (_Handler,), {"simulator": simulator})
    server = LocalHTTPServer((host, port), handler)
    simulator.url = f"http://{host}:{server.server_address[1]}"
    simulator.watch_mail()
    threading.Thread(target=server.serve_forever, name="simulator", daemon=True).start()
    return server
