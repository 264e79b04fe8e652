"""The agents' reading use cases: the conversation lists (tabs and filters), a conversation
and its thread. Changes live beside it: lifecycle.py (pick up, assign, hand back, archive),
compose.py (replies, uploads, starting a conversation), tags_and_notes.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .capabilities import conversation_media_refusal
from .identity import Principal, require_team_member
from .paging import check_limit
from .search import Filters, SortField, View, criteria_for
from .window import WindowState, window_state

if TYPE_CHECKING:
    from .models import Conversation, Message, Page
    from .ports.conversations import ConversationLists, ConversationRepository
    from .ports.directory import ChannelAccounts


@dataclass(frozen=True)
class ConversationDetail:
    conversation: Conversation
    window: WindowState
    # Why replies here cannot carry files (MMS outside the US and Canada), None when they can.
    media_refusal: str | None = None


class Inbox:
    def __init__(self, repository: ConversationRepository, lists: ConversationLists,
                 clock: Callable[[], datetime], *, accounts: ChannelAccounts) -> None:
        self._repository = repository
        self._accounts = accounts
        self._lists = lists
        self._clock = clock

    def list_conversations(self, principal: Principal, *, view: View, sort: SortField | None,
                           ascending: bool | None, limit: int, cursor: str | None,
                           filters: Filters | None = None) -> Page[Conversation]:
        """One page of a tab of the caller's team, filtered. Every role may read (watchers too)."""
        check_limit(limit)
        # New shows the oldest first (they have waited longest), as does the waiting order; the other
        # tabs the latest first.
        if ascending is None:
            ascending = view == "new" or sort == "waiting"
        criteria = criteria_for(view, filters or Filters(), team_id=principal.team_id, user_id=principal.id)
        return self._lists.page(criteria, sort=sort or "created", ascending=ascending, limit=limit, cursor=cursor)

    def _readable(self, principal: Principal, conversation_id: str) -> Conversation:
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return conversation

    def get(self, principal: Principal, conversation_id: str) -> ConversationDetail:
        conversation = self._readable(principal, conversation_id)
        return ConversationDetail(conversation, window_state(conversation, self._clock()),
                                  conversation_media_refusal(self._accounts, conversation))

    def messages(self, principal: Principal, conversation_id: str, *, limit: int,
                 cursor: str | None, newest_first: bool = False) -> Page[Message]:
        self._readable(principal, conversation_id)
        check_limit(limit)
        return self._repository.list_messages(conversation_id, limit=limit, cursor=cursor,
                                              newest_first=newest_first)
