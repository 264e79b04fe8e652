"""Domain models: what the use cases take and return. No HTTP, no Lambda event, no PynamoDB."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from chalicelib.core.model_base import Model
from pydantic import ConfigDict, Field, computed_field

from .text_safety import OptionalLabel, Text

T = TypeVar("T")


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"
    SMS = "sms"
    VIBER = "viber"
    EMAIL = "email"
    # The generic API channel: an integrator's own system posts and receives messages
    # (shared/channels/api_channel.py, docs/api-channel.md).
    API = "api"


class ContentKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"
    LOCATION = "location"
    CONTACTS = "contacts"
    UNSUPPORTED = "unsupported"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    # A line of the conversation's story (picked up, assigned, archived, ...): written with the
    # change it tells, never sent to anyone (``Message.event``).
    SYSTEM = "system"


class DeliveryStatus(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        """Statuses only move forward: a late 'sent' never overwrites 'read'."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    DeliveryStatus.RECEIVED: 0,
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


class StatusOutcome(StrEnum):
    """What a provider's status callback did to the message it names (``DeliveryStatuses.apply_status``)."""

    APPLIED = "applied"  # the message moved forward
    ALREADY_FURTHER = "already_further"  # known, and as far or further: statuses arrive in any order
    UNKNOWN = "unknown"  # no stored message carries the provider's id (yet: the send may not have recorded it)


class ConversationState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ARCHIVED = "archived"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    AGENT = "agent"
    WATCHER = "watcher"
    DISABLED = "disabled"
    # Handbook 003: monitors every team, assigns conversations, reads statistics; changes no settings.
    SUPERVISOR = "supervisor"


class Frozen(Model):
    model_config = ConfigDict(frozen=True)


# --- Canonical inbound events: what every channel's webhook is normalised into. ---------


class MediaRef(Frozen):
    """Media as the provider announced it, before it is copied into the media bucket. Adapters
    fill what their provider gives: an id to resolve through the provider's API, or a URL on the
    provider's own host."""

    provider_media_id: str | None = None
    url: str | None = None
    content_type: str | None = None
    filename: str | None = None
    size: int | None = None


class Location(Frozen):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class ContactCard(Frozen):
    """A contact the customer shared (vCard-like)."""

    name: str
    phones: list[str] = []
    emails: list[str] = []


class StoryRef(Frozen):
    """An Instagram story the message is about: the customer mentioned the account in their
    story, or replied to one of the account's stories. Only the link is kept (Meta forbids
    storing story media); it stops working when the story expires."""

    kind: Literal["mention", "reply"]
    url: str | None = None
    story_id: str | None = None


class InboundMessage(Frozen):
    type: Literal["message"] = "message"
    channel: Channel
    account_id: str
    provider_message_id: str
    customer_id: str
    # As a screen shows them: no bidirectional overrides, invisible characters or controls.
    customer_name: OptionalLabel | None = None
    sent_at: datetime
    kind: ContentKind
    text: Text | None = None
    media: list[MediaRef] = []
    location: Location | None = None
    contacts: list[ContactCard] = []
    # The customer's language as the channel reports it (BCP 47, e.g. "nl" or "pt-BR"), for routing.
    language: str | None = None
    # A reply the customer chose from buttons or a list we sent (WhatsApp interactive and
    # template quick-reply buttons, Telegram callback queries, Messenger quick replies): the
    # chosen title is the text, this is the option's payload, for integrators and consent.
    reply_payload: str | None = None
    # A button press the provider waits to hear we received (Telegram's callback query id): the
    # routing worker answers it once the message is stored.
    choice_id: str | None = None
    # The provider's own order of the message, where it has one (Telegram's message_id, the
    # position within a batched delivery): the tie-breaker of messages sent in one second.
    sequence: int | None = None
    # A story mention or story reply (Instagram).
    story: StoryRef | None = None
    # The customer edited an earlier message (Telegram edited_message): the provider id of the
    # original, which takes this text; the message itself is not stored.
    edit_of: str | None = None
    # The customer reacted to a message (WhatsApp, Messenger, Instagram): the provider id of the
    # message and the emoji ("" when the reaction was removed); not stored as a message itself.
    reaction_to: str | None = None
    reaction: str | None = None
    # The provider's own payload of this message, kept for unsupported kinds so nothing is dropped.
    raw: dict[str, Any] | None = None


