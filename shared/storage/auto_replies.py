"""Out-of-office replies: the once-per-closed-period marker and the replies, written together."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain import ids
from chalicelib.domain.admin_models import SYSTEM_AUTHOR, OutOfOfficeMessage
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ContentKind,
    DeliveryStatus,
    Direction,
    Message,
    attachment_kind,
)
from chalicelib.domain.ports.work import AutoReply
from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from . import keys
from .admin_items import AutoReplyMarkerItem
from .conditions import ConditionFailed, conditional
from .conversation_items import system_line_item
from .items import AttachmentAttribute, MessageItem, TableItem


class AutoReplyStore:
    def __init__(self) -> None:
        self._connection: Connection | None = None

    def _conn(self) -> Connection:
        if self._connection is None:
            self._connection = Connection(region=TableItem.Meta.region)
        return self._connection

    def record(self, conversation_id: str, closed_period_id: str, replies: list[OutOfOfficeMessage], *,
               trigger_message_id: str, at: datetime, route: tuple[Channel, str, str] | None = None,
               story: Message | None = None) -> AutoReply:
        """Store the marker and the replies (queued, author ``system``, with their media) in one
        transaction; the marker's does-not-exist condition lets only the first message of the
        period through."""
        # One millisecond apart, so the replies keep their configured order in the thread.
        message_ids = [ids.message_id(at + timedelta(milliseconds=index)) for index in range(len(replies))]
        marker = AutoReplyMarkerItem(
            keys.conversation_pk(conversation_id), keys.auto_reply_marker_sk(closed_period_id),
            closed_period_id=closed_period_id, trigger_message_id=trigger_message_id, message_ids=message_ids,
            sent_at=at)
        try:
            with conditional(), TransactWrite(connection=self._conn()) as transaction:
                transaction.save(marker, condition=AutoReplyMarkerItem.pk.does_not_exist())
                for index, (message_id, reply) in enumerate(zip(message_ids, replies, strict=True)):
                    transaction.save(_reply_item(conversation_id, message_id, reply,
                                                 at + timedelta(milliseconds=index), route),
                                     condition=MessageItem.pk.does_not_exist())
                if story is not None:  # "Out-of-office reply sent", once with the replies
                    transaction.save(system_line_item(story))
        except ConditionFailed as failure:
            if not failure.failed_at(0):
                raise
            existing = AutoReplyMarkerItem.get(marker.pk, marker.sk, consistent_read=True)
            return AutoReply(created=False, message_ids=list(existing.message_ids or []),
                             trigger_message_id=existing.trigger_message_id)
        return AutoReply(created=True, message_ids=message_ids, trigger_message_id=trigger_message_id)


def _reply_item(conversation_id: str, message_id: str, reply: OutOfOfficeMessage, sent_at: datetime,
                route: tuple[Channel, str, str] | None) -> MessageItem:
    """A queued system message. Its media stays under the account's out-of-office prefix (the
    key is shared by every conversation the reply went to; the purge spares that prefix)."""
    kind = ContentKind.TEXT
    attachments = None
    if reply.media is not None:
        media = reply.media
        attachments = [AttachmentAttribute(key=media.key, content_type=media.content_type, filename=media.filename,
                                           size=media.size)]
        if not reply.text:
            kind = attachment_kind(Attachment(key=media.key, content_type=media.content_type, size=media.size))
    item = MessageItem(
        keys.conversation_pk(conversation_id), keys.message_sk(message_id), message_id=message_id,
        conversation_id=conversation_id, direction=Direction.OUTBOUND.value, content_kind=kind.value,
        text=reply.text, sent_at=sent_at, status=DeliveryStatus.QUEUED.value, author_id=SYSTEM_AUTHOR,
        attachments=attachments)
    if route is not None:
        # The send worker sends it on this route (outbound.routed), as it does an agent's reply.
        item.channel, item.account_id, item.customer_id = route[0].value, route[1], route[2]
    return item
