"""Response bodies of the agent API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from .inbox import ConversationDetail
from .models import Conversation, Message, Page, User


class ConversationOut(BaseModel):
    conversation: Conversation
    window_open: bool
    window_closes_at: datetime | None
    needs_template: bool

    @classmethod
    def of(cls, detail: ConversationDetail) -> ConversationOut:
        return cls(conversation=detail.conversation, window_open=detail.window.open,
                   window_closes_at=detail.window.closes_at, needs_template=detail.window.needs_template)


class ConversationPage(Page[Conversation]):
    pass


class MessagePage(Page[Message]):
    pass


class SignInOut(BaseModel):
    id_token: str
    refresh_token: str | None
    expires_in: int


class MeOut(BaseModel):
    user: User
    team_id: str
