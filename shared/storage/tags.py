"""Tags: the organisation's catalogue, and the tags on each conversation.

A conversation's tag is two writes that are each safe to repeat and never read-modify-write
a list: a lookup link item of its own (which the tag filter queries), written with the tag's
statistics counter in one transaction on the condition that the link is new (so a tag is
counted once however often it is applied), and an ADD to the conversation's string set (which
the conversation shows). Concurrent taggers never lose a tag.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Conversation, Page
from pynamodb.exceptions import DeleteError, PutError, QueryError, TransactWriteError, UpdateError
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .items import ConversationItem, ConversationLinkItem, TagDefinitionItem
from .repository import _decode_cursor, _encode_cursor
from .statistics import Tally, count_in
from .transact import cancellation_codes, commit, table_connection


def _conditional_failed(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class TagRepository:
    # --- the catalogue ---

    def is_defined(self, tag: str) -> bool:
        try:
            TagDefinitionItem.get(keys.TAG_CATALOGUE_PK, keys.tag_definition_sk(tag))
        except TagDefinitionItem.DoesNotExist:
            return False
        return True

    def define(self, tag: str, *, created_by: str | None, at: datetime) -> bool:
        """Add a tag to the catalogue; False when it was there already."""
        try:
            TagDefinitionItem(keys.TAG_CATALOGUE_PK, keys.tag_definition_sk(tag), tag=tag, created_by=created_by,
                              created_at=at).save(condition=TagDefinitionItem.pk.does_not_exist())
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def catalogue(self, *, limit: int, cursor: str | None) -> Page[str]:
        results: ResultIterator[TagDefinitionItem] = TagDefinitionItem.query(
            keys.TAG_CATALOGUE_PK, limit=limit, last_evaluated_key=_decode_cursor(cursor))
        try:
            tags = [item.tag for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to the tag list", field="cursor") from error
        return Page[str](items=tags, next_cursor=_encode_cursor(results.last_evaluated_key))

    # --- tags on conversations ---

    def add(self, conversation: Conversation, tag: str, *, tally: Tally | None = None) -> bool:
        """Tag a conversation and count ``tally`` with it; False when it had the tag already
        (then nothing is counted)."""
        created_sk = keys.time_sk(conversation.created_at, conversation.id)
        activity_sk = keys.time_sk(conversation.last_message_at, conversation.id)
        link = ConversationLinkItem(
            keys.conversation_pk(conversation.id), keys.tag_link_sk(tag), conversation_id=conversation.id,
            lookup_pk=keys.tag_lookup_pk(conversation.team_id, tag), created_sk=created_sk, activity_sk=activity_sk)

        def write(transaction: TransactWrite) -> None:
            transaction.save(link, condition=ConversationLinkItem.pk.does_not_exist())
            count_in(transaction, tally)

        added = True
        try:
            commit(table_connection(), write)
        except TransactWriteError as error:
            if cancellation_codes(error)[:1] != ["ConditionalCheckFailed"]:
                raise
            added = False
        # ADD to a set is idempotent: a retry after a failure between the two writes repairs it.
        ConversationItem(keys.conversation_pk(conversation.id), keys.CONVERSATION_SK).update(
            actions=[ConversationItem.tags.add({tag})], condition=ConversationItem.pk.exists())
        return added

    def remove(self, conversation: Conversation, tag: str) -> bool:
        """Untag a conversation; False when it did not have the tag."""
        ConversationItem(keys.conversation_pk(conversation.id), keys.CONVERSATION_SK).update(
            actions=[ConversationItem.tags.delete({tag})], condition=ConversationItem.pk.exists())
        try:
            ConversationLinkItem(keys.conversation_pk(conversation.id), keys.tag_link_sk(tag)).delete(
                condition=ConversationLinkItem.pk.exists())
        except DeleteError as error:
            if _conditional_failed(error):
                return False
            raise
        return True
