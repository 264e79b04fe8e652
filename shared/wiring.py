"""Builds the use cases with their collaborators, once per Lambda container.

Each factory imports the classes it builds inside its body: every function is packaged with the
whole app, but a worker's cold start imports only the use cases, stores and adapters its own
handler asks for (the routing worker never loads the JWT stack or the export libraries, the API
never loads the media copier). ``tests/unit/test_cold_imports.py`` keeps it so."""

from __future__ import annotations

from functools import lru_cache, partial
from typing import TYPE_CHECKING

from .core.clock import utc_now
from .core.resources import EVENTS_QUEUE, MEDIA_QUEUE, SEND_QUEUE, TABLE
from .core.settings import app_name, get_settings, region
from .domain.errors import NotFound
from .storage.binding import bind_table

if TYPE_CHECKING:  # the factories import what they build, when a function first asks for it
    from .adapters.auth import TokenVerifier
    from .adapters.credentials import CredentialStore
    from .adapters.media import MediaStore
    from .adapters.messaging import QueuePublisher
    from .domain.accounts import Accounts
    from .domain.assignment import Assigner
    from .domain.channel_admin import ChannelAdministration
    from .domain.compose import Composer
    from .domain.consent_recorder import ConsentRecorder
    from .domain.counts import InboxCounts
    from .domain.customer_merge import CustomerMerger
    from .domain.customer_profiles import CustomerProfiles
    from .domain.event_delivery import EventDelivery
    from .domain.events import EventPublisher
    from .domain.export import Exporter
    from .domain.export_jobs import ExportJobs
    from .domain.inbox import Inbox
    from .domain.intake import WebhookIntake
    from .domain.lifecycle import ConversationLifecycle
    from .domain.me import Myself
    from .domain.media_copy import MediaCopier
    from .domain.models import Attachment
    from .domain.notices import NoticePublisher
    from .domain.out_of_office import OutOfOffice
    from .domain.outbound import OutboundDispatcher
    from .domain.ports.channels import ProviderFollowUps
    from .domain.ports.directory import IdentityProvider
    from .domain.presence import PresenceService
    from .domain.push import Place, PushConnections, PushFanOut
    from .domain.quick_replies import QuickReplies
    from .domain.reply_routes import ReplyRoutes
    from .domain.retention import AutoDeletion
    from .domain.routing import Router
    from .domain.service_admin import ServiceAdministration
    from .domain.statistics import StatisticsReader, StatsRecorder
    from .domain.statuses import StatusRecorder
    from .domain.subscriptions_admin import SubscriptionAdministration
    from .domain.tags_and_notes import TagsAndNotes
    from .domain.teams_admin import TeamAdministration
    from .domain.templates import TemplateCatalogue
    from .domain.users_admin import UserAdministration
    from .domain.waiting import TeamOverviewReader
    from .storage.channel_accounts import ChannelAccountStore
    from .storage.consent import ConsentStore
    from .storage.customers import CustomerStore
    from .storage.presence import PresenceStore
    from .storage.repository import ContactRepository
    from .storage.service_settings import ServiceSettingsRepository
    from .storage.subscriptions import SubscriptionStore
    from .storage.teams import TeamStore
    from .storage.users import UserStore


def bind_storage() -> None:
    """Point the stores at the function's table (the app name and region name it; both are known
    wherever the app is loaded, also where the other settings are not)."""
    bind_table(TABLE.physical_name(app_name()), region())


# Composition starts here: every store built below reads and writes this table.
bind_storage()


@lru_cache(maxsize=1)
def repository() -> ContactRepository:
    from .storage.repository import ContactRepository
    return ContactRepository()


def cursor_key() -> bytes:
    """The key page cursors are sealed with (cursors.py), cached per container."""
    from .storage.cursor_key import cursor_key as stored_cursor_key
    return stored_cursor_key()


@lru_cache(maxsize=1)
def publisher() -> QueuePublisher:
    from .adapters.messaging import QueuePublisher
    return QueuePublisher(get_settings())


