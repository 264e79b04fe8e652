"""PynamoDB models of the single table: one base model with pk/sk and a discriminator,
one subclass per entity. These models never leave ``storage``: the repository turns them
into domain models.

Keys (see docs/data-model.md for the access patterns):

=================  ==============================  =================================================
entity             pk                              sk
=================  ==============================  =================================================
conversation       CONV#<id>                       CONVERSATION
message            CONV#<id>                       MSG#<sent_at>#<message id>
provider id        PMSG#<channel>#<account>#<id>   PMSG
open pointer       OPEN#<account>#<customer>       OPEN
user               USER#<id>                       USER
team               TEAM#<id>                       TEAM
channel account    ACCOUNT#<id>                    ACCOUNT
lookup link        CONV#<id>                       LINK#ID | LINK#NAME | LINK#TAG#<tag>
note               CONV#<id>                       NOTE#<millis>-<suffix>
tag definition     TAGS                            TAG#<tag>
quick reply group  QUICKREPLIES                    G#<group id>
quick reply        QUICKREPLIES                    R#<reply id>
template           TPL#<account>                   <name>#<language>
statistics         STATS#<team>                    H#<hour>#T<n> | H#<hour>#A#<agent> | CURRENT#<n>
=================  ==============================  =================================================
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import resources
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
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

_INDEXES = {index.name: index for index in resources.TABLE.indexes}


def _index_meta(name: str) -> type:
    index = _INDEXES[name]

    class Meta:
        index_name = index.name
        projection = IncludeProjection(list(index.include)) if index.include else AllProjection()

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


class CollectionIndex(GlobalSecondaryIndex["TableItem"]):
    """Administration lists and presence (see keys.*_COLLECTION and keys.presence_pk)."""

    Meta = _index_meta("collection")
    collection_pk = UnicodeAttribute(hash_key=True)
    collection_sk = UnicodeAttribute(range_key=True)


class LookupCreatedIndex(GlobalSecondaryIndex["ConversationLinkItem"]):
    Meta = _index_meta("lookup-created")
    lookup_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class LookupActivityIndex(GlobalSecondaryIndex["ConversationLinkItem"]):
    Meta = _index_meta("lookup-activity")
    lookup_pk = UnicodeAttribute(hash_key=True)
    activity_sk = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Base of every item in the table."""

    class Meta:
        # Which table: bound by the composition (storage/binding.py ``bind_table``, called by
        # wiring.py), not when this module is imported. Unbound, every request fails.
        table_name = ""
        region = ""

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


class TemplateAttribute(MapAttribute[str, Any]):
    name = UnicodeAttribute()
    language = UnicodeAttribute()
    variables = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    # Named variables' names, in the order of ``variables`` (absent: positional).
    parameter_names = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]


class ConversationItem(TableItem, discriminator="conversation"):
    conversation_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute(null=True)
    # The name a customer's message found before it set its own (the same update): the name
    # link moves only when they differ (storage/conversations.py ``_touch_conversation``).
    name_before = UnicodeAttribute(null=True)
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
    # The queue's clocks (domain Conversation): who waits for whom since when, the owner's last look.
    waiting_since = UTCDateTimeAttribute(null=True)
    awaiting_customer_since = UTCDateTimeAttribute(null=True)
    seen_at = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=0)
    # The due index's keys (keys.due_pk, due_sk): only while archived with a deletion date.
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)
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
    # The agent who had the conversation before it was handed back or archived (reopen target;
    # the agent filter of the All tab).
    last_owner_id = UnicodeAttribute(null=True)


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
    # An outbound template message: the approved template and its filled-in variables.
    template = TemplateAttribute(null=True)
    # --- customers: the message's route when it is not the conversation's own channel account
    # and customer id (one open conversation per customer across channels) ---
    channel = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    # An outbound reply sent as several provider messages: the ids of the parts sent so far.
    sent_parts = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    # A reply chosen from buttons or a list: the option's payload.
    reply_payload = UnicodeAttribute(null=True)
    # A shared location and shared contact cards, as the domain models' JSON.
    shared_location = UnicodeAttribute(null=True)
    shared_contacts = UnicodeAttribute(null=True)
    # A story mention or reply (the domain model's JSON); the customer's edits and reaction.
    story = UnicodeAttribute(null=True)
    edited_at = UTCDateTimeAttribute(null=True)
    earlier_texts = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    reaction = UnicodeAttribute(null=True)
    # Media not (yet) copied into the bucket: the domain MediaIssue list as JSON.
    media_issues = UnicodeAttribute(null=True)
    # An agent's email that starts a new thread: its subject.
    subject = UnicodeAttribute(null=True)
    # A system line (direction "system"): the domain SystemEvent as JSON.
    system_event = UnicodeAttribute(null=True)


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
    mfa_enabled = BooleanAttribute(null=True)
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


# --- the agents' daily work: lookup links, notes, tags, quick replies, templates, statistics
# (service settings and presence are the administration's items: admin_items.py) ---


class ConversationLinkItem(TableItem, discriminator="conversation_link"):
    """Places a conversation on a lookup list (a tag, a customer id or name). Carries copies of
    the conversation's sort keys; the page is read back from the conversations themselves."""

    conversation_id = UnicodeAttribute()
    lookup_pk = UnicodeAttribute()
    created_sk = UnicodeAttribute()
    # Only on tag links, carried forward with every message (``refresh_tag_links``): a customer's
    # links are on ``lookup-created`` only, and their list by last message is sorted when read
    # (storage/listing.py), so a message does not move them (issue 19).
    activity_sk = UnicodeAttribute(null=True)
    lookup_created = LookupCreatedIndex()
    lookup_activity = LookupActivityIndex()


class StatsCounterItem(TableItem, discriminator="stats"):
    """A team's counters of one hour, or its occupancy gauges. Only ever updated (ADD), never
    saved: the counters are attributes named at write time (``n:<name>``, storage/statistics.py),
    and the item carries no ``kind``."""


class NoteItem(TableItem, discriminator="note"):
    note_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class TagDefinitionItem(TableItem, discriminator="tag_definition"):
    tag = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class QuickReplyGroupItem(TableItem, discriminator="quick_reply_group"):
    group_id = UnicodeAttribute()
    name = UnicodeAttribute()


class QuickReplyItem(TableItem, discriminator="quick_reply"):
    reply_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    text = UnicodeAttribute()


class TemplateItem(TableItem, discriminator="template"):
    account_id = UnicodeAttribute()
    name = UnicodeAttribute()
    language = UnicodeAttribute()
    body = UnicodeAttribute()
    parameters = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    # What each variable means, by variable name.
    labels = MapAttribute[str, str](null=True)
