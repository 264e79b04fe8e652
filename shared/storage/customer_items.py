"""PynamoDB models of the customers' items (see ``items.py`` for the base). Like every item model
they never leave ``storage``.

=====================  ==============================  ===========================  ======================
entity                 pk                              sk                           collection_pk
=====================  ==============================  ===========================  ======================
customer profile       CUST#<id>                       PROFILE                      CUSTOMERS#name
customer address       CUST#<id>                       ADDR#<kind>:<value>          CUSTOMERS#<field>
search fragment        CUSTLIKE#<field>#<char>         <fragment>#<id>#<value>#<start>
address owner          ADDRESS#<kind>:<value>          OWNER
customer conversation  CUST#<id>                       CONV#<created>#<conv id>
open conversation      CUST#<id>                       OPEN#<conv id>
communication log      CUST#<id> and CONV#<conv id>    LOG#<millis>-<suffix>
merge record           CUST#<kept id>                  MERGE#<millis>-<suffix>
attribute definition   CUSTATTRS                       ATTR#<key>
consent state          CONSENT#<channel>#<value>       STATE
consent change         CONSENT#<channel>#<value>       H#<millis>-<suffix>
=====================  ==============================  ===========================  ======================
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from .items import CollectionIndex, TableItem


class CustomerItem(TableItem, discriminator="customer"):
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    # JSON of {attribute key: value}, validated against the definitions when written.
    attributes = UnicodeAttribute(default="{}")
    created_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=0)
    # Set while this profile is being merged into another, then replaced by merged_into.
    merging_into = UnicodeAttribute(null=True)
    merged_into = UnicodeAttribute(null=True)
    # Set on the kept profile while a merge into it runs in steps (no merge of it meanwhile).
    receiving_from = UnicodeAttribute(null=True)
    # Name search (absent without a name, and on a merged profile).
    search_value = UnicodeAttribute(null=True)
    # JSON of the [field, normalised value, shown] whose search fragments are written: the
    # fragments live in partitions of their own, so this is how a change finds the ones to remove.
    fragment_values = UnicodeAttribute(null=True)
    # Which suffixes of those values are written (domain ``FragmentLayout``; absent: every start,
    # the layout before issue 19.2).
    fragment_layout = NumberAttribute(null=True)
    collection_pk = UnicodeAttribute(null=True)
    collection_sk = UnicodeAttribute(null=True)
    collection = CollectionIndex()


class CustomerAddressItem(TableItem, discriminator="customer_address"):
    """An address the customer owns, on their profile; written in the same transaction as the
    address's owner pointer, so the two always agree."""

    customer_id = UnicodeAttribute()
    address = UnicodeAttribute()
    added_at = UTCDateTimeAttribute()
    search_value = UnicodeAttribute()
    collection_pk = UnicodeAttribute()
    collection_sk = UnicodeAttribute()
    collection = CollectionIndex()


class CustomerFragmentItem(TableItem, discriminator="customer_fragment"):
    """A suffix of one searchable value of the profile (its name or an address), for the Like
    operator (domain/customer_search.py); derived from the profile and its addresses, rewritten
    after each change of them (``CustomerStore.sync_fragments``). Keyed by the fragment itself in
    the table, not in an index: written once, not twice (issue 19)."""

    customer_id = UnicodeAttribute()
    field = UnicodeAttribute()
    # The whole normalised value (a hit is checked against the whole pattern on it) and the
    # value as the customer's record shows it (the name as written, the address).
    value = UnicodeAttribute()
    shown = UnicodeAttribute()


class AddressOwnerItem(TableItem, discriminator="address_owner"):
    customer_id = UnicodeAttribute()


class CustomerConversationItem(TableItem, discriminator="customer_conversation"):
    conversation_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class CustomerOpenItem(TableItem, discriminator="customer_open"):
    """The customer's conversation is open (not archived): written with the conversation, put back
    before a reopen and removed after an archive, so an open conversation always has one (a left
    over one only costs a read: readers check the conversation's state)."""

    conversation_id = UnicodeAttribute()


class CommunicationItem(TableItem, discriminator="communication"):
    entry_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    direction = UnicodeAttribute()
    medium = UnicodeAttribute()
    occurred_at = UTCDateTimeAttribute()
    text = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    conversation_id = UnicodeAttribute(null=True)


class MergeItem(TableItem, discriminator="customer_merge"):
    merge_id = UnicodeAttribute()
    kept_id = UnicodeAttribute()
    source_id = UnicodeAttribute()
    # The two profiles' names when the merge began (the history names them, not their ids).
    kept_name = UnicodeAttribute(null=True)
    source_name = UnicodeAttribute(null=True)
    by_id = UnicodeAttribute()
    by_name = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    state = UnicodeAttribute()
    # What moved (added to as the steps run; the last step completes them).
    addresses = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    conversations = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    log_entries = NumberAttribute(default=0)
    single_transaction = BooleanAttribute(default=False)


class AttributeDefinitionItem(TableItem, discriminator="attribute_definition"):
    key = UnicodeAttribute()
    label = UnicodeAttribute()
    type = UnicodeAttribute()
    choices = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]


class ConsentStateItem(TableItem, discriminator="consent_state"):
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    opted_out = BooleanAttribute()
    changed_at = UTCDateTimeAttribute()
    source = UnicodeAttribute()


class ConsentHistoryItem(TableItem, discriminator="consent_change"):
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    opted_out = BooleanAttribute()
    at = UTCDateTimeAttribute()
    source = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    by = UnicodeAttribute(null=True)
