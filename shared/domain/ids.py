"""Ids the domain gives out, and the names of the media objects it stores. The storage maps ids
to table keys (storage/keys.py); it does not invent them."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime


def new_conversation_id() -> str:
    return uuid.uuid4().hex


def message_id(sent_at: datetime, unique: str | None = None, sequence: int | None = None) -> str:
    """A message id that sorts by send time, so a Query on the conversation (and the web app,
    which sorts by id) reads the thread in order. Inbound messages derive the suffix from the
    provider's id, so a redelivery maps to the very same item. Providers date messages to the
    second: the provider's own sequence (Telegram's message_id, the order within a batch) comes
    next, so messages of one second keep the provider's order."""
    millis = int(sent_at.timestamp() * 1000)
    suffix = hashlib.sha256(unique.encode()).hexdigest()[:12] if unique else uuid.uuid4().hex[:12]
    if sequence is not None:
        return f"{millis:013d}-{min(max(sequence, 0), 10**10 - 1):010d}-{suffix}"
    return f"{millis:013d}-{suffix}"


def sortable_id(moment: datetime) -> str:
    """An id that sorts by creation time (notes, quick replies)."""
    return f"{int(moment.timestamp() * 1000):013d}-{uuid.uuid4().hex[:8]}"


# --- media objects (keys of the media bucket) ---------------------------------------------------


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


def upload_prefix(conversation_id: str) -> str:
    """Agents' uploads for a conversation: under its media prefix, so the purge removes them."""
    return f"{media_prefix(conversation_id)}uploads/"


def upload_key(conversation_id: str, token: str, filename: str) -> str:
    """One upload: a random token keeps two files of the same name apart."""
    return f"{upload_prefix(conversation_id)}{token}/{filename}"


OUT_OF_OFFICE_MEDIA_ROOT = "out-of-office/"


def out_of_office_upload_prefix(account_id: str) -> str:
    """An administrator's out-of-office media for a channel account. It belongs to the account,
    not to a conversation: the purge of a conversation whose replies carried it leaves it."""
    return f"{OUT_OF_OFFICE_MEDIA_ROOT}{account_id}/"


def out_of_office_upload_key(account_id: str, token: str, filename: str) -> str:
    return f"{out_of_office_upload_prefix(account_id)}{token}/{filename}"
