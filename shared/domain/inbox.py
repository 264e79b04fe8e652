"""The agents' use cases on conversations: list, read, pick up, reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.errors import InvalidInput, WindowClosed
from chalicelib.messaging import QueueMessage, QueuePublisher
from chalicelib.resources import OUTBOUND_QUEUE
from chalicelib.storage.repository import ContactRepository, ListView, SortField

from .capabilities import text_limit
from .identity import Principal, require_owner, require_team_member, require_working_role
from .models import Conversation, Message, OutboundRequest, Page
from .window import WindowState, window_state

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ConversationDetail:
    conversation: Conversation
    window: WindowState


class Inbox:
    def __init__(self, repository: ContactRepository, publisher: QueuePublisher,
                 clock: Callable[[], datetime]) -> None:
        self._repository = repository
        self._publisher = publisher
        self._clock = clock

    def list_conversations(self, principal: Principal, *, view: ListView, sort: SortField | None,
                           ascending: bool | None, limit: int, cursor: str | None) -> Page[Conversation]:
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
        # New shows the oldest first (they have waited longest); the other tabs the latest first.
        if ascending is None:
            ascending = view == "new"
        return self._repository.list_conversations(
            view=view, team_id=principal.team_id, user_id=principal.id, sort=sort or "created",
            ascending=ascending, limit=limit, cursor=cursor,
        )

    def get(self, principal: Principal, conversation_id: str) -> ConversationDetail:
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return ConversationDetail(conversation, window_state(conversation, self._clock()))

    def messages(self, principal: Principal, conversation_id: str, *, limit: int,
                 cursor: str | None) -> Page[Message]:
        self.get(principal, conversation_id)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
        return self._repository.list_messages(conversation_id, limit=limit, cursor=cursor)

    def pick_up(self, principal: Principal, conversation_id: str) -> Conversation:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return self._repository.pick_up(conversation_id, principal.id)

    def reply(self, principal: Principal, conversation_id: str, text: str) -> Message:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        require_owner(principal, conversation)
        text = text.strip()
        if not text:
            raise InvalidInput("text must not be empty", field="text")
        limit = text_limit(conversation.channel)
        if len(text) > limit:
            raise InvalidInput(f"text is {len(text)} characters; {conversation.channel.value} allows {limit}",
                               field="text")
        now = self._clock()
        window = window_state(conversation, now)
        if not window.open:
            raise WindowClosed(
                f"the {conversation.channel.value} window closed at "
                f"{window.closes_at.isoformat() if window.closes_at else 'an unknown time'}; "
                "only a template may be sent", field="text")
        message = self._repository.add_outbound_message(conversation, author_id=principal.id, text=text,
                                                        sent_at=now)
        request = OutboundRequest(conversation_id=conversation.id, message_id=message.id)
        self._publisher.send(OUTBOUND_QUEUE, [QueueMessage(
            body=request.model_dump_json(), group_id=conversation.id, deduplication_id=message.id)])
        return message
