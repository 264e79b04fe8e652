"""Request bodies and query parameters of the agent API, validated at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from chalicelib.core.model_base import Model
from chalicelib.domain.compose_models import AttachmentRef, Draft, TemplateChoice
from chalicelib.domain.models import Channel, ConversationState
from chalicelib.domain.search import Filters
from pydantic import ConfigDict, Field, field_validator


class Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignInInput(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class ListQuery(Strict):
    view: Literal["new", "mine", "assigned", "all"] = "new"
    sort: Literal["created", "activity", "waiting"] | None = Field(
        default=None, description="waiting: the longest waiting customer first (open conversations only)")
    order: Literal["asc", "desc"] | None = None
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)
    team: str | None = Field(default=None, max_length=64)


# --- the agents' daily work ------------------------------------------------------------------


# Several values of one filter: the parameter repeated (?channel=whatsapp&channel=sms) or
# comma-separated (?channel=whatsapp,sms). Tags only repeated: a tag may contain a comma.
MAX_FILTER_VALUES = 20


def _values(value: object, *, split: bool) -> object:
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return items
    if split:
        items = [part.strip() for item in items for part in str(item).split(",")]
    return [item for item in items if item != ""]


class ConversationListQuery(ListQuery):
    """GET /conversations: a tab, its sort, and the filter dialog's fields (each exact; channel,
    agent, tag and state take several values, matching any of them)."""

    channel: list[Channel] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,
                                   description="repeat or comma-separate for several")
    agent: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,
                             description="agent ids; repeat or comma-separate for several")
    tag: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,
                           description="repeat for several (a tag may contain a comma)")
    state: list[ConversationState] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,
                                           description="repeat or comma-separate for several")
    customer: str | None = Field(default=None, max_length=320, description="customer id, phone (E.164 or 00...) "
                                 "or name, exact")
    conversation_id: str | None = Field(default=None, max_length=64)
    since: datetime | None = Field(default=None, description="ISO 8601 with offset; inclusive")
    until: datetime | None = Field(default=None, description="ISO 8601 with offset; exclusive")
    waiting: Literal["agent", "customer"] | None = Field(
        default=None, description="open conversations where the customer waits for an answer (agent) or we wait "
        "for the customer (customer)")

    @field_validator("channel", "agent", "state", mode="before")
    @classmethod
    def _separated(cls, value: object) -> object:
        return _values(value, split=True)

    @field_validator("tag", mode="before")
    @classmethod
    def _repeated(cls, value: object) -> object:
        return _values(value, split=False)

    @field_validator("agent", "tag")
    @classmethod
    def _bounded(cls, values: list[str]) -> list[str]:
        for value in values:
            if len(value) > 128:
                raise ValueError(f"{value[:20]!r}... is longer than 128 characters")
        return values

    def filters(self) -> Filters:
        return Filters(channels=tuple(self.channel), agent_ids=tuple(self.agent), tags=tuple(self.tag),
                       states=tuple(self.state), customer=self.customer, conversation_id=self.conversation_id,
                       since=self.since, until=self.until, waiting=self.waiting)


class MessageListQuery(Strict):
    """GET /conversations/{id}/messages: oldest first by default; ``order=desc`` pages from the
    newest message back, so a long thread opens at its end with one request."""

    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048, description="next_cursor of a page read in the "
                               "same order")
    order: Literal["asc", "desc"] = "asc"
    team: str | None = Field(default=None, max_length=64)


class AttachmentInput(Strict):
    key: str = Field(min_length=1, max_length=1024)
    filename: str | None = Field(default=None, max_length=255)


class TemplateInput(Strict):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=16)
    variables: dict[str, str] = Field(default_factory=dict, max_length=50)


class MessageInput(Strict):
    """POST /conversations/{id}/messages: text (emoji welcome) with up to 10 uploaded attachments,
    or a template with its variables."""

    text: str | None = Field(default=None, max_length=100_000)
    attachments: list[AttachmentInput] = Field(default_factory=list, max_length=50)
    template: TemplateInput | None = None
    reply_to: str | None = Field(default=None, max_length=64, description="id of the customer message this "
                                 "answers: the reply goes out on its channel (default: the customer's latest)")
    subject: str | None = Field(default=None, max_length=200, description="email only: the subject of a message "
                                "that starts a new thread (a reply to the customer's mail keeps 'Re: <its "
                                "subject>'); without it the account's default subject")

    def draft(self) -> Draft:
        return Draft(
            text=self.text, attachments=tuple(AttachmentRef(key=a.key, filename=a.filename) for a in self.attachments),
            template=None if self.template is None else TemplateChoice(
                name=self.template.name, language=self.template.language, variables=self.template.variables),
            reply_to=self.reply_to, subject=self.subject)


class StartConversationInput(MessageInput):
    """POST /conversations: channel account, contact (existing customer id or a phone number), and
    the first message (a template where the channel has a window)."""

    account_id: str = Field(min_length=1, max_length=128)
    customer_id: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    customer_name: str | None = Field(default=None, max_length=200)


_BARE_CONTENT_TYPE = r"^[A-Za-z0-9][A-Za-z0-9.+-]*/[A-Za-z0-9][A-Za-z0-9.+-]*$"


class UploadInput(Strict):
    filename: str = Field(min_length=1, max_length=255)
    # A bare type/subtype: parameters (";charset=...", ";name=...") would travel to S3 and the
    # providers unchecked.
    content_type: str = Field(min_length=3, max_length=255, pattern=_BARE_CONTENT_TYPE)
    size: int = Field(gt=0, description="bytes")


class AssignInput(Strict):
    agent_id: str = Field(min_length=1, max_length=128)


class ArchiveInput(Strict):
    tags: list[str] = Field(default_factory=list, max_length=20)


class TagsInput(Strict):
    tags: list[str] = Field(min_length=1, max_length=20)


class TagInput(Strict):
    tag: str = Field(min_length=1, max_length=50)


class NoteInput(Strict):
    text: str = Field(min_length=1, max_length=5000)


class QuickReplyQuery(Strict):
    q: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=64)


class QuickReplyGroupInput(Strict):
    name: str = Field(min_length=1, max_length=40)


class QuickReplyInput(Strict):
    group_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=2000)


class QuickReplyUpdateInput(Strict):
    text: str = Field(min_length=1, max_length=2000)


class TemplateDefinitionInput(Strict):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=16)
    body: str = Field(min_length=1, max_length=1024)
    parameters: list[str] | None = None
    # What each variable means, by variable ("1" or "first_name"), shown to agents who fill it in.
    labels: dict[str, str] | None = Field(default=None, max_length=50)


class TemplateQuery(Strict):
    language: str | None = Field(default=None, max_length=16)
    team: str | None = Field(default=None, max_length=64)


class ExportInput(Strict):
    format: Literal["csv", "xlsx", "pdf", "json"] = Field(
        default="pdf", description="json: the conversation, its thread (system lines with their event) and notes")


class StatisticsExportInput(Strict):
    since: datetime = Field(description="ISO 8601 with offset; inclusive")
    until: datetime = Field(description="ISO 8601 with offset; exclusive")


class StatisticsQuery(Strict):
    since: datetime = Field(description="ISO 8601 with offset; inclusive")
    until: datetime = Field(description="ISO 8601 with offset; exclusive")
    team: str | None = Field(default=None, max_length=64)
