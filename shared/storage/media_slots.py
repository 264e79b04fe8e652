"""The media of a stored inbound message while the media worker copies it: what is still pending,
retrying or given up on (MessageItem.media_issues), and the attachments as they arrive. One
worker at a time handles a message's media (its FIFO group), so read-modify-write is safe."""

from __future__ import annotations

import json

from chalicelib.domain.models import Attachment, MediaIssue
from pynamodb.exceptions import DoesNotExist

from . import keys
from .items import AttachmentAttribute, MessageItem


def _item(conversation_id: str, message_id: str) -> MessageItem | None:
    try:
        return MessageItem.get(keys.conversation_pk(conversation_id), keys.message_sk(message_id))
    except DoesNotExist:
        return None


def _dump(issues: list[MediaIssue]) -> str:
    return json.dumps([issue.model_dump() for issue in issues])


class MediaSlots:
    def issues(self, conversation_id: str, message_id: str) -> list[MediaIssue] | None:
        """The message's media issues; None when the message is gone (purged)."""
        item = _item(conversation_id, message_id)
        if item is None:
            return None
        return [MediaIssue.model_validate(issue) for issue in json.loads(item.media_issues or "[]")]

    def mark(self, conversation_id: str, message_id: str, issues: list[MediaIssue]) -> None:
        """Record the media's state (a new issue replaces the one of the same index)."""
        item = _item(conversation_id, message_id)
        if item is None:
            return
        current = {issue.index: issue for issue in
                   (MediaIssue.model_validate(raw) for raw in json.loads(item.media_issues or "[]"))}
        current.update({issue.index: issue for issue in issues})
        item.update(actions=[MessageItem.media_issues.set(_dump(sorted(current.values(), key=lambda i: i.index)))
                             if current else MessageItem.media_issues.remove()])

    def attach(self, conversation_id: str, message_id: str, index: int, attachment: Attachment) -> None:
        """Add the copied media to the message and clear its issue. A redelivered copy of the same
        object (same key) is attached once."""
        item = _item(conversation_id, message_id)
        if item is None:
            return
        attachments = list(item.attachments or [])
        if all(existing.key != attachment.key for existing in attachments):
            attachments.append(AttachmentAttribute(key=attachment.key, content_type=attachment.content_type,
                                                   filename=attachment.filename, size=attachment.size))
        remaining = [issue for issue in (MediaIssue.model_validate(raw)
                                         for raw in json.loads(item.media_issues or "[]")) if issue.index != index]
        item.update(actions=[MessageItem.attachments.set(attachments),
                             MessageItem.media_issues.set(_dump(remaining)) if remaining
                             else MessageItem.media_issues.remove()])
