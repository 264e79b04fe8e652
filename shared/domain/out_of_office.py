"""Out-of-office replies for customer messages that arrive while their team is closed."""

from __future__ import annotations

from chalicelib.storage.repository import ContactRepository


class OutOfOffice:
    def __init__(self, repository: ContactRepository) -> None:
        self._repository = repository

    def handle(self, conversation_id: str, message_id: str) -> bool:
        """Returns True when an out-of-office reply was queued."""
        self._repository.get_message(conversation_id, message_id)
        # A team without office hours is always open: nothing to send.
        return False
