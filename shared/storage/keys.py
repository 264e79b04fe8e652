"""Key formats of the single table, in one place."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

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


def owner_list_pk(owner_id: str) -> str:
    return f"A#{owner_id}"


def team_list_pk(team_id: str) -> str:
    return f"T#{team_id}"


def time_sk(moment: datetime, conversation_id: str) -> str:
    """Sort key of a conversation in a list: ISO time, then the id to keep keys unique."""
    return f"{moment.isoformat(timespec='milliseconds')}#{conversation_id}"


def new_conversation_id() -> str:
    return uuid.uuid4().hex


def message_id(sent_at: datetime, unique: str | None = None) -> str:
    """A message id that sorts by send time, so a Query on the conversation reads the thread in
    order. Inbound messages derive the suffix from the provider's id, so a redelivery maps to
    the very same item."""
    millis = int(sent_at.timestamp() * 1000)
    suffix = hashlib.sha256(unique.encode()).hexdigest()[:12] if unique else uuid.uuid4().hex[:12]
    return f"{millis:013d}-{suffix}"


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


def inbound_media_key(account_id: str, message_id: str, index: int) -> str:
    """Inbound media copied from the provider: keyed by message, since it is copied before the
    message's conversation is known. The message item lists these keys (purge reads them there)."""
    return f"inbound/{account_id}/{message_id}/{index}"


def raw_mail_key(account_id: str, ses_message_id: str) -> str:
    """An inbound email as SES stored it (raw MIME) before the webhook read it."""
    return f"inbound-mail/{account_id}/{ses_message_id}"


def media_prefix(conversation_id: str) -> str:
    """Every media object of a conversation lives under this key prefix of the media bucket."""
    return f"conversations/{conversation_id}/"
