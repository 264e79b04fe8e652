"""Ports of the agents' daily work: tags, notes, quick replies, templates, out-of-office
markers and the statistics counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.admin_models import OutOfOfficeMessage
from chalicelib.domain.models import Channel, ChannelAccount, Conversation, Message, Page
from chalicelib.domain.work_models import Note, QuickReply, QuickReplyGroup, Template

if TYPE_CHECKING:
    from .conversations import Tally


@dataclass(frozen=True)
class AutoReply:
    """The replies of one closed period; ``created`` is False when they were stored before."""

    created: bool
    message_ids: list[str]
    trigger_message_id: str


class QuickReplyStore(Protocol):
    def all(self) -> tuple[list[QuickReplyGroup], list[QuickReply]]:
        """Every group and every reply, replies in creation order."""

    def get_group(self, group_id: str) -> QuickReplyGroup: ...

    def put_group(self, group: QuickReplyGroup, *, create: bool) -> QuickReplyGroup: ...

    def delete_group(self, group_id: str) -> None:
        """Delete a group and its replies."""

    def get_reply(self, reply_id: str) -> QuickReply: ...

    def put_reply(self, reply: QuickReply, *, create: bool) -> QuickReply: ...

    def delete_reply(self, reply_id: str) -> None: ...

    def new_id(self, at: datetime) -> str: ...


class TemplateStore(Protocol):
    def list(self, account_id: str, language: str | None = None) -> list[Template]:
        """One account's templates (one Query; an account has tens of templates, not more)."""

    def get(self, account_id: str, name: str, language: str) -> Template: ...

    def put(self, template: Template) -> Template: ...

    def delete(self, account_id: str, name: str, language: str) -> None: ...


class ProviderTemplates(Protocol):
    def approved_templates(self, account: ChannelAccount) -> list[Template]:
        """The provider's approved templates of the account (body text and variables), read from
        its API; InvalidInput when the account's channel has none or it lacks what the read needs."""


class TagStore(Protocol):
    def is_defined(self, tag: str) -> bool: ...

    def define(self, tag: str, *, created_by: str | None, at: datetime) -> bool:
        """Add a tag to the catalogue; False when it was there already."""

    def catalogue(self, *, limit: int, cursor: str | None) -> Page[str]: ...

    def add(self, conversation: Conversation, tag: str, *, tally: Tally | None = None) -> bool:
        """Tag a conversation and count ``tally`` with it; False when it had the tag already (then nothing is
        counted)."""


    def remove(self, conversation: Conversation, tag: str) -> bool:
        """Untag a conversation; False when it did not have the tag."""


class NoteStore(Protocol):
    def add(self, conversation_id: str, *, author_id: str, author_name: str, text: str, at: datetime) -> Note: ...

    def list(self, conversation_id: str, *, limit: int, cursor: str | None) -> Page[Note]: ...


class AutoReplyMarkers(Protocol):
    def record(self, conversation_id: str, closed_period_id: str, replies: list[OutOfOfficeMessage], *,
               trigger_message_id: str, at: datetime, route: tuple[Channel, str, str] | None = None,
               story: Message | None = None) -> AutoReply:
        """Store the marker, the replies (queued, author ``system``, with their media) and the system line ``story``
        in one transaction; the marker's does-not-exist condition lets only the first message of the period
        through. ``route``: the channel, account and customer id the replies go to when not the conversation's own
        (the customer wrote on another channel of a joined conversation)."""


class StatisticsStore(Protocol):
    def current(self, team_id: str) -> dict[str, int]: ...

    def hours(self, team_id: str, since: datetime, until: datetime) -> list[tuple[str, dict[str, int]]]:
        """(hour key, counters) for each hour bucket in [since, until) that has counts."""
