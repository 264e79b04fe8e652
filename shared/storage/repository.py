"""Data access for conversations, messages, users, teams and channel accounts.

Every list reads by Query on the table or an index (never Scan) and pages with an opaque
cursor. Races are settled by DynamoDB condition expressions; botocore and PynamoDB errors are
translated into domain errors here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from types import EllipsisType
from typing import Any, Literal, TypeVar

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ChannelAccount,
    ContactCard,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryError,
    DeliveryStatus,
    Direction,
    InboundMessage,
    Location,
    MediaIssue,
    Message,
    Page,
    Role,
    StatusUpdate,
    StoryRef,
    Team,
    TemplateContent,
    User,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import QueryError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import Index
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .admin_cache import ACCOUNTS, TEAMS
from .admin_items import RoundRobinItem
from .customer_items import CustomerConversationItem, CustomerOpenItem
from .items import (
    AttachmentAttribute,
    ChannelAccountItem,
    ConversationItem,
    ConversationLinkItem,
    ErrorAttribute,
    MessageItem,
    OpenConversationItem,
    ProviderMessageItem,
    TableItem,
    TeamItem,
    TemplateAttribute,
    UserItem,
)
from .statistics import Tally, count_in
from .transact import cancellation_codes, commit

ListView = Literal["new", "mine", "assigned", "all"]
SortField = Literal["created", "activity"]

PREVIEW_LENGTH = 120
# How far back a watermark receipt (Messenger) reaches: Meta's longest reply allowance.
WATERMARK_REACH = timedelta(days=7)
_M = TypeVar("_M", bound=Model)


class AutoAssignOutcome(Enum):
    ASSIGNED = "assigned"
    # The conversation is no longer New (picked up, archived) or moved team: nothing to do.
    TAKEN = "taken"
    # Another assignment in the team came first: read the team again and decide anew.
    TEAM_MOVED = "team_moved"


@dataclass(frozen=True)
class IngestResult:
    conversation: Conversation
    message: Message
    created_conversation: bool


def _encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidInput("cursor is not a cursor this API returned", field="cursor") from error
    if not isinstance(decoded, dict):
        raise InvalidInput("cursor is not a cursor this API returned", field="cursor")
    return decoded


def _to_conversation(item: ConversationItem) -> Conversation:
    return Conversation(
        id=item.conversation_id,
        channel=Channel(item.channel),
        account_id=item.account_id,
        customer_id=item.customer_id,
        customer_name=item.customer_name,
        team_id=item.team_id,
        state=ConversationState(item.state),
        owner_id=item.owner_id,
        created_at=item.created_at,
        last_message_at=item.last_message_at,
        last_customer_message_at=item.last_customer_message_at,
        preview=item.preview,
        version=int(item.version),
        last_owner_id=item.last_owner_id,
        tags=tuple(sorted(item.tags or ())),
        archived_at=item.archived_at,
    )


def channel_account_item(account: ChannelAccount) -> ChannelAccountItem:
    return ChannelAccountItem(
        keys.account_pk(account.id), keys.ACCOUNT_SK, account_id=account.id, channel=account.channel.value,
        name=account.name, provider_account_id=account.provider_account_id, api_base_url=account.api_base_url,
        team_id=account.team_id, enabled=account.enabled,
        collection_pk=keys.ACCOUNTS_COLLECTION, collection_sk=f"{account.channel.value}#{account.id}",
    )


def to_channel_account(item: ChannelAccountItem) -> ChannelAccount:
    return ChannelAccount(
        id=item.account_id, channel=Channel(item.channel), name=item.name,
        provider_account_id=item.provider_account_id, api_base_url=item.api_base_url,
        team_id=item.team_id, enabled=bool(item.enabled))


def read_channel_account(account_id: str) -> ChannelAccount | None:
    """The account as the table holds it now (the administration reads it so)."""
    try:
        return to_channel_account(ChannelAccountItem.get(keys.account_pk(account_id), keys.ACCOUNT_SK))
    except ChannelAccountItem.DoesNotExist:
        return None


def _to_message(item: MessageItem) -> Message:
    error = None
    if item.error is not None:
        error = DeliveryError(code=item.error.code, message=item.error.message,
                              permanent=bool(item.error.permanent))
    return Message(
        id=item.message_id,
        conversation_id=item.conversation_id,
        direction=Direction(item.direction),
        kind=ContentKind(item.content_kind),
        text=item.text,
        sent_at=item.sent_at,
        status=DeliveryStatus(item.status),
        provider_message_id=item.provider_message_id,
        author_id=item.author_id,
        error=error,
        attachments=tuple(
            Attachment(key=a.key, content_type=a.content_type, filename=a.filename, size=int(a.size))
            for a in item.attachments or ()),
        template=None if item.template is None else TemplateContent(
            name=item.template.name, language=item.template.language,
            variables=list(item.template.variables or ())),
        channel=Channel(item.channel) if item.channel else None, account_id=item.account_id,
        customer_id=item.customer_id, sent_parts=tuple(item.sent_parts or ()),
        reply_payload=item.reply_payload,
        location=Location.model_validate_json(item.shared_location) if item.shared_location else None,
        contacts=tuple(ContactCard.model_validate(card) for card in json.loads(item.shared_contacts or "[]")),
        story=StoryRef.model_validate_json(item.story) if item.story else None,
        edited_at=item.edited_at, earlier_texts=tuple(item.earlier_texts or ()), reaction=item.reaction,
        media_issues=tuple(MediaIssue.model_validate(issue) for issue in json.loads(item.media_issues or "[]")),
    )


def attachment_kind(attachment: Attachment) -> ContentKind:
    major = attachment.content_type.split("/", 1)[0]
    return {"image": ContentKind.IMAGE, "audio": ContentKind.AUDIO, "video": ContentKind.VIDEO}.get(
        major, ContentKind.DOCUMENT)


# What the inbox list shows for a message without text (a photo without caption, a location).
_KIND_PREVIEWS = {
    ContentKind.IMAGE: "📷 Photo", ContentKind.VIDEO: "🎬 Video", ContentKind.AUDIO: "🎤 Audio message",
    ContentKind.DOCUMENT: "📄 Document", ContentKind.LOCATION: "📍 Location", ContentKind.CONTACTS: "👤 Contact card",
    ContentKind.UNSUPPORTED: "Unsupported message",
}


def _preview(kind: ContentKind, text: str | None) -> str:
    if text:
        return text[:PREVIEW_LENGTH]
    return _KIND_PREVIEWS.get(kind, f"[{kind.value}]")


@dataclass(frozen=True)
class _IndexKeys:
    """The partition keys that place a conversation on the inbox lists (the GSIs)."""

    state_pk: str
    team_pk: str
    # Only an assigned conversation is on its owner's list; a missing key keeps it off that index.
    owner_pk: str | None
    channel_pk: str
    # The agent who has or last had it: stays after handback and archive.
    handler_pk: str | None


def _index_keys(state: ConversationState, team_id: str, owner_id: str | None, *, channel: Channel,
                last_owner_id: str | None) -> _IndexKeys:
    owner_pk = keys.owner_list_pk(team_id, owner_id) if owner_id and state is ConversationState.ASSIGNED else None
    handler_pk = keys.handler_list_pk(team_id, last_owner_id) if last_owner_id else None
    return _IndexKeys(keys.state_list_pk(team_id, state.value), keys.team_list_pk(team_id), owner_pk,
                      keys.channel_list_pk(team_id, channel.value), handler_pk)


def index_key_actions(keys_: _IndexKeys) -> list[Action]:
    """The update actions that move a conversation's index keys to ``keys_`` (a missing key
    takes the conversation off that index)."""
    actions: list[Action] = [
        ConversationItem.state_pk.set(keys_.state_pk),
        ConversationItem.team_pk.set(keys_.team_pk),
        ConversationItem.channel_pk.set(keys_.channel_pk),
    ]
    actions.append(ConversationItem.owner_pk.set(keys_.owner_pk) if keys_.owner_pk
                   else ConversationItem.owner_pk.remove())
    actions.append(ConversationItem.handler_pk.set(keys_.handler_pk) if keys_.handler_pk
                   else ConversationItem.handler_pk.remove())
    return actions


def _inbound_message_item(event: InboundMessage, attachments: tuple[Attachment, ...]) -> MessageItem:
    """A customer's message as stored, not yet placed in its conversation (``_place_message``)."""
    return MessageItem(
        keys.conversation_pk(""), "",
        message_id=keys.message_id(event.sent_at, event.provider_message_id, event.sequence),
        direction=Direction.INBOUND.value, content_kind=event.kind.value, text=event.text,
        sent_at=event.sent_at, status=DeliveryStatus.RECEIVED.value,
        provider_message_id=event.provider_message_id,
        raw=json.dumps(event.raw) if event.raw is not None else None,
        attachments=[AttachmentAttribute(key=a.key, content_type=a.content_type, filename=a.filename,
                                         size=a.size) for a in attachments] or None,
        # Every inbound message names its route: a reply answers on the channel it came from.
        channel=event.channel.value, account_id=event.account_id, customer_id=event.customer_id,
        reply_payload=event.reply_payload,
        shared_location=event.location.model_dump_json() if event.location is not None else None,
        shared_contacts=json.dumps([card.model_dump() for card in event.contacts]) if event.contacts else None,
        story=event.story.model_dump_json() if event.story is not None else None,
        # The media worker copies the media after the message is stored (domain/media_copy.py).
        media_issues=json.dumps([MediaIssue(index=index, content_type=ref.content_type, filename=ref.filename,
                                            state="pending").model_dump() for index, ref in enumerate(event.media)])
        if event.media and not attachments else None,
    )


