"""The messages of a conversation's thread: read and page it, store an agent's reply, and follow
its delivery (the provider's ids, the statuses that only move forward, failures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain import ids
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryError,
    DeliveryStatus,
    Direction,
    Message,
    Page,
    TemplateContent,
    attachment_kind,
    preview_of,
)
from chalicelib.domain.ports.conversations import Tally
from pynamodb.connection import Connection
from pynamodb.exceptions import QueryError
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .conditions import refused_as, tolerated
from .conversation_items import (
    place_message,
    system_line_item,
    to_message,
)
from .conversations import refresh_tag_links
from .delivery_statuses import DeliveryStatusStore
from .items import (
    AttachmentAttribute,
    ConversationItem,
    MessageItem,
    ProviderMessageItem,
    TableItem,
    TemplateAttribute,
)
from .paging import decode_cursor, encode_cursor, get_item
from .statistics import count_in
from .transact import commit, table_connection


class MessageStore(DeliveryStatusStore):
    """``Messages`` (domain/ports/conversations.py) on DynamoDB; the delivery statuses in
    storage/delivery_statuses.py."""

    @staticmethod
    def _conn() -> Connection:
        return table_connection()

    def list_messages(self, conversation_id: str, *, limit: int, cursor: str | None,
                      newest_first: bool = False) -> Page[Message]:
        """One page of the thread in send order (message ids start with the send time), or
        newest first; a cursor continues in the order it was read in."""
        results: ResultIterator[TableItem] = TableItem.query(
            keys.conversation_pk(conversation_id), TableItem.sk.startswith("MSG#"),
            limit=limit, last_evaluated_key=decode_cursor(cursor), scan_index_forward=not newest_first,
        )
        try:
            items = [to_message(item) for item in results if isinstance(item, MessageItem)]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this conversation", field="cursor") from error
        return Page[Message](items=items, next_cursor=encode_cursor(results.last_evaluated_key))

    def last_inbound_provider_id(self, conversation: Conversation) -> str | None:
        """The provider's id of the customer's latest message: one Query on the thread, on the
        millisecond of ``last_customer_message_at``."""
        latest = self.last_inbound_message(conversation)
        return latest.provider_message_id if latest is not None else None

    def last_inbound_message(self, conversation: Conversation) -> Message | None:
        """The customer's latest message (one Query on the thread, on the millisecond of
        ``last_customer_message_at``)."""
        at = conversation.last_customer_message_at
        if at is None:
            return None
        results: ResultIterator[TableItem] = TableItem.query(
            keys.conversation_pk(conversation.id),
            TableItem.sk.between(keys.message_sk_bound(at, upper=False), keys.message_sk_bound(at, upper=True)),
            filter_condition=MessageItem.direction == Direction.INBOUND.value,
        )
        found = [item for item in results if isinstance(item, MessageItem) and item.provider_message_id]
        return to_message(found[-1]) if found else None

    def get_message(self, conversation_id: str, message_id: str) -> Message:
        item = get_item(MessageItem, keys.conversation_pk(conversation_id), keys.message_sk(message_id))
        if item is None:
            raise NotFound(f"message {message_id} does not exist", field="message_id")
        return to_message(item)

    def add_outbound_message(self, conversation: Conversation, *, author_id: str, text: str | None,
                             sent_at: datetime, attachments: tuple[Attachment, ...] = (),
                             template: TemplateContent | None = None,
                             route: tuple[Channel, str, str] | None = None, tally: Tally | None = None,
                             owner_id: str | None = None, subject: str | None = None,
                             story: Message | None = None) -> Message:
        """The agent's message, written only while the conversation exists and, given ``owner_id``,
        is still assigned to that owner (the state the sender checked): an archive, hand-back or
        reassignment in between refuses it with Conflict."""
        kind = ContentKind.TEXT if text or not attachments else attachment_kind(attachments[0])
        item = MessageItem(
            keys.conversation_pk(""), "", message_id=ids.message_id(sent_at),
            direction=Direction.OUTBOUND.value, content_kind=kind.value, text=text,
            sent_at=sent_at, status=DeliveryStatus.QUEUED.value, author_id=author_id,
            attachments=[AttachmentAttribute(key=a.key, content_type=a.content_type, filename=a.filename,
                                             size=a.size) for a in attachments] or None,
            template=None if template is None else TemplateAttribute(
                name=template.name, language=template.language, variables=list(template.variables),
                parameter_names=None if template.parameter_names is None else list(template.parameter_names)),
            subject=subject,
        )
        if route is not None:
            # Sent on another channel account than the conversation's own (it answers a message there).
            item.channel, item.account_id, item.customer_id = route[0].value, route[1], route[2]
        place_message(item, conversation.id)
        conversation_item = ConversationItem(keys.conversation_pk(conversation.id), keys.CONVERSATION_SK)

        def write(transaction: TransactWrite) -> None:
            transaction.save(item, condition=MessageItem.pk.does_not_exist())
            # (domain/models.py ``Conversation.answered`` tells the push notices the same)
            transaction.update(conversation_item, actions=[
                ConversationItem.last_message_at.set(sent_at),
                ConversationItem.activity_sk.set(keys.time_sk(sent_at, conversation.id)),
                ConversationItem.preview.set(preview_of(kind, text)),
                # Answered: now we wait for the customer (docs/data-model.md, "The queue's clocks").
                ConversationItem.awaiting_customer_since.set(sent_at),
                ConversationItem.waiting_since.remove(),
                ConversationItem.first_response_at.set(ConversationItem.first_response_at | sent_at),
            ], condition=ConversationItem.pk.exists() if owner_id is None else (
                ConversationItem.pk.exists() & (ConversationItem.state == ConversationState.ASSIGNED.value)
                & (ConversationItem.owner_id == owner_id)))
            count_in(transaction, tally)  # the agent's reply, counted with the message
            if story is not None:  # e.g. "Template sent because the 24-hour window was closed"
                transaction.save(system_line_item(story))

        with refused_as(Conflict(f"conversation {conversation.id} was archived, handed back or reassigned "
                                 "meanwhile; nothing was sent", field="conversation_id")):
            commit(self._conn(), write)
        refresh_tag_links(conversation.id, conversation.tags, keys.time_sk(sent_at, conversation.id))
        return to_message(item)

    def record_parts(self, conversation_id: str, message_id: str, part_ids: Sequence[str]) -> None:
        """The parts of a multi-part reply the provider took so far, noted as each one goes (a
        retry resumes after them). Only while the message is still queued."""
        item = MessageItem(keys.conversation_pk(conversation_id), keys.message_sk(message_id))
        with tolerated():  # sent or failed meanwhile: the parts no longer matter
            item.update(actions=[MessageItem.sent_parts.set(list(part_ids))],
                        condition=MessageItem.pk.exists() & (MessageItem.status == DeliveryStatus.QUEUED.value))

    def record_sent(self, conversation_id: str, message_id: str, provider_message_id: str,
                    channel: Channel, account_id: str, at: datetime, part_ids: Sequence[str] = ()) -> None:
        """The provider accepted the message: remember its id (and every part's, for a reply sent
        as several provider messages) so status callbacks find it, and mark the message sent.

        Plain writes, not a transaction (which DynamoDB bills double): the pointers first, so a
        status callback finds the message as soon as the provider can send one (one that comes
        before them is held, storage/early_statuses.py), then one update of the message with its
        provider id and its status. A crash in between leaves the message queued, as a crash
        right after the provider's answer always could."""
        message_key = keys.message_sk(message_id)
        for provider_id in dict.fromkeys([provider_message_id, *part_ids]):
            ProviderMessageItem(keys.provider_message_pk(channel.value, account_id, provider_id), "PMSG",
                                conversation_id=conversation_id, message_sk=message_key).save()
        recorded = MessageItem.provider_message_id.set(provider_message_id)
        if not self._advance_status(conversation_id, message_key, DeliveryStatus.SENT, at, None, also=[recorded]):
            # Already further than sent (a receipt came first): the provider id alone.
            with tolerated():
                MessageItem(keys.conversation_pk(conversation_id), message_key).update(
                    actions=[recorded], condition=MessageItem.pk.exists())

    def record_failure(self, conversation_id: str, message_id: str, error: DeliveryError, at: datetime) -> None:
        self._advance_status(conversation_id, keys.message_sk(message_id), DeliveryStatus.FAILED, at, error)
