"""Key formats of the single table, in one place."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

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
