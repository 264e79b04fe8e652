"""Routing: store each inbound event, open or continue the customer's conversation, and hand
new conversations to assignment and every customer message to out-of-office."""

from __future__ import annotations

import json

from chalicelib.messaging import QueueMessage, QueuePublisher
from chalicelib.resources import ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE
from chalicelib.storage.repository import ContactRepository, IngestResult

from .models import InboundEnvelope, InboundMessage, StatusUpdate

DEFAULT_TEAM_ID = "default"


class Router:
    def __init__(self, repository: ContactRepository, publisher: QueuePublisher) -> None:
        self._repository = repository
        self._publisher = publisher

    def handle(self, envelope: InboundEnvelope) -> IngestResult | bool | None:
        event = envelope.event
        if isinstance(event, StatusUpdate):
            return self._repository.apply_status(event)
        return self._ingest(event)

    def _ingest(self, event: InboundMessage) -> IngestResult | None:
        account = self._repository.get_channel_account(event.account_id)
        team_id = account.team_id if account else DEFAULT_TEAM_ID
        result = self._repository.ingest_message(event, team_id=team_id)
        if result is None:
            return None  # a redelivery: stored before, and its follow-ups were sent then
        follow_ups = json.dumps({"conversation_id": result.conversation.id,
                                 "message_id": result.message.id})
        if result.created_conversation:
            self._publisher.send(ASSIGNMENT_QUEUE, [QueueMessage(body=follow_ups)])
        self._publisher.send(OUT_OF_OFFICE_QUEUE, [QueueMessage(body=follow_ups)])
        return result
