"""Routing: store each inbound event, open, continue or reopen the customer's conversation, and
hand new and reopened-to-New conversations to assignment and every customer message to
out-of-office."""

from __future__ import annotations

import json

from chalicelib.errors import InvalidInput
from chalicelib.messaging import QueueMessage, QueuePublisher
from chalicelib.resources import ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE
from chalicelib.storage.repository import ContactRepository, IngestResult

from .lifecycle import Lifecycle
from .models import Channel, ConversationState, InboundEnvelope, InboundMessage, StatusUpdate
from .phone import to_e164
from .statistics import StatsRecorder

DEFAULT_TEAM_ID = "default"
# Channels that address customers by phone number: their ids are stored in E.164, so one
# number written two ways is one customer.
PHONE_CHANNELS = frozenset({Channel.WHATSAPP, Channel.SMS})


def customer_id_for(channel: Channel, raw_id: str) -> str:
    """The stored form of a customer id: E.164 on phone channels (a number the phone library
    cannot read stays as the provider sent it, rather than losing the message)."""
    if channel not in PHONE_CHANNELS:
        return raw_id
    try:
        return to_e164(raw_id)
    except InvalidInput:
        return raw_id


class Router:
    def __init__(self, repository: ContactRepository, publisher: QueuePublisher, lifecycle: Lifecycle,
                 stats: StatsRecorder) -> None:
        self._repository = repository
        self._publisher = publisher
        self._lifecycle = lifecycle
        self._stats = stats

    def handle(self, envelope: InboundEnvelope) -> IngestResult | bool | None:
        event = envelope.event
        if isinstance(event, StatusUpdate):
            return self._repository.apply_status(event)
        return self._ingest(event.model_copy(update={"customer_id": customer_id_for(event.channel,
                                                                                     event.customer_id)}))

    def _ingest(self, event: InboundMessage) -> IngestResult | None:
        account = self._repository.get_channel_account(event.account_id)
        team_id = account.team_id if account else DEFAULT_TEAM_ID
        replaces, reopened_to_new = self._archived_conversation(event)
        result = self._repository.ingest_message(event, team_id=team_id, replaces=replaces)
        if result is None:
            return None  # a redelivery: stored before, and its follow-ups were sent then
        follow_ups = json.dumps({"conversation_id": result.conversation.id,
                                 "message_id": result.message.id})
        if result.created_conversation:
            self._stats.created(result.conversation, result.conversation.created_at)
        if result.created_conversation or reopened_to_new:
            self._publisher.send(ASSIGNMENT_QUEUE, [QueueMessage(body=follow_ups)])
        self._publisher.send(OUT_OF_OFFICE_QUEUE, [QueueMessage(body=follow_ups)])
        return result

    def _archived_conversation(self, event: InboundMessage) -> tuple[str | None, bool]:
        """Decide for a customer whose conversation is archived: reopen it (within the reopen
        period) or start a new one in its place. Returns (conversation to replace, reopened to New)."""
        current = self._repository.open_conversation(event.account_id, event.customer_id)
        if current is None or current.state is not ConversationState.ARCHIVED:
            return None, False
        if self._repository.has_provider_message(event):
            return None, False  # a redelivery of a message stored before: it must not reopen anything
        if self._lifecycle.may_reopen(current, event.sent_at):
            # Reopened before the message is stored: if storing fails, the retry finds it open.
            reopened = self._lifecycle.reopen(current)
            return None, reopened.state is ConversationState.NEW
        return current.id, False
