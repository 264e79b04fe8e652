"""Builds the use cases with their collaborators, once per Lambda container."""

from __future__ import annotations

from functools import lru_cache, partial

from .adapters.auth import CognitoAccounts, TokenVerifier
from .adapters.credential_admin import CredentialWriter
from .adapters.credentials import CredentialStore
from .adapters.identity_provider import CognitoIdentityProvider
from .adapters.media import PROVIDER_URL_SECONDS, InboundMedia, MediaStore
from .adapters.messaging import QueuePublisher, StateMachineStarter
from .adapters.push_gateway import ManagementApiGateway
from .channels import ProviderTemplateReader, adapter_for, check_credentials
from .channels.http import post_to_receiver, receiver_address_problem
from .channels.provider_urls import provider_url_problem
from .core.clock import utc_now
from .core.resources import EVENTS_QUEUE, MEDIA_QUEUE, PURGE_QUEUE, SEND_QUEUE, TABLE
from .core.settings import app_name, get_settings, region
from .domain.accounts import Accounts
from .domain.assignment import Assigner, WaitingOffers
from .domain.channel_admin import ChannelAdministration
from .domain.compose import Composer
from .domain.counts import InboxCounts
from .domain.customer_merge import CustomerMerger
from .domain.customer_profiles import CustomerProfiles
from .domain.errors import NotFound
from .domain.event_delivery import EventDelivery
from .domain.events import EventPublisher
from .domain.export import Exporter
from .domain.inbox import Inbox
from .domain.intake import WebhookIntake
from .domain.lifecycle import ConversationLifecycle
from .domain.me import Myself
from .domain.media_copy import MEDIA_RETRY_HORIZON, MediaCopier
from .domain.notices import NoticePublisher
from .domain.out_of_office import OutOfOffice
from .domain.outbound import OutboundDispatcher, RetryPolicy
from .domain.ports.directory import IdentityProvider
from .domain.ports.inbound import InboundSideStores
from .domain.presence import PresenceService
from .domain.push import PushConnections, PushFanOut
from .domain.quick_replies import QuickReplies
from .domain.retention import AutoDeletion
from .domain.routing import Router
from .domain.service_admin import ServiceAdministration
from .domain.sign_in_throttle import SignInThrottle
from .domain.statistics import StatisticsReader, StatsRecorder
from .domain.subscriptions_admin import SubscriptionAdministration
from .domain.tags_and_notes import TagsAndNotes
from .domain.teams_admin import TeamAdministration
from .domain.templates import TemplateCatalogue
from .domain.users_admin import UserAdministration
from .domain.waiting import TeamOverviewReader
from .storage.auto_replies import AutoReplyStore
from .storage.binding import bind_table
from .storage.channel_accounts import ChannelAccountStore
from .storage.connections import ConnectionStore, team_counts
from .storage.consent import ConsentStore
from .storage.cursor_key import cursor_key as stored_cursor_key
from .storage.customer_merge import MergeStore
from .storage.customers import CustomerStore
from .storage.early_statuses import EarlyStatusStore
from .storage.lifecycle import ConversationStateStore
from .storage.listing import ConversationLists, team_workload
from .storage.media_slots import MediaSlots
from .storage.message_changes import MessageChanges
from .storage.notes import NoteRepository
from .storage.presence import PresenceStore
from .storage.quick_replies import QuickReplyRepository
from .storage.repository import ContactRepository
from .storage.retention import AutoDeleteMachine, RetentionStore
from .storage.service_settings import ServiceSettingsRepository, get_service_settings
from .storage.sign_in_attempts import SignInAttemptStore
from .storage.statistics import StatsRepository
from .storage.subscriptions import SubscriptionStore
from .storage.tags import TagRepository
from .storage.teams import TeamStore
from .storage.templates import TemplateRepository
from .storage.unreadable_events import UnreadableEventStore
from .storage.users import UserStore


def bind_storage() -> None:
    """Point the stores at the function's table (the app name and region name it; both are known
    wherever the app is loaded, also where the other settings are not)."""
    bind_table(TABLE.physical_name(app_name()), region())


# Composition starts here: every store built below reads and writes this table.
bind_storage()


@lru_cache(maxsize=1)
def repository() -> ContactRepository:
    return ContactRepository()


def cursor_key() -> bytes:
    """The key page cursors are sealed with (cursors.py), cached per container."""
    return stored_cursor_key()


@lru_cache(maxsize=1)
def publisher() -> QueuePublisher:
    return QueuePublisher(get_settings())


@lru_cache(maxsize=1)
def credentials() -> CredentialStore:
    return CredentialStore(get_settings())


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    return TokenVerifier(get_settings())


@lru_cache(maxsize=1)
def inbox() -> Inbox:
    return Inbox(repository(), ConversationLists(), utc_now, accounts=channel_accounts())


@lru_cache(maxsize=1)
def intake() -> WebhookIntake:
    return WebhookIntake(channel_accounts(), credentials(), publisher(), adapter_for=adapter_for, clock=utc_now)


