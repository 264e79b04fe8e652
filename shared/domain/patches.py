"""Partial changes the use cases take: only the fields a caller set change (``changed()``).

They are also the bodies of the API's PATCH routes, since what a caller may change is the use
case's rule, not HTTP's; a field set to null is a change to null where the stored model allows it.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.model_base import Model
from pydantic import ConfigDict, Field

from .admin_models import NotificationPreference
from .consent import ConsentKeywords
from .models import Channel
from .service_settings import MfaRequirement
from .text_safety import Label, OptionalLabel

_LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"


class Patch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def changed(self) -> dict[str, Any]:
        """The fields the caller set, with their values (null included)."""
        return self.model_dump(exclude_unset=True)


class ServiceSettingsPatch(Patch):
    agents_may_create_tags: bool | None = None
    reopen_days: int | None = Field(default=None, ge=0, le=365)
    seats: int | None = Field(default=None, ge=0, le=100_000)
    # null turns auto-deletion off.
    auto_delete_days: int | None = Field(default=None, ge=1, le=3650)
    # Customers: one open conversation across channels; opt-out / opt-in keywords per channel.
    one_open_conversation: bool | None = None
    consent_keywords: dict[Channel, ConsentKeywords] | None = None
    # Accounts: who must use an authenticator app; minutes idle before an agent turns Away (0: never).
    mfa_required: MfaRequirement | None = None
    away_after_minutes: int | None = Field(default=None, ge=0, le=480)


class ProfilePatch(Patch):
    display_name: Label | None = Field(default=None, min_length=1, max_length=100)
    language: str | None = Field(default=None, max_length=35, pattern=_LANGUAGE)
    time_zone: str | None = Field(default=None, max_length=64)
    dark_mode: bool | None = None
    notifications: NotificationPreference | None = None


class CustomerPatch(Patch):
    name: OptionalLabel | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=35, pattern=_LANGUAGE)
    # Values by attribute key (text, number, date YYYY-MM-DD or one of the choices); null removes one.
    attributes: dict[str, Any] | None = Field(default=None, max_length=100)
