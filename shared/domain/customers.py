"""Customer profiles: the pure part. One profile per customer holds all their addresses (a phone
number in E.164 serves WhatsApp and SMS, an email address the email channel, each messaging app
its own user id), a name, a language and the custom attributes an administrator defines.

Addresses are written ``<kind>:<value>`` (``phone:+31612345678``, ``email:ann@example.com``,
``telegram:12345``). Search is exact by default, by prefix with a trailing '%' ('Ma%') and with
the Like operator's '%' anywhere else ('%ria', '%ari%'; ``customer_search.py``), on the name, the
phone, the email or a channel's user id, over normalised values (case-folded, accents and
repeated spaces removed; phone numbers in E.164, '00' read as '+').

Storage: ``storage/customers.py``; use cases: ``customer_profiles.py``; merging: ``customer_merge.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from chalicelib.domain.errors import InvalidInput
from pydantic import Field

from .customer_search import LikePattern, like_pattern
from .models import Channel, Direction, Frozen


class AddressKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    TELEGRAM = "telegram"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    VIBER = "viber"
    # A customer id an integrator's system gives over the generic API channel, namespaced by the
    # channel account (``<account id>/<customer id>``): two integrators' ids are two customers.
    API = "api"


SearchField = Literal["name", "phone", "email", "channel_id"]
_PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)


class Address(Frozen):
    kind: AddressKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The channels that reach the customer at this address."""
        if self.kind is AddressKind.PHONE:
            return _PHONE_CHANNELS
        return (Channel(self.kind.value),)

    @property
    def search_text(self) -> str:
        """The value as search finds it: an API address by the integrator's own customer id (an
        address from before the namespacing has no account part)."""
        if self.kind is AddressKind.API:
            return self.value.partition(API_NAMESPACE_SEPARATOR)[2] or self.value
        return self.value

    @property
    def search_field(self) -> SearchField:
        if self.kind is AddressKind.PHONE:
            return "phone"
        if self.kind is AddressKind.EMAIL:
            return "email"
        return "channel_id"


# Between the account id and the integrator's customer id of an API address; account ids never
# contain it (admin_inputs: letters, digits, '_', '.', '-').
API_NAMESPACE_SEPARATOR = "/"


def customer_id_for(channel: Channel, raw_id: str) -> str:
    """The stored form of a customer id: E.164 on phone channels (a number the phone library
    cannot read stays as the provider sent it, rather than losing the message)."""
    if channel not in _PHONE_CHANNELS:
        return raw_id
    from .phone import to_e164  # the phone library, where a number is read (cold start)
    try:
        return to_e164(raw_id)
    except InvalidInput:
        return raw_id


def address_for(channel: Channel, customer_id: str, *, account_id: str) -> Address:
    """The address a channel's customer id on a channel account stands for (ids on phone
    channels are E.164 already). Only the generic API channel's ids depend on the account: each
    integrator numbers its customers itself."""
    if channel in _PHONE_CHANNELS:
        return Address(kind=AddressKind.PHONE, value=customer_id)
    if channel is Channel.EMAIL:
        return Address(kind=AddressKind.EMAIL, value=customer_id.strip().casefold())
    if channel is Channel.API:
        return Address(kind=AddressKind.API, value=f"{account_id}{API_NAMESPACE_SEPARATOR}{customer_id}")
    return Address(kind=AddressKind(channel.value), value=customer_id)


def parse_address(text: str) -> Address:
    kind, _, value = text.partition(":")
    try:
        address_kind = AddressKind(kind)
    except ValueError as error:
        raise InvalidInput(f"{text!r} is not an address (phone:+31..., email:..., telegram:<id>, ...)",
                           field="address") from error
    if not value.strip():
        raise InvalidInput(f"{text!r} has no value after the kind", field="address")
    if address_kind is AddressKind.PHONE:
        # The phone number library loads with the first number read, not with every importer of
        # the customers' models (the agents' API imports them for its schemas).
        from .phone import to_e164
        return Address(kind=address_kind, value=to_e164(value))
    if address_kind is AddressKind.EMAIL:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
            raise InvalidInput(f"{value!r} is not an email address", field="address")
        return Address(kind=address_kind, value=value.strip().casefold())
    return Address(kind=address_kind, value=value.strip())


