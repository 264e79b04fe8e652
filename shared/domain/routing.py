"""Routing: store each inbound event, open, continue or reopen the customer's conversation, and
queue its follow-ups (domain/follow_ups.py): new and reopened-to-New conversations of a team that
assigns automatically to assignment, a message written while its team is closed to out-of-office.

Customer ids on phone channels are stored in E.164, so one number written two ways is one
customer. The team of a conversation is chosen once, when its first message opens it: the
first of the account's routing rules (by priority) whose conditions hold, else the account's
own team, else the default team. A rule naming a team that was deleted since is skipped.
A customer who writes to an archived conversation within the reopen period (a service
setting) reopens it; later, the message starts a new conversation in its place.

Customers (domain/customers.py, consent.py): each message finds or creates the customer's
profile by its address, and a new conversation goes on the profile's list. With the service
setting ``one_open_conversation`` a customer who writes on another channel while a conversation
of theirs is open joins that conversation. A message that is an opt-out or opt-in keyword (STOP,
START, ...) and the providers' own signals (Twilio 21610, Viber unsubscribed, SES complaints) change the
address's consent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.clock import utc_now
from chalicelib.core.resources import MEDIA_QUEUE

from . import ids
from .admin_models import DEFAULT_TEAM_ID, RoutingRule
from .assignment import assignment_request
from .capabilities import PHONE_CHANNELS
from .consent import ConsentSource, keyword_intent
from .consent_recorder import ConsentRecorder
from .customers import CustomerProfile, address_for, customer_id_for
from .events import EventPublisher, conversation_created, message_created
from .follow_ups import follow_ups
from .media_copy import copy_request
from .media_copy import queue_message as media_queue_message
from .models import (
    Attachment,
    ChannelAccount,
    ConsentSignal,
    Conversation,
    ConversationState,
    InboundEnvelope,
    InboundMessage,
    MediaCopyRequest,
    StatusUpdate,
    UnreadableEvent,
)
from .ports.conversations import ConversationRepository, IngestAction, IngestPlan, IngestResult
from .service_settings import ServiceSettings
from .statuses import StatusRecorder

if TYPE_CHECKING:
    from .lifecycle import ConversationLifecycle
    from .ports.channels import ProviderFollowUps
    from .ports.customers import ConsentLedger, CustomerDirectory
    from .ports.directory import ChannelAccounts, TeamDirectory
    from .ports.inbound import InboundSideStores
    from .ports.integrations import Publisher
    from .statistics import StatsRecorder

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_TEAM_ID", "PHONE_CHANNELS", "Router", "assignment_request", "matches",
           "route_to_team"]


def matches(rule: RoutingRule, message: InboundMessage) -> bool:
    if rule.language is not None:
        language = (message.language or "").split("-")[0].lower()
        if language != rule.language.split("-")[0].lower():
            return False
    if rule.keyword is not None:
        return rule.keyword.casefold() in (message.text or "").casefold()
    return True


def route_to_team(rules: Sequence[RoutingRule], message: InboundMessage, account: ChannelAccount | None,
                  team_exists: Callable[[str], bool]) -> str:
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if matches(rule, message) and team_exists(rule.team_id):
            return rule.team_id
    if account is not None and (account.team_id == DEFAULT_TEAM_ID or team_exists(account.team_id)):
        return account.team_id
    return DEFAULT_TEAM_ID


def plan_ingest(event: InboundMessage, *, open_id: str | None, replaces: str | None, join: str | None,
                choose_team: Callable[[], str], profile_id: str | None, attachments: tuple[Attachment, ...],
                stats: StatsRecorder) -> IngestPlan:
    """Where a customer's message goes. ``open_id``: the conversation the customer's pointer on this
    account names; ``replaces``: their archived conversation past its reopen period; ``join``: their
    open conversation on another account (one open conversation per customer). Without an open
    conversation, or in place of the archived one, the message opens a new conversation in the team
    ``choose_team()`` routes it to (called only then) or joins ``join``; else it goes into ``open_id``."""
    replacing = open_id is not None and replaces is not None and open_id == replaces
    takes_over = replaces if replacing else None
    if open_id is None or replacing:
        if join is not None:
            return IngestPlan(event=event, action=IngestAction.JOIN, conversation_id=join, team_id=DEFAULT_TEAM_ID,
                              replaces=takes_over, attachments=attachments)
        team_id = choose_team()
        return IngestPlan(event=event, action=IngestAction.OPEN, conversation_id=ids.new_conversation_id(),
                          team_id=team_id, replaces=takes_over, profile_id=profile_id, attachments=attachments,
                          tally=stats.opened(team_id, event.channel, event.sent_at))
    return IngestPlan(event=event, action=IngestAction.APPEND, conversation_id=open_id, team_id=DEFAULT_TEAM_ID,
                      attachments=attachments)


def _named(event: InboundMessage, profile: CustomerProfile | None) -> InboundMessage:
    """A message of a channel that sends no names (Messenger, Instagram) takes the profile's."""
    if profile is not None and profile.name and not event.customer_name:
        return event.model_copy(update={"customer_name": profile.name})
    return event


