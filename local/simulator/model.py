"""What the simulated providers and the simulator's core share: the accounts it plays a provider
for, the HTTP exchanges in both directions, and what it records."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

# How a test or a person makes the next sends of a channel fail.
FAILURE_MODES = ("500", "429", "permanent")


@dataclass(frozen=True)
class SimulatedAccount:
    """One of our channel accounts, as its provider knows it: the ids, the secrets it shares with
    us (the same keys as in the account's credentials secret) and where its webhook is."""

    channel: str
    account_id: str
    provider_account_id: str
    name: str
    webhook_url: str
    credentials: Mapping[str, str]
    # What else the provider knows of the account (WhatsApp: display_phone_number, waba_id).
    details: Mapping[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, str]:
        """What the control API and the page show (no secrets)."""
        return {"channel": self.channel, "account_id": self.account_id,
                "provider_account_id": self.provider_account_id, "name": self.name}


@dataclass(frozen=True)
class CustomerMessage:
    """What a customer writes: their id on the channel (phone number, PSID, chat id, address...),
    their name, the text and optionally the built-in sample image."""

    customer: str
    name: str
    text: str
    image: bool = False
    # The customer picks an option we offered (a reply button, a quick reply, an inline keyboard
    # button): ``text`` is its title, ``choice`` its payload.
    choice: str | None = None
    # The provider batches an event our adapter cannot read next to the message (Meta's
    # batched notifications): the message must be stored all the same.
    odd_neighbour: bool = False
    # The provider no longer serves the image by the time it is fetched (an expired or removed
    # media object): the message names it, its download answers as the provider's does for an
    # unknown object.
    media_gone: bool = False
    # The provider's media host answers the image's download only after this many seconds.
    media_delay: float = 0.0
    # The customer blocks the bot (Telegram's my_chat_member "kicked", Viber's "unsubscribed")
    # instead of writing.
    blocks: bool = False


@dataclass(frozen=True)
class WebhookCall:
    """One HTTP request the provider makes to our webhook, byte for byte as it is signed."""

    url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Blob:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class StoredMail:
    """Email only: the raw MIME that SES's S3 action stores before SNS notifies us."""

    key: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    """A customer's message as the provider delivers it: the webhook call, the provider's id of
    the message, media the provider serves for it (by id) and, for email, the stored mail."""

    call: WebhookCall
    message_id: str
    media: Mapping[str, Blob] = field(default_factory=dict)
    mail: StoredMail | None = None


@dataclass(frozen=True)
class ApiRequest:
    """A call to a provider's API: the path below the provider's prefix, split on '/'."""

    method: str
    parts: list[str]
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (UnicodeDecodeError, ValueError):
            return None


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: bytes
    content_type: str = "application/json"
    # Further response headers (a redirect's Location).
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, status: int, document: Any) -> ApiAnswer:
        return cls(status, json.dumps(document).encode())


@dataclass
class SentRecord:
    """One message an agent's reply put on the provider's API (or, for email, into SES)."""

    channel: str
    account_id: str
    to: str
    text: str
    payload: dict[str, Any]
    provider_message_id: str
    received_at: float = field(default_factory=time.time)
    # Statuses the simulator reported back, in order; where the status callbacks go (Twilio).
    statuses: list[str] = field(default_factory=list)
    status_callback: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "account": self.account_id, "to": self.to, "text": self.text,
                "payload": self.payload, "id": self.provider_message_id, "received_at": self.received_at,
                "status": self.statuses[-1] if self.statuses else None, "statuses": list(self.statuses)}


class Switchboard(Protocol):
    """What a simulated provider's API asks of the simulator's core."""

    def accounts(self, channel: str) -> list[SimulatedAccount]:
        """The registered accounts of this channel."""

    def take_failure(self, channel: str, recipient: str = "") -> str:
        """The failure mode planned for this channel's next send to ``recipient`` ("" for none), used up."""

    def record_sent(self, account: SimulatedAccount, record: SentRecord) -> None:
        """Keep what was sent and report its statuses back, as the provider would."""

    def media(self, media_id: str) -> Blob | None:
        """Media the simulator serves for customers' messages."""

    def base_url(self) -> str:
        """The simulator's own URL (where its media is served)."""

    def customer_name(self, channel: str, account_id: str, customer: str) -> str | None:
        """The name a customer last wrote under on the account (a provider's profile API gives it)."""

    def record_call(self, channel: str, method: str, payload: dict[str, Any]) -> None:
        """Keep an API call that sends nothing to the customer (Telegram's answerCallbackQuery)."""


class Provider(Protocol):
    """One simulated provider, towards our webhooks."""

    channel: str

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        """The webhook delivery of a customer's message, signed as the provider signs it.
        ``media_base_url`` is where the simulator serves media (``<base>/cdn/<id>``)."""

    def statuses(self, record: SentRecord) -> list[str]:
        """The statuses the provider reports for a message it accepted, in order (none where it
        has no receipts)."""

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        """The callback reporting one status, built at the moment it is sent."""

    def failure(self, mode: str) -> ApiAnswer:
        """The provider's answer to a send that fails: "500", "429" or "permanent"."""


class ProviderApi(Protocol):
    """One simulated provider API, served under ``/<prefix>/`` on the simulator (the account's
    ``api_base_url`` is ``<simulator>/<prefix>``)."""

    prefix: str

    def handle(self, request: ApiRequest, switchboard: Switchboard) -> ApiAnswer:
        """Answer a call to the provider's API."""