class StatusUpdate(Frozen):
    type: Literal["status"] = "status"
    channel: Channel
    account_id: str
    provider_message_id: str
    customer_id: str
    status: DeliveryStatus
    occurred_at: datetime
    error_code: str | None = None
    error_message: str | None = None
    # Set when the provider reports a watermark instead of message ids (Messenger's delivery and
    # read receipts): the status then applies to every message we sent the customer up to this
    # moment, and provider_message_id only names the receipt (for deduplication).
    watermark: datetime | None = None
    # The failure says the customer opted out (Twilio 21610): the status worker records it
    # (domain/statuses.py, consent_recorder.py).
    opted_out: bool = False

    @property
    def repeats_the_send(self) -> bool:
        """Whether the status can only repeat what our send recorded: "sent" (or "queued") from the
        provider, naming a message. A status finds its message by the provider id the send records
        when the provider accepts it, and the send marks the message sent then; so such a status,
        before or after that, never moves a message. (A watermark finds messages another way.)"""
        return self.status.rank <= DeliveryStatus.SENT.rank and self.watermark is None and not self.opted_out


class ConsentSignal(Frozen):
    """The provider says the customer unsubscribed or subscribed again (Viber ``unsubscribed`` /
    ``subscribed``); routing records it on the address's consent (domain/consent.py)."""

    type: Literal["consent"] = "consent"
    channel: Channel
    account_id: str
    customer_id: str
    opted_out: bool
    occurred_at: datetime
    # The provider's id of the event: a redelivery is recorded once.
    provider_event_id: str
    detail: str = ""


class UnreadableEvent(Frozen):
    """One event of an authentic delivery that the adapter could not read (a shape it does not
    know, a field it needs missing). The rest of the delivery goes on; this part is kept with
    its raw payload and the reason, for an operator to look at (storage/unreadable_events.py)."""

    type: Literal["unreadable"] = "unreadable"
    channel: Channel
    account_id: str
    # The customer when the part names one (else empty): keeps it in that customer's FIFO group.
    customer_id: str = ""
    reason: str
    # Where in the delivery it was (``entry[0].changes[1].value.statuses[0]``).
    location: str
    raw: str
    # A digest of the raw part: a redelivery is kept once.
    provider_event_id: str
    received_at: datetime


# What an adapter's parse() produces from a webhook.
ChannelEvent = InboundMessage | StatusUpdate | ConsentSignal | UnreadableEvent
InboundEvent = Annotated[InboundMessage | StatusUpdate | ConsentSignal | UnreadableEvent,
                         Field(discriminator="type")]


class InboundEnvelope(Frozen):
    """The body of one inbound queue message."""

    event: InboundEvent


class StatusEnvelope(Frozen):
    """The body of one statuses queue message (the same JSON as an InboundEnvelope of a status)."""

    event: StatusUpdate


# --- Stored entities as the use cases see them. ------------------------------------------


class DeliveryError(Frozen):
    code: str
    message: str
    permanent: bool


class Conversation(Frozen):
    id: str
    channel: Channel
    account_id: str
    customer_id: str
    customer_name: str | None
    team_id: str
    state: ConversationState
    owner_id: str | None
    created_at: datetime
    last_message_at: datetime
    last_customer_message_at: datetime | None
    preview: str
    version: int
    # The agent who had it before a handback or archive: a reopened conversation goes back to them.
    last_owner_id: str | None = None
    tags: tuple[str, ...] = ()
    archived_at: datetime | None = None
    # The customer waits for an answer since their first message after our last reply (None: the
    # last word was ours, or nothing came yet); we wait for the customer since our last reply.
    waiting_since: datetime | None = None
    awaiting_customer_since: datetime | None = None
    # When the agent who has it last opened it (POST /conversations/{id}/seen): a customer message
    # after that is unread. Cleared when someone else takes it.
    seen_at: datetime | None = None
    # The first reply of an agent (first response time), once.
    first_response_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unread(self) -> bool:
        """Whether the customer's latest message is newer than the owner's last look."""
        if self.last_customer_message_at is None:
            return False
        return self.seen_at is None or self.seen_at < self.last_customer_message_at

    def answered(self, kind: ContentKind, text: str | None, at: datetime) -> Conversation:
        """The conversation as an agent's message sent ``at`` leaves it: what the write of that
        message sets (storage/messages.py ``add_outbound_message``), without reading it again."""
        return self.model_copy(update={
            "last_message_at": at, "preview": preview_of(kind, text), "awaiting_customer_since": at,
            "waiting_since": None, "first_response_at": self.first_response_at or at})