@lru_cache(maxsize=1)
def credentials() -> CredentialStore:
    from .adapters.credentials import CredentialStore
    return CredentialStore(get_settings())


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    from .adapters.auth import TokenVerifier
    return TokenVerifier(get_settings())


@lru_cache(maxsize=1)
def inbox() -> Inbox:
    from .domain.inbox import Inbox
    from .storage.listing import ConversationLists
    return Inbox(repository(), ConversationLists(), utc_now, accounts=channel_accounts())


@lru_cache(maxsize=1)
def reply_routes() -> ReplyRoutes:
    from .domain.reply_routes import ReplyRoutes
    return ReplyRoutes(repository(), utc_now, accounts=channel_accounts(), consent=consent_store())


@lru_cache(maxsize=1)
def intake() -> WebhookIntake:
    from .channels import adapter_for
    from .domain.intake import WebhookIntake
    return WebhookIntake(channel_accounts(), credentials(), publisher(), adapter_for=adapter_for, clock=utc_now)


@lru_cache(maxsize=1)
def media_store() -> MediaStore:
    from .adapters.media import MediaStore
    return MediaStore(get_settings().media_bucket)


def provider_media_url(attachment: Attachment) -> str:
    """A signed URL a provider fetches an outbound attachment by (the media store loads with the
    first attachment sent, not with every send worker's cold start)."""
    from .adapters.media import PROVIDER_URL_SECONDS
    return media_store().signed_url(attachment, PROVIDER_URL_SECONDS)


@lru_cache(maxsize=1)
def status_recorder() -> StatusRecorder:
    from .domain.statuses import StatusRecorder
    from .storage.delivery_statuses import DeliveryStatusStore
    from .storage.early_statuses import EarlyStatusStore
    return StatusRecorder(DeliveryStatusStore(), EarlyStatusStore(), consent=consent_recorder, events=events())


@lru_cache(maxsize=1)
def consent_recorder() -> ConsentRecorder:
    from .domain.consent_recorder import ConsentRecorder
    return ConsentRecorder(repository(), consent_store())


@lru_cache(maxsize=1)
def router() -> Router:
    from .domain.ports.inbound import InboundSideStores
    from .domain.routing import Router
    from .storage.early_statuses import EarlyStatusStore
    from .storage.media_slots import MediaSlots
    from .storage.message_changes import MessageChanges
    from .storage.service_settings import get_service_settings
    from .storage.unreadable_events import UnreadableEventStore
    side = InboundSideStores(early=EarlyStatusStore(), changes=MessageChanges(), slots=MediaSlots(),
                             unreadable=UnreadableEventStore())
    return Router(repository(), publisher(), lifecycle(), stats(), side, accounts=channel_accounts(),
                  teams=team_store(), customers=customer_store(), consent=consent_store(),
                  settings=get_service_settings, events=events(), follow_ups=provider_calls)


@lru_cache(maxsize=1)
def provider_calls() -> ProviderFollowUps:
    """The routing worker's calls to providers after storing a message (names, acknowledgements)."""
    from .channels.follow_ups import ProviderCalls
    return ProviderCalls(lambda account: credentials().get(account.channel.value, account.id))


@lru_cache(maxsize=1)
def media_copier() -> MediaCopier:
    from .adapters.media import InboundMedia
    from .adapters.messaging import StateMachineStarter
    from .channels import adapter_for
    from .domain.media_copy import MEDIA_RETRY_HORIZON, MediaCopier
    from .domain.retry import RetryPolicy
    from .storage.media_slots import MediaSlots
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
    from .domain.assignment import Assigner
    return Assigner(repository(), utc_now, teams=team_store(), users=user_store(), presences=presence_store(),
                    events=events(), publisher=publisher(), stats=stats())


@lru_cache(maxsize=1)
def out_of_office() -> OutOfOffice:
    from .domain.out_of_office import OutOfOffice
    from .storage.auto_replies import AutoReplyStore
    return OutOfOffice(repository(), publisher(), utc_now, teams=team_store(), accounts=channel_accounts(),
                       replies=AutoReplyStore())


