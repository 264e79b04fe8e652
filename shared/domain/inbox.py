"""The agents' reading use cases: the conversation lists (tabs and filters), a conversation
and its thread. Changes live beside it: lifecycle.py (pick up, assign, hand back, archive),
compose.py (replies, uploads, starting a conversation), tagging.py (tags and notes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.storage.listing import ConversationLists
from chalicelib.storage.repository import ContactRepository

from .identity import Principal, require_team_member
from .models import Conversation, Message, Page
from .paging import check_limit
from .search import Filters, SortField, View, criteria_for
from .window import WindowState, window_state


@dataclass(frozen=True)
class ConversationDetail:
    conversation: Conversation
    window: WindowState


class Inbox:
    def __init__(self, repository: ContactRepository, lists: ConversationLists,
                 clock: Callable[[], datetime]) -> None:
        self._repository = repository
        self._lists = lists
        self._clock = clock

    def list_conversations(self, principal: Principal, *, view: View, sort: SortField | None,
                           ascending: bool | None, limit: int, cursor: str | None,
                           filters: Filters | None = None) -> Page[Conversation]:
        """One page of a tab of the caller's team, filtered. Every role may read (watchers too)."""
        check_limit(limit)
        # New shows the oldest first (they have waited longest); the other tabs the latest first.
        if ascending is None:
            ascending = view == "new"
        criteria = criteria_for(view, filters or Filters(), team_id=principal.team_id, user_id=principal.id)
        return self._lists.page(criteria, sort=sort or "created", ascending=ascending, limit=limit, cursor=cursor)

    def get(self, principal: Principal, conversation_id: str) -> ConversationDetail:
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return ConversationDetail(conversation, window_state(conversation, self._clock()))

    def messages(self, principal: Principal, conversation_id: str, *, limit: int,
                 cursor: str | None, newest_first: bool = False) -> Page[Message]:
        self.get(principal, conversation_id)
        check_limit(limit)
        return self._repository.list_messages(conversation_id, limit=limit, cursor=cursor,
                                              newest_first=newest_first)
