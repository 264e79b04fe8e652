"""Ports to the outside: queues, state machines, secrets and the media bucket."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.core.resources import QueueDefinition
from chalicelib.domain.models import Attachment, ChannelAccount, MediaRef


def fifo_token(*parts: str) -> str:
    """A FIFO message group or deduplication id (at most 128 characters, safe alphabet)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class QueueMessage:
    body: str
    group_id: str | None = None
    deduplication_id: str | None = None


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str


class MediaRefused(Exception):
    """The media could not be copied. ``permanent``: it never will be (refused host, type or size,
    gone at the provider); otherwise a later attempt may succeed."""

    def __init__(self, reason: str, *, permanent: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    body: Any


class Publisher(Protocol):
    def send(self, queue: QueueDefinition, messages: Sequence[QueueMessage]) -> None:
        """Send messages in batches of ten; raise if SQS refused any of them, so that the caller (a webhook or a queue
        worker) fails and the sender retries."""


class StateMachines(Protocol):
    def start(self, state_machine_arn: str, payload: dict[str, Any], *, name: str | None = None,
              if_absent: bool = False) -> None:
        """Start an execution; with ``if_absent``, an execution of that name that exists already (started by an earlier
        attempt) counts as started."""



class SendFigures(Protocol):
    """Business figures of sends (CloudWatch metrics in AWS)."""

    def send_failed(self, channel: str, failure_class: str, code: str) -> None:
        """One failed send attempt: ``failure_class`` is ``transient`` (a retry is scheduled),
        ``permanent`` or ``retries_exhausted``; ``code`` the failure's own (``rate_limited``, ...)."""


class Credentials(Protocol):
    def get(self, channel: str, account_id: str) -> dict[str, str]: ...


class SecretWriter(Protocol):
    def store(self, channel: str, account_id: str, values: Mapping[str, str]) -> None:
        """Create the account's secret, or put a new version if it exists (a rotation, or a retry of an account
        creation that stopped half-way)."""


@dataclass(frozen=True)
class UploadForm:
    """Where to POST an upload, and the signed form fields to send before the file."""

    url: str
    fields: Mapping[str, str]


class MediaObjects(Protocol):
    def signed_url(self, attachment: Attachment, expires_in: int = ...) -> str: ...

    def upload_form(self, key: str, content_type: str, size: int) -> UploadForm:
        """A presigned POST for one object: its policy binds the key, the Content-Type and the size (exactly
        ``size`` bytes), so the store refuses any other upload."""

    def head(self, key: str) -> StoredObject | None:
        """Size and type of an uploaded object, as S3 stored them (not as the client claimed)."""


class ProviderMedia(Protocol):
    def copy(self, account: ChannelAccount, message_id: str, refs: list[MediaRef],
             indexes: list[int] | None = None) -> list[Attachment | MediaRefused]:
        """Each media reference becomes an Attachment, or the MediaRefused saying why not. ``indexes``: the
        references' positions among the message's media (a retry copies some)."""
