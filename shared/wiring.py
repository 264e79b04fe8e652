"""Builds the use cases with their collaborators, once per Lambda container."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from .auth import TokenVerifier
from .channels import adapter_for
from .credentials import CredentialStore
from .domain.assignment import Assigner
from .domain.inbox import Inbox
from .domain.intake import WebhookIntake
from .domain.out_of_office import OutOfOffice
from .domain.outbound import OutboundDispatcher, RetryPolicy
from .domain.routing import Router
from .media import InboundMedia, MediaStore
from .messaging import QueuePublisher, StateMachineStarter
from .resources import SEND_QUEUE
from .settings import get_settings
from .storage.repository import ContactRepository


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
    return Inbox(repository(), publisher(), utc_now)


@lru_cache(maxsize=1)
def intake() -> WebhookIntake:
    return WebhookIntake(repository(), credentials(), publisher())


@lru_cache(maxsize=1)
def media_store() -> MediaStore:
    return MediaStore(get_settings().media_bucket)


@lru_cache(maxsize=1)
def router() -> Router:
    inbound_media = InboundMedia(media_store(), lambda account: credentials().get(account.channel.value, account.id),
                                 adapter_for)
    return Router(repository(), publisher(), inbound_media)


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
        clock=utc_now,
    )
