"""Request bodies and query parameters of the administration API, validated at the edge."""

from __future__ import annotations

from chalicelib.domain.admin_models import AssignmentPolicy, OutOfOfficeDraft
from chalicelib.domain.models import Channel, Role
from chalicelib.domain.office_hours import OfficeHours
from chalicelib.domain.text_safety import Label
from pydantic import Field

from .paging import AdminInput

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"


class InviteUserInput(AdminInput):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    display_name: Label = Field(min_length=1, max_length=100)
    # Without a role: agent while a seat is free, else watcher.
    role: Role | None = None
    # Without teams: the default team.
    team_ids: list[str] = Field(default_factory=list, max_length=50)


class RoleInput(AdminInput):
    role: Role


class EnableInput(AdminInput):
    # Without a role: agent while a seat is free, else watcher.
    role: Role | None = None


class TeamIdsInput(AdminInput):
    team_ids: list[str] = Field(min_length=1, max_length=50)


class TeamInput(AdminInput):
    id: str | None = Field(default=None, max_length=63)
    name: str = Field(min_length=1, max_length=100)
    assignment: AssignmentPolicy | None = None
    office_hours: OfficeHours | None = None


class TeamPatch(AdminInput):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    assignment: AssignmentPolicy | None = None




class ChannelAccountInput(AdminInput):
    id: str = Field(pattern=_ID)
    channel: Channel
    name: str = Field(min_length=1, max_length=100)
    # The provider's id of the account (WhatsApp phone_number_id, Facebook page id, bot id, ...).
    provider_account_id: str = Field(min_length=1, max_length=128)
    api_base_url: str = Field(pattern=r"^https?://", max_length=512)
    team_id: str | None = None
    # As the channel's adapter reads them, e.g. WhatsApp: app_secret, access_token, verify_token.
    credentials: dict[str, str] = Field(min_length=1, max_length=20)


class ChannelAccountPatch(AdminInput):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    team_id: str | None = None
    enabled: bool | None = None


class CredentialsInput(AdminInput):
    credentials: dict[str, str] = Field(min_length=1, max_length=20)


class OutOfOfficeInput(AdminInput):
    messages: list[OutOfOfficeDraft] = Field(max_length=10)


class RoutingRuleInput(AdminInput):
    team_id: str
    priority: int = Field(default=100, ge=0, le=99_999)
    language: str | None = Field(default=None, max_length=8, pattern=_LANGUAGE)
    keyword: str | None = Field(default=None, min_length=1, max_length=100)

