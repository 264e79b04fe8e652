"""Assignment of new conversations. Conversations wait in New unless their team assigns
automatically (configured per team by the administration)."""

from __future__ import annotations

from chalicelib.storage.repository import ContactRepository

from .models import Conversation, ConversationState


class Assigner:
    def __init__(self, repository: ContactRepository) -> None:
        self._repository = repository

    def assign(self, conversation_id: str) -> Conversation | None:
        """Returns the conversation if it was assigned, None if it stays in New."""
        conversation = self._repository.get_conversation(conversation_id)
        if conversation.state is not ConversationState.NEW:
            return None
        # No team assigns automatically until teams carry an assignment policy.
        return None
