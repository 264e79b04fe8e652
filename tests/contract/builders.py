"""Values the contract tests and the use-case tests build their stories from."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from chalicelib.domain import ids
from chalicelib.domain.admin_models import DEFAULT_TEAM_ID
from chalicelib.domain.models import Channel, ContentKind, InboundMessage
from chalicelib.domain.ports.conversations import IngestAction, IngestPlan, Tally

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def inbound(customer_id: str, *, account_id: str = "wa-1", minutes: float = 0, text: str = "Hello",
            provider_id: str | None = None, name: str | None = "Ann") -> InboundMessage:
    return InboundMessage(channel=Channel.WHATSAPP, account_id=account_id,
                          provider_message_id=provider_id or unique("wamid"), customer_id=customer_id,
                          customer_name=name, sent_at=START + timedelta(minutes=minutes), kind=ContentKind.TEXT,
                          text=text)


def opening(event: InboundMessage, *, team_id: str = DEFAULT_TEAM_ID, replaces: str | None = None) -> IngestPlan:
    return IngestPlan(event=event, action=IngestAction.OPEN, conversation_id=ids.new_conversation_id(),
                      team_id=team_id, replaces=replaces,
                      tally=Tally(team_id, event.sent_at, counts={"created": 1}, gauges={"new": 1}))


def appending(event: InboundMessage, conversation_id: str) -> IngestPlan:
    return IngestPlan(event=event, action=IngestAction.APPEND, conversation_id=conversation_id,
                      team_id=DEFAULT_TEAM_ID)


def joining(event: InboundMessage, conversation_id: str, *, replaces: str | None = None) -> IngestPlan:
    return IngestPlan(event=event, action=IngestAction.JOIN, conversation_id=conversation_id,
                      team_id=DEFAULT_TEAM_ID, replaces=replaces)
