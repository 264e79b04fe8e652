"""Recording a change of consent that a message, a provider's signal or a status reported
(routing and the status worker); the rules and models are in consent.py, which the API and the
send path import without this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .consent import ConsentChange, ConsentSource
from .customers import address_for, customer_id_for
from .models import Channel, SystemEvent, SystemEventKind
from .story import system_line

if TYPE_CHECKING:
    from datetime import datetime

    from .ports.conversations import Conversations
    from .ports.customers import ConsentLedger


class ConsentRecorder:
    """A change of an address's consent, as a message, a provider's signal or a status reported it:
    kept in the ledger, and an opt-out told in the customer's open conversation on the account."""

    def __init__(self, conversations: Conversations, ledger: ConsentLedger) -> None:
        self._conversations = conversations
        self._ledger = ledger

    def record(self, channel: Channel, account_id: str, customer_id: str, *, opted_out: bool, at: datetime,
               detail: str, unique: str, source: ConsentSource = ConsentSource.PROVIDER) -> bool:
        """False when this event was recorded before (the same ``unique``)."""
        stored_id = customer_id_for(channel, customer_id)
        address = address_for(channel, stored_id, account_id=account_id)
        story = None
        if opted_out:
            conversation = self._conversations.open_conversation(account_id, stored_id)
            if conversation is not None:
                story = system_line(conversation.id, SystemEvent(
                    kind=SystemEventKind.OPTED_OUT, detail=f"{channel.value}, {source.value}"), at)
        return self._ledger.record(ConsentChange(channel=channel, address=address.value, opted_out=opted_out,
                                                 at=at, source=source, detail=detail), unique=unique, story=story)
