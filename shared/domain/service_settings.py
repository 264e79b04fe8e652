"""The service settings an administrator sets for the whole installation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from chalicelib.core.model_base import Model
from pydantic import ConfigDict, Field

from .consent import ConsentKeywords
from .models import Channel

DEFAULT_SEATS = 10
# Who must sign in with an authenticator app (TOTP) as well as the password.
MfaRequirement = Literal["nobody", "administrators", "everyone"]
MAX_AUTO_DELETE_DAYS = 3650


class ServiceSettings(Model):
    model_config = ConfigDict(frozen=True)

    # Whether agents may create a tag that does not exist yet (administrators always may).
    agents_may_create_tags: bool = True
    # A customer who writes within this many days of the archiving reopens the conversation.
    reopen_days: int = Field(default=7, ge=0, le=365)
    # Administrators and agents take a seat; watchers and disabled users do not.
    seats: int = Field(default=DEFAULT_SEATS, ge=0, le=100_000)
    # Archived conversations are deleted this many days after archiving; None keeps them.
    auto_delete_days: int | None = Field(default=None, ge=1, le=MAX_AUTO_DELETE_DAYS)
    # --- customers (domain/customers.py, domain/consent.py) ---
    # A customer who writes on another channel while a conversation is open joins that conversation.
    one_open_conversation: bool = False
    # Opt-out / opt-in keywords per channel, replacing that channel's defaults (consent.DEFAULT_KEYWORDS).
    consent_keywords: dict[Channel, ConsentKeywords] = Field(default_factory=dict)
    # --- accounts (domain/accounts.py, domain/presence.py) ---
    mfa_required: MfaRequirement = "nobody"
    # An agent idle this long in the web app turns Away (0: never).
    away_after_minutes: int = Field(default=10, ge=0, le=480)

    def delete_at(self, archived_at: datetime) -> datetime | None:
        """When a conversation archived at ``archived_at`` is due for deletion, if ever."""
        if self.auto_delete_days is None:
            return None
        return archived_at + timedelta(days=self.auto_delete_days)

    def deletion_date(self, archived_at: datetime) -> str | None:
        """``delete_at`` as the conversation and the due index hold it (``deadline_text``)."""
        due = self.delete_at(archived_at)
        return deadline_text(due) if due is not None else None


def deadline_text(moment: datetime) -> str:
    """The deletion date as written on the conversation and in the due index's sort key (RFC 3339,
    UTC, seconds: the text sorts as the time, and the sweep compares it with its moment)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
