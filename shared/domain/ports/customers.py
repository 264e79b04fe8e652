"""Ports of the customer aggregate: profiles, consent and merges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from chalicelib.domain.consent import ConsentChange, ConsentState
from chalicelib.domain.customers import (
    Address,
    AttributeDefinition,
    AttributeValue,
    CommunicationEntry,
    CustomerConversation,
    CustomerProfile,
    MergeRecord,
    SearchHit,
    SearchTerm,
)
from chalicelib.domain.models import Channel, Conversation, Message, Page


class MovableItems(Protocol):
    """What still lives under a merge's source profile and has to move (opaque to the domain)."""

    @property
    def empty(self) -> bool: ...


_Items = TypeVar("_Items", bound=MovableItems)


class CustomerDirectory(Protocol):
    def get(self, customer_id: str) -> CustomerProfile | None: ...

    def current(self, customer_id: str) -> CustomerProfile:
        """The profile, or the one it was merged (or is being merged) into."""

    def find(self, address: Address) -> CustomerProfile | None: ...

    def resolve(self, address: Address, *, name: str | None, language: str | None, at: datetime) -> CustomerProfile:
        """The profile that owns the address, created with it when nobody does. Idempotent: a concurrent creation for
        the same address loses its condition and reads the winner."""

    def add_address(self, customer_id: str, address: Address, at: datetime) -> None:
        """Give the profile another address; refused when another profile owns it (merge them)."""

    def addresses(self, customer_id: str) -> list[tuple[Address, datetime]]: ...

    def update_profile(self, profile: CustomerProfile, *, name: str | None, language: str | None,
                       attributes: dict[str, AttributeValue]) -> CustomerProfile:
        """Write the profile's fields, provided nobody changed it since ``profile`` was read."""

    def conversations(self, customer_id: str, *, limit: int, cursor: str | None) -> Page[CustomerConversation]:
        """Newest first, on every channel: one Query of the profile's partition."""

    def open_conversation_ids(self, customer_id: str) -> list[str]:
        """The customer's conversations that are (or, for a moment after an archive, were) open: one strongly
        consistent Query, small whatever the customer's history."""

    def link_conversation(self, customer_id: str, conversation: Conversation) -> None:
        """Put an existing conversation (from before profiles existed) on the customer's list."""

    def hydrate(self, conversation_ids: list[str]) -> dict[str, Conversation]:
        """The conversations themselves (one BatchGet); a purged one is simply absent."""

    def search(self, term: SearchTerm, *, limit: int, cursor: str | None) -> Page[SearchHit]: ...

    def profiles(self, customer_ids: list[str]) -> dict[str, CustomerProfile]: ...

    def definitions(self) -> dict[str, AttributeDefinition]: ...

    def put_definition(self, definition: AttributeDefinition, *, create: bool) -> None: ...

    def delete_definition(self, key: str) -> None: ...

    def log(self, entry: CommunicationEntry) -> None:
        """The entry under the customer, and a copy under its conversation when it names one (the conversation's export
        reads it there, and the purge takes it with the conversation)."""

    def conversation_log(self, conversation_id: str, *, limit: int, cursor: str | None) -> Page[CommunicationEntry]:
        """The entries logged on one conversation, oldest first."""

    def log_entries(self, customer_id: str, *, limit: int, cursor: str | None) -> Page[CommunicationEntry]:
        """Latest first."""


class ConsentLedger(Protocol):
    def state(self, channel: Channel, address: str) -> ConsentState | None: ...

    def states(self, pairs: list[tuple[Channel, str]]) -> list[ConsentState]:
        """The recorded states of these channel addresses (one BatchGet; unrecorded ones are absent)."""

    def record(self, change: ConsentChange, *, unique: str | None = None, story: Message | None = None) -> bool:
        """Store a change and make it the current state, with the system line ``story`` (the customer opted out, in
        their conversation); False when this event was recorded before (same ``unique``). An older event never
        overwrites a newer state."""

    def history(self, channel: Channel, address: str, *, limit: int, cursor: str | None) -> Page[ConsentChange]:
        """Latest change first."""


class Merges(Protocol[_Items]):
    def records(self, customer_id: str) -> list[MergeRecord]:
        """The merges into this profile, latest first."""

    def pending(self, kept_id: str, source_id: str) -> MergeRecord | None: ...

    def source_items(self, source_id: str) -> _Items: ...

    def in_one(self, kept: CustomerProfile, source: CustomerProfile, fields: dict[str, Any], record: MergeRecord,
               items: _Items, story: Callable[[str], Message]) -> MergeRecord:
        """All in one transaction, with ``story(conversation_id)`` saved in each moved conversation."""

    def begin(self, kept: CustomerProfile, source: CustomerProfile, record: MergeRecord) -> None: ...

    def move(self, kept_id: str, record: MergeRecord, items: _Items, story: Callable[[str], Message]) -> None:
        """One step: move these items (with each conversation's story line) and note them on the record."""

    def finish(self, kept: CustomerProfile, source: CustomerProfile, fields: dict[str, Any], record: MergeRecord,
               at: datetime) -> None: ...

    def split(self, items: _Items, budget: int) -> Sequence[_Items]:
        """The items cut into steps of at most ``budget`` writes each (one transaction a step)."""
