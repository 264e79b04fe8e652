"""Helpers shared by the integration, end-to-end and browser suites."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from chalicelib.channels.meta.whatsapp import sign

T = TypeVar("T")
# The local runtime's DynamoDB reads one partition per Query and copies only a transaction's own
# items (local/dynamodb_indexes.py, local/atomic_dynamodb.py), and warm functions reuse their
# clients, so a request answers in well under a second however long the session has run: 5 s
# leaves room for a loaded CI machine while still failing a request that hangs or decays with data.
HTTP_TIMEOUT = 5


def login(api_url: str, email: str, password: str) -> dict[str, str]:
    response = requests.post(f"{api_url}/auth/login", json={"email": email, "password": password},
                             timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['id_token']}"}


def new_wa_id() -> str:
    """A WhatsApp id (digits, no +) of a valid Dutch mobile number (+31 61...), so routing stores
    the customer as ``"+" + wa_id``."""
    return "3161" + str(secrets.randbelow(10**7)).zfill(7)


def whatsapp_text(phone_number_id: str, *, wa_id: str, text: str, message_id: str | None = None,
                  timestamp: int | None = None, name: str = "Test Customer") -> bytes:
    document = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id or f"wamid.T{secrets.token_hex(10)}",
                          "timestamp": str(timestamp or int(time.time())), "type": "text",
                          "text": {"body": text}}]}}]}]}
    return json.dumps(document, separators=(",", ":")).encode()


def post_whatsapp(webhook_url: str, body: bytes, app_secret: str | None, **headers: str) -> requests.Response:
    all_headers = {"Content-Type": "application/json", **headers}
    if app_secret is not None:
        all_headers["X-Hub-Signature-256"] = sign(body, app_secret)
    return requests.post(webhook_url, data=body, headers=all_headers, timeout=HTTP_TIMEOUT)


def post_upload(ticket: dict[str, Any], data: bytes, filename: str = "file") -> requests.Response:
    """An upload as the web app sends it: the ticket's signed form fields, then the file."""
    assert ticket["method"] == "POST", ticket
    return requests.post(ticket["url"], data=ticket["fields"], files={"file": (filename, data)}, timeout=HTTP_TIMEOUT)


def wait_for(probe: Callable[[], T | None], *, timeout: float = 15.0, interval: float = 0.2,
             what: str = "condition") -> T:
    """Poll until ``probe`` returns something truthy; bounded in time."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def find(items: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    return next((i for i in items if all(i.get(k) == v for k, v in match.items())), None)