@lru_cache(maxsize=1)
def dispatcher() -> OutboundDispatcher:
    from .adapters.messaging import StateMachineStarter
    from .adapters.metrics import SendFailureFigures
    from .channels import adapter_for
    from .domain.outbound import OutboundDispatcher
    from .domain.retry import RetryPolicy
    from .storage.early_statuses import EarlyStatusStore
    settings = get_settings()
    return OutboundDispatcher(
        repository(), publisher(), credentials(), StateMachineStarter(),
        accounts=channel_accounts(), adapter_for=adapter_for,
        retry_machine_arn=settings.retry_machine_arn, send_queue_url=settings.queue_url(SEND_QUEUE),
        policy=RetryPolicy(base_seconds=settings.retry_base_seconds,
                           horizon=settings.retry_horizon),
        clock=utc_now, media_url=provider_media_url,
        consent=consent_store(),
        events=events(), early=EarlyStatusStore(), figures=SendFailureFigures(),
    )


# --- administration -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def presence_store() -> PresenceStore:
    from .storage.presence import PresenceStore
    return PresenceStore()


@lru_cache(maxsize=1)
def service_settings() -> ServiceSettingsRepository:
    from .storage.service_settings import ServiceSettingsRepository
    return ServiceSettingsRepository()


@lru_cache(maxsize=1)
def user_store() -> UserStore:
    from .storage.users import UserStore
    return UserStore()


@lru_cache(maxsize=1)
def team_store() -> TeamStore:
    from .storage.teams import TeamStore
    return TeamStore()


@lru_cache(maxsize=1)
def identity_provider() -> IdentityProvider:
    from .adapters.identity_provider import CognitoIdentityProvider
    return CognitoIdentityProvider(get_settings())


@lru_cache(maxsize=1)
def accounts() -> Accounts:
    from .adapters.auth import CognitoAccounts
    from .domain.accounts import Accounts
    from .domain.sign_in_throttle import SignInThrottle
    from .storage.sign_in_attempts import SignInAttemptStore
    return Accounts(CognitoAccounts(get_settings()), token_verifier(), user_store(), identity_provider(),
                    SignInThrottle(SignInAttemptStore()))


@lru_cache(maxsize=1)
def users_admin() -> UserAdministration:
    from .domain.users_admin import UserAdministration
    from .storage.connections import ConnectionStore
    return UserAdministration(user_store(), team_store(), identity_provider(), settings=service_settings(),
                              connections=ConnectionStore())


@lru_cache(maxsize=1)
def teams_admin() -> TeamAdministration:
    from .domain.teams_admin import TeamAdministration
    return TeamAdministration(team_store(), user_store())


@lru_cache(maxsize=1)
def channel_accounts() -> ChannelAccountStore:
    from .storage.channel_accounts import ChannelAccountStore
    return ChannelAccountStore()


@lru_cache(maxsize=1)
def channels_admin() -> ChannelAdministration:
    from .adapters.credential_admin import CredentialWriter
    from .channels import check_credentials
    from .channels.provider_urls import provider_url_problem
    from .domain.channel_admin import ChannelAdministration
    settings = get_settings()
    # The webhooks' own base first (their HTTP API in AWS), else the API's, where both share one.
    webhook_base = settings.public_webhook_url or settings.public_api_url
    return ChannelAdministration(channel_accounts(), team_store(), CredentialWriter(settings), webhook_base,
                                 media_store(), check_credentials=check_credentials,
                                 url_problem=partial(provider_url_problem, local_runtime=settings.local_runtime))


@lru_cache(maxsize=1)
def auto_deletion() -> AutoDeletion:
    from .domain.retention import AutoDeletion
    from .storage.retention import RetentionStore
    from .storage.service_settings import get_service_settings
    settings = get_settings()
    return AutoDeletion(RetentionStore(settings.media_bucket), team_store(), settings=get_service_settings,
                        clock=utc_now, publisher=publisher())


@lru_cache(maxsize=1)
def service_admin() -> ServiceAdministration:
    from .domain.service_admin import ServiceAdministration
    return ServiceAdministration(service_settings(), auto_deletion())


# --- the agents' daily work ------------------------------------------------------------


