"""Helpers of the accounts tests (integration and browser): read the agents' mailbox of the
local runtime, take the temporary password or the reset code out of a mail, make TOTP codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

import requests

from tests.support import HTTP_TIMEOUT, wait_for

NEW_PASSWORD = "Chosen-password-7"


def mails(simulator_url: str, to: str) -> list[dict[str, Any]]:
    """The mail the user pool sent ``to``, newest first."""
    answer = requests.get(f"{simulator_url}/control/mailbox", params={"to": to}, timeout=HTTP_TIMEOUT)
    answer.raise_for_status()
    return list(answer.json()["items"])


def wait_for_mail(simulator_url: str, to: str, subject_part: str, *, after: int = 0) -> dict[str, Any]:
    """The newest mail to ``to`` whose subject contains ``subject_part``, once there are more than
    ``after`` of them."""
    def probe() -> dict[str, Any] | None:
        matching = [m for m in mails(simulator_url, to) if subject_part.lower() in m["subject"].lower()]
        return matching[0] if len(matching) > after else None

    return wait_for(probe, what=f"a mail to {to} about {subject_part!r}")


def temporary_password(mail: dict[str, Any]) -> str:
    match = re.search(r"Temporary password: (\S+)", mail["text"])
    assert match, mail["text"]
    return match.group(1)


def reset_code(mail: dict[str, Any]) -> str:
    match = re.search(r"Code: (\d{6})", mail["text"])
    assert match, mail["text"]
    return match.group(1)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as authenticator apps compute it."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 1_000_000).zfill(6)
