"""The channel port: what the domain asks of every provider adapter (webhook authentication,
normalisation into canonical events, the send API, media downloads) and the values that cross it.
The adapters in chalicelib/channels implement it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from chalicelib.domain.models import Channel, ChannelAccount, ChannelEvent, MediaRef, OutboundContent

Credentials = Mapping[str, str]


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook as the adapters see it: the raw bytes (signatures cover exactly these) and the
    URL the provider called (shared/core/api_gateway.py), with its query parameters decoded, every
    value of a repeated one in ``query_items``."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    query_items: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SentMessage:
    """What the provider took: the id that stands for the reply (its first part's) and, for a
    reply that took several provider messages, every part's id in order."""

    provider_message_id: str
    part_ids: tuple[str, ...] = ()


def _ignore_progress(sent: Sequence[str]) -> None:
    return None


@dataclass(frozen=True)
class PartProgress:
    """A reply that takes several provider messages (text, then one message per attachment):
    the ids of the parts the provider took on earlier attempts, in order, and where to note the
    parts taken so far as soon as each one goes, so that a retry after a transient failure
    resumes at the first part not yet sent instead of sending the others twice."""

    sent: Sequence[str] = ()
    record: Callable[[Sequence[str]], None] = field(default=_ignore_progress)


@dataclass(frozen=True)
class MediaSource:
    """Where to download one inbound media object: the URL, the headers that authorise the
    download, and the hosts the provider serves media from. The downloader refuses any other host
    (the payload must not choose where our servers connect). An entry with a leading dot
    (``.fbcdn.net``) allows that domain's subdomains. ``redirect_hosts`` are hosts the provider's
    own answer may send the download on to (Twilio's API redirects to its media CDN), where a
    URL from the payload may not start; the headers stay behind on such a redirect."""

    url: str
    headers: Mapping[str, str]
    allowed_hosts: frozenset[str]
    redirect_hosts: frozenset[str] = frozenset()
    # Email: the media is this attachment (in iter_attachments order) of the MIME message at url.
    mime_attachment: int | None = None


class SendFailed(Exception):
    """The provider refused or could not take the message. ``permanent`` failures are shown
    to the agent; the others are retried later by the delayed-retry state machine."""

    def __init__(self, code: str, message: str, *, permanent: bool, opted_out: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.permanent = permanent
        # The recipient opted out (Twilio 21610): the dispatcher records it on their consent.
        self.opted_out = opted_out


class ChannelAdapter(Protocol):
    channel: Channel
    max_body_bytes: int

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        """Answer the provider's subscription check, or raise SignatureRejected."""

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        """Raise SignatureRejected unless the request verifiably comes from the provider."""

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> Sequence[ChannelEvent]:
        """Normalise the payload into canonical events, or raise InvalidInput."""

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        """Send text, media or a template to the customer ``to``, or raise SendFailed (permanent:
        shown to the agent; transient: retried by the delayed-retry machine). A reply that
        takes several provider messages goes through ``send_parts`` with ``progress``."""

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """Resolve an inbound media reference to a download (may call the provider's API), or
        raise InvalidInput."""


class ProviderFollowUps(Protocol):
    """Calls the routing worker makes to a provider after a customer's message is stored, each
    bounded by a short timeout and never failing the message: a name from the provider's profile
    API, and the acknowledgement a provider waits for after a button press."""

    def customer_name(self, account: ChannelAccount, customer_id: str) -> str | None:
        """The customer's name from the provider's profile API (Messenger and Instagram's User
        Profile API), or None: a channel without one, no name set, no permission, or no answer in
        time."""

    def answer_choice(self, account: ChannelAccount, choice_id: str) -> None:
        """Tell the provider we received a button press (Telegram's answerCallbackQuery: its app
        shows a spinner on the button until then)."""