# --- search ----------------------------------------------------------------------------------

_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


def fold(text: str) -> str:
    """Case-folded, without accents, spaces collapsed: 'Ánna  Maria' -> 'anna maria'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _phone_text(text: str) -> str:
    cleaned = _PHONE_PUNCTUATION.sub("", text.strip().removeprefix("tel:"))
    return "+" + cleaned[2:] if cleaned.startswith("00") else cleaned


def normalise(field: SearchField, value: str, *, complete: bool = True, region: str | None = None) -> str:
    """The form a value is indexed and searched in. A complete phone number becomes E.164 (when
    it is one; a national number too when ``region`` names its country); a phone prefix only
    loses its punctuation."""
    if field == "phone":
        text = _phone_text(value)
        if complete:
            from .phone import to_e164  # loaded with the first number read (see parse_address)
            national = text.startswith("0") and not text.startswith("00")
            for candidate_region in ((region,) if region and national else (None, region) if region else (None,)):
                try:
                    return to_e164(text, default_region=candidate_region)
                except InvalidInput:
                    continue
            return text
        return text
    return fold(value)


class SearchHit(Frozen):
    """A profile found by a search, with the value that matched."""

    customer_id: str
    field: str
    value: str


class SearchTerm(Frozen):
    field: SearchField
    value: str
    prefix: bool
    # The Like operator with a leading or inner '%' ('%ria', '%ari%', 'M%a'): served by the
    # search fragments (customer_search.py); ``value`` is then the term as given.
    like: LikePattern | None = None


def parse_search(field: SearchField, raw: str, *, region: str | None = None) -> SearchTerm:
    """Exact ('Maria'), prefix ('Ma%'), or CRM.COM's Like with '%' anywhere ('%ria', '%ari%',
    'M%a%ia'). A phone number is matched in E.164 whatever way it is written ('0031 6-1234 5678',
    '+31 (6) 12345678'; a national '06 12345678' with ``region`` NL)."""
    text = raw.strip()
    body = text[:-1] if text.endswith("%") else text
    if "%" in body:
        return SearchTerm(field=field, value=text, prefix=False, like=like_pattern(field, text))
    value = normalise(field, body, complete=not text.endswith("%"), region=region)
    if not value or (field == "phone" and value == "+"):
        raise InvalidInput("the search term is empty", field="q")
    return SearchTerm(field=field, value=value, prefix=text.endswith("%"))


# --- custom attributes -------------------------------------------------------------------------


class AttributeType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


ATTRIBUTE_KEY = r"^[a-z][a-z0-9_]{0,39}$"
MAX_TEXT_ATTRIBUTE = 1000


class AttributeDefinition(Frozen):
    key: str = Field(pattern=ATTRIBUTE_KEY)
    label: str = Field(min_length=1, max_length=100)
    type: AttributeType
    # The allowed values of a choice attribute.
    choices: tuple[str, ...] = Field(default=(), max_length=100)


def check_definition(definition: AttributeDefinition) -> AttributeDefinition:
    if definition.type is AttributeType.CHOICE and not definition.choices:
        raise InvalidInput(f"choice attribute {definition.key} needs at least one choice", field="choices")
    if definition.type is not AttributeType.CHOICE and definition.choices:
        raise InvalidInput(f"only a choice attribute has choices ({definition.key} is {definition.type.value})",
                           field="choices")
    if len(set(definition.choices)) != len(definition.choices):
        raise InvalidInput("choices must be different from one another", field="choices")
    return definition


AttributeValue = str | int | float


def check_value(definition: AttributeDefinition, value: Any) -> AttributeValue:
    """The value as stored (a date as YYYY-MM-DD), or InvalidInput naming the attribute."""
    field = f"attributes.{definition.key}"
    if definition.type is AttributeType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidInput(f"{definition.key} is a number; {value!r} is not", field=field)
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"{definition.key} is a {definition.type.value}; {value!r} is not text", field=field)
    if definition.type is AttributeType.DATE:
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError as error:
            raise InvalidInput(f"{definition.key} is a date (YYYY-MM-DD); {value!r} is not", field=field) from error
    if definition.type is AttributeType.CHOICE:
        if value not in definition.choices:
            raise InvalidInput(f"{definition.key} is one of {', '.join(definition.choices)}; not {value!r}",
                               field=field)
        return value
    if len(value) > MAX_TEXT_ATTRIBUTE:
        raise InvalidInput(f"{definition.key} is at most {MAX_TEXT_ATTRIBUTE} characters", field=field)
    return value


def apply_attributes(current: dict[str, AttributeValue], changes: dict[str, Any],
                     definitions: dict[str, AttributeDefinition]) -> dict[str, AttributeValue]:
    """The attributes after ``changes`` (None removes one); each value is checked against its
    definition, and a key without a definition is refused."""
    result = dict(current)
    for key, value in changes.items():
        definition = definitions.get(key)
        if definition is None:
            raise InvalidInput(f"no customer attribute {key!r} is defined; an administrator defines them",
                               field=f"attributes.{key}")
        if value is None:
            result.pop(key, None)
        else:
            result[key] = check_value(definition, value)
    return result


# --- profiles, their conversations, their history --------------------------------------------


class CustomerProfile(Frozen):
    id: str
    name: str | None = None
    language: str | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    created_at: datetime
    version: int = 0
    merged_into: str | None = None
    merging_into: str | None = None


class CustomerConversation(Frozen):
    conversation_id: str
    channel: Channel
    account_id: str
    created_at: datetime


class Medium(StrEnum):
    """How an interaction that did not come through a channel took place (CRM.COM's media)."""

    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"
    OTHER = "other"


class CommunicationEntry(Frozen):
    id: str
    customer_id: str
    direction: Direction
    medium: Medium
    occurred_at: datetime
    text: str
    author_id: str
    author_name: str
    conversation_id: str | None = None


class MergeState(StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


class MergeRecord(Frozen):
    id: str
    kept_id: str
    source_id: str
    # The profiles' names when the merge began.
    kept_name: str | None = None
    source_name: str | None = None
    by_id: str
    by_name: str
    started_at: datetime
    finished_at: datetime | None = None
    state: MergeState
    addresses: tuple[str, ...] = ()
    conversations: tuple[str, ...] = ()
    log_entries: int = 0
    single_transaction: bool = False


def merged_profile_fields(kept: CustomerProfile, source: CustomerProfile) -> dict[str, Any]:
    """What the kept profile looks like after the merge: its own name, language and attribute
    values win; the source's fill what it lacks."""
    return {
        "name": kept.name or source.name,
        "language": kept.language or source.language,
        "attributes": {**source.attributes, **kept.attributes},
    }


# DynamoDB's TransactWriteItems takes at most 100 actions.
TRANSACTION_LIMIT = 100
# Fixed actions of a one-transaction merge: the kept profile, the source profile, the record.
MERGE_FIXED_ACTIONS = 3


def merge_actions(addresses: int, conversations: int, log_entries: int, open_markers: int = 0) -> int:
    """Actions a one-transaction merge needs: an address is its record moved (delete + put) and
    its owner pointer updated; a conversation record is moved and its story line saved; an open
    conversation's marker or a log entry is an item moved."""
    return MERGE_FIXED_ACTIONS + 3 * (addresses + conversations) + 2 * (log_entries + open_markers)