class Attachment(Frozen):
    """A media object in our media bucket (inbound media copied from the provider, or an agent's
    upload); agents reach it through short-lived signed URLs only."""

    key: str
    content_type: str
    filename: str | None = None
    size: int



# A conversation's list entry shows this much of its last message.
PREVIEW_LENGTH = 120


def attachment_kind(attachment: Attachment) -> ContentKind:
    """What a message that is only this attachment is (image, audio, video, else a document)."""
    major = attachment.content_type.split("/", 1)[0]
    return {"image": ContentKind.IMAGE, "audio": ContentKind.AUDIO, "video": ContentKind.VIDEO}.get(
        major, ContentKind.DOCUMENT)


# What the inbox list shows for a message without text (a photo without caption, a location).
_KIND_PREVIEWS = {
    ContentKind.IMAGE: "📷 Photo", ContentKind.VIDEO: "🎬 Video", ContentKind.AUDIO: "🎤 Audio message",
    ContentKind.DOCUMENT: "📄 Document", ContentKind.LOCATION: "📍 Location", ContentKind.CONTACTS: "👤 Contact card",
    ContentKind.UNSUPPORTED: "Unsupported message",
}


def preview_of(kind: ContentKind, text: str | None) -> str:
    """The list entry's preview of a message: its text, shortened, or what kind of message it is."""
    if text:
        return text[:PREVIEW_LENGTH]
    return _KIND_PREVIEWS.get(kind, f"[{kind.value}]")

class MediaIssue(Frozen):
    """A media object of an inbound message that is not (yet) in the media bucket: being copied,
    waiting for a retry, or given up on, with the reason the agent sees."""

    index: int
    content_type: str | None = None
    filename: str | None = None
    state: Literal["pending", "retrying", "failed"]
    reason: str | None = None


class MediaCopyRequest(Frozen):
    """The body of one media queue message: copy these media of a stored inbound message."""

    conversation_id: str
    message_id: str
    account_id: str
    media: list[MediaRef]
    # Positions of the media among the message's, in the same order as ``media``.
    indexes: list[int]
    attempt: int = 0
    first_queued_at: datetime


class SystemEventKind(StrEnum):
    """What a system line of the thread tells (domain/story.py)."""

    PICKED_UP = "picked_up"
    ASSIGNED = "assigned"
    HANDED_BACK = "handed_back"
    ARCHIVED = "archived"
    REOPENED = "reopened"
    MERGED = "merged"
    OPTED_OUT = "opted_out"
    OUT_OF_OFFICE_SENT = "out_of_office_sent"
    TEMPLATE_WINDOW_CLOSED = "template_window_closed"


class SystemEvent(Frozen):
    """A line of the conversation's story: who did what. Names as they were at the time, so the
    thread and its exports read without a lookup."""

    kind: SystemEventKind
    # Who did it (None: the system, e.g. automatic assignment or the customer's own message).
    actor_id: str | None = None
    actor_name: str | None = None
    # Whom it went to (assigned to, reopened to).
    agent_id: str | None = None
    agent_name: str | None = None
    # Archived with these tags.
    tags: tuple[str, ...] = ()
    # What else the line names: the template sent, the channel opted out on.
    detail: str | None = None
    # A merge of customer profiles: the profile merged (its name, else an address) into the one kept.
    merged_from: str | None = None
    merged_into: str | None = None


class TemplateContent(Frozen):
    """An approved provider template (WhatsApp) with its body variables in order ({{1}}, {{2}}, ...)."""

    name: str
    language: str
    variables: list[str] = []
    # The variables' names when the template has named ones ({{first_name}}): sent as ``parameter_name``.
    parameter_names: list[str] | None = None