@lru_cache(maxsize=1)
def stats() -> StatsRecorder:
    from .domain.statistics import StatsRecorder
    return StatsRecorder()


@lru_cache(maxsize=1)
def statistics() -> StatisticsReader:
    from .domain.statistics import StatisticsReader
    from .storage.statistics import StatsRepository
    return StatisticsReader(StatsRepository(), user_store())


@lru_cache(maxsize=1)
def team_overview() -> TeamOverviewReader:
    from .domain.waiting import TeamOverviewReader
    from .storage.listing import team_workload
    return TeamOverviewReader(user_store(), team_store(), presence_store(), team_workload, utc_now)


@lru_cache(maxsize=1)
def presence() -> PresenceService:
    from .domain.assignment import WaitingOffers
    from .domain.presence import PresenceService
    return PresenceService(presence_store(), utc_now, WaitingOffers(publisher()), repository().assigned_count)


@lru_cache(maxsize=1)
def tags_and_notes() -> TagsAndNotes:
    from .domain.tags_and_notes import TagsAndNotes
    from .storage.notes import NoteRepository
    from .storage.service_settings import get_service_settings
    from .storage.tags import TagRepository
    return TagsAndNotes(repository(), TagRepository(), NoteRepository(), get_service_settings, stats(), utc_now,
                   notices=notices())


@lru_cache(maxsize=1)
def myself() -> Myself:
    from .domain.me import Myself
    from .storage.service_settings import get_service_settings
    return Myself(team_store(), tags_and_notes(), get_service_settings)


@lru_cache(maxsize=1)
def lifecycle() -> ConversationLifecycle:
    from .domain.assignment import WaitingOffers
    from .domain.lifecycle import ConversationLifecycle
    from .storage.lifecycle import ConversationStateStore
    from .storage.service_settings import get_service_settings
    return ConversationLifecycle(repository(), ConversationStateStore(customer_store()), presence(), tags_and_notes(),
                     get_service_settings, stats(), utc_now, teams=team_store(), users=user_store(),
                     events=events(), offers=WaitingOffers(publisher()), notices=notices())


@lru_cache(maxsize=1)
def composer() -> Composer:
    from .domain.compose import Composer
    from .storage.lifecycle import ConversationStateStore
    from .storage.templates import TemplateRepository
    return Composer(repository(), ConversationStateStore(customer_store()), TemplateRepository(), media_store(),
                    publisher(),
                    stats(), utc_now, customers=customer_store(), consent=consent_store(), events=events(),
                    accounts=channel_accounts())


@lru_cache(maxsize=1)
def quick_replies() -> QuickReplies:
    from .domain.quick_replies import QuickReplies
    from .storage.quick_replies import QuickReplyRepository
    return QuickReplies(QuickReplyRepository(), repository(), utc_now)


@lru_cache(maxsize=1)
def templates() -> TemplateCatalogue:
    from .channels import ProviderTemplateReader
    from .domain.templates import TemplateCatalogue
    from .storage.templates import TemplateRepository
    reader = ProviderTemplateReader(lambda account: credentials().get(account.channel.value, account.id))
    return TemplateCatalogue(repository(), TemplateRepository(), accounts=channel_accounts(), source=reader)


@lru_cache(maxsize=1)
def exporter() -> Exporter:
    from .domain.export import Exporter
    from .storage.notes import NoteRepository
    return Exporter(repository(), NoteRepository(), users=user_store(), customers=customer_store(),
                    accounts=channel_accounts(), teams=team_store(), clock=utc_now)


@lru_cache(maxsize=1)
def export_jobs() -> ExportJobs:
    """Asked for by the API (request, status) and the export worker (build); the export libraries load
    only when a file is built."""
    from .adapters.media import ExportFileStore
    from .domain.export_jobs import ExportJobs
    from .storage.export_jobs import ExportJobRepository
    return ExportJobs(ExportJobRepository(), ExportFileStore(get_settings().media_bucket), publisher(),
                      conversations=exporter(), statistics=statistics(), users=user_store(),
                      team_exists=team_store().exists, clock=utc_now)


# --- integrations: event webhooks ---------------------------------------------------------


