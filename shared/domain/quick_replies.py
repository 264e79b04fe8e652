"""Quick replies: predefined answers in groups, any number of them.

Each reply has a shortcut made of its group's name and its place in the group (the second reply
of group WA is !WA2), so renaming a group renames its shortcuts. Typing ``!wa`` finds the
group's replies; other text searches the replies' text. Rendering fills the placeholders from
the conversation and lists the ones it could not fill.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Conflict, InvalidInput

from .identity import Principal, require_administrator, require_team_member
from .placeholders import Rendered, render, values_for
from .work_models import QuickReply, QuickReplyGroup

if TYPE_CHECKING:
    from .ports.conversations import Conversations
    from .ports.work import QuickReplyStore

MAX_REPLY_LENGTH = 2000
MAX_GROUP_NAME = 40


@dataclass(frozen=True)
class ListedReply:
    reply: QuickReply
    group: QuickReplyGroup
    shortcut: str


@dataclass(frozen=True)
class GroupSummary:
    group: QuickReplyGroup
    shortcut: str
    count: int


def group_shortcut(group: QuickReplyGroup) -> str:
    """What an agent types to list the group's replies (``!WA``)."""
    return f"!{''.join(group.name.split())}"


def shortcut(group: QuickReplyGroup, position: int) -> str:
    return f"{group_shortcut(group)}{position}"


def catalogue(groups: list[QuickReplyGroup], replies: list[QuickReply]) -> list[ListedReply]:
    """Every reply with its group and shortcut, groups by name, replies in their order."""
    listed: list[ListedReply] = []
    for group in sorted(groups, key=lambda g: g.name.casefold()):
        members = [reply for reply in replies if reply.group_id == group.id]
        listed.extend(ListedReply(reply, group, shortcut(group, position))
                      for position, reply in enumerate(members, start=1))
    return listed


def search(listed: list[ListedReply], query: str | None) -> list[ListedReply]:
    """``!prefix`` matches shortcuts (so ``!wa`` is the WA group, ``!wa2`` its second reply);
    anything else matches the text or the group name, case-insensitively."""
    if not query or not query.strip():
        return listed
    term = query.strip().casefold()
    if term.startswith("!"):
        return [item for item in listed if item.shortcut.casefold().startswith(term)]
    return [item for item in listed if term in item.reply.text.casefold() or term in item.group.name.casefold()]


def _clean_text(text: str) -> str:
    # Line breaks and emoji are kept as typed: they are part of the answer.
    if not text.strip():
        raise InvalidInput("a quick reply must not be empty", field="text")
    if len(text) > MAX_REPLY_LENGTH:
        raise InvalidInput(f"a quick reply is at most {MAX_REPLY_LENGTH} characters; this one has {len(text)}",
                           field="text")
    return text.strip()


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_GROUP_NAME:
        raise InvalidInput(f"a group name has 1 to {MAX_GROUP_NAME} characters", field="name")
    return name


class QuickReplies:
    def __init__(self, repository: QuickReplyStore, conversations: Conversations,
                 clock: Callable[[], datetime]) -> None:
        self._repository = repository
        self._conversations = conversations
        self._clock = clock

    # --- agents ---

    def find(self, principal: Principal, query: str | None) -> list[ListedReply]:
        groups, replies = self._repository.all()
        return search(catalogue(groups, replies), query)

    def groups(self, principal: Principal) -> list[GroupSummary]:
        """Every group by name with its shortcut and number of replies, empty groups too."""
        groups, replies = self._repository.all()
        counts = Counter(reply.group_id for reply in replies)
        return [GroupSummary(group, group_shortcut(group), counts[group.id])
                for group in sorted(groups, key=lambda g: g.name.casefold())]

    def render(self, principal: Principal, conversation_id: str, reply_id: str) -> Rendered:
        conversation = self._conversations.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        reply = self._repository.get_reply(reply_id)
        return render(reply.text, values_for(conversation, principal.user))

    # --- administrators ---

    def create_group(self, principal: Principal, name: str) -> QuickReplyGroup:
        require_administrator(principal)
        name = _clean_name(name)
        self._refuse_duplicate(name, None)
        return self._repository.put_group(QuickReplyGroup(id=self._repository.new_id(self._clock()), name=name),
                                          create=True)

    def rename_group(self, principal: Principal, group_id: str, name: str) -> QuickReplyGroup:
        require_administrator(principal)
        name = _clean_name(name)
        self._repository.get_group(group_id)
        self._refuse_duplicate(name, group_id)
        return self._repository.put_group(QuickReplyGroup(id=group_id, name=name), create=False)

    def delete_group(self, principal: Principal, group_id: str) -> None:
        require_administrator(principal)
        self._repository.delete_group(group_id)

    def create_reply(self, principal: Principal, group_id: str, text: str) -> QuickReply:
        require_administrator(principal)
        self._repository.get_group(group_id)
        return self._repository.put_reply(QuickReply(id=self._repository.new_id(self._clock()), group_id=group_id,
                                                     text=_clean_text(text)), create=True)

    def update_reply(self, principal: Principal, reply_id: str, text: str) -> QuickReply:
        require_administrator(principal)
        current = self._repository.get_reply(reply_id)
        return self._repository.put_reply(current.model_copy(update={"text": _clean_text(text)}), create=False)

    def delete_reply(self, principal: Principal, reply_id: str) -> None:
        require_administrator(principal)
        self._repository.delete_reply(reply_id)

    def _refuse_duplicate(self, name: str, group_id: str | None) -> None:
        groups, _ = self._repository.all()
        wanted = "".join(name.split()).casefold()
        if any("".join(g.name.split()).casefold() == wanted and g.id != group_id for g in groups):
            raise Conflict(f"a quick reply group named {name!r} exists (shortcuts must stay unique)", field="name")
