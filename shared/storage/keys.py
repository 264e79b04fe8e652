"""Key formats of the single table, in one place."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from chalicelib.core.resources import DUE_SHARDS, due_partition
from chalicelib.domain.ids import message_id

CONVERSATION_SK = "CONVERSATION"


def conversation_pk(conversation_id: str) -> str:
    return f"CONV#{conversation_id}"


def message_sk(message_id: str) -> str:
    return f"MSG#{message_id}"


def message_sk_bound(moment: datetime, *, upper: bool) -> str:
    """A bound of a range query on a thread by time (message ids start with the send time in
    milliseconds): the lower bound sorts before, the upper after, every id of that millisecond."""
    return f"MSG#{int(moment.timestamp() * 1000):013d}" + ("~" if upper else "")


def provider_message_pk(channel: str, account_id: str, provider_message_id: str) -> str:
    return f"PMSG#{channel}#{account_id}#{provider_message_id}"


def open_conversation_pk(account_id: str, customer_id: str) -> str:
    return f"OPEN#{account_id}#{customer_id}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def team_pk(team_id: str) -> str:
    return f"TEAM#{team_id}"


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def state_list_pk(team_id: str, state: str) -> str:
    return f"T#{team_id}#S#{state}"


def owner_list_pk(team_id: str, owner_id: str) -> str:
    """Assigned to one agent, within one team (an agent may work in several teams)."""
    return f"T#{team_id}#A#{owner_id}"


def team_list_pk(team_id: str) -> str:
    return f"T#{team_id}"


def time_key(moment: datetime) -> str:
    """A moment as a string that sorts in time order: ISO 8601 in UTC, milliseconds. Every time
    in a sort key goes through here, so an adapter's local-time datetime cannot break the order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def time_sk(moment: datetime, conversation_id: str) -> str:
    """Sort key of a conversation in a list: ISO time, then the id to keep keys unique."""
    return f"{time_key(moment)}#{conversation_id}"






# --- administration: settings, teams, users, routing, presence, out of office, retention ---

SETTINGS_PK = "SETTINGS"
SERVICE_SETTINGS_SK = "SERVICE"
USER_SK = "USER"
PROFILE_SK = "PROFILE"
TEAM_SK = "TEAM"
ACCOUNT_SK = "ACCOUNT"
OUT_OF_OFFICE_SK = "OUT_OF_OFFICE"
ROUND_ROBIN_SK = "ROUND_ROBIN"
ROUTING_PK = "ROUTING"
# Partitions of the sparse `collection` index: one per kind of thing an administrator lists.
USERS_COLLECTION = "USERS"
TEAMS_COLLECTION = "TEAMS"
ACCOUNTS_COLLECTION = "ACCOUNTS"


def team_member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


# --- inbox filters and lookup links ---------------------------------------------------------


def customer_lookup_pk(team_id: str, term: str) -> str:
    """Customer ids and names share one namespace, so one exact search term is one Query."""
    return f"T#{team_id}#WHO#{term.casefold()}"


def tag_lookup_pk(team_id: str, tag: str) -> str:
    return f"T#{team_id}#TAG#{tag}"


LINK_PREFIX = "LINK#"
CUSTOMER_ID_LINK_SK = "LINK#ID"
CUSTOMER_NAME_LINK_SK = "LINK#NAME"


def tag_link_sk(tag: str) -> str:
    return f"LINK#TAG#{tag}"


# --- notes, tags, quick replies, templates, statistics -----------------------------------------

NOTE_PREFIX = "NOTE#"


def note_sk(note_id: str) -> str:
    return f"{NOTE_PREFIX}{note_id}"


TAG_CATALOGUE_PK = "TAGS"


def tag_definition_sk(tag: str) -> str:
    return f"TAG#{tag}"


QUICK_REPLIES_PK = "QUICKREPLIES"
QUICK_REPLY_GROUP_PREFIX = "G#"
QUICK_REPLY_PREFIX = "R#"