@lru_cache(maxsize=1)
def media_store() -> MediaStore:
    return MediaStore(get_settings().media_bucket)


@lru_cache(maxsize=1)
def router() -> Router:
    side = InboundSideStores(early=EarlyStatusStore(), changes=MessageChanges(), slots=MediaSlots(),
                             unreadable=UnreadableEventStore())
    return Router(repository(), publisher(), lifecycle(), stats(), side, accounts=channel_accounts(),
                  teams=team_store(), customers=customer_store(), consent=consent_store(),
                  settings=get_service_settings, events=events())


@lru_cache(maxsize=1)
def media_copier() -> MediaCopier:
    settings = get_settings()
    inbound_media = InboundMedia(media_store(), lambda account: credentials().get(account.channel.value, account.id),
                                 adapter_for)
    # Provider media links do not last (Meta's CDN links expire, WhatsApp's media ids after
    # 30 days): retries stop after an hour at most.
    return MediaCopier(channel_accounts(), inbound_media, MediaSlots(), StateMachineStarter(),
                       retry_machine_arn=settings.retry_machine_arn, media_queue_url=settings.queue_url(MEDIA_QUEUE),
                       policy=RetryPolicy(base_seconds=settings.retry_base_seconds,
                                          horizon=min(settings.retry_horizon, MEDIA_RETRY_HORIZON)),
                       clock=utc_now)


@lru_cache(maxsize=1)
def assigner() -> Assigner:
    return Assigner(repository(), utc_now, teams=team_store(), users=user_store(), presences=presence_store(),
                    events=events(), publisher=publisher(), stats=stats())


@lru_cache(maxsize=1)
def out_of_office() -> OutOfOffice:
    return OutOfOffice(repository(), publisher(), utc_now, teams=team_store(), accounts=channel_accounts(),
                       replies=AutoReplyStore())


@lru_cache(maxsize=1)
def dispatcher() -> OutboundDispatcher:
    settings = get_settings()
    return OutboundDispatcher(
        repository(), publisher(), credentials(), StateMachineStarter(),
        accounts=channel_accounts(), adapter_for=adapter_for,
        retry_machine_arn=settings.retry_machine_arn, send_queue_url=settings.queue_url(SEND_QUEUE),
        policy=RetryPolicy(base_seconds=settings.retry_base_seconds,
                           horizon=settings.retry_horizon),
        clock=utc_now, media_url=lambda attachment: media_store().signed_url(attachment, PROVIDER_URL_SECONDS),
        consent=consent_store(),
        events=events(), early=EarlyStatusStore(),
    )


# --- administration -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def presence_store() -> PresenceStore:
    return PresenceStore()


@lru_cache(maxsize=1)
def service_settings() -> ServiceSettingsRepository:
    return ServiceSettingsRepository()


@lru_cache(maxsize=1)
def user_store() -> UserStore:
    return UserStore()


@lru_cache(maxsize=1)
def team_store() -> TeamStore:
    return TeamStore()


@lru_cache(maxsize=1)
def identity_provider() -> IdentityProvider:
    return CognitoIdentityProvider(get_settings())


@lru_cache(maxsize=1)
def accounts() -> Accounts:
    return Accounts(CognitoAccounts(get_settings()), token_verifier(), user_store(), identity_provider(),
                    SignInThrottle(SignInAttemptStore()))


@lru_cache(maxsize=1)
def users_admin() -> UserAdministration:
    return UserAdministration(user_store(), team_store(), identity_provider(), settings=service_settings())


@lru_cache(maxsize=1)
def teams_admin() -> TeamAdministration:
    return TeamAdministration(team_store(), user_store())


@lru_cache(maxsize=1)
def channel_accounts() -> ChannelAccountStore:
    return ChannelAccountStore()


@lru_cache(maxsize=1)
def channels_admin() -> ChannelAdministration:
    return ChannelAdministration(channel_accounts(), team_store(), CredentialWriter(get_settings()),
                                 get_settings().public_api_url, media_store(), check_credentials=check_credentials,
                                 url_problem=partial(provider_url_problem, local_runtime=get_settings().local_runtime))


@lru_cache(maxsize=1)
def auto_deletion() -> AutoDeletion:
    settings = get_settings()
    machine = AutoDeleteMachine(StateMachineStarter(), machine_arn=settings.auto_delete_machine_arn,
                                purge_queue_url=settings.queue_url(PURGE_QUEUE))
    return AutoDeletion(RetentionStore(settings.media_bucket), team_store(), machine, settings=get_service_settings,
                        clock=utc_now, publisher=publisher())


@lru_cache(maxsize=1)
def service_admin() -> ServiceAdministration:
    return ServiceAdministration(service_settings(), auto_deletion())


# --- the agents' daily work ------------------------------------------------------------


@lru_cache(maxsize=1)
def stats() -> StatsRecorder:
    return StatsRecorder()


