"""Response bodies of the agent API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Literal

from chalicelib.core.model_base import Model
from chalicelib.domain.capabilities import ChannelCapabilities
from chalicelib.domain.export_models import ExportAnswer, ExportKind, ExportStatus
from chalicelib.domain.inbox import ConversationDetail
from chalicelib.domain.me import SelfView
from chalicelib.domain.models import Attachment, Channel, ChannelAccount, Conversation, Message, Page, Team, User
from chalicelib.domain.quick_replies import GroupSummary, ListedReply
from chalicelib.domain.reply_routes import ReplyRoute
from chalicelib.domain.statistics import Statistics
from chalicelib.domain.uploads import Upload
from chalicelib.domain.work_models import Note, Presence, Template
from pydantic import Field


class ConversationOut(Model):
    conversation: Conversation
    window_open: bool
    window_closes_at: datetime | None
    needs_template: bool
    media_refusal: str | None = Field(default=None, description="why replies cannot carry files between the "
                                      "account's number and the customer's (SMS pictures outside the US and "
                                      "Canada); null when they can")

    @classmethod
    def of(cls, detail: ConversationDetail) -> ConversationOut:
        return cls(conversation=detail.conversation, window_open=detail.window.open,
                   window_closes_at=detail.window.closes_at, needs_template=detail.window.needs_template,
                   media_refusal=detail.media_refusal)


class ConversationPage(Page[Conversation]):
    pass


class AttachmentOut(Attachment):
    """An attachment with a signed URL that lets the web app show it for a few minutes."""

    url: str


class MessageOut(Message):
    attachments: tuple[AttachmentOut, ...] = ()

    @classmethod
    def of(cls, message: Message, signed_url: Callable[[Attachment], str]) -> MessageOut:
        return cls(**message.model_dump(exclude={"attachments"}), attachments=tuple(
            AttachmentOut(**attachment.model_dump(), url=signed_url(attachment))
            for attachment in message.attachments))


class MessagePage(Page[MessageOut]):
    @classmethod
    def of(cls, page: Page[Message], signed_url: Callable[[Attachment], str]) -> MessagePage:
        return cls(items=[MessageOut.of(message, signed_url) for message in page.items],
                   next_cursor=page.next_cursor)


class TeamChannelAccount(Model):
    """A channel account as agents see it, to start a conversation from: no credentials, no
    provider ids, no webhook URL."""

    id: str
    channel: Channel
    name: str
    enabled: bool


class TeamChannelAccountPage(Page[TeamChannelAccount]):
    @classmethod
    def of(cls, page: Page[ChannelAccount]) -> TeamChannelAccountPage:
        return cls(items=[TeamChannelAccount(id=a.id, channel=a.channel, name=a.name, enabled=a.enabled)
                          for a in page.items], next_cursor=page.next_cursor)


class CapabilitiesOut(Model):
    items: list[ChannelCapabilities]


class MeOut(Model):
    user: User
    team_id: str
    # The user's teams with their names, in the order of ``user.team_ids``.
    teams: list[Team]
    # Whether tagging with a tag not in the catalogue adds it (else only catalogue tags).
    may_create_tags: bool
    # The service requires an authenticator app of me; until user.mfa_enabled, only the profile works.
    mfa_required: bool
    # Minutes idle before the web app sets me Away (0: never).
    away_after_minutes: int

    @classmethod
    def of(cls, view: SelfView) -> MeOut:
        return cls(user=view.user, team_id=view.team_id, teams=view.teams, may_create_tags=view.may_create_tags,
                   mfa_required=view.mfa_required, away_after_minutes=view.away_after_minutes)


# --- the agents' daily work ------------------------------------------------------------------


class ReplyRouteList(Model):
    """A conversation's routes, the one the next reply takes first."""

    items: list[ReplyRoute]


class ConversationStartedOut(Model):
    conversation: Conversation
    message: Message


class UploadOut(Model):
    """POST a multipart form to ``url`` with every one of ``fields`` and then the file (field
    ``file``, last) before ``expires_in`` seconds pass, then name ``key`` in the message's
    attachments. The signed policy takes exactly ``size`` bytes of the declared type at ``key``."""

    key: str
    url: str
    method: Literal["POST"]
    fields: Mapping[str, str]
    size: int
    expires_in: int

    @classmethod
    def of(cls, upload: Upload) -> UploadOut:
        return cls(key=upload.key, url=upload.url, method="POST", fields=upload.fields, size=upload.size,
                   expires_in=upload.expires_in)


class NotePage(Page[Note]):
    pass


class TagPage(Page[str]):
    pass


class TagOut(Model):
    tag: str


class HeartbeatOut(Model):
    online_until: datetime


class OnlineOut(Model):
    items: list[Presence]


class QuickReplyOut(Model):
    id: str
    group_id: str
    group: str
    shortcut: str
    text: str

    @classmethod
    def of(cls, listed: ListedReply) -> QuickReplyOut:
        return cls(id=listed.reply.id, group_id=listed.group.id, group=listed.group.name, shortcut=listed.shortcut,
                   text=listed.reply.text)


class QuickReplyListOut(Model):
    items: list[QuickReplyOut]


class QuickReplyGroupOut(Model):
    id: str
    name: str
    # Typed in the reply box, it lists the group's replies.
    shortcut: str
    count: int

    @classmethod
    def of(cls, summary: GroupSummary) -> QuickReplyGroupOut:
        return cls(id=summary.group.id, name=summary.group.name, shortcut=summary.shortcut, count=summary.count)


class QuickReplyGroupListOut(Model):
    items: list[QuickReplyGroupOut]


class RenderedOut(Model):
    text: str
    # Placeholders that could not be filled: the app marks them and keeps Send disabled.
    missing: list[str]


class TemplateListOut(Model):
    items: list[Template]


class StatisticsOut(Statistics):
    pass


class ExportJobOut(Model):
    """An export job: asked for (202, ``pending``), then ``ready`` with a download URL, or ``failed``."""

    id: str
    status: ExportStatus
    kind: ExportKind
    format: str
    filename: str = Field(description="the file's name when downloaded")
    created_at: datetime
    status_url: str = Field(description="where to read this job again (relative to the API)")
    reason: str | None = Field(default=None, description="why it failed, in words; null unless failed")
    url: str | None = Field(default=None, description="a signed GET of the file, valid a few minutes; null until "
                            "ready (read the status again for a fresh one)")
    url_expires_at: datetime | None = None

    @classmethod
    def of(cls, answer: ExportAnswer) -> ExportJobOut:
        job = answer.job
        return cls(id=job.id, status=job.status, kind=job.kind, format=job.format, filename=job.filename,
                   created_at=job.created_at, status_url=f"/exports/{job.id}", reason=job.reason, url=answer.url,
                   url_expires_at=answer.url_expires_at)