@lru_cache(maxsize=1)
def events() -> EventPublisher:
    from .domain.events import EventPublisher
    return EventPublisher(publisher(), subscription_store().wants, listeners=[notices().on_events])


@lru_cache(maxsize=1)
def subscription_store() -> SubscriptionStore:
    from .storage.subscriptions import SubscriptionStore
    return SubscriptionStore()


@lru_cache(maxsize=1)
def event_delivery() -> EventDelivery:
    from .adapters.messaging import StateMachineStarter
    from .channels.http import post_to_receiver
    from .domain.event_delivery import EventDelivery
    from .domain.retry import RetryPolicy
    settings = get_settings()
    return EventDelivery(subscription_store(), publisher(), StateMachineStarter(),
                         retry_machine_arn=settings.retry_machine_arn,
                         events_queue_url=settings.queue_url(EVENTS_QUEUE),
                         policy=RetryPolicy(base_seconds=settings.retry_base_seconds, horizon=settings.retry_horizon),
                         clock=utc_now, post=partial(post_to_receiver, private_allowed=settings.private_receivers))


@lru_cache(maxsize=1)
def subscriptions_admin() -> SubscriptionAdministration:
    from .channels.http import receiver_address_problem
    from .domain.subscriptions_admin import SubscriptionAdministration
    return SubscriptionAdministration(subscription_store(), publisher(), utc_now,
                                      receiver_problem=receiver_address_problem,
                                      private_receivers=get_settings().private_receivers)


# --- customers: profiles, search, merges, communication log, consent ----------------------------


@lru_cache(maxsize=1)
def customer_store() -> CustomerStore:
    from .storage.customers import CustomerStore
    return CustomerStore()


@lru_cache(maxsize=1)
def consent_store() -> ConsentStore:
    from .storage.consent import ConsentStore
    return ConsentStore()


@lru_cache(maxsize=1)
def customer_merger() -> CustomerMerger:
    from .domain.customer_merge import CustomerMerger
    from .storage.customer_merge import MergeStore
    return CustomerMerger(customer_store(), MergeStore(customer_store()), utc_now)


@lru_cache(maxsize=1)
def customers() -> CustomerProfiles:
    from .domain.customer_profiles import CustomerProfiles
    from .storage.customer_merge import MergeStore
    return CustomerProfiles(customer_store(), consent_store(), repository(), MergeStore(customer_store()).records,
                            utc_now, accounts=channel_accounts(), teams=team_store())


# --- push to the agents' browsers (WebSocket API) ---------------------------------------------


@lru_cache(maxsize=1)
def notices() -> NoticePublisher:
    from .domain.notices import NoticePublisher
    return NoticePublisher(publisher())


@lru_cache(maxsize=1)
def push_connections() -> PushConnections:
    from .domain.push import PushConnections
    from .storage.connections import ConnectionStore
    # The token verifier (PyJWT and cryptography) is built with the first socket opening: the message
    # and disconnect functions, which build these too, never verify a token.
    return PushConnections(ConnectionStore(), lambda authorization: token_verifier().subject(authorization),
                           partial(user_store().get, consistent=False), team_store().exists,
                           presence(), notices(), utc_now)


def _place_of(conversation_id: str) -> Place | None:
    """Where a conversation is (team, state, owner), in one read, for a notice that names only it."""
    from .domain.push import Place
    try:
        conversation = repository().get_conversation(conversation_id)
    except NotFound:
        return None  # purged meanwhile
    return Place(conversation.team_id, conversation.state, conversation.owner_id)


@lru_cache(maxsize=1)
def push_fan_out() -> PushFanOut:
    from .adapters.push_gateway import ManagementApiGateway
    from .domain.push import PushFanOut
    from .storage.connections import ConnectionStore, team_counts
    return PushFanOut(ConnectionStore(), ManagementApiGateway(get_settings().push_endpoint), _place_of, team_counts)


@lru_cache(maxsize=1)
def inbox_counts() -> InboxCounts:
    from .domain.counts import InboxCounts
    from .storage.connections import team_counts
    return InboxCounts(team_counts)