@lru_cache(maxsize=1)
def statistics() -> StatisticsReader:
    return StatisticsReader(StatsRepository())


@lru_cache(maxsize=1)
def team_overview() -> TeamOverviewReader:
    return TeamOverviewReader(user_store(), team_store(), presence_store(), team_workload, utc_now)


@lru_cache(maxsize=1)
def presence() -> PresenceService:
    return PresenceService(presence_store(), utc_now, WaitingOffers(publisher()), repository().assigned_count)


@lru_cache(maxsize=1)
def tags_and_notes() -> TagsAndNotes:
    return TagsAndNotes(repository(), TagRepository(), NoteRepository(), get_service_settings, stats(), utc_now,
                   notices=notices())


@lru_cache(maxsize=1)
def myself() -> Myself:
    return Myself(team_store(), tags_and_notes(), get_service_settings)


@lru_cache(maxsize=1)
def lifecycle() -> ConversationLifecycle:
    return ConversationLifecycle(repository(), ConversationStateStore(customer_store()), presence(), tags_and_notes(),
                     get_service_settings, stats(), utc_now, teams=team_store(), users=user_store(),
                     schedule_deletion=lambda conversation_id, at: auto_deletion().schedule(conversation_id, at),
                     events=events(), offers=WaitingOffers(publisher()))


@lru_cache(maxsize=1)
def composer() -> Composer:
    return Composer(repository(), ConversationStateStore(customer_store()), TemplateRepository(), media_store(),
                    publisher(),
                    stats(), utc_now, customers=customer_store(), consent=consent_store(), events=events(),
                    accounts=channel_accounts())


@lru_cache(maxsize=1)
def quick_replies() -> QuickReplies:
    return QuickReplies(QuickReplyRepository(), repository(), utc_now)


@lru_cache(maxsize=1)
def templates() -> TemplateCatalogue:
    reader = ProviderTemplateReader(lambda account: credentials().get(account.channel.value, account.id))
    return TemplateCatalogue(repository(), TemplateRepository(), accounts=channel_accounts(), source=reader)


@lru_cache(maxsize=1)
def exporter() -> Exporter:
    return Exporter(repository(), NoteRepository(), users=user_store(), customers=customer_store())


# --- integrations: event webhooks ---------------------------------------------------------


@lru_cache(maxsize=1)
def events() -> EventPublisher:
    return EventPublisher(publisher(), subscription_store().wants, listeners=[notices().on_events])


@lru_cache(maxsize=1)
def subscription_store() -> SubscriptionStore:
    return SubscriptionStore()


@lru_cache(maxsize=1)
def event_delivery() -> EventDelivery:
    settings = get_settings()
    return EventDelivery(subscription_store(), publisher(), StateMachineStarter(),
                         retry_machine_arn=settings.retry_machine_arn,
                         events_queue_url=settings.queue_url(EVENTS_QUEUE),
                         policy=RetryPolicy(base_seconds=settings.retry_base_seconds, horizon=settings.retry_horizon),
                         clock=utc_now, post=partial(post_to_receiver, private_allowed=settings.private_receivers))


@lru_cache(maxsize=1)
def subscriptions_admin() -> SubscriptionAdministration:
    return SubscriptionAdministration(subscription_store(), publisher(), utc_now,
                                      receiver_problem=receiver_address_problem,
                                      private_receivers=get_settings().private_receivers)


# --- customers: profiles, search, merges, communication log, consent ----------------------------


@lru_cache(maxsize=1)
def customer_store() -> CustomerStore:
    return CustomerStore()


@lru_cache(maxsize=1)
def consent_store() -> ConsentStore:
    return ConsentStore()


@lru_cache(maxsize=1)
def customer_merger() -> CustomerMerger:
    return CustomerMerger(customer_store(), MergeStore(customer_store()), utc_now)


@lru_cache(maxsize=1)
def customers() -> CustomerProfiles:
    return CustomerProfiles(customer_store(), consent_store(), repository(), MergeStore(customer_store()).records,
                            utc_now, accounts=channel_accounts(), teams=team_store())


# --- push to the agents' browsers (WebSocket API) ---------------------------------------------


@lru_cache(maxsize=1)
def notices() -> NoticePublisher:
    return NoticePublisher(publisher())


@lru_cache(maxsize=1)
def push_connections() -> PushConnections:
    return PushConnections(ConnectionStore(), token_verifier().subject, partial(user_store().get, consistent=False),
                           team_store().exists,
                           presence(), notices(), utc_now)


def _team_of(conversation_id: str) -> str | None:
    try:
        return repository().get_conversation(conversation_id).team_id
    except NotFound:
        return None  # purged meanwhile


@lru_cache(maxsize=1)
def push_fan_out() -> PushFanOut:
    return PushFanOut(ConnectionStore(), ManagementApiGateway(get_settings().push_endpoint), _team_of, team_counts)


@lru_cache(maxsize=1)
def inbox_counts() -> InboxCounts:
    return InboxCounts(team_counts)
