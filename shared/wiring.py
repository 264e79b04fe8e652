"""Builds the use cases with their collaborators, once per Lambda container."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from .auth import TokenVerifier
from .credentials import CredentialStore
from .domain.assignment import Assigner
from .domain.compose import Composer
from .domain.export import Exporter
from .domain.inbox import Inbox
from .domain.intake import WebhookIntake
from .domain.lifecycle import Lifecycle
from .domain.out_of_office import OutOfOffice
from .domain.outbound import OutboundDispatcher, RetryPolicy
from .domain.presence import PresenceService
from .domain.quick_replies import QuickReplies
from .domain.routing import Router
from .domain.statistics import StatisticsReader, StatsRecorder
from .domain.tagging import Tagging
from .domain.templates import TemplateCatalogue
from .media import MediaStore
from .messaging import QueuePublisher, StateMachineStarter
from .resources import SEND_QUEUE
from .settings import get_settings
from .storage.lifecycle import ConversationLifecycle
from .storage.listing import ConversationLists
from .storage.notes import NoteRepository
from .storage.presence import PresenceRepository
from .storage.quick_replies import QuickReplyRepository
from .storage.repository import ContactRepository
from .storage.service_settings import SettingsRepository
from .storage.statistics import StatsRepository
from .storage.tags import TagRepository
from .storage.templates import TemplateRepository


def utc_now() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def repository() -> ContactRepository:
    return ContactRepository()


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
    return Inbox(repository(), ConversationLists(), utc_now)


@lru_cache(maxsize=1)
def intake() -> WebhookIntake:
    return WebhookIntake(repository(), credentials(), publisher())


@lru_cache(maxsize=1)
def router() -> Router:
    return Router(repository(), publisher(), lifecycle(), stats())


@lru_cache(maxsize=1)
def assigner() -> Assigner:
    return Assigner(repository())


@lru_cache(maxsize=1)
def out_of_office() -> OutOfOffice:
    return OutOfOffice(repository())


@lru_cache(maxsize=1)
def dispatcher() -> OutboundDispatcher:
    settings = get_settings()
    return OutboundDispatcher(
        repository(), publisher(), credentials(), StateMachineStarter(),
        retry_machine_arn=settings.retry_machine_arn, send_queue_url=settings.queue_url(SEND_QUEUE),
        policy=RetryPolicy(base_seconds=settings.retry_base_seconds,
                           horizon=settings.retry_horizon),
        clock=utc_now, media_url=lambda attachment: media().download_url(attachment.key),
    )


# --- the agents' daily work ------------------------------------------------------------


@lru_cache(maxsize=1)
def settings_repository() -> SettingsRepository:
    return SettingsRepository()


@lru_cache(maxsize=1)
def media() -> MediaStore:
    return MediaStore(get_settings())


@lru_cache(maxsize=1)
def stats() -> StatsRecorder:
    return StatsRecorder(StatsRepository())


@lru_cache(maxsize=1)
def statistics() -> StatisticsReader:
    return StatisticsReader(StatsRepository())


@lru_cache(maxsize=1)
def presence() -> PresenceService:
    return PresenceService(PresenceRepository(), utc_now)


@lru_cache(maxsize=1)
def tagging() -> Tagging:
    return Tagging(repository(), TagRepository(), NoteRepository(), settings_repository(), stats(), utc_now)


@lru_cache(maxsize=1)
def lifecycle() -> Lifecycle:
    return Lifecycle(repository(), ConversationLifecycle(repository()), presence(), tagging(),
                     settings_repository(), stats(), utc_now)


@lru_cache(maxsize=1)
def composer() -> Composer:
    return Composer(repository(), ConversationLifecycle(repository()), TemplateRepository(), media(), publisher(),
                    stats(), utc_now)


@lru_cache(maxsize=1)
def quick_replies() -> QuickReplies:
    return QuickReplies(QuickReplyRepository(), repository(), utc_now)


@lru_cache(maxsize=1)
def templates() -> TemplateCatalogue:
    return TemplateCatalogue(repository(), TemplateRepository())


@lru_cache(maxsize=1)
def exporter() -> Exporter:
    return Exporter(repository(), NoteRepository())