def quick_reply_group_sk(group_id: str) -> str:
    return f"{QUICK_REPLY_GROUP_PREFIX}{group_id}"


def quick_reply_sk(reply_id: str) -> str:
    return f"{QUICK_REPLY_PREFIX}{reply_id}"


def template_pk(account_id: str) -> str:
    return f"TPL#{account_id}"


def template_sk(name: str, language: str) -> str:
    return f"{name}#{language}"


def user_connections_pk(user_id: str) -> str:
    """The ``collection`` partition of a user's push connections in every team (storage/connections.py)."""
    return f"CONNECTIONS#{user_id}"


def presence_pk(team_id: str) -> str:
    return f"PRESENCE#{team_id}"


def presence_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def presence_collection_sk(last_seen: datetime, user_id: str) -> str:
    """Sorts a team's presence entries by last heartbeat, so 'online since T' is one range Query."""
    return f"{presence_time(last_seen)}#{user_id}"


def presence_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def routing_rule_prefix(account_id: str) -> str:
    return f"RULE#{account_id}#"


def routing_rule_sk(account_id: str, priority: int, rule_id: str) -> str:
    return f"{routing_rule_prefix(account_id)}{priority:05d}#{rule_id}"


def auto_reply_marker_sk(closed_period_id: str) -> str:
    """Under the conversation's partition: the out-of-office reply of one closed period was sent
    (the purge of the conversation removes it with everything else)."""
    return f"OOO#{closed_period_id}"

















def stats_pk(team_id: str) -> str:
    return f"STATS#{team_id}"


STATS_CURRENT_SK = "CURRENT"
STATS_HOUR_PREFIX = "H#"
# The team's counters of an hour and its occupancy gauges are spread over this many items, each
# change picking one: an item's write rate (and a transaction's chance of colliding with another
# on it) is a share of the team's, and its size does not depend on the team's.
STATS_SHARDS = 8


def stats_hour_sk(moment: datetime) -> str:
    """The hour bucket of a moment (UTC): the prefix of every counter item of that hour."""
    return f"{STATS_HOUR_PREFIX}{moment.astimezone(UTC).strftime('%Y-%m-%dT%H')}"


def stats_team_hour_sk(moment: datetime, shard: int) -> str:
    """One of the team's shards of an hour: counts no agent is named in (created, tags...)."""
    return f"{stats_hour_sk(moment)}#T{shard}"


def stats_agent_hour_sk(moment: datetime, agent_id: str) -> str:
    """An agent's counts of an hour (and the team counts of the same changes): its size depends
    on what one agent does, not on how many agents the team has."""
    return f"{stats_hour_sk(moment)}#A#{agent_id}"


# Above every item of an hour in sort order ('~' sorts after the '#A', '#T' suffixes).
STATS_HOUR_END = "#~"


def stats_hour_of(sort_key: str) -> str:
    """The hour (yyyy-mm-ddThh) a counter item belongs to."""
    return sort_key.removeprefix(STATS_HOUR_PREFIX)[:13]


def stats_current_sk(shard: int) -> str:
    return f"{STATS_CURRENT_SK}#{shard}"


# --- event webhooks: subscriptions and their delivery log (storage/subscriptions.py) -----------

SUBSCRIPTIONS_COLLECTION = "SUBSCRIPTIONS"
SUBSCRIPTION_SK = "SUBSCRIPTION"
DELIVERY_PREFIX = "DELIVERY#"
ATTEMPT_PREFIX = "ATTEMPT#"


def subscription_pk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def delivery_sk(delivery_id: str) -> str:
    return f"{DELIVERY_PREFIX}{delivery_id}"


def attempt_sk(at: datetime, delivery_id: str, attempt: int) -> str:
    """A line of a subscription's delivery log: by time, so the log reads newest first."""
    return f"{ATTEMPT_PREFIX}{time_key(at)}#{delivery_id}#{attempt:05d}"


# --- customers: profiles, addresses, search, merges, communication log, consent ---------------
# (docs/data-model.md, "Customers"). A profile's items live under CUST#<id>; the owner of an
# address is one pointer item, so every reader sees one owner for it, also during a merge.

