"""The agents' use cases on customer profiles: read a profile (also beside a conversation), change
its name, language and custom attributes, add an address, list its conversations on every
channel, search, the communication log, consent, and the administrators' attribute definitions.

The visibility model (docs/security.md, "Customers"):

- Every signed-in role reads customers (the handbook's "visibility into every previous
  conversation"); a conversation of a team the caller cannot read is listed without its preview,
  and a log entry tied to such a conversation is left out.
- Administrators change any profile; an agent changes (renames, gives an address, logs on,
  records consent for, merges) only a profile with a conversation in one of their teams. A log
  entry tied to a conversation is written only by those who may work on that conversation.
- Administrators define attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound

from . import ids
from .consent import ConsentChange, ConsentSource, ConsentState
from .customers import (
    Address,
    AttributeDefinition,
    CommunicationEntry,
    CustomerProfile,
    Medium,
    MergeRecord,
    SearchField,
    SearchTerm,
    address_for,
    apply_attributes,
    check_definition,
    normalise,
    parse_address,
    parse_search,
)
from .identity import (
    ACCOUNT_WIDE_ROLES,
    Principal,
    require_administrator,
    require_team_member,
    require_working_role,
)
from .models import Channel, Conversation, ConversationState, Direction, Frozen, Page
from .paging import check_limit

if TYPE_CHECKING:
    from .patches import CustomerPatch
    from .ports.conversations import Conversations
    from .ports.customers import ConsentLedger, CustomerDirectory
    from .ports.directory import ChannelAccounts, TeamDirectory

RECENT = 10


def _still_matches(term: SearchTerm, profile: CustomerProfile) -> bool:
    """A Like hit's profile as it is now: not merged away, and (by name) still so named. The
    search fragments follow a change a moment later; this keeps a page from showing one that
    no longer matches."""
    if term.like is None:
        return True
    if profile.merged_into or profile.merging_into:
        return False
    return term.field != "name" or (profile.name is not None and term.like.matches(normalise("name", profile.name)))


class AddressView(Frozen):
    address: str
    kind: str
    value: str
    channels: tuple[Channel, ...]
    added_at: datetime


class ConversationSummary(Frozen):
    id: str
    channel: Channel
    account_id: str
    # The account's and the team's names, so the agent never reads an internal id where a name
    # exists (an account or team deleted since has none).
    account_name: str | None = None
    team_id: str | None = None
    team_name: str | None = None
    state: ConversationState | None = None
    created_at: datetime
    last_message_at: datetime | None = None
    # Only for a conversation the caller may read.
    preview: str | None = None
    readable: bool = False


class CustomerView(Frozen):
    profile: CustomerProfile
    addresses: list[AddressView]
    consent: list[ConsentState]
    conversations: list[ConversationSummary]
    conversations_cursor: str | None
    log: list[CommunicationEntry]
    # Every merge that made this profile what it is: into it, and into the profiles merged into it.
    merges: list[MergeRecord]
    # Whether the caller may change the profile (name, language, attributes, addresses, consent,
    # log, merge): administrators always, agents when the customer wrote to one of their teams.
    may_change: bool = False


class CustomerSummary(Frozen):
    id: str
    name: str | None
    matched: str


class ConsentView(Frozen):
    states: list[ConsentState]
    history: list[ConsentChange]


# Conversations read per page while looking for one of the agent's teams.
_TEAM_PAGE = 100
# Merge records gathered for one profile's history (its own and those of the profiles merged into it).
MERGE_HISTORY = 50


def _readable(principal: Principal, conversation: Conversation) -> bool:
    return principal.user.role in ACCOUNT_WIDE_ROLES or conversation.team_id in principal.user.team_ids


def may_change(customers: CustomerDirectory, principal: Principal, profile: CustomerProfile) -> bool:
    try:
        require_customer_writer(customers, principal, profile)
    except Forbidden:
        return False
    return True


def require_customer_writer(customers: CustomerDirectory, principal: Principal, profile: CustomerProfile) -> None:
    """Administrators change any profile; an agent one whose customer has a conversation in their
    teams (a merged profile's conversations are the profile's it went into)."""
    require_working_role(principal)
    if principal.user.role in ACCOUNT_WIDE_ROLES:
        return
    current = customers.current(profile.id)
    cursor: str | None = None
    while True:
        page = customers.conversations(current.id, limit=_TEAM_PAGE, cursor=cursor)
        found = customers.hydrate([record.conversation_id for record in page.items])
        if any(conversation.team_id in principal.user.team_ids for conversation in found.values()):
            return
        if page.next_cursor is None:
            raise Forbidden(f"customer {profile.id} has written to none of your teams; an agent of their team "
                            "or an administrator may change the profile", field="customer_id")
        cursor = page.next_cursor


class CustomerProfiles:
    def __init__(self, customers: CustomerDirectory, consent: ConsentLedger, repository: Conversations,
                 merge_records: Callable[[str], list[MergeRecord]], clock: Callable[[], datetime], *,
                 accounts: ChannelAccounts | None = None, teams: TeamDirectory | None = None) -> None:
        self._accounts = accounts
        self._teams = teams
        self._customers = customers
        self._consent = consent
        self._repository = repository
        self._merge_records = merge_records
        self._clock = clock

    # --- reading ---------------------------------------------------------------------------------

    def view(self, principal: Principal, customer_id: str) -> CustomerView:
        """The profile (or the one it was merged into) with its addresses, consent, latest
        conversations and log entries, and its merges."""
        return self._view(self._customers.current(customer_id), principal_for_view=principal)

    def for_conversation(self, principal: Principal, conversation_id: str) -> CustomerView:
        """The customer beside a conversation, found by the conversation's address. A conversation
        from before profiles existed gets its profile now (and is put on its list)."""
        conversation = self._repository.get_conversation(conversation_id)
        if not _readable(principal, conversation):
            raise Forbidden(f"conversation {conversation.id} belongs to another team")
        address = address_for(conversation.channel, conversation.customer_id, account_id=conversation.account_id)
        profile = self._customers.find(address)
        if profile is None:
            profile = self._customers.resolve(address, name=conversation.customer_name, language=None,
                                              at=conversation.created_at)
            self._customers.link_conversation(profile.id, conversation)
        return self._view(profile, principal_for_view=principal)

    def _view(self, profile: CustomerProfile, *, principal_for_view: Principal) -> CustomerView:
        addresses = self._customers.addresses(profile.id)
        pairs = [(channel, address.value) for address, _ in addresses for channel in address.channels]
        page = self._customers.conversations(profile.id, limit=RECENT, cursor=None)
        return CustomerView(
            profile=profile,
            addresses=[_address_view(address, added_at) for address, added_at in addresses],
            consent=self._consent.states(pairs),
            conversations=self._summaries(principal_for_view, [c.conversation_id for c in page.items], page.items),
            conversations_cursor=page.next_cursor,
            log=self._entry_readable(principal_for_view, self._customers.log_entries(profile.id, limit=RECENT,
                                                                                     cursor=None).items),
            merges=self._merge_history(profile.id),
            may_change=may_change(self._customers, principal_for_view, profile),
        )

    def _merge_history(self, customer_id: str) -> list[MergeRecord]:
        """The merges into this profile and, earlier, into the profiles merged into it (a chain of
        merges is one customer's history), latest first, at most MERGE_HISTORY."""
        history: list[MergeRecord] = []
        todo, seen = [customer_id], {customer_id}
        while todo and len(history) < MERGE_HISTORY:
            records = self._merge_records(todo.pop())
            history += records
            for record in records:
                if record.source_id not in seen:
                    seen.add(record.source_id)
                    todo.append(record.source_id)
        history.sort(key=lambda record: record.started_at, reverse=True)
        return history[:MERGE_HISTORY]

    def conversations(self, principal: Principal, customer_id: str, *, limit: int,
                      cursor: str | None) -> Page[ConversationSummary]:
        check_limit(limit)
        profile = self._customers.current(customer_id)
        page = self._customers.conversations(profile.id, limit=limit, cursor=cursor)
        return Page[ConversationSummary](items=self._summaries(principal, [c.conversation_id for c in page.items],
                                                               page.items), next_cursor=page.next_cursor)

    def _summaries(self, principal: Principal, ids: list[str], records: list[Any]) -> list[ConversationSummary]:
        found = self._customers.hydrate(ids)
        team_names = (self._teams.names(sorted({c.team_id for c in found.values() if c.team_id}))
                      if self._teams is not None else {})
        summaries = []
        for record in records:
            conversation = found.get(record.conversation_id)
            if conversation is None:
                continue  # deleted (auto-deletion): its record outlives it
            readable = _readable(principal, conversation)
            summaries.append(ConversationSummary(
                id=conversation.id, channel=conversation.channel, account_id=conversation.account_id,
                account_name=self._account_name(conversation.account_id), team_id=conversation.team_id,
                team_name=team_names.get(conversation.team_id or ""), state=conversation.state,
                created_at=conversation.created_at,
                last_message_at=conversation.last_message_at,
                preview=conversation.preview if readable else None, readable=readable))
        return summaries

    def _account_name(self, account_id: str) -> str | None:
        account = self._accounts.cached(account_id) if self._accounts is not None else None
        return account.name if account is not None else None

    def search(self, principal: Principal, field: SearchField, q: str, *, limit: int,
               cursor: str | None, region: str | None = None) -> Page[CustomerSummary]:
        """Exact ('Maria'), prefix ('Ma%') or Like ('%ria', '%ari%', 'M%a%ia') on name, phone,
        email or a channel's user id. A Like page may hold fewer than ``limit`` customers and
        still have a cursor: it reads a bounded number of index items per page."""
        del principal
        check_limit(limit)
        term = parse_search(field, q, region=region)
        hits = self._customers.search(term, limit=limit, cursor=cursor)
        profiles = self._customers.profiles([hit.customer_id for hit in hits.items])
        items = [CustomerSummary(id=hit.customer_id, name=profiles[hit.customer_id].name, matched=hit.value)
                 for hit in hits.items
                 if hit.customer_id in profiles and _still_matches(term, profiles[hit.customer_id])]
        return Page[CustomerSummary](items=items, next_cursor=hits.next_cursor)

    def _entry_readable(self, principal: Principal, entries: list[CommunicationEntry]) -> list[CommunicationEntry]:
        """The entries the caller may read: those tied to no conversation, or to one they may read."""
        tied = self._customers.hydrate([e.conversation_id for e in entries if e.conversation_id])
        return [entry for entry in entries if entry.conversation_id is None
                or (entry.conversation_id in tied and _readable(principal, tied[entry.conversation_id]))
                or (entry.conversation_id not in tied and principal.user.role in ACCOUNT_WIDE_ROLES)]

    # --- changing --------------------------------------------------------------------------------

    def update(self, principal: Principal, customer_id: str, patch: CustomerPatch) -> CustomerView:
        """Change the name, the language or attribute values (None removes one)."""
        profile = self._customers.current(customer_id)
        require_customer_writer(self._customers, principal, profile)
        changed = patch.model_fields_set
        attributes = profile.attributes
        if "attributes" in changed:
            attributes = apply_attributes(profile.attributes, patch.attributes or {}, self._customers.definitions())
        name = patch.name if "name" in changed else profile.name
        language = patch.language if "language" in changed else profile.language
        updated = self._customers.update_profile(profile, name=name, language=language, attributes=attributes)
        return self._view(updated, principal_for_view=principal)

    def add_address(self, principal: Principal, customer_id: str, address: str) -> CustomerView:
        profile = self._customers.current(customer_id)
        require_customer_writer(self._customers, principal, profile)
        self._customers.add_address(profile.id, parse_address(address), self._clock())
        return self._view(profile, principal_for_view=principal)

    # --- communication log -----------------------------------------------------------------------

    def log(self, principal: Principal, customer_id: str, *, direction: Direction, medium: Medium,
            occurred_at: datetime | None, text: str, conversation_id: str | None) -> CommunicationEntry:
        """Log an interaction that did not come through a channel (a call, a visit, a letter)."""
        profile = self._customers.current(customer_id)
        require_customer_writer(self._customers, principal, profile)
        if conversation_id is not None:
            conversation = self._repository.get_conversation(conversation_id)
            require_team_member(principal, conversation)
            owner = self._customers.find(address_for(conversation.channel, conversation.customer_id,
                                                     account_id=conversation.account_id))
            if owner is None or owner.id != profile.id:
                raise InvalidInput(f"conversation {conversation_id} is not this customer's", field="conversation_id")
        now = self._clock()
        when = occurred_at or now
        if when > now:
            raise InvalidInput("occurred_at is in the future", field="occurred_at")
        entry = CommunicationEntry(id=ids.sortable_id(when), customer_id=profile.id, direction=direction,
                                   medium=medium, occurred_at=when, text=text, author_id=principal.id,
                                   author_name=principal.user.display_name, conversation_id=conversation_id)
        self._customers.log(entry)
        return entry

    def log_entries(self, principal: Principal, customer_id: str, *, limit: int,
                    cursor: str | None) -> Page[CommunicationEntry]:
        check_limit(limit)
        page = self._customers.log_entries(self._customers.current(customer_id).id, limit=limit, cursor=cursor)
        return Page[CommunicationEntry](items=self._entry_readable(principal, page.items), next_cursor=page.next_cursor)

    # --- consent ---------------------------------------------------------------------------------

    def consent(self, principal: Principal, customer_id: str) -> ConsentView:
        """Each channel address's state and its history of changes, latest first."""
        del principal
        profile = self._customers.current(customer_id)
        pairs = [(channel, address.value) for address, _ in self._customers.addresses(profile.id)
                 for channel in address.channels]
        history: list[ConsentChange] = []
        for channel, value in pairs:
            history += self._consent.history(channel, value, limit=50, cursor=None).items
        history.sort(key=lambda change: change.at, reverse=True)
        return ConsentView(states=self._consent.states(pairs), history=history)

    def record_consent(self, principal: Principal, customer_id: str, *, channel: Channel, opted_out: bool,
                       detail: str, address: str | None = None) -> ConsentView:
        """An agent records what the customer said elsewhere (e.g. on the phone): for every
        address of the profile on the channel, or for the one ``address`` names."""
        profile = self._customers.current(customer_id)
        require_customer_writer(self._customers, principal, profile)
        on_channel = [a for a, _ in self._customers.addresses(profile.id) if channel in a.channels]
        if address is not None:
            named = parse_address(address)
            if named not in on_channel:
                raise InvalidInput(f"customer {profile.id} has no {channel.value} address {named}", field="address")
            on_channel = [named]
        if not on_channel:
            raise InvalidInput(f"customer {profile.id} has no {channel.value} address", field="channel")
        at = self._clock()
        for each in on_channel:
            self._consent.record(ConsentChange(channel=channel, address=each.value, opted_out=opted_out, at=at,
                                               source=ConsentSource.AGENT, detail=detail, by=principal.id))
        return self.consent(principal, profile.id)

    # --- attribute definitions (administrators) ----------------------------------------------

    def definitions(self, principal: Principal) -> list[AttributeDefinition]:
        del principal
        return sorted(self._customers.definitions().values(), key=lambda d: d.key)

    def define(self, principal: Principal, definition: AttributeDefinition) -> AttributeDefinition:
        require_administrator(principal)
        self._customers.put_definition(check_definition(definition), create=True)
        return definition

    def redefine(self, principal: Principal, key: str, definition: AttributeDefinition) -> AttributeDefinition:
        require_administrator(principal)
        if definition.key != key:
            raise InvalidInput("the key of an attribute cannot change", field="key")
        self._customers.put_definition(check_definition(definition), create=False)
        return definition

    def undefine(self, principal: Principal, key: str) -> None:
        """Values already stored stay on the profiles (a definition added again shows them)."""
        require_administrator(principal)
        if key not in self._customers.definitions():
            raise NotFound(f"customer attribute {key} does not exist", field="key")
        self._customers.delete_definition(key)


def _address_view(address: Address, added_at: datetime) -> AddressView:
    return AddressView(address=str(address), kind=address.kind.value, value=address.value, channels=address.channels,
                       added_at=added_at)
