"""Customer profiles, their addresses, their conversations, custom attribute definitions, the
communication log, and customer search (docs/data-model.md, "Customers").

- A profile is ``CUST#<id>``/``PROFILE``; each address it owns is ``CUST#<id>``/``ADDR#<address>``
  plus the owner pointer ``ADDRESS#<address>``/``OWNER``, written in one transaction: finding a
  profile by any address is one GetItem, and the pointer is the one owner every reader sees.
- The customer's conversations are ``CUST#<id>``/``CONV#<created>#<conversation>`` records, written
  in the transaction that creates the conversation (``customer_conversation_item``): one strongly
  consistent Query lists them on every channel, newest first. Beside each open (not archived)
  conversation is ``CUST#<id>``/``OPEN#<conversation>``: the customer's open conversations are one
  Query too, however many archived ones they have.
- Search reads the sparse ``collection`` index: the profile carries ``CUSTOMERS#name`` and each
  address ``CUSTOMERS#phone`` / ``#email`` / ``#channel_id``, sort key ``<normalised value>#<id>``,
  so exact and prefix search are one begins_with Query, paged by cursor.
- The Like operator reads the search fragments (table items ``CUSTLIKE#<field>#<first character>``/
  ``<fragment>#<id>#<value>#<start>``, no index: one write each; every other suffix): a begins_with
  Query of each of the term's two probes, each fragment checked against the whole pattern, at
  most ``like_read_budget`` fragments per page. The fragments are derived from the profile and its
  addresses and rewritten after every change of them (``sync_fragments``); the profile records
  the values whose fragments are written and their layout (``fragment_values``,
  ``fragment_layout``), so a change removes exactly those. The backfill
  (``python -m ops.customer_fragments``) rewrites them all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.domain.customer_search import CURRENT_LAYOUT, FragmentLayout, found_first, fragments, value_key
from chalicelib.domain.customers import (
    Address,
    AttributeDefinition,
    AttributeType,
    AttributeValue,
    CommunicationEntry,
    CustomerConversation,
    CustomerProfile,
    Medium,
    SearchField,
    SearchHit,
    SearchTerm,
    address_for,
    fold,
    normalise,
    parse_address,
)
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.models import Channel, Conversation, Direction, Page
from pynamodb.connection import Connection
from pynamodb.exceptions import QueryError
from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .conditions import ConditionFailed, conditional, refused_as, tolerated
from .conversation_items import to_conversation
from .customer_items import (
    AddressOwnerItem,
    AttributeDefinitionItem,
    CommunicationItem,
    CustomerAddressItem,
    CustomerConversationItem,
    CustomerFragmentItem,
    CustomerItem,
    CustomerOpenItem,
)
from .items import ConversationItem, TableItem
from .paging import decode_cursor, encode_cursor

# A merged profile points at the one it went into; a chain (A into B, then B into C) is followed
# this far at most.
MAX_MERGE_HOPS = 5


def new_customer_id() -> str:
    return uuid.uuid4().hex


def customer_conversation_item(customer_id: str, conversation_id: str, channel: Channel, account_id: str,
                               created_at: datetime) -> CustomerConversationItem:
    """The record that puts a new conversation on its customer's list (saved by the writer that
    creates the conversation, in the same transaction)."""
    return CustomerConversationItem(
        keys.customer_pk(customer_id), keys.customer_conversation_sk(created_at, conversation_id),
        conversation_id=conversation_id, channel=channel.value, account_id=account_id, created_at=created_at)


def open_marker(customer_id: str, conversation_id: str) -> CustomerOpenItem:
    return CustomerOpenItem(keys.customer_pk(customer_id), keys.customer_open_sk(conversation_id),
                            conversation_id=conversation_id)


def _to_profile(item: CustomerItem) -> CustomerProfile:
    return CustomerProfile(id=item.customer_id, name=item.name, language=item.language,
                           attributes=json.loads(item.attributes or "{}"), created_at=item.created_at,
                           version=int(item.version), merged_into=item.merged_into, merging_into=item.merging_into)


def name_search_keys(customer_id: str, name: str | None) -> dict[str, str | None]:
    """The profile's name search attributes (all None without a name)."""
    value = normalise("name", name) if name and name.strip() else None
    if not value:
        return {"search_value": None, "collection_pk": None, "collection_sk": None}
    return {"search_value": value, "collection_pk": keys.customer_search_pk("name"),
            "collection_sk": keys.customer_search_sk(value, customer_id)}


