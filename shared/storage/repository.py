"""The conversation aggregate as the use cases that read a conversation with its thread get it:
one object serving both of its stores (the ``ConversationRepository`` port)."""

from __future__ import annotations

from .conversations import ConversationStore
from .messages import MessageStore


class ContactRepository(ConversationStore, MessageStore):
    """Conversations (storage/conversations.py) and their messages (storage/messages.py)."""