class Message(Frozen):
    id: str
    conversation_id: str
    direction: Direction
    kind: ContentKind
    text: str | None
    sent_at: datetime
    status: DeliveryStatus
    provider_message_id: str | None
    author_id: str | None
    error: DeliveryError | None = None
    # Media in the media bucket: inbound media copied from the provider, or an agent's uploads
    # (a tuple: read-only, and MessageOut narrows it).
    attachments: tuple[Attachment, ...] = ()
    # An outbound template message: the template sent (its stored text is the filled body).
    template: TemplateContent | None = None
    # The route of the message when it is not the conversation's own (one open conversation per
    # customer: a customer message from another channel, and a reply that answers it there).
    channel: Channel | None = None
    account_id: str | None = None
    customer_id: str | None = None
    # An outbound reply that takes several provider messages (text, then one per attachment): the
    # provider's ids of the parts sent so far, in order; a retry resumes after them.
    sent_parts: tuple[str, ...] = ()
    # A reply chosen from buttons or a list: the option's payload (the text is its title).
    reply_payload: str | None = None
    # A location or contact cards the customer shared (WhatsApp, Telegram, Viber, Messenger).
    location: Location | None = None
    contacts: tuple[ContactCard, ...] = ()
    # A story mention or story reply (Instagram), with the story's link.
    story: StoryRef | None = None
    # The customer edited the message: when, and the texts it had before (oldest first).
    edited_at: datetime | None = None
    earlier_texts: tuple[str, ...] = ()
    # The customer's reaction to the message (an emoji), if any.
    reaction: str | None = None
    # Media of the message not in the bucket (yet): being copied, retrying, or not available.
    media_issues: tuple[MediaIssue, ...] = ()
    # An agent's email that starts a new thread: the subject it goes out with.
    subject: str | None = None
    # A system line (direction system): what happened; its text is the line in English.
    event: SystemEvent | None = None


class User(Frozen):
    id: str
    email: str
    display_name: str
    role: Role
    team_ids: tuple[str, ...]
    # Signs in with an authenticator app (TOTP) as well as the password.
    mfa_enabled: bool = False


class Team(Frozen):
    id: str
    name: str


class ChannelAccount(Frozen):
    id: str
    channel: Channel
    name: str
    provider_account_id: str
    api_base_url: str
    team_id: str
    enabled: bool


class Page(Frozen, Generic[T]):
    items: list[T]
    next_cursor: str | None


class OutboundMedia(Frozen):
    """One attachment as an adapter sends it: a URL the provider can fetch (a short-lived signed
    URL of our bucket) with its type and name."""

    url: str
    content_type: str
    filename: str | None = None
    size: int | None = None  # bytes; Viber will not send a video or file without it
    # Its key in our media bucket, for channels that carry the bytes themselves (email's MIME).
    key: str | None = None


class OutboundContent(Frozen):
    """What an adapter sends: text, media (the text goes as caption or a separate message, as the
    channel allows) or a template."""

    text: str | None = None
    media: list[OutboundMedia] = []
    template: TemplateContent | None = None
    # Past the 24-hour window but within Meta's 7-day human-agent allowance (Messenger,
    # Instagram): the adapter sends with the HUMAN_AGENT message tag.
    human_agent_tag: bool = False
    # Threaded channels (email): the provider id of the customer's last message, to reply to.
    in_reply_to: str | None = None
    # Email: the subject of a message that starts a new thread (a reply keeps the thread's own).
    subject: str | None = None
    # Our ids of the message being sent and of its conversation, for channels whose receiver
    # deduplicates retries and correlates replies itself (the generic API channel).
    message_id: str | None = None
    conversation_id: str | None = None


class OutboundRequest(Frozen):
    """The body of one outbound and send queue message: which stored message to send."""

    conversation_id: str
    message_id: str
    attempt: int = 0


def routed(conversation: Conversation, message: Message) -> Conversation:
    """The conversation as the message's route sees it: the channel account and customer id the
    message goes to (a reply on another channel of a conversation that spans channels)."""
    if message.channel is None or message.account_id is None or message.customer_id is None:
        return conversation
    return conversation.model_copy(update={"channel": message.channel, "account_id": message.account_id,
                                           "customer_id": message.customer_id})