def address_item(customer_id: str, address: Address, added_at: datetime) -> CustomerAddressItem:
    value = normalise(address.search_field, address.search_text)
    return CustomerAddressItem(
        keys.customer_pk(customer_id), keys.customer_address_sk(str(address)), customer_id=customer_id,
        address=str(address), added_at=added_at, search_value=value,
        collection_pk=keys.customer_search_pk(address.search_field),
        collection_sk=keys.customer_search_sk(value, customer_id))


def owner_item(address: Address | str, customer_id: str) -> AddressOwnerItem:
    return AddressOwnerItem(keys.address_owner_pk(str(address)), keys.ADDRESS_OWNER_SK, customer_id=customer_id)


SearchableValue = tuple[SearchField, str, str]
"""(field, normalised value, the value as the profile shows it) of a value Like search finds."""


def searchable_values(name: str | None, addresses: Iterable[Address]) -> list[SearchableValue]:
    """The values of a profile with this name and these addresses that get search fragments."""
    values: list[SearchableValue] = []
    if name and name.strip():
        values.append(("name", normalise("name", name), name.strip()))
    values += [(a.search_field, normalise(a.search_field, a.search_text), str(a)) for a in addresses]
    return values


def fragment_items(customer_id: str, values: Iterable[SearchableValue],
                   layout: FragmentLayout = CURRENT_LAYOUT) -> dict[tuple[str, str], CustomerFragmentItem]:
    """The search fragments of a profile's searchable values, by table key."""
    items: dict[tuple[str, str], CustomerFragmentItem] = {}
    for field, value, shown in values:
        named = value_key(value)
        for start, fragment in fragments(value, layout).items():
            item = CustomerFragmentItem(keys.customer_like_pk(field, fragment),
                                        keys.customer_fragment_sk(fragment, customer_id, named, start),
                                        customer_id=customer_id, field=field, value=value, shown=shown)
            items[(item.pk, item.sk)] = item
    return items


def _fragment_values(item: CustomerItem) -> list[SearchableValue]:
    """The values whose fragments the profile says are written."""
    return [(field, value, shown) for field, value, shown in json.loads(item.fragment_values or "[]")]


def _fragment_layout(item: CustomerItem) -> FragmentLayout:
    """The layout of the fragments the profile says are written."""
    return FragmentLayout(int(item.fragment_layout or FragmentLayout.EVERY_START))


def _like_cursor(cursor: str | None) -> tuple[int, dict[str, Any] | None]:
    """(which lookup, the last key it read) a Like search's page starts from."""
    decoded = decode_cursor(cursor)
    if decoded is None:
        return 0, None
    lookup, key = decoded.get("lookup"), decoded.get("key")
    if set(decoded) != {"lookup", "key"} or lookup not in (0, 1) or not isinstance(key, dict | None):
        raise InvalidInput("cursor does not belong to this search", field="cursor")
    return lookup, key


def like_read_budget(limit: int) -> int:
    """Fragments read for one page of a Like search: a page may hold fewer than ``limit`` hits
    (with a cursor to read on) rather than read without bound."""
    return min(200, max(50, 4 * limit))


def _to_entry(item: CommunicationItem) -> CommunicationEntry:
    return CommunicationEntry(id=item.entry_id, customer_id=item.customer_id, direction=Direction(item.direction),
                              medium=Medium(item.medium), occurred_at=item.occurred_at, text=item.text,
                              author_id=item.author_id, author_name=item.author_name,
                              conversation_id=item.conversation_id)


