"""Routing: store each inbound event, open or continue the customer's conversation, and hand
new conversations to assignment and every customer message to out-of-office."""

from __future__ import annotations

import json
import logging

from chalicelib.media import InboundMedia
from chalicelib.messaging import QueueMessage, QueuePublisher
from chalicelib.resources import ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE
from chalicelib.storage import keys
from chalicelib.storage.repository import ContactRepository, IngestResult

from .models import Attachment, ChannelAccount, InboundEnvelope, InboundMessage, StatusUpdate

DEFAULT_TEAM_ID = "default"
log = logging.getLogger(__name__)


class Router:
    def __init__(self, repository: ContactRepository, publisher: QueuePublisher,
                 media: InboundMedia | None = None) -> None:
        self._repository = repository
        self._publisher = publisher
        self._media = media

    def handle(self, envelope: InboundEnvelope) -> IngestResult | bool | None:
        event = envelope.event
        if isinstance(event, StatusUpdate):
            return self._repository.apply_status(event)
        return self._ingest(event)

    def _ingest(self, event: InboundMessage) -> IngestResult | None:
        account = self._repository.get_channel_account(event.account_id)
        team_id = account.team_id if account else DEFAULT_TEAM_ID
        attachments = self._copy_media(event, account)
        result = self._repository.ingest_message(event, team_id=team_id, attachments=attachments)
        if result is None:
            return None  # a redelivery: stored before, and its follow-ups were sent then
        follow_ups = json.dumps({"conversation_id": result.conversation.id,
                                 "message_id": result.message.id})
        if result.created_conversation:
            self._publisher.send(ASSIGNMENT_QUEUE, [QueueMessage(body=follow_ups)])
        self._publisher.send(OUT_OF_OFFICE_QUEUE, [QueueMessage(body=follow_ups)])
        return result

    def _copy_media(self, event: InboundMessage, account: ChannelAccount | None) -> tuple[Attachment, ...]:
        """Copy the message's media into the bucket before the idempotent write. A redelivery of
        a stored message copies nothing; a media object that cannot be copied is left out (the
        message is still stored, with the provider's reference in ``raw``) rather than losing the
        message to the dead-letter queue."""
        if not event.media or self._media is None or account is None:
            return ()
        if self._repository.has_provider_message(event.channel, event.account_id, event.provider_message_id):
            return ()
        message_id = keys.message_id(event.sent_at, event.provider_message_id)
        attachments: list[Attachment] = []
        for outcome in self._media.copy(account, message_id, event.media):
            if isinstance(outcome, Attachment):
                attachments.append(outcome)
            else:
                log.warning("inbound media not copied: %s (%s)", outcome.reason,
                            "permanent" if outcome.permanent else "transient")
        return tuple(attachments)