class Router:
    def __init__(self, repository: ConversationRepository, publisher: Publisher, lifecycle: ConversationLifecycle,
                 stats: StatsRecorder, side: InboundSideStores, *, accounts: ChannelAccounts,
                 teams: TeamDirectory, customers: CustomerDirectory | None = None,
                 consent: ConsentLedger | None = None, settings: Callable[[], ServiceSettings] | None = None,
                 events: EventPublisher | None = None, clock: Callable[[], datetime] = utc_now,
                 follow_ups: Callable[[], ProviderFollowUps] | None = None) -> None:
        self._repository = repository
        self._follow_ups = follow_ups
        self._unreadable = side.unreadable
        self._changes = side.changes
        self._slots = side.slots
        self._publisher = publisher
        self._lifecycle = lifecycle
        self._stats = stats
        self._clock = clock
        self._accounts = accounts
        self._teams = teams
        self._customers = customers
        self._consent = recorder = ConsentRecorder(repository, consent) if consent is not None else None
        self._statuses = StatusRecorder(repository, side.early, events=events,
                                        consent=None if recorder is None else lambda: recorder)
        self._settings = settings or ServiceSettings
        self._events = events

    def handle(self, envelope: InboundEnvelope) -> IngestResult | bool | None:
        event = envelope.event
        if isinstance(event, StatusUpdate):  # queued here before statuses had a queue of their own
            return self._statuses.apply(event)
        if isinstance(event, UnreadableEvent):
            return self._keep_unreadable(event)
        if isinstance(event, ConsentSignal):
            return self._consent is not None and self._consent.record(
                event.channel, event.account_id, event.customer_id, opted_out=event.opted_out,
                at=event.occurred_at, detail=event.detail, unique=event.provider_event_id)
        if self._change(event):
            return None
        return self._ingest(event.model_copy(update={"customer_id": customer_id_for(event.channel,
                                                                                     event.customer_id)}))

    def _keep_unreadable(self, event: UnreadableEvent) -> bool:
        """A part of an authentic delivery no adapter could read: logged with its reason and
        kept with its raw payload, while the rest of the delivery went on."""
        log.warning("unreadable webhook event kept", extra={
            "channel": event.channel.value, "account_id": event.account_id, "location": event.location,
            "reason": event.reason, "raw": event.raw[:2000]})
        return self._unreadable.keep(event)

    def _change(self, event: InboundMessage) -> bool:
        """An edit or a reaction: applied to the message it is about. False when that message is
        not stored (then the event is stored as a message of its own, so nothing is lost)."""
        if event.edit_of is not None:
            return self._changes.edit(event.channel, event.account_id, event.edit_of, event.text, event.sent_at)
        if event.reaction_to is not None:
            return self._changes.react(event.channel, event.account_id, event.reaction_to, event.reaction or "")
        return False

    def _ingest(self, event: InboundMessage) -> IngestResult | None:
        account = self._accounts.cached(event.account_id)
        settings = self._settings()
        profile = self._profile(event)
        event = _named(event, profile)
        # A chosen button counts by its title or its payload (a "Stop messages" button whose
        # payload is STOP is an opt-out).
        intent = keyword_intent(event.channel, event.text, settings.consent_keywords)
        if intent is None and event.reply_payload:
            intent = keyword_intent(event.channel, event.reply_payload, settings.consent_keywords)
        if intent is not None and self._consent is not None:
            # Before the message is stored: a retry after a crash records it then (same history key).
            self._consent.record(event.channel, event.account_id, event.customer_id, opted_out=intent,
                                 at=event.sent_at,
                                 detail=f"the customer wrote {event.text!r}", unique=event.provider_message_id,
                                 source=ConsentSource.KEYWORD)
        # The customer's current conversation on this account, read once for every decision below.
        current = self._repository.open_conversation(event.account_id, event.customer_id)
        join = None
        if profile is not None and settings.one_open_conversation:
            join, replaces = self._open_elsewhere(event, profile, current)
            reopened = None
        if join is None:
            replaces, reopened = self._archived_conversation(event, current)

        def choose_team() -> str:
            # Read only when this message opens a conversation.
            return route_to_team(self._accounts.routing_rules(event.account_id), event, account,
                                 lambda team_id: self._teams.cached(team_id) is not None)

        plan = plan_ingest(event, open_id=current.id if current is not None else None, replaces=replaces, join=join,
                           choose_team=choose_team, profile_id=profile.id if profile else None,
                           attachments=(), stats=self._stats)
        result = self._repository.ingest_message(plan)
        self._media_follow_up(event, result)
        self._provider_follow_ups(event, account, profile, result)
        if result is None:
            return None  # a redelivery: stored before, and its follow-ups were sent then
        if self._events is not None:
            # Before the follow-ups: a retry after a failed follow-up finds the message stored
            # (result None above) and would not publish again.
            created = [conversation_created(result.conversation)] if result.created_conversation else []
            self._events.publish(*created, message_created(result.conversation, result.message))
        for follow_up in follow_ups(result.conversation, result.message, opened=result.created_conversation,
                                    reopened=reopened, team=self._teams.cached(result.conversation.team_id),
                                    auto_replies=lambda account_id: self._accounts.auto_replies(account_id)):
            self._publisher.send(follow_up.queue, [follow_up.message])
        return result

    def _provider_follow_ups(self, event: InboundMessage, account: ChannelAccount | None,
                             profile: CustomerProfile | None, result: IngestResult | None) -> None:
        """After the message is stored: acknowledge a button press to the provider, and ask the
        provider's profile API for the name of a customer the channel names nowhere (once per
        customer: with the conversation it opens, until the profile has a name). Bounded and
        never failing the message (ProviderFollowUps, made on first use: the channel adapters stay
        out of the routing worker's cold start)."""
        if self._follow_ups is None or account is None:
            return
        if event.choice_id:
            self._follow_ups().answer_choice(account, event.choice_id)
        if (result is None or not result.created_conversation or event.customer_name or profile is None
                or self._customers is None):
            return
        name = self._follow_ups().customer_name(account, event.customer_id)
        if name is None:
            return
        self._customers.resolve(address_for(event.channel, event.customer_id, account_id=event.account_id),
                                name=name, language=None, at=event.sent_at)
        self._repository.name_customer(result.conversation.id, name)

    # --- customers and consent ---

    def _profile(self, event: InboundMessage) -> CustomerProfile | None:
        if self._customers is None:
            return None
        return self._customers.resolve(address_for(event.channel, event.customer_id, account_id=event.account_id),
                                       name=event.customer_name,
                                       language=event.language, at=event.sent_at)

    def _open_elsewhere(self, event: InboundMessage, profile: CustomerProfile,
                        current: Conversation | None) -> tuple[str | None, str | None]:
        """With one open conversation per customer: the customer's open conversation on another
        channel account to join, when this address has none open (``current``: its conversation
        on this account). Returns (conversation to join, this address's archived conversation
        whose pointer it replaces)."""
        assert self._customers is not None
        if current is not None and current.state is not ConversationState.ARCHIVED:
            return None, None
        if self._redelivered(event):
            return None, None
        # The customer's open conversations, whatever their history (a marker each; one left over
        # by an interrupted archive is filtered out by the state read here).
        found = self._customers.hydrate(self._customers.open_conversation_ids(profile.id))
        candidates = [conversation for conversation in found.values()
                      if conversation.state is not ConversationState.ARCHIVED
                      and (current is None or conversation.id != current.id)]
        if not candidates:
            return None, None
        latest = max(candidates, key=lambda conversation: (conversation.last_message_at, conversation.id))
        return latest.id, current.id if current is not None else None

    def _archived_conversation(self, event: InboundMessage,
                               current: Conversation | None) -> tuple[str | None, Conversation | None]:
        """Decide for a customer whose conversation on this account (``current``) is archived:
        reopen it (within the reopen period) or start a new one in its place. Returns
        (conversation to replace, reopened one)."""
        if current is None or current.state is not ConversationState.ARCHIVED:
            return None, None
        if self._redelivered(event):
            return None, None  # a message stored before must not reopen or replace anything
        if self._lifecycle.may_reopen(current, event.sent_at):
            # Reopened before the message is stored: if storing fails, the retry finds it open.
            return None, self._lifecycle.reopen(current)
        return current.id, None

    def _redelivered(self, event: InboundMessage) -> bool:
        # Read only where a redelivery would otherwise repeat work: the write itself is idempotent.
        return self._repository.has_provider_message(event.channel, event.account_id, event.provider_message_id)

    def _media_follow_up(self, event: InboundMessage, result: IngestResult | None) -> None:
        if not event.media:
            return
        if result is None:
            self._queue_media_again(event)
        else:
            self._queue_media(copy_request(result.conversation.id, result.message.id, event, self._clock()))

    def _queue_media(self, request: MediaCopyRequest) -> None:
        """The message is stored with its media pending; the media worker copies them, so this
        worker never waits on a provider's media host."""
        self._publisher.send(MEDIA_QUEUE, [media_queue_message(request)])

    def _queue_media_again(self, event: InboundMessage) -> None:
        """A redelivered message whose media are still pending (the earlier attempt may have
        stopped between storing it and queueing the copy): queue the copy again (the worker and
        the queue's deduplication make a second copy request harmless)."""
        target = self._repository.provider_message_target(event.channel, event.account_id, event.provider_message_id)
        if target is None:
            return
        pending = [issue.index for issue in self._slots.issues(*target) or [] if issue.state == "pending"]
        if pending:
            request = copy_request(target[0], target[1], event, self._clock())
            self._queue_media(request.model_copy(update={"indexes": pending,
                                                         "media": [event.media[index] for index in pending]}))
