"""Helpers of the customer suites: an SMS account whose Twilio API is a loopback stand-in, and a
customer who writes on WhatsApp and by SMS."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests
from chalicelib.channels.twilio_sms import sign as twilio_sign
from chalicelib.domain.models import Channel, ChannelAccount

from local.runtime import LocalRuntime
from local.seed import create_channel_account
from tests.integration.conftest import drain
from tests.integration.inbox_support import deliver, patch
from tests.loopback import Answer, LoopbackServer
from tests.support import HTTP_TIMEOUT

SMS_NUMBER = "+14155552671"


@dataclass(frozen=True)
class SmsAccount:
    id: str
    webhook_url: str
    auth_token: str
    twilio: LoopbackServer


def new_sms_account(runtime: LocalRuntime, twilio: LoopbackServer) -> SmsAccount:
    assert runtime.info is not None
    assert runtime.resources is not None
    account_id = f"sms-{secrets.token_hex(4)}"
    token = secrets.token_hex(16)
    webhook_url = f"{runtime.info.webhook_base_url}/sms/{account_id}"
    create_channel_account(runtime.resources, ChannelAccount(
        id=account_id, channel=Channel.SMS, name="SMS test", provider_account_id=SMS_NUMBER,
        api_base_url=twilio.base_url, team_id="default", enabled=True),
        {"account_sid": "AC" + "0" * 32, "auth_token": token, "status_callback_url": webhook_url})
    return SmsAccount(account_id, webhook_url, token, twilio)


def twilio_accepts() -> Answer:
    return Answer(201, {"sid": "SM" + secrets.token_hex(16), "status": "queued"})


def texts(runtime: LocalRuntime, account: SmsAccount, phone: str, text: str) -> None:
    """The customer sends an SMS; routing, assignment and out-of-office run."""
    sid = "SM" + secrets.token_hex(16)
    body = urlencode({"MessageSid": sid, "SmsSid": sid, "SmsStatus": "received", "Body": text, "To": SMS_NUMBER,
                      "From": phone, "NumMedia": "0", "AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01"})
    signature = twilio_sign(account.webhook_url, parse_qsl(body), account.auth_token)
    response = requests.post(account.webhook_url, data=body, timeout=HTTP_TIMEOUT, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def writes_on_whatsapp(runtime: LocalRuntime, webhook_url: str, demo: dict[str, Any], phone: str, text: str,
                       name: str = "Test Customer") -> None:
    deliver(runtime, webhook_url, demo, phone.removeprefix("+"), text, name=name)


def new_phone() -> str:
    return "+3161" + str(secrets.randbelow(10**7)).zfill(7)


@contextmanager
def service_setting(api: str, admin: dict[str, str], name: str, value: Any, default: Any) -> Iterator[None]:
    """A service setting changed for one test, restored afterwards (the runtime is shared)."""
    response = patch(api, "/settings/service", admin, {name: value})
    assert response.status_code == 200, response.text
    try:
        yield
    finally:
        patch(api, "/settings/service", admin, {name: default}).raise_for_status()
