"""The inbound pipeline's side stores in memory (``domain/ports/inbound.py``), over the same
records as the conversation fakes."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.models import Attachment, Channel, MediaIssue, Message, StatusUpdate, UnreadableEvent
from chalicelib.domain.ports.inbound import InboundSideStores

from .conversations import ConversationRecords


class InMemoryHeldStatuses:
    def __init__(self) -> None:
        self.held: dict[tuple[str, str, str], dict[str, StatusUpdate]] = {}

    def hold(self, update: StatusUpdate) -> None:
        key = (update.channel.value, update.account_id, update.provider_message_id)
        self.held.setdefault(key, {})[update.status.value] = update

    def take(self, channel: Channel, account_id: str, provider_message_id: str) -> list[StatusUpdate]:
        held = self.held.pop((channel.value, account_id, provider_message_id), {})
        return sorted(held.values(), key=lambda update: update.status.rank)


class InMemoryMessageChanges:
    def __init__(self, records: ConversationRecords) -> None:
        self.records = records

    def _change(self, channel: Channel, account_id: str, provider_message_id: str, **update: object) -> bool:
        target = self.records.provider_ids.get((channel.value, account_id, provider_message_id))
        if target is None:
            return False
        message = self.records.messages[target[0]][target[1]]
        self.records.messages[target[0]][target[1]] = message.model_copy(update=update)
        return True

    def edit(self, channel: Channel, account_id: str, provider_message_id: str, text: str | None,
             at: datetime) -> bool:
        message = self._message(channel, account_id, provider_message_id)
        if message is None or message.text == text:
            return message is not None
        earlier = (*message.earlier_texts, *([message.text] if message.text is not None else []))
        return self._change(channel, account_id, provider_message_id, text=text, earlier_texts=earlier, edited_at=at)

    def react(self, channel: Channel, account_id: str, provider_message_id: str, emoji: str) -> bool:
        return self._change(channel, account_id, provider_message_id, reaction=emoji or None)

    def _message(self, channel: Channel, account_id: str, provider_message_id: str) -> Message | None:
        target = self.records.provider_ids.get((channel.value, account_id, provider_message_id))
        return None if target is None else self.records.messages[target[0]][target[1]]


class InMemoryMediaSlots:
    def __init__(self, records: ConversationRecords) -> None:
        self.records = records

    def issues(self, conversation_id: str, message_id: str) -> list[MediaIssue] | None:
        message = self.records.messages.get(conversation_id, {}).get(message_id)
        return None if message is None else list(message.media_issues)

    def mark(self, conversation_id: str, message_id: str, issues: list[MediaIssue]) -> None:
        message = self.records.messages.get(conversation_id, {}).get(message_id)
        if message is None:
            return
        current = {issue.index: issue for issue in message.media_issues} | {issue.index: issue for issue in issues}
        self._put(message, media_issues=tuple(sorted(current.values(), key=lambda issue: issue.index)))

    def attach(self, conversation_id: str, message_id: str, index: int, attachment: Attachment) -> None:
        message = self.records.messages.get(conversation_id, {}).get(message_id)
        if message is None:
            return
        attachments = message.attachments if any(a.key == attachment.key for a in message.attachments) else (
            *message.attachments, attachment)
        self._put(message, attachments=attachments,
                  media_issues=tuple(issue for issue in message.media_issues if issue.index != index))

    def _put(self, message: Message, **update: object) -> None:
        self.records.messages[message.conversation_id][message.id] = message.model_copy(update=update)


class InMemoryUnreadableEvents:
    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], UnreadableEvent] = {}

    def keep(self, event: UnreadableEvent) -> bool:
        key = (event.account_id, event.provider_event_id)
        if key in self.kept:
            return False
        self.kept[key] = event
        return True

    def recent(self, account_id: str, limit: int = 50) -> list[UnreadableEvent]:
        kept = [event for (account, _), event in self.kept.items() if account == account_id]
        return sorted(kept, key=lambda event: event.received_at, reverse=True)[:limit]


def in_memory_side_stores(records: ConversationRecords) -> InboundSideStores:
    return InboundSideStores(early=InMemoryHeldStatuses(), changes=InMemoryMessageChanges(records),
                             slots=InMemoryMediaSlots(records), unreadable=InMemoryUnreadableEvents())
