"""The staff mailbox of the local runtime: the mail the user pool sends to agents (invitations,
password reset codes). In AWS Cognito sends these through SES to the agent's real address; here
they land in this mailbox, which the simulator page shows and ``GET /control/mailbox`` serves."""

from __future__ import annotations

import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

# Enough for any test session or demo; the oldest mail goes first.
MAX_MAILS = 500


@dataclass(frozen=True)
class StaffMail:
    id: str
    to: str
    subject: str
    text: str
    sent_at: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Mailbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[StaffMail] = []

    def deliver(self, to: str, subject: str, text: str) -> StaffMail:
        mail = StaffMail(id=secrets.token_hex(8), to=to, subject=subject, text=text,
                         sent_at=datetime.now(UTC).isoformat(timespec="milliseconds"))
        with self._lock:
            self._mails.append(mail)
            del self._mails[:-MAX_MAILS]
        return mail

    def mails(self, to: str | None = None) -> list[StaffMail]:
        """Newest first; ``to`` keeps the mail of one address (case-insensitive)."""
        with self._lock:
            mails = list(self._mails)
        wanted = to.strip().lower() if to else None
        return [mail for mail in reversed(mails) if wanted is None or mail.to.lower() == wanted]