def customer_links(conversation_id: str, team_id: str, customer_id: str, customer_name: str | None,
                   created_sk: str, activity_sk: str) -> list[ConversationLinkItem]:
    """The lookup links that let an exact customer id or name find the conversation."""
    links = [ConversationLinkItem(
        keys.conversation_pk(conversation_id), keys.CUSTOMER_ID_LINK_SK, conversation_id=conversation_id,
        lookup_pk=keys.customer_lookup_pk(team_id, customer_id), created_sk=created_sk, activity_sk=activity_sk)]
    if customer_name and customer_name.strip():
        links.append(ConversationLinkItem(
            keys.conversation_pk(conversation_id), keys.CUSTOMER_NAME_LINK_SK, conversation_id=conversation_id,
            lookup_pk=keys.customer_lookup_pk(team_id, customer_name.strip()), created_sk=created_sk,
            activity_sk=activity_sk))
    return links


class ContactRepository:
    """DynamoDB implementation of the storage the use cases need."""

    def __init__(self) -> None:
        self._connection: Connection | None = None

    # --- channel accounts, users, teams -------------------------------------------------

    def get_channel_account(self, account_id: str) -> ChannelAccount | None:
        """The account as the message pipeline sees it: cached per container (storage/admin_cache.py)."""
        return ACCOUNTS.get(account_id, lambda: read_channel_account(account_id))

    def put_channel_account(self, account: ChannelAccount) -> None:
        channel_account_item(account).save()
        ACCOUNTS.invalidate(account.id)

    def get_user(self, user_id: str) -> User | None:
        item = self._get(UserItem, keys.user_pk(user_id), "USER")
        if item is None:
            return None
        return User(id=item.user_id, email=item.email, display_name=item.display_name,
                    role=Role(item.role), team_ids=tuple(item.team_ids or ()), mfa_enabled=bool(item.mfa_enabled))

    def put_user(self, user: User) -> None:
        UserItem(keys.user_pk(user.id), "USER", user_id=user.id, email=user.email,
                 display_name=user.display_name, role=user.role.value, team_ids=list(user.team_ids),
                 collection_pk=keys.USERS_COLLECTION, collection_sk=f"{user.email.lower()}#{user.id}").save()

    def put_team(self, team: Team) -> None:
        TeamItem(keys.team_pk(team.id), "TEAM", team_id=team.id, name=team.name,
                 collection_pk=keys.TEAMS_COLLECTION, collection_sk=f"{team.name.lower()}#{team.id}").save()
        TEAMS.invalidate(team.id)

    # --- conversations ------------------------------------------------------------------

    def get_conversation(self, conversation_id: str) -> Conversation:
        item = self._get(ConversationItem, keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        if item is None:
            raise NotFound(f"conversation {conversation_id} does not exist", field="conversation_id")
        return _to_conversation(item)

    def list_conversations(
        self,
        *,
        view: ListView,
        team_id: str,
        user_id: str,
        sort: SortField,
        ascending: bool,
        limit: int,
        cursor: str | None,
    ) -> Page[Conversation]:
        """One page of a tab. Each tab is one Query on one index, so a page costs the same
        whatever the number of conversations."""
        index: Index[ConversationItem]
        if view == "new":
            index_key = keys.state_list_pk(team_id, ConversationState.NEW.value)
            index = ConversationItem.state_created if sort == "created" else ConversationItem.state_activity
        elif view == "assigned":
            index_key = keys.state_list_pk(team_id, ConversationState.ASSIGNED.value)
            index = ConversationItem.state_created if sort == "created" else ConversationItem.state_activity
        elif view == "mine":
            index_key = keys.owner_list_pk(team_id, user_id)
            index = ConversationItem.owner_created if sort == "created" else ConversationItem.owner_activity
        else:
            index_key = keys.team_list_pk(team_id)
            index = ConversationItem.team_created if sort == "created" else ConversationItem.team_activity
        results: ResultIterator[ConversationItem] = index.query(
            index_key, scan_index_forward=ascending, limit=limit,
            last_evaluated_key=_decode_cursor(cursor),
        )
        try:
            items = [_to_conversation(item) for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this list", field="cursor") from error
        return Page[Conversation](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

    def open_conversation(self, account_id: str, customer_id: str) -> Conversation | None:
        """The customer's current conversation on this account (possibly archived: the pointer
        stays until a new conversation replaces it, so a reopen finds it)."""
        pointer = self._get(OpenConversationItem, keys.open_conversation_pk(account_id, customer_id), "OPEN")
        if pointer is None:
            return None
        item = self._get(ConversationItem, keys.conversation_pk(pointer.conversation_id), keys.CONVERSATION_SK)
        return None if item is None else _to_conversation(item)

    def has_provider_message(self, channel: Channel, account_id: str, provider_message_id: str) -> bool:
        """Whether this provider message id is stored already (a redelivery)."""
        return self._get(ProviderMessageItem, keys.provider_message_pk(channel.value, account_id,
                                                                       provider_message_id), "PMSG") is not None

    def ingest_message(self, event: InboundMessage, *, team_id: str, choose_team: Callable[[], str] | None = None,
                       attachments: tuple[Attachment, ...] = (), replaces: str | None = None,
                       profile_id: str | None = None, join: str | None = None,
                       open_id: str | EllipsisType | None = ...,
                       count_created: Callable[[Conversation], Tally] | None = None) -> IngestResult | None:
        """Store an inbound message (with its media, already copied to the media bucket) and
        create or touch its conversation. A new conversation goes to ``choose_team()`` (routing,
        called only then) or else ``team_id``.

        Returns None when the provider's message id was seen before (a redelivered webhook):
        the provider-id item is written in the same transaction as the message, with a
        condition that it does not exist yet. ``replaces`` names an archived conversation past
        its reopen period: the message starts a new conversation in its place.

        Customers: a new conversation goes on the list of the customer profile ``profile_id``
        (same transaction). ``join`` names the customer's open conversation on another channel
        (one open conversation per customer): instead of opening one, the message joins it and
        this address's open pointer points at it.

        ``open_id`` is the conversation the customer's open pointer names, when the caller has just
        read it (saves reading it again; the writes' conditions settle a race either way).

        Statistics: ``count_created`` tells the counters a new conversation moves; they move in
        the same transaction (a redelivery, stopped by the provider-id condition, counts nothing).
        """
        if open_id is ...:
            pointer = self._get(OpenConversationItem,
                                keys.open_conversation_pk(event.account_id, event.customer_id), "OPEN")
            open_id = pointer.conversation_id if pointer is not None else None
        replacing = open_id is not None and replaces is not None and open_id == replaces
        message = _inbound_message_item(event, attachments)
        joining = join is not None and (open_id is None or replacing)
        created = (open_id is None or replacing) and not joining
        if joining:
            assert join is not None
            conversation_id = join
        else:
            conversation_id = keys.new_conversation_id() if created or open_id is None else open_id
        if created and choose_team is not None:
            team_id = choose_team()
        self._place_message(message, conversation_id)
        provider_item = ProviderMessageItem(
            keys.provider_message_pk(event.channel.value, event.account_id, event.provider_message_id), "PMSG",
            conversation_id=conversation_id, message_sk=message.sk,
        )
        # The conversation this write opens, as written (a retried commit writes it again).
        opened: list[ConversationItem] = []

        def write(transaction: TransactWrite) -> None:
            opened.clear()
            transaction.save(provider_item, condition=ProviderMessageItem.pk.does_not_exist())
            transaction.save(message)
            if created:
                item = self._open(transaction, event, conversation_id, team_id, replaces if replacing else None,
                                  profile_id)
                opened.append(item)
                count_in(transaction, count_created(_to_conversation(item)) if count_created is not None else None)
            elif joining:
                self._join(transaction, event, conversation_id, replaces if replacing else None)

        try:
            commit(self._conn(), write)
        except TransactWriteError as error:
            reasons = cancellation_codes(error)
            # The provider-id put is the first put; a join's condition check goes before it.
            if reasons[1 if joining else 0:][:1] == ["ConditionalCheckFailed"]:
                return None
            if (created or joining) and "ConditionalCheckFailed" in reasons:
                # Another delivery opened the customer's conversation at the same moment:
                # let the queue retry, and the retry joins that conversation.
                raise Conflict("customer's conversation was opened concurrently") from error
            raise
        return IngestResult(conversation=self._as_left(opened[0] if opened else None, conversation_id, event),
                            message=_to_message(message), created_conversation=created)

    def _as_left(self, opened: ConversationItem | None, conversation_id: str, event: InboundMessage) -> Conversation:
        """The conversation as an ingest left it: known without reading it again, unless an older
        message (arriving late) left it untouched."""
        if opened is not None:
            # As stored (times in UTC whatever offset the provider's time had), without a read.
            return _to_conversation(ConversationItem.from_raw_data(opened.serialize()))
        return self._touch_conversation(conversation_id, event) or self.get_conversation(conversation_id)

    def import_conversations(self, threads: Iterable[Sequence[InboundMessage]], *, team_id: str) -> list[str]:
        """Store each thread (one customer's messages, oldest first) as a New conversation of
        ``team_id``, with the items ``ingest_message`` writes, in batch writes of 25 without
        conditions or transactions. For loading history where nothing of these customers exists
        yet (the local runtime's bulk seeding, a migration), never for live traffic: nothing
        here is idempotent or checks for an open conversation."""
        conversation_ids: list[str] = []
        with TableItem.batch_write() as batch:
            for thread in threads:
                first, last = thread[0], thread[-1]
                conversation_id = keys.new_conversation_id()
                item = self._new_conversation_item(first, conversation_id, team_id)
                item.last_message_at = item.last_customer_message_at = last.sent_at
                item.activity_sk = keys.time_sk(last.sent_at, conversation_id)
                item.preview = _preview(last.kind, last.text)
                batch.save(item)
                batch.save(OpenConversationItem(keys.open_conversation_pk(first.account_id, first.customer_id),
                                                "OPEN", conversation_id=conversation_id))
                for link in customer_links(conversation_id, team_id, first.customer_id, first.customer_name,
                                           item.created_sk, item.activity_sk):
                    batch.save(link)
                for event in thread:
                    message = _inbound_message_item(event, ())
                    self._place_message(message, conversation_id)
                    batch.save(message)
                    batch.save(ProviderMessageItem(
                        keys.provider_message_pk(event.channel.value, event.account_id, event.provider_message_id),
                        "PMSG", conversation_id=conversation_id, message_sk=message.sk))
                conversation_ids.append(conversation_id)
        return conversation_ids

    def _open(self, transaction: TransactWrite, event: InboundMessage, conversation_id: str, team_id: str,
              replaces: str | None, profile_id: str | None) -> ConversationItem:
        """The writes that open a conversation for the message (``replaces``: the archived one
        whose open pointer it takes over); returns the conversation item written."""
        conversation_item = self._new_conversation_item(event, conversation_id, team_id)
        transaction.save(conversation_item, condition=ConversationItem.pk.does_not_exist())
        transaction.save(
            OpenConversationItem(keys.open_conversation_pk(event.account_id, event.customer_id),
                                 "OPEN", conversation_id=conversation_id),
            condition=(OpenConversationItem.conversation_id == replaces) if replaces
            else OpenConversationItem.pk.does_not_exist(),
        )
        for link in customer_links(conversation_id, team_id, event.customer_id, event.customer_name,
                                   conversation_item.created_sk, conversation_item.activity_sk):
            transaction.save(link)
        if profile_id is not None:
            # On the customer's list of conversations, and among their open ones (storage/customers.py).
            transaction.save(CustomerConversationItem(
                keys.customer_pk(profile_id), keys.customer_conversation_sk(event.sent_at, conversation_id),
                conversation_id=conversation_id, channel=event.channel.value, account_id=event.account_id,
                created_at=event.sent_at))
            transaction.save(CustomerOpenItem(keys.customer_pk(profile_id), keys.customer_open_sk(conversation_id),
                                              conversation_id=conversation_id))
        return conversation_item

    @staticmethod
    def _join(transaction: TransactWrite, event: InboundMessage, conversation_id: str, replaces: str | None) -> None:
        """The writes that put the message in the customer's open conversation on another channel
        (one open conversation per customer): it must still be open, and this address's pointer
        now points at it."""
        transaction.condition_check(ConversationItem, keys.conversation_pk(conversation_id), keys.CONVERSATION_SK,
                                    condition=ConversationItem.state != ConversationState.ARCHIVED.value)
        transaction.save(
            OpenConversationItem(keys.open_conversation_pk(event.account_id, event.customer_id),
                                 "OPEN", conversation_id=conversation_id),
            condition=(OpenConversationItem.conversation_id == replaces) if replaces
            else OpenConversationItem.pk.does_not_exist(),
        )

    def _new_conversation_item(self, event: InboundMessage, conversation_id: str, team_id: str) -> ConversationItem:
        state = ConversationState.NEW
        index_keys = _index_keys(state, team_id, None, channel=event.channel, last_owner_id=None)
        return ConversationItem(
            keys.conversation_pk(conversation_id), keys.CONVERSATION_SK,
            conversation_id=conversation_id, channel=event.channel.value, account_id=event.account_id,
            customer_id=event.customer_id, customer_name=event.customer_name, team_id=team_id,
            state=state.value, owner_id=None, created_at=event.sent_at, last_message_at=event.sent_at,
            last_customer_message_at=event.sent_at, preview=_preview(event.kind, event.text), version=0,
            created_sk=keys.time_sk(event.sent_at, conversation_id),
            activity_sk=keys.time_sk(event.sent_at, conversation_id),
            state_pk=index_keys.state_pk, team_pk=index_keys.team_pk, owner_pk=index_keys.owner_pk,
            channel_pk=index_keys.channel_pk,
        )

    def _touch_conversation(self, conversation_id: str, event: InboundMessage) -> Conversation | None:
        """Move the conversation's activity forward and return it; an older message (arriving late)
        leaves it (None)."""
        item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        actions: list[Action] = [
            ConversationItem.last_message_at.set(event.sent_at),
            ConversationItem.last_customer_message_at.set(event.sent_at),
            ConversationItem.activity_sk.set(keys.time_sk(event.sent_at, conversation_id)),
            ConversationItem.preview.set(_preview(event.kind, event.text)),
        ]
        if event.customer_name:
            actions.append(ConversationItem.customer_name.set(event.customer_name))
        try:
            item.update(actions=actions, condition=ConversationItem.last_message_at <= event.sent_at)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return None
        if event.customer_name and event.customer_name.strip():
            ConversationLinkItem(
                keys.conversation_pk(conversation_id), keys.CUSTOMER_NAME_LINK_SK, conversation_id=conversation_id,
                lookup_pk=keys.customer_lookup_pk(item.team_id, event.customer_name.strip()),
                created_sk=item.created_sk, activity_sk=item.activity_sk).save()
        self.refresh_links(conversation_id, item.activity_sk)
        return _to_conversation(item)

    def refresh_links(self, conversation_id: str, activity_sk: str) -> None:
        """Carry the conversation's new last-message key to its lookup links (a handful: its tags
        and its customer id and name), so lookups sort by last message date too. A link whose
        key is already newer is left alone."""
        links: ResultIterator[ConversationLinkItem] = ConversationLinkItem.query(
            keys.conversation_pk(conversation_id), ConversationLinkItem.sk.startswith(keys.LINK_PREFIX))
        for link in links:
            if link.activity_sk >= activity_sk:
                continue
            try:
                link.update(actions=[ConversationLinkItem.activity_sk.set(activity_sk)],
                            condition=ConversationLinkItem.pk.exists())
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise

    def auto_assign(self, conversation_id: str, agent_id: str, team_id: str,
                    last_assigned: str | None, *, tally: Tally | None = None) -> AutoAssignOutcome:
        """Assign a New conversation as the team's round robin decided, in one transaction with
        the team's round-robin marker: the conversation must still be New, and the marker must
        still name ``last_assigned`` (the agent the decision started from). So two workers of one
        team never decide on the same picture of the team: the second one is told to read again.
        The statistics counters of the assignment (``tally``) move in the same transaction."""
        state = ConversationState.ASSIGNED
        conversation_item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        current = self.get_conversation(conversation_id)
        index_keys = _index_keys(state, current.team_id, agent_id, channel=current.channel, last_owner_id=agent_id)
        marker = RoundRobinItem(keys.team_pk(team_id), keys.ROUND_ROBIN_SK, last_user_id=agent_id)

        def write(transaction: TransactWrite) -> None:
            transaction.save(marker, condition=RoundRobinItem.pk.does_not_exist() if last_assigned is None
                             else RoundRobinItem.last_user_id == last_assigned)
            transaction.update(conversation_item, actions=[
                ConversationItem.state.set(state.value),
                ConversationItem.owner_id.set(agent_id),
                ConversationItem.last_owner_id.set(agent_id),
                *index_key_actions(index_keys),
                ConversationItem.version.add(1),
            ], condition=(ConversationItem.state == ConversationState.NEW.value)
                & (ConversationItem.team_id == team_id))
            count_in(transaction, tally)

        try:
            commit(self._conn(), write)
        except TransactWriteError as error:
            # Sent as: the marker (a put), then the conversation and the counters (updates).
            marker_reason, conversation_reason = [*cancellation_codes(error), None, None][:2]
            if conversation_reason == "ConditionalCheckFailed":
                return AutoAssignOutcome.TAKEN
            if marker_reason == "ConditionalCheckFailed":
                return AutoAssignOutcome.TEAM_MOVED
            raise
        return AutoAssignOutcome.ASSIGNED

    def waiting(self, team_id: str, *, page_size: int = 25) -> Iterator[Conversation]:
        """The team's New conversations, the longest waiting first (Query on the New list,
        paged lazily: the caller stops reading when no agent can take more)."""
        results: ResultIterator[ConversationItem] = ConversationItem.state_created.query(
            keys.state_list_pk(team_id, ConversationState.NEW.value), scan_index_forward=True, page_size=page_size)
        for item in results:
            yield _to_conversation(item)

    def assigned_count(self, owner_id: str, team_ids: Iterable[str]) -> int:
        """How many conversations are assigned to this agent in these teams (their Assigned-to-me
        lists, one per team: a Count Query on the owner index each)."""
        return sum(int(ConversationItem.owner_created.count(keys.owner_list_pk(team_id, owner_id)))
                   for team_id in dict.fromkeys(team_ids))

    # --- messages -----------------------------------------------------------------------

    def list_messages(self, conversation_id: str, *, limit: int, cursor: str | None,
                      newest_first: bool = False) -> Page[Message]:
        """One page of the thread in send order (message ids start with the send time), or
        newest first; a cursor continues in the order it was read in."""
        results: ResultIterator[TableItem] = TableItem.query(
            keys.conversation_pk(conversation_id), TableItem.sk.startswith("MSG#"),
            limit=limit, last_evaluated_key=_decode_cursor(cursor), scan_index_forward=not newest_first,
        )
        try:
            items = [_to_message(item) for item in results if isinstance(item, MessageItem)]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this conversation", field="cursor") from error
        return Page[Message](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

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
        return _to_message(found[-1]) if found else None

    def get_message(self, conversation_id: str, message_id: str) -> Message:
        item = self._get(MessageItem, keys.conversation_pk(conversation_id), keys.message_sk(message_id))
        if item is None:
            raise NotFound(f"message {message_id} does not exist", field="message_id")
        return _to_message(item)

    def add_outbound_message(self, conversation: Conversation, *, author_id: str, text: str | None,
                             sent_at: datetime, attachments: tuple[Attachment, ...] = (),
                             template: TemplateContent | None = None,
                             route: tuple[Channel, str, str] | None = None, tally: Tally | None = None,
                             owner_id: str | None = None) -> Message:
        """The agent's message, written only while the conversation exists and, given ``owner_id``,
        is still assigned to that owner (the state the sender checked): an archive, hand-back or
        reassignment in between refuses it with Conflict."""
        kind = ContentKind.TEXT if text or not attachments else attachment_kind(attachments[0])
        item = MessageItem(
            keys.conversation_pk(""), "", message_id=keys.message_id(sent_at),
            direction=Direction.OUTBOUND.value, content_kind=kind.value, text=text,
            sent_at=sent_at, status=DeliveryStatus.QUEUED.value, author_id=author_id,
            attachments=[AttachmentAttribute(key=a.key, content_type=a.content_type, filename=a.filename,
                                             size=a.size) for a in attachments] or None,
            template=None if template is None else TemplateAttribute(
                name=template.name, language=template.language, variables=list(template.variables)),
        )
        if route is not None:
            # Sent on another channel account than the conversation's own (it answers a message there).
            item.channel, item.account_id, item.customer_id = route[0].value, route[1], route[2]
        self._place_message(item, conversation.id)
        conversation_item = ConversationItem(keys.conversation_pk(conversation.id), keys.CONVERSATION_SK)

        def write(transaction: TransactWrite) -> None:
            transaction.save(item, condition=MessageItem.pk.does_not_exist())
            transaction.update(conversation_item, actions=[
                ConversationItem.last_message_at.set(sent_at),
                ConversationItem.activity_sk.set(keys.time_sk(sent_at, conversation.id)),
                ConversationItem.preview.set(_preview(kind, text)),
            ], condition=ConversationItem.pk.exists() if owner_id is None else (
                ConversationItem.pk.exists() & (ConversationItem.state == ConversationState.ASSIGNED.value)
                & (ConversationItem.owner_id == owner_id)))
            count_in(transaction, tally)  # the agent's reply, counted with the message

        try:
            commit(self._conn(), write)
        except TransactWriteError as error:
            if "ConditionalCheckFailed" not in cancellation_codes(error):
                raise
            raise Conflict(f"conversation {conversation.id} was archived, handed back or reassigned meanwhile; "
                           "nothing was sent", field="conversation_id") from error
        self.refresh_links(conversation.id, keys.time_sk(sent_at, conversation.id))
        return _to_message(item)

    def record_parts(self, conversation_id: str, message_id: str, part_ids: Sequence[str]) -> None:
        """The parts of a multi-part reply the provider took so far, noted as each one goes (a
        retry resumes after them). Only while the message is still queued."""
        item = MessageItem(keys.conversation_pk(conversation_id), keys.message_sk(message_id))
        try:
            item.update(actions=[MessageItem.sent_parts.set(list(part_ids))],
                        condition=MessageItem.pk.exists() & (MessageItem.status == DeliveryStatus.QUEUED.value))
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def record_sent(self, conversation_id: str, message_id: str, provider_message_id: str,
                    channel: Channel, account_id: str, at: datetime, part_ids: Sequence[str] = ()) -> None:
        """The provider accepted the message: remember its id (and every part's, for a reply sent
        as several provider messages) so status callbacks find it."""
        message_key = keys.message_sk(message_id)
        with TransactWrite(connection=self._conn()) as transaction:
            for provider_id in dict.fromkeys([provider_message_id, *part_ids]):
                transaction.save(ProviderMessageItem(
                    keys.provider_message_pk(channel.value, account_id, provider_id), "PMSG",
                    conversation_id=conversation_id, message_sk=message_key,
                ))
            transaction.update(
                MessageItem(keys.conversation_pk(conversation_id), message_key),
                actions=[MessageItem.provider_message_id.set(provider_message_id)],
                condition=MessageItem.pk.exists(),
            )
        self._advance_status(conversation_id, message_key, DeliveryStatus.SENT, at, None)

    def record_failure(self, conversation_id: str, message_id: str, error: DeliveryError, at: datetime) -> None:
        self._advance_status(conversation_id, keys.message_sk(message_id), DeliveryStatus.FAILED, at, error)

    def apply_status(self, update: StatusUpdate) -> bool:
        """Apply a provider's status callback; False when the message is unknown or the status
        would move it backwards (statuses arrive in any order)."""
        if update.watermark is not None:
            return self._apply_watermark(update, update.watermark)
        pointer = self._get(
            ProviderMessageItem,
            keys.provider_message_pk(update.channel.value, update.account_id, update.provider_message_id), "PMSG",
        )
        if pointer is None:
            return False
        error = None
        if update.status is DeliveryStatus.FAILED:
            error = DeliveryError(code=update.error_code or "unknown",
                                  message=update.error_message or "the provider reported a failure",
                                  permanent=True)
        return self._advance_status(pointer.conversation_id, pointer.message_sk, update.status,
                                    update.occurred_at, error)

    def provider_message_target(self, channel: Channel, account_id: str,
                                provider_message_id: str) -> tuple[str, str] | None:
        """(conversation id, message id) of the message a provider's id names, if stored."""
        pointer = self._get(ProviderMessageItem, keys.provider_message_pk(channel.value, account_id,
                                                                          provider_message_id), "PMSG")
        if pointer is None:
            return None
        return pointer.conversation_id, pointer.message_sk.removeprefix("MSG#")

    def _apply_watermark(self, update: StatusUpdate, watermark: datetime) -> bool:
        """A receipt for everything sent before ``watermark``: move each earlier outbound message of
        the customer's open conversation forward. One Query on the thread, bounded in time."""
        pointer = self._get(OpenConversationItem,
                            keys.open_conversation_pk(update.account_id, update.customer_id), "OPEN")
        if pointer is None:
            return False
        lower = [s.value for s in DeliveryStatus if 0 < s.rank < update.status.rank]
        results: ResultIterator[TableItem] = TableItem.query(
            keys.conversation_pk(pointer.conversation_id),
            TableItem.sk.between(keys.message_sk_bound(watermark - WATERMARK_REACH, upper=False),
                                 keys.message_sk_bound(watermark, upper=True)),
            filter_condition=(MessageItem.direction == Direction.OUTBOUND.value) & MessageItem.status.is_in(*lower),
        )
        advanced = False
        for item in results:
            if isinstance(item, MessageItem):
                advanced |= self._advance_status(pointer.conversation_id, item.sk, update.status,
                                                 update.occurred_at, None)
        return advanced

    def _advance_status(self, conversation_id: str, message_key: str, status: DeliveryStatus, at: datetime,
                        error: DeliveryError | None) -> bool:
        item = MessageItem(keys.conversation_pk(conversation_id), message_key)
        actions: list[Any] = [MessageItem.status.set(status.value), MessageItem.status_at.set(at)]
        if error is not None:
            actions.append(MessageItem.error.set(
                ErrorAttribute(code=error.code, message=error.message, permanent=error.permanent)))
        lower = [s.value for s in DeliveryStatus if s.rank < status.rank]
        condition: Condition = MessageItem.pk.exists() & MessageItem.status.is_in(*lower)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error_:
            if error_.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _place_message(item: MessageItem, conversation_id: str) -> None:
        item.pk = keys.conversation_pk(conversation_id)
        item.sk = keys.message_sk(item.message_id)
        item.conversation_id = conversation_id

    def _conn(self) -> Connection:
        if self._connection is None:
            self._connection = Connection(region=TableItem.Meta.region)
        return self._connection

    @staticmethod
    def _get(model: type[_M], pk: str, sk: str) -> _M | None:
        try:
            return model.get(pk, sk)
        except model.DoesNotExist:
            return None