CUSTOMER_PROFILE_SK = "PROFILE"
CUSTOMER_ADDRESS_PREFIX = "ADDR#"
CUSTOMER_CONVERSATION_PREFIX = "CONV#"
CUSTOMER_OPEN_PREFIX = "OPEN#"
COMMUNICATION_PREFIX = "LOG#"
MERGE_PREFIX = "MERGE#"
ADDRESS_OWNER_SK = "OWNER"
ATTRIBUTE_DEFINITIONS_PK = "CUSTATTRS"
ATTRIBUTE_DEFINITION_PREFIX = "ATTR#"
CONSENT_STATE_SK = "STATE"
CONSENT_HISTORY_PREFIX = "H#"


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def customer_address_sk(address: str) -> str:
    return f"{CUSTOMER_ADDRESS_PREFIX}{address}"


def address_owner_pk(address: str) -> str:
    """The one item that says which profile owns an address (``phone:+31612345678``)."""
    return f"ADDRESS#{address}"


def customer_conversation_sk(created_at: datetime, conversation_id: str) -> str:
    """A conversation of the customer, sorted by creation (a strongly consistent Query)."""
    return f"{CUSTOMER_CONVERSATION_PREFIX}{time_sk(created_at, conversation_id)}"


def customer_open_sk(conversation_id: str) -> str:
    """Beside the customer's conversation record while that conversation is not archived: the
    customer's open conversations on every channel are one Query, whatever their history."""
    return f"{CUSTOMER_OPEN_PREFIX}{conversation_id}"


def communication_sk(entry_id: str) -> str:
    return f"{COMMUNICATION_PREFIX}{entry_id}"


def merge_sk(merge_id: str) -> str:
    return f"{MERGE_PREFIX}{merge_id}"


def customer_search_pk(field: str) -> str:
    """A partition of the ``collection`` index per searchable field (name, phone, email,
    channel_id); the sort key is the normalised value, so exact and prefix search are a
    begins_with Query."""
    return f"CUSTOMERS#{field}"


def customer_search_sk(normalised: str, customer_id: str) -> str:
    return f"{normalised}#{customer_id}"


def customer_fragment_sk(fragment: str, customer_id: str, value_key: str, start: str) -> str:
    """One search fragment of one value of a profile (its suffix from ``start``), in the partition
    of the fragments that begin as it does: a begins_with on the fragment finds every profile
    with it, and the rest keeps two fragments of one profile apart."""
    return f"{fragment}#{customer_id}#{value_key}#{start}"


def customer_like_pk(field: str, fragment: str) -> str:
    """The table partition of the search fragments of a field that begin with the fragment's
    first character: a Like lookup reads one of them, and the fragments of a field spread over
    as many partitions as its values have distinct characters."""
    return f"CUSTLIKE#{field}#{fragment[:1]}"


def attribute_definition_sk(key: str) -> str:
    return f"{ATTRIBUTE_DEFINITION_PREFIX}{key}"


def consent_pk(channel: str, address_value: str) -> str:
    return f"CONSENT#{channel}#{address_value}"


def consent_history_sk(at: datetime, unique: str | None = None) -> str:
    """A change of consent; a provider event's id makes the key of its redelivery the same."""
    return f"{CONSENT_HISTORY_PREFIX}{message_id(at, unique)}"


# --- auto-deletion: the sparse `due` index (resources.DUE_INDEX) ---------------------------------


def due_pk(conversation_id: str) -> str:
    """The due-index shard of a conversation: fixed by its id, so a new deadline stays in it."""
    shard = int.from_bytes(hashlib.sha256(conversation_id.encode()).digest()[:4], "big") % DUE_SHARDS
    return due_partition(shard)


def due_sk(delete_at: str, conversation_id: str) -> str:
    """Sorted by deadline (RFC 3339 text sorts as time); the sweep reads every entry up to its moment."""
    return f"{delete_at}#{conversation_id}"
