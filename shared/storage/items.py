"""PynamoDB models of the single table: one base model with pk/sk and a discriminator,
one subclass per entity. These models never leave ``storage``: the repository turns them
into domain models.

Keys (see docs/data-model.md for the access patterns):

=================  ==============================  ==========================================
entity             pk                              sk
=================  ==============================  ==========================================
conversation       CONV#<id>                       CONVERSATION
message            CONV#<id>                       MSG#<sent_at>#<message id>
provider id        PMSG#<channel>#<account>#<id>   PMSG
open pointer       OPEN#<account>#<customer>       OPEN
user               USER#<id>                       USER
team               TEAM#<id>                       TEAM
channel account    ACCOUNT#<id>                    ACCOUNT
=================  ==============================  ==========================================
"""

from __future__ import annotations

from typing import Any

from chalicelib import resources
from chalicelib.settings import get_settings
from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

_INDEXES = {index.name: index for index in resources.TABLE.indexes}


def _index_meta(name: str) -> type:
    index = _INDEXES[name]

    class Meta:
        index_name = index.name
        projection = AllProjection()

    return Meta


class StateCreatedIndex(GlobalSecondaryIndex["ConversationItem"]):
    Meta = _index_meta("state-created")
    state_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class StateActivityIndex(GlobalSecondaryIndex["ConversationItem"]):
    Meta = _index_meta("state-activity")
    state_pk = UnicodeAttribute(hash_key=True)
    activity_sk = UnicodeAttribute(range_key=True)


class OwnerCreatedIndex(GlobalSecondaryIndex["ConversationItem"]):
    Meta = _index_meta("owner-created")
    owner_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class OwnerActivityIndex(GlobalSecondaryIndex["ConversationItem"]):
    Meta = _index_meta("owner-activity")
    owner_pk = UnicodeAttribute(hash_key=True)
    activity_sk = UnicodeAttribute(range_key=True)


class TeamCreatedIndex(GlobalSecondaryIndex["ConversationItem"]):
    Meta = _index_meta("team-created")
    team_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class TeamActivityIndex(GlobalSecondaryIndex["ConversationItem"]):
    Meta = _index_meta("team-activity")
    team_pk = UnicodeAttribute(hash_key=True)
    activity_sk = UnicodeAttribute(range_key=True)


class CollectionIndex(GlobalSecondaryIndex["TableItem"]):
    """Administration lists and presence (see keys.*_COLLECTION and keys.presence_pk)."""

    Meta = _index_meta("collection")
    collection_pk = UnicodeAttribute(hash_key=True)
    collection_sk = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Base of every item in the table."""

    class Meta:
        table_name = resources.TABLE.physical_name(get_settings().app_name)
        region = get_settings().region

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class ErrorAttribute(MapAttribute[str, Any]):
    code = UnicodeAttribute()
    message = UnicodeAttribute()
    permanent = BooleanAttribute(default=True)


class AttachmentAttribute(MapAttribute[str, Any]):
    """A media object in the media bucket, by key (never a URL: those are signed per read)."""

    key = UnicodeAttribute()
    content_type = UnicodeAttribute()
    filename = UnicodeAttribute(null=True)
    size = NumberAttribute()


class ConversationItem(TableItem, discriminator="conversation"):
    conversation_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute()
    state = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_message_at = UTCDateTimeAttribute()
    last_customer_message_at = UTCDateTimeAttribute(null=True)
    preview = UnicodeAttribute(default="")
    tags = UnicodeSetAttribute(default=set)
    archived_at = UTCDateTimeAttribute(null=True)
    delete_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)
    # Index keys, derived from the attributes above by the repository.
    state_pk = UnicodeAttribute()
    team_pk = UnicodeAttribute()
    owner_pk = UnicodeAttribute(null=True)
    created_sk = UnicodeAttribute()
    activity_sk = UnicodeAttribute()

    state_created = StateCreatedIndex()
    state_activity = StateActivityIndex()
    owner_created = OwnerCreatedIndex()
    owner_activity = OwnerActivityIndex()
    team_created = TeamCreatedIndex()
    team_activity = TeamActivityIndex()


class MessageItem(TableItem, discriminator="message"):
    message_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    direction = UnicodeAttribute()
    content_kind = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    status_at = UTCDateTimeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute(null=True)
    error = ErrorAttribute(null=True)
    raw = UnicodeAttribute(null=True)
    attachments = ListAttribute[AttachmentAttribute](of=AttachmentAttribute, null=True)


class ProviderMessageItem(TableItem, discriminator="provider_message"):
    """Maps a provider's message id to our message: the idempotency key of inbound delivery
    and the way a status callback finds the message it is about."""

    conversation_id = UnicodeAttribute()
    message_sk = UnicodeAttribute()


class OpenConversationItem(TableItem, discriminator="open_conversation"):
    """At most one open conversation per customer per channel account."""

    conversation_id = UnicodeAttribute()


class UserItem(TableItem, discriminator="user"):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    display_name = UnicodeAttribute()
    role = UnicodeAttribute()
    team_ids = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    # Administration (shared/storage/users.py): the user list is the USERS partition of `collection`.
    collection_pk = UnicodeAttribute(null=True)
    collection_sk = UnicodeAttribute(null=True)
    collection = CollectionIndex()


class TeamItem(TableItem, discriminator="team"):
    team_id = UnicodeAttribute()
    name = UnicodeAttribute()
    # Administration (shared/storage/teams.py): JSON of OfficeHours and AssignmentPolicy, and
    # the TEAMS partition of `collection`.
    office_hours = UnicodeAttribute(null=True)
    assignment = UnicodeAttribute(null=True)
    collection_pk = UnicodeAttribute(null=True)
    collection_sk = UnicodeAttribute(null=True)
    collection = CollectionIndex()


class ChannelAccountItem(TableItem, discriminator="channel_account"):
    account_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    name = UnicodeAttribute()
    # The provider's own id of this account (WhatsApp phone_number_id, Facebook page id, ...).
    provider_account_id = UnicodeAttribute()
    api_base_url = UnicodeAttribute()
    team_id = UnicodeAttribute()
    enabled = BooleanAttribute(default=True)
    # Administration (shared/storage/channel_accounts.py): the ACCOUNTS partition of `collection`.
    collection_pk = UnicodeAttribute(null=True)
    collection_sk = UnicodeAttribute(null=True)
    collection = CollectionIndex()
