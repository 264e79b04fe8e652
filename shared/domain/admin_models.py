"""What the administration configures: teams with their office hours and assignment policy,
routing rules, out-of-office messages, user profiles. No HTTP, no PynamoDB."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.core.model_base import Model
from pydantic import ConfigDict, Field, field_validator, model_validator

from .models import Channel
from .office_hours import OfficeHours

DEFAULT_TEAM_ID = "default"
SYSTEM_AUTHOR = "system"


class AdminModel(Model):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class AssignmentPolicy(AdminModel):
    """How a team's new conversations find an agent. Off: they wait in New for a pick-up."""

    auto_assign: bool = False
    # Round robin skips agents who already hold this many assigned conversations.
    capacity: int = Field(default=5, ge=1, le=100)
    # A conversation that comes back (reopened) goes first to the agent who had it, if they can take it.
    sticky: bool = True


class TeamSettings(AdminModel):
    id: str
    name: str
    office_hours: OfficeHours | None = None
    assignment: AssignmentPolicy = AssignmentPolicy()


class RoutingRule(AdminModel):
    """Messages on ``account_id`` that open a conversation go to ``team_id``, if the optional
    conditions hold. Rules are tried by ascending priority; without a match the account's own
    team takes the conversation (the default team unless changed)."""

    id: str
    account_id: str
    team_id: str
    priority: int = Field(default=100, ge=0, le=99_999)
    # A language tag's primary subtag ("nl" matches "nl-BE"), as the channel reports the customer's.
    language: str | None = Field(default=None, min_length=2, max_length=8, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    # Matches when the first message contains it, ignoring case.
    keyword: str | None = Field(default=None, min_length=1, max_length=100)


class OutOfOfficeMediaRef(AdminModel):
    """An object the administrator uploaded for the account's out-of-office replies, by the key
    the upload answer gave (POST /channel-accounts/{account_id}/out-of-office/uploads)."""

    key: str = Field(min_length=1, max_length=1024)
    filename: str | None = Field(default=None, max_length=255)


class OutOfOfficeDraft(AdminModel):
    """One out-of-office reply as an administrator writes it: text, media, or both (the text
    then goes as the media's caption where the channel has captions)."""

    text: str | None = Field(default=None, min_length=1, max_length=4096)
    media: OutOfOfficeMediaRef | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> OutOfOfficeDraft:
        if self.text is None and self.media is None:
            raise ValueError("an out-of-office message needs text or media")
        return self


class OutOfOfficeMedia(AdminModel):
    key: str
    content_type: str
    size: int
    filename: str | None = None


class OutOfOfficeMessage(AdminModel):
    """One stored out-of-office reply; its media as S3 stored it (type and size checked against
    the account's channel when the replies were saved)."""

    text: str | None = Field(default=None, max_length=4096)
    media: OutOfOfficeMedia | None = None


class NotificationPreference(StrEnum):
    ALL = "all"  # new conversations and new messages in my conversations
    NEW_CONVERSATIONS = "new_conversations"
    NONE = "none"


class Profile(AdminModel):
    display_name: str = Field(min_length=1, max_length=100)
    language: str | None = Field(default=None, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    time_zone: str | None = Field(default=None, max_length=64)
    dark_mode: bool = False
    notifications: NotificationPreference = NotificationPreference.ALL

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not an IANA time zone") from error
        return value


class ChannelAccountView(AdminModel):
    """A channel account as administrators see it: never its credentials."""

    id: str
    channel: Channel
    name: str
    provider_account_id: str
    api_base_url: str
    team_id: str
    enabled: bool
    webhook_url: str


class Credentials(AdminModel):
    """A channel account's secrets (names as the channel's adapter reads them)."""

    values: dict[str, str] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _not_blank(self) -> Credentials:
        for name, value in self.values.items():
            if not name.strip() or not value.strip():
                raise ValueError("credential names and values must not be blank")
        return self
