"""What agents send: replies (text, up to ten attachments, or a template), uploads of their
attachments, and conversations they start themselves.

Everything is checked before anything is written: the channel's text limit and media types and
sizes, unfilled placeholders, the template's variables, and the customer-service window (outside
it only a template goes). A refused send writes nothing.

Customers: a reply goes out on the channel of the customer message it answers (``reply_to``) or,
by default, of the customer's latest message (a conversation may span channels when the service
keeps one open conversation per customer). Nothing goes to an address that opted out
(``consent.OptedOut``, 409). A conversation an agent starts goes on the customer's profile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.core.resources import SEND_QUEUE
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, WindowClosed

from . import ids
from .capabilities import (
    CUSTOMER_FIRST_CHANNELS,
    MAX_ATTACHMENTS,
    PHONE_CHANNELS,
    TOTAL_MEDIA_LIMITS,
    conversation_media_refusal,
    text_limit,
)
from .channel_admin import accounts_serving
from .compose_models import AttachmentRef, Draft
from .consent import refuse_if_opted_out
from .customers import address_for
from .events import EventPublisher, conversation_created, message_created
from .identity import ACCOUNT_WIDE_ROLES, Principal, require_owner, require_team_member, require_working_role
from .models import (
    Attachment,
    Channel,
    ChannelAccount,
    Conversation,
    ConversationState,
    Direction,
    Message,
    OutboundRequest,
    SystemEvent,
    SystemEventKind,
    TemplateContent,
)
from .phone import to_e164
from .placeholders import refuse_unresolved
from .queue_messages import send_queue_message
from .story import system_line
from .templates import fill
from .text_safety import clean_text
from .uploads import Upload, presigned_upload, uploaded
from .window import TEMPLATE_CHANNELS, WINDOW_BY_CHANNEL, window_state

if TYPE_CHECKING:
    from .ports.conversations import ConversationRepository, ConversationTransitions
    from .ports.customers import ConsentLedger, CustomerDirectory
    from .ports.directory import ChannelAccounts
    from .ports.integrations import MediaObjects, Publisher
    from .ports.work import TemplateStore
    from .statistics import StatsRecorder


@dataclass(frozen=True)
class _Checked:
    text: str | None
    attachments: tuple[Attachment, ...]
    template: TemplateContent | None
    subject: str | None = None


class Composer:
    def __init__(self, repository: ConversationRepository, store: ConversationTransitions,
                 templates: TemplateStore, media: MediaObjects, publisher: Publisher, stats: StatsRecorder,
                 clock: Callable[[], datetime], *, customers: CustomerDirectory | None = None,
                 consent: ConsentLedger | None = None, events: EventPublisher | None = None,
                 accounts: ChannelAccounts) -> None:
        self._accounts = accounts
        self._customers = customers
        self._consent = consent
        self._repository = repository
        self._store = store
        self._templates = templates
        self._media = media
        self._publisher = publisher
        self._stats = stats
        self._clock = clock
        self._events = events

    def _owned(self, principal: Principal, conversation_id: str) -> Conversation:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        require_owner(principal, conversation)
        if conversation.state is not ConversationState.ASSIGNED:
            raise Conflict(f"conversation {conversation_id} is {conversation.state.value}", field="conversation_id")
        return conversation

    def upload(self, principal: Principal, conversation_id: str, *, filename: str, content_type: str,
               size: int) -> Upload:
        """A presigned PUT for one attachment, if the conversation's channel takes it."""
        conversation = self._owned(principal, conversation_id)
        return presigned_upload(self._media, conversation.channel,
                                lambda token, name: ids.upload_key(conversation.id, token, name),
                                filename=filename, content_type=content_type, size=size)

    def reply(self, principal: Principal, conversation_id: str, draft: Draft) -> Message:
        owned = self._owned(principal, conversation_id)
        # The conversation as seen from the channel the reply goes out on.
        conversation = self._routed(owned, draft.reply_to)
        self._refuse_opted_out(conversation.channel, conversation.account_id, conversation.customer_id)
        checked = self._check(conversation.channel, conversation.account_id, draft, conversation_id=conversation.id)
        if checked.attachments:
            self._refuse_media_route(conversation)
        now = self._clock()
        window = window_state(conversation, now)
        story = None
        if checked.template is not None and not window.open:
            # "Template ... sent because the 24-hour window was closed", just before the template.
            story = system_line(owned.id, SystemEvent(
                kind=SystemEventKind.TEMPLATE_WINDOW_CLOSED, actor_id=principal.id,
                actor_name=principal.user.display_name,
                detail=f"{checked.template.name} ({checked.template.language})"), now - timedelta(milliseconds=1))
        if checked.template is None and not window.open:
            raise WindowClosed(
                f"the {conversation.channel.value} window closed at "
                f"{window.closes_at.isoformat() if window.closes_at else 'an unknown time'}; "
                "only a template may be sent", field="text")
        route = None
        if (conversation.channel, conversation.account_id, conversation.customer_id) != (
                owned.channel, owned.account_id, owned.customer_id):
            route = (conversation.channel, conversation.account_id, conversation.customer_id)
        return self._send(principal, owned, checked, now, route=route, story=story)

    def _refuse_media_route(self, conversation: Conversation) -> None:
        """Media that cannot travel between the account's number and the customer's (MMS outside
        the US and Canada) is refused here rather than failing at the provider."""
        refusal = conversation_media_refusal(self._accounts, conversation)
        if refusal is not None:
            raise InvalidInput(refusal, field="attachments")

    def _routed(self, conversation: Conversation, reply_to: str | None) -> Conversation:
        """The conversation with the channel, account, customer id and last customer message of
        the message answered: the one named, else the customer's latest."""
        if reply_to is not None:
            answered = self._repository.get_message(conversation.id, reply_to)
            if answered.direction is not Direction.INBOUND:
                raise InvalidInput(f"message {reply_to} is not a customer message", field="reply_to")
        else:
            latest = self._repository.last_inbound_message(conversation)
            if latest is None or latest.channel is None:
                return conversation
            answered = latest
        if answered.channel is None or answered.account_id is None or answered.customer_id is None:
            return conversation  # stored before messages named their route: the conversation's own
        if (answered.channel, answered.account_id, answered.customer_id) == (
                conversation.channel, conversation.account_id, conversation.customer_id):
            return conversation
        return conversation.model_copy(update={"channel": answered.channel, "account_id": answered.account_id,
                                               "customer_id": answered.customer_id,
                                               "last_customer_message_at": answered.sent_at})

    def _refuse_opted_out(self, channel: Channel, account_id: str, customer_id: str) -> None:
        if self._consent is not None:
            refuse_if_opted_out(self._consent.state(
                channel, address_for(channel, customer_id, account_id=account_id).value))

    def start(self, principal: Principal, *, account_id: str, customer_id: str | None, phone: str | None,
              customer_name: str | None, draft: Draft) -> tuple[Conversation, Message]:
        """Start a conversation with a customer: it is assigned to the caller straight away."""
        require_working_role(principal)
        account = self._accounts.cached(account_id)
        if account is None or not account.enabled:
            raise InvalidInput(f"no enabled channel account {account_id!r}", field="account_id")
        # the accounts GET /team/channel-accounts offers: an agent starts only from their teams'
        if not accounts_serving(principal, self._accounts)(account):
            raise Forbidden(f"channel account {account_id!r} does not bring conversations to your teams",
                            field="account_id")
        customer = _customer(account, customer_id, phone)
        if draft.attachments:
            raise InvalidInput("a new conversation starts with text or a template; attach files in a reply",
                               field="attachments")
        checked = self._check(account.channel, account.id, draft, conversation_id=None)
        if checked.template is None and account.channel in WINDOW_BY_CHANNEL:
            channel = account.channel.value
            if account.channel in TEMPLATE_CHANNELS:
                raise WindowClosed(f"a {channel} conversation can only be started with a template", field="template")
            raise WindowClosed(f"a {channel} conversation can only be started by the customer: {channel} lets a "
                               "business write only in answer to the customer's messages", field="account_id")
        self._refuse_opted_out(account.channel, account.id, customer)
        current = self._repository.open_conversation(account.id, customer)
        if current is None and account.channel in CUSTOMER_FIRST_CHANNELS and not self._known(account, customer):
            raise InvalidInput(f"{customer!r} has never written to this {account.channel.value} account; "
                               f"{account.channel.value} lets a business write only to people who wrote to "
                               "it first", field="customer_id")
        if current is not None and current.state is not ConversationState.ARCHIVED:
            raise Conflict(f"customer {customer} has an open conversation {current.id} on this account",
                           field="customer_id")
        now = self._clock()
        profile = None if self._customers is None else self._customers.resolve(
            address_for(account.channel, customer, account_id=account.id), name=customer_name, language=None,
            at=now)
        conversation = self._store.start(
            conversation_id=ids.new_conversation_id(), channel=account.channel, account_id=account.id,
            customer_id=customer, customer_name=customer_name, team_id=self._filing_team(principal, account),
            owner_id=principal.id,
            now=now, replaces=current.id if current is not None else None,
            profile_id=profile.id if profile is not None else None, count=self._stats.created)
        if self._events is not None:
            self._events.publish(conversation_created(conversation))
        message = self._send(principal, conversation, checked, now)
        return self._repository.get_conversation(conversation.id), message

    def _known(self, account: ChannelAccount, customer: str) -> bool:
        """Whether the customer wrote to this account before, as far as the customer directory
        remembers (their conversations there may have been deleted since)."""
        return self._customers is not None and self._customers.find(
            address_for(account.channel, customer, account_id=account.id)) is not None

    def _filing_team(self, principal: Principal, account: ChannelAccount) -> str:
        """The team a started conversation is filed in: one the account serves (its own team, or
        one a routing rule sends its conversations to). The team the caller acts in when the
        account serves it; else the account's own team when the caller may work there; else the
        first served team of theirs."""
        served = [account.team_id, *(rule.team_id for rule in self._accounts.rules_for(account.id))]
        if principal.team_id in served:
            return principal.team_id
        if principal.user.role in ACCOUNT_WIDE_ROLES:
            return account.team_id
        return next((team for team in served if team in principal.user.team_ids), account.team_id)

    def _check(self, channel: Channel, account_id: str, draft: Draft, *, conversation_id: str | None) -> _Checked:
        checked = self._check_content(channel, account_id, draft, conversation_id=conversation_id)
        subject = clean_text(draft.subject or "").strip() or None
        if subject is None:
            return checked
        if channel is not Channel.EMAIL:
            raise InvalidInput(f"a subject is for email; {channel.value} messages have none", field="subject")
        if any(ch in subject for ch in "\r\n"):
            raise InvalidInput("the subject must be one line", field="subject")
        return _Checked(text=checked.text, attachments=checked.attachments, template=checked.template,
                        subject=subject)

    def _check_content(self, channel: Channel, account_id: str, draft: Draft, *,
                       conversation_id: str | None) -> _Checked:
        if draft.template is not None:
            if draft.text or draft.attachments:
                raise InvalidInput("send either a template or text with attachments, not both", field="template")
            template = self._templates.get(account_id, draft.template.name, draft.template.language)
            content, body = fill(template, draft.template.variables)
            return _Checked(text=body, attachments=(), template=content)
        text = clean_text(draft.text or "").strip() or None
        if text is None and not draft.attachments:
            raise InvalidInput("text must not be empty", field="text")
        if text is not None:
            refuse_unresolved(text)
            limit = text_limit(channel)
            if len(text) > limit:
                raise InvalidInput(f"text is {len(text)} characters; {channel.value} allows {limit}", field="text")
        if len(draft.attachments) > MAX_ATTACHMENTS:
            raise InvalidInput(f"at most {MAX_ATTACHMENTS} attachments per message", field="attachments")
        attachments = tuple(self._attachment(channel, ref, conversation_id, index)
                            for index, ref in enumerate(draft.attachments))
        total, total_limit = sum(a.size for a in attachments), TOTAL_MEDIA_LIMITS.get(channel)
        if total_limit is not None and total > total_limit:
            raise InvalidInput(f"the attachments weigh {total} bytes together; {channel.value} takes up to "
                               f"{total_limit} bytes per message", field="attachments")
        return _Checked(text=text, attachments=attachments, template=None)

    def _attachment(self, channel: Channel, ref: AttachmentRef, conversation_id: str | None,
                    index: int) -> Attachment:
        field = f"attachments.{index}.key"
        if conversation_id is None:
            raise InvalidInput(f"{ref.key!r} was not uploaded for this conversation", field=field)
        return uploaded(self._media, channel, ids.upload_prefix(conversation_id), ref.key, ref.filename,
                        field=field, whose="this conversation")

    def _send(self, principal: Principal, conversation: Conversation, checked: _Checked, now: datetime, *,
              route: tuple[Channel, str, str] | None = None, story: Message | None = None) -> Message:
        message = self._repository.add_outbound_message(
            conversation, author_id=principal.id, text=checked.text, sent_at=now, attachments=checked.attachments,
            template=checked.template, route=route, tally=self._stats.replied(conversation, principal.id, now),
            subject=checked.subject,
            # Written only while the conversation is still assigned to the sender, as checked.
            owner_id=principal.id, story=story)
        request = OutboundRequest(conversation_id=conversation.id, message_id=message.id)
        self._publisher.send(SEND_QUEUE, [send_queue_message(request)])
        if self._events is not None:
            self._events.publish(message_created(conversation.answered(message.kind, message.text, message.sent_at),
                                                 message))
        return message


def _customer(account: ChannelAccount, customer_id: str | None, phone: str | None) -> str:
    if bool(customer_id) == bool(phone):
        raise InvalidInput("name the contact by customer_id or by phone (one of them)", field="customer_id")
    if phone:
        if account.channel not in PHONE_CHANNELS:
            raise InvalidInput(f"{account.channel.value} addresses customers by id, not by phone number",
                               field="phone")
        return to_e164(phone)
    assert customer_id is not None
    return to_e164(customer_id) if account.channel in PHONE_CHANNELS else customer_id
