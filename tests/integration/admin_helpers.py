"""Helpers of the administration tests: sign in as the demo administrator, create users with a
password, add WhatsApp accounts wired to the channel simulator, and talk as a customer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from chalicelib.domain.seats import SEAT_ROLES

from local.runtime import LocalRuntime
from local.simulator import SimulatedAccount
from tests.integration.conftest import drain
from tests.support import HTTP_TIMEOUT, login, post_whatsapp, whatsapp_text

USER_PASSWORD = "Test-password-1"


def call(method: str, url: str, headers: dict[str, str], body: Any = None) -> requests.Response:
    return requests.request(method, url, json=body, headers=headers, timeout=HTTP_TIMEOUT)


def ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


SEATED_ROLES = frozenset(role.value for role in SEAT_ROLES)


def new_user(runtime: LocalRuntime, api: str, admin: dict[str, str], *, role: str | None = None,
             team_ids: list[str] | None = None) -> tuple[Any, dict[str, str]]:
    """Invite a user through the API, give them a password as the invitation would, sign in. A
    role that takes a seat gets one freed first if none is (a test before may have left none)."""
    if role in SEATED_ROLES:
        service = seats(api, admin)
        if service["seats"] - service["seats_used"] < 1:
            set_free_seats(api, admin, 1)
    email = f"{unique('user')}@example.com"
    body: dict[str, Any] = {"email": email, "display_name": email.split("@")[0]}
    if role:
        body["role"] = role
    if team_ids:
        body["team_ids"] = team_ids
    user = ok(call("POST", f"{api}/users", admin, body), 201)
    assert runtime.resources is not None
    cognito(runtime).admin_set_user_password(UserPoolId=runtime.resources.user_pool_id, Username=email,
                                             Password=USER_PASSWORD, Permanent=True)
    return user, login(api, email, USER_PASSWORD)


def cognito(runtime: LocalRuntime) -> Any:
    return boto3.client("cognito-idp", endpoint_url=runtime.moto_url, region_name=runtime.config.region)


def seats(api: str, admin: dict[str, str]) -> Any:
    return ok(call("GET", f"{api}/settings/service", admin))


def set_free_seats(api: str, admin: dict[str, str], free: int) -> None:
    used = seats(api, admin)["seats_used"]
    ok(call("PATCH", f"{api}/settings/service", admin, {"seats": used + free}))


def new_team(api: str, admin: dict[str, str], **extra: Any) -> Any:
    return ok(call("POST", f"{api}/teams", admin, {"name": unique("Team"), **extra}), 201)


@dataclass(frozen=True)
class Account:
    id: str
    phone_number_id: str
    app_secret: str
    webhook_url: str
    # Everything the account was created with (to rotate to the same values, or to sign).
    credentials: dict[str, str]


def whatsapp_credentials() -> dict[str, str]:
    """Credentials shaped as Meta issues them (checked when stored: channels/credential_rules.py)."""
    return {"app_secret": secrets.token_hex(16), "access_token": "EAAG" + secrets.token_hex(12),
            "verify_token": secrets.token_hex(8)}


def new_whatsapp_account(runtime: LocalRuntime, api: str, admin: dict[str, str],
                         team_id: str | None = None) -> Account:
    """A WhatsApp account added through the API, with a number the simulator answers for."""
    assert runtime.info is not None
    phone_number_id = str(10**9 + secrets.randbelow(10**9))
    credentials = whatsapp_credentials()
    body: dict[str, Any] = {"id": unique("wa"), "channel": "whatsapp", "name": "Test number",
                            "provider_account_id": phone_number_id,
                            "api_base_url": f"{runtime.info.simulator_url}/graph", "credentials": credentials}
    if team_id:
        body["team_id"] = team_id
    account = ok(call("POST", f"{api}/channel-accounts", admin, body), 201)
    runtime.simulator.add_account(SimulatedAccount(
        channel="whatsapp", account_id=account["id"], provider_account_id=phone_number_id, name="Test number",
        webhook_url=account["webhook_url"], credentials=credentials,
        details={"display_phone_number": "15550002222", "waba_id": "1029" + phone_number_id[-8:]}))
    return Account(account["id"], phone_number_id, credentials["app_secret"], account["webhook_url"], credentials)


def say(runtime: LocalRuntime, account: Account, wa_id: str, text: str, **kwargs: Any) -> None:
    """The customer writes; routing, assignment and out-of-office run."""
    body = whatsapp_text(account.phone_number_id, wa_id=wa_id, text=text, **kwargs)
    response = post_whatsapp(account.webhook_url, body, account.app_secret)
    assert response.status_code == 200, response.text
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
