"""Consent: whether a customer's address on a channel may be messaged.

A customer opts out with a keyword (STOP and its kin, as the carriers and Twilio define them for
SMS; similar words on the other channels, configurable per channel in the service settings) or
through the provider itself (Twilio answers a send with error 21610 when the recipient replied
STOP; Viber calls back ``unsubscribed``; SES reports a complaint about an email). They opt in
again with START, YES, UNSTOP (SMS) or by subscribing again (Viber ``subscribed``). While an
address is opted out, nothing is sent to it: an agent's reply, template or new conversation is
refused with ``OptedOut`` (409) naming it.

Consent belongs to the address on one channel (``sms`` +31612345678 may be opted out while
``whatsapp`` +31612345678 is not), so it never moves when customer profiles merge. Every change
is kept as a history item.
"""

from __future__ import annotations

import string
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.errors import Conflict
from pydantic import Field

from .models import Channel, Frozen


class ConsentSource(StrEnum):
    KEYWORD = "keyword"  # the customer wrote STOP / START
    PROVIDER = "provider"  # the provider said so (Twilio 21610, Viber unsubscribed / subscribed, SES complaint)
    AGENT = "agent"  # recorded by hand (e.g. the customer asked on the phone)


class ConsentKeywords(Frozen):
    """The words (matched against the whole message, trimmed and case-insensitive) that opt a
    customer out of or back into messages on one channel."""

    opt_out: tuple[str, ...] = Field(default=(), max_length=30)
    opt_in: tuple[str, ...] = Field(default=(), max_length=30)


# Twilio's default opt-out and opt-in keywords for SMS (Advanced Opt-Out's defaults).
SMS_KEYWORDS = ConsentKeywords(
    opt_out=("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
    opt_in=("START", "YES", "UNSTOP"),
)
# Messaging apps have no carrier keywords; these are the common words, overridable per channel.
APP_KEYWORDS = ConsentKeywords(opt_out=("STOP", "UNSUBSCRIBE"), opt_in=("START", "SUBSCRIBE"))
DEFAULT_KEYWORDS: dict[Channel, ConsentKeywords] = {
    channel: SMS_KEYWORDS if channel is Channel.SMS else APP_KEYWORDS for channel in Channel
}


class OptedOut(Conflict):
    """A message to an address whose owner opted out."""

    code = "opted_out"


class ConsentState(Frozen):
    channel: Channel
    address: str
    opted_out: bool
    changed_at: datetime | None = None
    source: ConsentSource | None = None


class ConsentChange(Frozen):
    """One change of an address's consent, as kept in its history."""

    channel: Channel
    address: str
    opted_out: bool
    at: datetime
    source: ConsentSource
    detail: str = ""
    by: str | None = None


def _normalise(text: str) -> str:
    return text.strip().strip(string.punctuation + " ").casefold()


def keyword_intent(channel: Channel, text: str | None,
                   overrides: dict[Channel, ConsentKeywords] | None = None) -> bool | None:
    """True when the message opts the customer out, False when it opts them in, None otherwise.
    Only a message that is nothing but the keyword counts ("stop" or "STOP!", not "don't stop")."""
    if not text:
        return None
    words = (overrides or {}).get(channel) or DEFAULT_KEYWORDS[channel]
    said = _normalise(text)
    if said in {_normalise(word) for word in words.opt_out}:
        return True
    if said in {_normalise(word) for word in words.opt_in}:
        return False
    return None


def refuse_if_opted_out(state: ConsentState | None) -> None:
    if state is not None and state.opted_out:
        raise OptedOut(f"{state.address} opted out of {state.channel.value} messages"
                       f"{' on ' + state.changed_at.isoformat(timespec='seconds') if state.changed_at else ''}; "
                       "nothing can be sent there until they opt in again (e.g. by writing START)",
                       field="customer_id")

