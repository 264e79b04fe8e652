"""Quick replies and their groups: configuration, in one partition.

A reply's id sorts by creation time, so a group's replies keep their order (and with it their
shortcuts: the second reply of group WA is !WA2). Reading them all is one paged Query whose
cost follows the number of quick replies, never the number of conversations.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import QuickReply, QuickReplyGroup
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.pagination import ResultIterator

from . import keys
from .items import QuickReplyGroupItem, QuickReplyItem, TableItem


class QuickReplyRepository:
    def all(self) -> tuple[list[QuickReplyGroup], list[QuickReply]]:
        """Every group and every reply, replies in creation order."""
        groups: list[QuickReplyGroup] = []
        replies: list[QuickReply] = []
        results: ResultIterator[TableItem] = TableItem.query(keys.QUICK_REPLIES_PK)
        for item in results:
            if isinstance(item, QuickReplyGroupItem):
                groups.append(QuickReplyGroup(id=item.group_id, name=item.name))
            elif isinstance(item, QuickReplyItem):
                replies.append(QuickReply(id=item.reply_id, group_id=item.group_id, text=item.text))
        return groups, replies

    def get_group(self, group_id: str) -> QuickReplyGroup:
        try:
            item = QuickReplyGroupItem.get(keys.QUICK_REPLIES_PK, keys.quick_reply_group_sk(group_id))
        except QuickReplyGroupItem.DoesNotExist as error:
            raise NotFound(f"quick reply group {group_id} does not exist", field="group_id") from error
        return QuickReplyGroup(id=item.group_id, name=item.name)

    def put_group(self, group: QuickReplyGroup, *, create: bool) -> QuickReplyGroup:
        item = QuickReplyGroupItem(keys.QUICK_REPLIES_PK, keys.quick_reply_group_sk(group.id), group_id=group.id,
                                   name=group.name)
        condition = QuickReplyGroupItem.pk.does_not_exist() if create else QuickReplyGroupItem.pk.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(f"quick reply group {group.id} does not exist", field="group_id") from error
            raise
        return group

    def delete_group(self, group_id: str) -> None:
        """Delete a group and its replies."""
        _, replies = self.all()
        for reply in replies:
            if reply.group_id == group_id:
                self.delete_reply(reply.id)
        self._delete(QuickReplyGroupItem(keys.QUICK_REPLIES_PK, keys.quick_reply_group_sk(group_id)),
                     f"quick reply group {group_id}", "group_id")

    def get_reply(self, reply_id: str) -> QuickReply:
        try:
            item = QuickReplyItem.get(keys.QUICK_REPLIES_PK, keys.quick_reply_sk(reply_id))
        except QuickReplyItem.DoesNotExist as error:
            raise NotFound(f"quick reply {reply_id} does not exist", field="reply_id") from error
        return QuickReply(id=item.reply_id, group_id=item.group_id, text=item.text)

    def put_reply(self, reply: QuickReply, *, create: bool) -> QuickReply:
        item = QuickReplyItem(keys.QUICK_REPLIES_PK, keys.quick_reply_sk(reply.id), reply_id=reply.id,
                              group_id=reply.group_id, text=reply.text)
        condition = QuickReplyItem.pk.does_not_exist() if create else QuickReplyItem.pk.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(f"quick reply {reply.id} does not exist", field="reply_id") from error
            raise
        return reply

    def delete_reply(self, reply_id: str) -> None:
        self._delete(QuickReplyItem(keys.QUICK_REPLIES_PK, keys.quick_reply_sk(reply_id)),
                     f"quick reply {reply_id}", "reply_id")

    @staticmethod
    def new_id(at: datetime) -> str:
        return keys.sortable_id(at)

    @staticmethod
    def _delete(item: QuickReplyItem | QuickReplyGroupItem, what: str, field: str) -> None:
        try:
            item.delete(condition=type(item).pk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(f"{what} does not exist", field=field) from error
            raise