class CustomerStore:
    def __init__(self) -> None:
        self._connection: Connection | None = None

    def conn(self) -> Connection:
        if self._connection is None:
            self._connection = Connection(region=TableItem.Meta.region)
        return self._connection

    # --- profiles and addresses --------------------------------------------------------------

    def get(self, customer_id: str) -> CustomerProfile | None:
        try:
            return _to_profile(CustomerItem.get(keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK,
                                                consistent_read=True))
        except CustomerItem.DoesNotExist:
            return None

    def current(self, customer_id: str) -> CustomerProfile:
        """The profile, or the one it was merged (or is being merged) into."""
        profile = self.get(customer_id)
        if profile is None:
            raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
        for _ in range(MAX_MERGE_HOPS):
            target = profile.merged_into or profile.merging_into
            if target is None:
                return profile
            following = self.get(target)
            if following is None:
                return profile
            profile = following
        return profile

    def owner_of(self, address: Address | str) -> str | None:
        try:
            return AddressOwnerItem.get(keys.address_owner_pk(str(address)), keys.ADDRESS_OWNER_SK,
                                        consistent_read=True).customer_id
        except AddressOwnerItem.DoesNotExist:
            return None

    def find(self, address: Address) -> CustomerProfile | None:
        """The profile that owns the address; None when nobody does, or when the owner's profile is
        not written yet (``resolve`` claims the address first and completes a claim left alone)."""
        owner = self.owner_of(address)
        if owner is None:
            return None
        try:
            return self.current(owner)
        except NotFound:
            return None

    def resolve(self, address: Address, *, name: str | None, language: str | None, at: datetime) -> CustomerProfile:
        """The profile that owns the address, created with it when nobody does. Idempotent: a
        concurrent creation for the same address loses its claim and reads (or completes) the winner.

        Plain writes, not a transaction (which DynamoDB bills double: 3 write units of a new
        customer's message): the address is claimed first, on the condition that nobody owns it,
        for a new profile id; then its address item and the profile are put. A crash in between
        leaves a claim without a profile, which the next resolve of the address (the queue's retry
        of the same message) completes under the claimed id."""
        owner = self.owner_of(address)
        if owner is None:
            owner = new_customer_id()
            with tolerated() as claimed_before:
                owner_item(address, owner).save(condition=AddressOwnerItem.pk.does_not_exist())
            if claimed_before.refused:
                owner = self.owner_of(address)
                if owner is None:
                    raise Conflict(f"the owner of {address} changed meanwhile; try again", field="address")
            else:
                return self._create(owner, address, name=name, language=language, at=at)
        try:
            found = self.current(owner)
        except NotFound:
            return self._create(owner, address, name=name, language=language, at=at)
        if name and name.strip() and not found.name:
            found = self._fill_name(found, name.strip())
        return found

    def _create(self, customer_id: str, address: Address, *, name: str | None, language: str | None,
                at: datetime) -> CustomerProfile:
        """The profile of an address claimed for ``customer_id``, with its address item and search
        fragments. Written by whichever resolve gets here first; another finds it written and
        takes it as it is (its address item, the same, put again)."""
        clean_name = name.strip() if name and name.strip() else None
        search = name_search_keys(customer_id, clean_name)
        indexed = searchable_values(clean_name, [address])
        profile = CustomerItem(keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK, customer_id=customer_id,
                               name=clean_name, language=language, attributes="{}", created_at=at, version=0,
                               search_value=search["search_value"], collection_pk=search["collection_pk"],
                               collection_sk=search["collection_sk"], fragment_values=json.dumps(indexed),
                               fragment_layout=int(CURRENT_LAYOUT))
        # The address item before the profile: the profile's conditional put is the mark that the
        # creation is done (``find`` answers nobody until it is there), so a crash before it leaves
        # nothing a reader takes for a whole profile, and the retry puts the same address item again.
        address_item(customer_id, address, at).save()
        with tolerated() as written_meanwhile:
            profile.save(condition=CustomerItem.pk.does_not_exist())
        if written_meanwhile.refused:
            return self.current(customer_id)
        # The profile says these fragments are written (so a later change finds them) before they
        # are: a crash in between leaves a profile Like search misses until the backfill runs.
        self._write_fragments(fragment_items(customer_id, indexed).values(), ())
        return _to_profile(profile)

    def _fill_name(self, profile: CustomerProfile, name: str) -> CustomerProfile:
        item = CustomerItem(keys.customer_pk(profile.id), keys.CUSTOMER_PROFILE_SK)
        search = name_search_keys(profile.id, name)
        actions: list[Action] = [CustomerItem.name.set(name)]
        actions += [getattr(CustomerItem, attr).set(value) for attr, value in search.items() if value is not None]
        with tolerated() as named_meanwhile:
            item.update(actions=actions, condition=CustomerItem.name.does_not_exist()
                        & CustomerItem.merged_into.does_not_exist() & CustomerItem.merging_into.does_not_exist())
        if named_meanwhile.refused:
            return profile
        self.sync_fragments(profile.id)
        return _to_profile(item)

    def add_address(self, customer_id: str, address: Address, at: datetime) -> None:
        """Give the profile another address; refused when another profile owns it (merge them)."""
        try:
            with conditional(), TransactWrite(connection=self.conn()) as transaction:
                transaction.condition_check(CustomerItem, keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK,
                                            condition=CustomerItem.merged_into.does_not_exist()
                                            & CustomerItem.merging_into.does_not_exist())
                transaction.save(address_item(customer_id, address, at))
                transaction.save(owner_item(address, customer_id), condition=AddressOwnerItem.pk.does_not_exist())
        except ConditionFailed as failure:
            owner = self.owner_of(address)
            if owner == customer_id:
                return
            raise Conflict(f"{address} belongs to customer {owner}; merge the two profiles instead",
                           field="address") from failure
        self.sync_fragments(customer_id)

    def addresses(self, customer_id: str) -> list[tuple[Address, datetime]]:
        results: ResultIterator[CustomerAddressItem] = CustomerAddressItem.query(
            keys.customer_pk(customer_id), CustomerAddressItem.sk.startswith(keys.CUSTOMER_ADDRESS_PREFIX),
            consistent_read=True)
        return [(parse_address(item.address), item.added_at) for item in results]

    def update_profile(self, profile: CustomerProfile, *, name: str | None, language: str | None,
                       attributes: dict[str, AttributeValue]) -> CustomerProfile:
        """Write the profile's fields, provided nobody changed it since ``profile`` was read."""
        item = CustomerItem(keys.customer_pk(profile.id), keys.CUSTOMER_PROFILE_SK)
        actions: list[Action] = [
            CustomerItem.name.set(name) if name else CustomerItem.name.remove(),
            CustomerItem.language.set(language) if language else CustomerItem.language.remove(),
            CustomerItem.attributes.set(json.dumps(attributes, sort_keys=True)),
            CustomerItem.version.add(1),
        ]
        for attr, value in name_search_keys(profile.id, name).items():
            attribute = getattr(CustomerItem, attr)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        with refused_as(Conflict(f"customer {profile.id} changed meanwhile (or is being merged); read it again",
                                 field="customer_id")):
            item.update(actions=actions, condition=(CustomerItem.version == profile.version)
                        & CustomerItem.merged_into.does_not_exist() & CustomerItem.merging_into.does_not_exist())
        if fold(name or "") != fold(profile.name or ""):
            self.sync_fragments(profile.id)
        return _to_profile(item)

    # --- search fragments ----------------------------------------------------------------------

    def sync_fragments(self, customer_id: str, *, rewrite: bool = False) -> int:
        """Make the profile's search fragments those of its name and addresses now (none for a
        merged profile: search finds the kept one): one Query of the profile's partition, a
        BatchWriteItem of the difference from the values the profile says are written, and the
        profile's record of them. ``rewrite`` (the backfill) writes every wanted fragment again and
        removes fragments left in the profile's partition by the layout before issue 19. Returns
        the number of fragment items written or deleted."""
        profile: CustomerItem | None = None
        addresses: list[Address] = []
        legacy: list[CustomerFragmentItem] = []
        for item in TableItem.query(keys.customer_pk(customer_id), consistent_read=True):
            if isinstance(item, CustomerItem):
                profile = item
            elif isinstance(item, CustomerAddressItem):
                addresses.append(parse_address(item.address))
            elif isinstance(item, CustomerFragmentItem):
                legacy.append(item)
        if profile is None:
            return 0
        live = not profile.merged_into and not profile.merging_into
        values = searchable_values(profile.name, addresses) if live else []
        recorded, layout = _fragment_values(profile), _fragment_layout(profile)
        wanted, written = fragment_items(customer_id, values), fragment_items(customer_id, recorded, layout)
        changed = [item for key, item in wanted.items()
                   if rewrite or key not in written or written[key].shown != item.shown]
        gone = [item for key, item in written.items() if key not in wanted] + (legacy if rewrite else [])
        self._write_fragments(changed, gone)
        if rewrite or values != recorded or layout is not CURRENT_LAYOUT:
            with tolerated():
                CustomerItem(keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK).update(
                    actions=[CustomerItem.fragment_values.set(json.dumps(values)),
                             CustomerItem.fragment_layout.set(int(CURRENT_LAYOUT))],
                    condition=CustomerItem.pk.exists())
        return len(changed) + len(gone)

    @staticmethod
    def _write_fragments(puts: Iterable[CustomerFragmentItem], deletes: Iterable[CustomerFragmentItem]) -> None:
        with CustomerFragmentItem.batch_write() as batch:
            for item in puts:
                batch.save(item)
            for item in deletes:
                batch.delete(item)

    # --- the customer's conversations ---------------------------------------------------------

    def conversations(self, customer_id: str, *, limit: int, cursor: str | None) -> Page[CustomerConversation]:
        """Newest first, on every channel: one Query of the profile's partition."""
        results: ResultIterator[CustomerConversationItem] = CustomerConversationItem.query(
            keys.customer_pk(customer_id), CustomerConversationItem.sk.startswith(keys.CUSTOMER_CONVERSATION_PREFIX),
            scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor), consistent_read=True)
        try:
            items = [CustomerConversation(conversation_id=item.conversation_id, channel=Channel(item.channel),
                                          account_id=item.account_id, created_at=item.created_at) for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this customer's conversations", field="cursor") from error
        return Page[CustomerConversation](items=items, next_cursor=encode_cursor(results.last_evaluated_key))

    def open_conversation_ids(self, customer_id: str) -> list[str]:
        """The customer's conversations that are (or, for a moment after an archive, were) open:
        one strongly consistent Query, small whatever the customer's history."""
        results: ResultIterator[CustomerOpenItem] = CustomerOpenItem.query(
            keys.customer_pk(customer_id), CustomerOpenItem.sk.startswith(keys.CUSTOMER_OPEN_PREFIX),
            consistent_read=True)
        return [item.conversation_id for item in results]

    def owner_of_conversation(self, conversation: Conversation) -> str | None:
        """The profile whose records hold the conversation: the owner of the address it was opened
        from (a merge moves the address and the records together)."""
        return self.owner_of_route(conversation.channel, conversation.account_id, conversation.customer_id)

    def owner_of_route(self, channel: Channel, account_id: str, customer_id: str) -> str | None:
        return self.owner_of(address_for(channel, customer_id, account_id=account_id))

    def mark_open(self, customer_id: str, conversation_id: str) -> None:
        open_marker(customer_id, conversation_id).save()

    def unmark_open(self, customer_id: str, conversation_id: str) -> None:
        open_marker(customer_id, conversation_id).delete()

    def forget_conversation(self, customer_id: str, conversation_id: str, created_at: datetime) -> None:
        """Remove the customer's record of a purged conversation (and its open marker, if left)."""
        with CustomerConversationItem.batch_write() as batch:
            batch.delete(CustomerConversationItem(keys.customer_pk(customer_id),
                                                  keys.customer_conversation_sk(created_at, conversation_id)))
            batch.delete(open_marker(customer_id, conversation_id))

    def link_conversation(self, customer_id: str, conversation: Conversation) -> None:
        """Put an existing conversation (from before profiles existed) on the customer's list."""
        customer_conversation_item(customer_id, conversation.id, conversation.channel, conversation.account_id,
                                   conversation.created_at).save()

    @staticmethod
    def hydrate(conversation_ids: list[str]) -> dict[str, Conversation]:
        """The conversations themselves (one BatchGet); a purged one is simply absent."""
        if not conversation_ids:
            return {}
        wanted = list(dict.fromkeys(conversation_ids))
        return {item.conversation_id: to_conversation(item) for item in ConversationItem.batch_get(
            [(keys.conversation_pk(cid), keys.CONVERSATION_SK) for cid in wanted])}

    # --- search --------------------------------------------------------------------------------

    def search(self, term: SearchTerm, *, limit: int, cursor: str | None) -> Page[SearchHit]:
        if term.like is not None:
            return self._like(term, limit=limit, cursor=cursor)
        prefix = term.value if term.prefix else f"{term.value}#"
        if term.field == "name":
            return self._search(CustomerItem, term, prefix, limit=limit, cursor=cursor)
        return self._search(CustomerAddressItem, term, prefix, limit=limit, cursor=cursor)

    @staticmethod
    def _search(model: type[CustomerItem] | type[CustomerAddressItem], term: SearchTerm, prefix: str, *,
                limit: int, cursor: str | None) -> Page[SearchHit]:
        # Exact: begins_with('<value>#') would also find a value that itself goes on with '#...'.
        condition = None if term.prefix else model.search_value == term.value
        results = model.collection.query(
            keys.customer_search_pk(term.field), model.collection_sk.startswith(prefix),
            filter_condition=condition, limit=limit, last_evaluated_key=decode_cursor(cursor))
        try:
            hits = [SearchHit(customer_id=item.customer_id, field=term.field,
                              value=item.name or "" if isinstance(item, CustomerItem) else item.address)
                    for item in results if isinstance(item, CustomerItem | CustomerAddressItem)]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this search", field="cursor") from error
        return Page[SearchHit](items=hits, next_cursor=encode_cursor(results.last_evaluated_key))

    @staticmethod
    def _like(term: SearchTerm, *, limit: int, cursor: str | None) -> Page[SearchHit]:
        """The pattern's two lookups in turn (``LikePattern.probes``: fragments start at even
        positions only), each a begins_with Query; each fragment read is checked against the
        whole pattern on its whole value, and the second lookup leaves out the values the first
        one finds. A page ends at ``limit`` hits or after the read budget, its cursor the lookup
        and the key of the last fragment read."""
        like = term.like
        assert like is not None
        probes = like.probes()
        lookup, last_key = _like_cursor(cursor)
        budget = like_read_budget(limit)
        hits: dict[str, SearchHit] = {}
        while lookup < len(probes) and budget > 0 and len(hits) < limit:
            probe = probes[lookup]
            results: ResultIterator[CustomerFragmentItem] = CustomerFragmentItem.query(
                keys.customer_like_pk(term.field, probe.fragment),
                CustomerFragmentItem.sk.startswith(f"{probe.fragment}#" if probe.whole else probe.fragment),
                limit=budget, page_size=budget, last_evaluated_key=last_key,
                attributes_to_get=["pk", "sk", "kind", "customer_id", "value", "shown"])
            try:
                for item in results:
                    budget -= 1
                    if (item.customer_id not in hits and like.matches(item.value)
                            and not (lookup and found_first(item.value, probes))):
                        hits[item.customer_id] = SearchHit(customer_id=item.customer_id, field=term.field,
                                                           value=item.shown)
                        if len(hits) == limit:
                            break
            except QueryError as error:
                raise InvalidInput("cursor does not belong to this search", field="cursor") from error
            last_key = results.last_evaluated_key
            if last_key is None:
                lookup += 1
        more = lookup < len(probes)
        return Page[SearchHit](items=list(hits.values()),
                               next_cursor=encode_cursor({"lookup": lookup, "key": last_key}) if more else None)

    def profiles(self, customer_ids: list[str]) -> dict[str, CustomerProfile]:
        if not customer_ids:
            return {}
        wanted = list(dict.fromkeys(customer_ids))
        return {item.customer_id: _to_profile(item) for item in CustomerItem.batch_get(
            [(keys.customer_pk(cid), keys.CUSTOMER_PROFILE_SK) for cid in wanted])}

    # --- custom attribute definitions ----------------------------------------------------------

    def definitions(self) -> dict[str, AttributeDefinition]:
        results: ResultIterator[AttributeDefinitionItem] = AttributeDefinitionItem.query(
            keys.ATTRIBUTE_DEFINITIONS_PK, AttributeDefinitionItem.sk.startswith(keys.ATTRIBUTE_DEFINITION_PREFIX))
        return {item.key: AttributeDefinition(key=item.key, label=item.label, type=AttributeType(item.type),
                                              choices=tuple(item.choices or ())) for item in results}

    def put_definition(self, definition: AttributeDefinition, *, create: bool) -> None:
        item = AttributeDefinitionItem(keys.ATTRIBUTE_DEFINITIONS_PK, keys.attribute_definition_sk(definition.key),
                                       key=definition.key, label=definition.label, type=definition.type.value,
                                       choices=list(definition.choices))
        try:
            with conditional():
                item.save(condition=AttributeDefinitionItem.pk.does_not_exist() if create
                          else AttributeDefinitionItem.pk.exists())
        except ConditionFailed as failure:
            if create:
                raise Conflict(f"customer attribute {definition.key} exists already", field="key") from failure
            raise NotFound(f"customer attribute {definition.key} does not exist", field="key") from failure

    def delete_definition(self, key: str) -> None:
        AttributeDefinitionItem(keys.ATTRIBUTE_DEFINITIONS_PK, keys.attribute_definition_sk(key)).delete()

    # --- communication log ----------------------------------------------------------------------

    def log(self, entry: CommunicationEntry) -> None:
        """The entry under the customer, and a copy under its conversation when it names one (the
        conversation's export reads it there, and the purge takes it with the conversation)."""
        def item(pk: str) -> CommunicationItem:
            return CommunicationItem(pk, keys.communication_sk(entry.id), entry_id=entry.id,
                                     customer_id=entry.customer_id, direction=entry.direction.value,
                                     medium=entry.medium.value, occurred_at=entry.occurred_at, text=entry.text,
                                     author_id=entry.author_id, author_name=entry.author_name,
                                     conversation_id=entry.conversation_id)
        with TransactWrite(connection=self.conn()) as transaction:
            transaction.save(item(keys.customer_pk(entry.customer_id)), condition=CommunicationItem.pk.does_not_exist())
            if entry.conversation_id:
                transaction.save(item(keys.conversation_pk(entry.conversation_id)))

    def log_entries(self, customer_id: str, *, limit: int, cursor: str | None) -> Page[CommunicationEntry]:
        """Latest first."""
        return self._entries(keys.customer_pk(customer_id), limit=limit, cursor=cursor, ascending=False)

    def conversation_log(self, conversation_id: str, *, limit: int, cursor: str | None) -> Page[CommunicationEntry]:
        return self._entries(keys.conversation_pk(conversation_id), limit=limit, cursor=cursor, ascending=True)

    @staticmethod
    def _entries(pk: str, *, limit: int, cursor: str | None, ascending: bool) -> Page[CommunicationEntry]:
        results: ResultIterator[CommunicationItem] = CommunicationItem.query(
            pk, CommunicationItem.sk.startswith(keys.COMMUNICATION_PREFIX), scan_index_forward=ascending,
            limit=limit, last_evaluated_key=decode_cursor(cursor), consistent_read=True)
        try:
            items = [_to_entry(item) for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this log", field="cursor") from error
        return Page[CommunicationEntry](items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def attributes_json(attributes: dict[str, Any]) -> str:
    return json.dumps(attributes, sort_keys=True)
