"""Retention: the deletion date of archived conversations, and the purge of a conversation.

The purge removes everything the storage keeps for a conversation: every item under its
partition key (the conversation, messages, out-of-office markers and whatever else other
features keep there: notes, tags, the communication log's copies, ...), the items elsewhere that
lead to it (the customer's open-conversation pointer, the provider message ids of its messages,
the customer profile's record of it and its open marker) and its media objects under
``ids.media_prefix``. The customer's own communication log keeps its entries (the profile's
history; an entry that named the conversation keeps only its id). Each step is idempotent, and
the conversation item goes last, so a purge that fails half-way is simply run again.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from chalicelib.domain import ids
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Channel, ConversationState, Page
from chalicelib.domain.ports.conversations import RetainedConversation
from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.exceptions import QueryError
from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator

from . import keys
from .binding import dynamodb_client
from .conditions import tolerated
from .conversation_items import deletion_date_actions
from .customers import CustomerStore
from .items import ConversationItem, OpenConversationItem, ProviderMessageItem, TableItem
from .paging import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

# The attributes the purge needs to find pointer items; everything else stays unread.
_PURGE_PROJECTION = ["pk", "sk", "kind", "provider_message_id", "channel", "account_id", "customer_id",
                     "attachments", "created_at"]
# A purge row's media keys (from the message's attachments), newline-separated.
_ATTACHMENT_KEYS = "attachment_keys"


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    return boto3.client("s3")


def _retained(item: ConversationItem) -> RetainedConversation:
    return RetainedConversation(id=item.conversation_id, state=ConversationState(item.state),
                                archived_at=item.archived_at or item.last_message_at, delete_at=item.delete_at)


class RetentionStore:
    def __init__(self, media_bucket: str, customers: CustomerStore | None = None) -> None:
        self._media_bucket = media_bucket
        self._customers = customers or CustomerStore()

    # --- deletion dates ---------------------------------------------------------------------

    def current(self, conversation_id: str) -> RetainedConversation | None:
        try:
            item = ConversationItem.get(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK,
                                        consistent_read=True)
        except ConversationItem.DoesNotExist:
            return None
        return _retained(item)

    def set_delete_at(self, conversation_id: str, delete_at: str | None) -> bool:
        """Set (or remove) the deletion date of a conversation that is still archived."""
        item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        actions: list[Action] = (
            [ConversationItem.delete_at.remove(), ConversationItem.due_pk.remove(), ConversationItem.due_sk.remove()]
            if delete_at is None else deletion_date_actions(conversation_id, delete_at))
        with tolerated() as reopened:
            item.update(actions=actions, condition=ConversationItem.state == ConversationState.ARCHIVED.value)
        return not reopened.refused

    def archived_page(self, team_id: str, *, limit: int, cursor: str | None) -> Page[RetainedConversation]:
        """One page of a team's archived conversations: Query on the team's Archived list."""
        results: ResultIterator[ConversationItem] = ConversationItem.state_created.query(
            keys.state_list_pk(team_id, ConversationState.ARCHIVED.value), limit=limit,
            last_evaluated_key=decode_cursor(cursor))
        try:
            items = [_retained(item) for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this list", field="cursor") from error
        return Page[RetainedConversation](items=items, next_cursor=encode_cursor(results.last_evaluated_key))

    # --- purge ------------------------------------------------------------------------------

    def purge(self, conversation_id: str) -> int:
        """Delete the conversation and everything that belongs to it; returns the items deleted."""
        partition = keys.conversation_pk(conversation_id)
        rows = list(self._partition_rows(partition))
        deleted = self._delete_pointers(conversation_id, rows)
        self._delete_media(conversation_id, rows)
        conversation_rows = [row for row in rows if row["sk"] == keys.CONVERSATION_SK]
        with TableItem.batch_write() as batch:
            for row in rows:
                if row["sk"] != keys.CONVERSATION_SK:
                    batch.delete(TableItem(partition, row["sk"]))
        for row in conversation_rows:
            TableItem(partition, row["sk"]).delete()
        return deleted + len(rows)

    def _partition_rows(self, partition: str) -> Iterator[dict[str, str]]:
        """Every item of the partition, read raw with the low-level client: the kinds of item other
        features add there need not be known here."""
        paginator = dynamodb_client().get_paginator("query")
        pages = paginator.paginate(
            TableName=TableItem.Meta.table_name, ConsistentRead=True,
            KeyConditionExpression="#pk = :pk", ExpressionAttributeValues={":pk": {"S": partition}},
            ProjectionExpression=", ".join(f"#a{index}" for index in range(len(_PURGE_PROJECTION))),
            ExpressionAttributeNames={"#pk": "pk",
                                      **{f"#a{index}": name for index, name in enumerate(_PURGE_PROJECTION)}},
        )
        for page in pages:
            for raw in page.get("Items", []):
                row = {name: str(value.get("S", "")) for name, value in raw.items() if name != "attachments"}
                row[_ATTACHMENT_KEYS] = "\n".join(
                    attachment["M"]["key"]["S"] for attachment in raw.get("attachments", {}).get("L", []))
                yield row

    def _delete_pointers(self, conversation_id: str, rows: list[dict[str, str]]) -> int:
        deleted = 0
        conversation = next((row for row in rows if row["sk"] == keys.CONVERSATION_SK), None)
        if conversation is not None:
            pointer = OpenConversationItem(keys.open_conversation_pk(conversation["account_id"],
                                                                     conversation["customer_id"]), "OPEN")
            # Only if it still leads here: a newer conversation of the customer keeps its pointer.
            with tolerated() as replaced:
                pointer.delete(condition=OpenConversationItem.conversation_id == conversation_id)
            deleted += 0 if replaced.refused else 1
            channel = conversation["channel"]
            account_id = conversation["account_id"]
            deleted += self._forget_on_profile(conversation_id, conversation)
            with ProviderMessageItem.batch_write() as batch:
                for row in rows:
                    if row.get("kind") == "message" and row.get("provider_message_id"):
                        batch.delete(ProviderMessageItem(
                            keys.provider_message_pk(channel, account_id, row["provider_message_id"]), "PMSG"))
                        deleted += 1
        return deleted

    def _forget_on_profile(self, conversation_id: str, conversation: dict[str, str]) -> int:
        """The customer profile's record of the conversation and its open marker, under the profile
        that owns the conversation's address (a merge moved them there together)."""
        owner = self._customers.owner_of_route(Channel(conversation["channel"]), conversation["account_id"],
                                               conversation["customer_id"])
        if owner is None:
            return 0  # a conversation from before customer profiles: no record
        created_at = UTCDateTimeAttribute().deserialize(conversation["created_at"])
        self._customers.forget_conversation(owner, conversation_id, created_at)
        return 2

    def _delete_media(self, conversation_id: str, rows: list[dict[str, str]]) -> None:
        """The conversation's own prefix (uploads), plus what its messages point at: inbound media
        (copied before the conversation was known, so keyed by message) and inbound raw mail; not
        the account's out-of-office media its system replies carried."""
        if not self._media_bucket:
            return
        paginator = s3_client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._media_bucket, Prefix=ids.media_prefix(conversation_id)):
            self._delete_objects([item["Key"] for item in page.get("Contents", [])])
        # Out-of-office media is the account's, shared by every conversation its replies went to.
        message_keys = [key for row in rows for key in row.get(_ATTACHMENT_KEYS, "").split("\n")
                        if key and not key.startswith(ids.OUT_OF_OFFICE_MEDIA_ROOT)]
        message_keys += [ids.raw_mail_key(row["account_id"], row["provider_message_id"]) for row in rows
                         if row.get("kind") == "message" and row.get("channel") == "email"
                         and row.get("provider_message_id")]
        self._delete_objects(message_keys)

    def _delete_objects(self, object_keys: list[str]) -> None:
        for start in range(0, len(object_keys), 1000):  # delete_objects takes at most 1000 keys
            objects: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in object_keys[start:start + 1000]]
            if objects:
                s3_client().delete_objects(Bucket=self._media_bucket, Delete={"Objects": objects, "Quiet": True})
