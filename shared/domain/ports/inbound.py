"""Ports of the inbound pipeline's side stores: statuses that outran the send, edits and reactions
applied to stored messages, the media slots of a message whose media are copied later, and the
events of an authentic delivery no adapter could read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.models import Attachment, Channel, MediaIssue, StatusUpdate, UnreadableEvent


class HeldStatuses(Protocol):
    """Statuses for a provider id no message carries yet (the provider reported before the send API answered)."""

    def hold(self, update: StatusUpdate) -> None:
        """Keep the status until its message's provider id is recorded (a redelivery overwrites its own)."""

    def take(self, channel: Channel, account_id: str, provider_message_id: str) -> list[StatusUpdate]:
        """The statuses held for this provider id, oldest rank first, removed from the store."""


class MessageChanges(Protocol):
    def edit(self, channel: Channel, account_id: str, provider_message_id: str, text: str | None,
             at: datetime) -> bool:
        """The customer edited the message the provider id names; False when it is not stored."""

    def react(self, channel: Channel, account_id: str, provider_message_id: str, emoji: str) -> bool:
        """The customer reacted to the message (an empty emoji takes the reaction back); False when not stored."""


class MediaSlots(Protocol):
    def issues(self, conversation_id: str, message_id: str) -> list[MediaIssue] | None:
        """The media of the message not (yet) in the bucket; None when the message is not stored."""

    def mark(self, conversation_id: str, message_id: str, issues: list[MediaIssue]) -> None: ...

    def attach(self, conversation_id: str, message_id: str, index: int, attachment: Attachment) -> None: ...


class UnreadableEvents(Protocol):
    def keep(self, event: UnreadableEvent) -> bool:
        """Keep the event with its raw payload; False when it was kept before (a redelivery)."""

    def recent(self, account_id: str, limit: int = 50) -> list[UnreadableEvent]: ...


@dataclass(frozen=True)
class InboundSideStores:
    """The side stores the router writes besides the conversation (constructed in the wiring)."""

    early: HeldStatuses
    changes: MessageChanges
    slots: MediaSlots
    unreadable: UnreadableEvents
