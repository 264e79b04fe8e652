"""How conversations and messages map to their items: the domain values from the items, the index
keys that place a conversation on the inbox lists, a customer's message as stored, the lookup links.
Shared by the conversation and message stores, the lifecycle and the lists."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain import ids
from chalicelib.domain.models import (
    Attachment,
    Channel,
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
    StoryRef,
    SystemEvent,
    TemplateContent,
)
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, Index

from . import keys
from .items import AttachmentAttribute, ConversationItem, ConversationLinkItem, MessageItem


def to_conversation(item: ConversationItem) -> Conversation:
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
        waiting_since=item.waiting_since,
        awaiting_customer_since=item.awaiting_customer_since,
        seen_at=item.seen_at,
        first_response_at=item.first_response_at,
    )


def to_message(item: MessageItem) -> Message:
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
            variables=list(item.template.variables or ()),
            parameter_names=None if item.template.parameter_names is None else list(item.template.parameter_names)),
        channel=Channel(item.channel) if item.channel else None, account_id=item.account_id,
        customer_id=item.customer_id, sent_parts=tuple(item.sent_parts or ()),
        reply_payload=item.reply_payload,
        location=Location.model_validate_json(item.shared_location) if item.shared_location else None,
        contacts=tuple(ContactCard.model_validate(card) for card in json.loads(item.shared_contacts or "[]")),
        story=StoryRef.model_validate_json(item.story) if item.story else None,
        edited_at=item.edited_at, earlier_texts=tuple(item.earlier_texts or ()), reaction=item.reaction,
        media_issues=tuple(MediaIssue.model_validate(issue) for issue in json.loads(item.media_issues or "[]")),
        subject=item.subject,
        event=SystemEvent.model_validate_json(item.system_event) if item.system_event else None,
    )


def read_conversations(index: Index[ConversationItem], entries: Iterable[ConversationItem]) -> list[Conversation]:
    """A page of a list index as conversations, in the index's order: straight from an index that
    carries every attribute; from one that carries the keys, by one BatchGetItem of the
    conversations (resources.py says which index carries what)."""
    if isinstance(index.Meta.projection, AllProjection):
        return [to_conversation(item) for item in entries]
    return conversations_by_keys([(item.pk, item.sk) for item in entries])


def conversations_by_keys(item_keys: list[tuple[str, str]]) -> list[Conversation]:
    """The conversation items of these table keys (one BatchGetItem per 100), in the given order;
    one deleted meanwhile (a purge) is left out."""
    wanted = list(dict.fromkeys(item_keys))
    if not wanted:
        return []
    found = {(item.pk, item.sk): to_conversation(item) for item in ConversationItem.batch_get(wanted)}
    return [found[key] for key in wanted if key in found]


@dataclass(frozen=True)
class IndexKeys:
    """The partition keys that place a conversation on the inbox lists (the GSIs)."""

    state_pk: str
    team_pk: str
    # Only an assigned conversation is on its owner's list; a missing key keeps it off that index.
    owner_pk: str | None


def list_keys(state: ConversationState, team_id: str, owner_id: str | None) -> IndexKeys:
    owner_pk = keys.owner_list_pk(team_id, owner_id) if owner_id and state is ConversationState.ASSIGNED else None
    return IndexKeys(keys.state_list_pk(team_id, state.value), keys.team_list_pk(team_id), owner_pk)


def index_key_actions(keys_: IndexKeys) -> list[Action]:
    """The update actions that move a conversation's index keys to ``keys_`` (a missing key
    takes the conversation off that index)."""
    actions: list[Action] = [
        ConversationItem.state_pk.set(keys_.state_pk),
        ConversationItem.team_pk.set(keys_.team_pk),
    ]
    actions.append(ConversationItem.owner_pk.set(keys_.owner_pk) if keys_.owner_pk
                   else ConversationItem.owner_pk.remove())
    return actions


def deletion_date_actions(conversation_id: str, delete_at: str) -> list[Action]:
    """The update actions that give an archived conversation its deletion date and its entry in the
    ``due`` index, where the hourly sweep finds it (one of ``DUE_SHARDS`` partitions)."""
    return [ConversationItem.delete_at.set(delete_at), ConversationItem.due_pk.set(keys.due_pk(conversation_id)),
            ConversationItem.due_sk.set(keys.due_sk(delete_at, conversation_id))]


def inbound_message_item(event: InboundMessage, attachments: tuple[Attachment, ...]) -> MessageItem:
    """A customer's message as stored, not yet placed in its conversation (``place_message``)."""
    return MessageItem(
        keys.conversation_pk(""), "",
        message_id=ids.message_id(event.sent_at, event.provider_message_id, event.sequence),
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


def system_line_item(line: Message) -> MessageItem:
    """A system line (domain/story.py) as stored, in its conversation's partition: saved in the
    transaction of the change it tells."""
    assert line.event is not None
    item = MessageItem(
        keys.conversation_pk(""), "", message_id=line.id, direction=line.direction.value,
        content_kind=line.kind.value, text=line.text, sent_at=line.sent_at, status=line.status.value,
        author_id=line.author_id, system_event=line.event.model_dump_json(exclude_defaults=True))
    place_message(item, line.conversation_id)
    return item


def customer_links(conversation_id: str, team_id: str, customer_id: str, customer_name: str | None,
                   created_sk: str) -> list[ConversationLinkItem]:
    """The lookup links that let an exact customer id or name find the conversation (on
    ``lookup-created`` only: no activity key, so a message never rewrites them)."""
    links = [ConversationLinkItem(
        keys.conversation_pk(conversation_id), keys.CUSTOMER_ID_LINK_SK, conversation_id=conversation_id,
        lookup_pk=keys.customer_lookup_pk(team_id, customer_id), created_sk=created_sk)]
    if customer_name and customer_name.strip():
        links.append(customer_name_link(conversation_id, team_id, customer_name, created_sk))
    return links


def customer_name_link(conversation_id: str, team_id: str, customer_name: str, created_sk: str) -> ConversationLinkItem:
    """The link that lets the customer's exact name find the conversation (one per conversation:
    a new name moves it)."""
    return ConversationLinkItem(
        keys.conversation_pk(conversation_id), keys.CUSTOMER_NAME_LINK_SK, conversation_id=conversation_id,
        lookup_pk=keys.customer_lookup_pk(team_id, customer_name.strip()), created_sk=created_sk)


def place_message(item: MessageItem, conversation_id: str) -> None:
    """Put a message item into its conversation's partition, keyed by its (sortable) id."""
    item.pk = keys.conversation_pk(conversation_id)
    item.sk = keys.message_sk(item.message_id)
    item.conversation_id = conversation_id
