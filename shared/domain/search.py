"""What a conversation list asks for: a tab plus filters, merged into one set of criteria.

The filter dialog allows several values per filter (channels WhatsApp and SMS, several tags,
several agents, several states): a conversation matches a filter when it matches any of its
values, and every filter given. The storage layer turns the criteria into one Query on one index
(the most selective single-valued key the criteria offer) and checks the rest on each
conversation read, within a fixed read budget per page (docs/data-model.md, "Filters"). The
checks here are the one definition of what matches.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from chalicelib.domain.errors import InvalidInput

from .models import Channel, Conversation, ConversationState, Frozen
from .text_safety import clean_label
from .waiting import WaitingFor, waits_for

View = Literal["new", "mine", "assigned", "all"]
# "waiting": the longest waiting customer first (the open tabs only: domain/waiting.py).
SortField = Literal["created", "activity", "waiting"]

# The seed's rule: search is exact. "0031612345678" finds the customer +31612345678 (the
# international prefix written as 00 is the same number in the same digits); "+31-612345678"
# finds nothing, since it is not written the way the number is stored.
_INTERNATIONAL_00 = re.compile(r"00[1-9]\d{5,14}")


class Filters(Frozen):
    """The filter dialog: every field optional; the multi-valued ones match any of their values."""

    channels: tuple[Channel, ...] = ()
    agent_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    states: tuple[ConversationState, ...] = ()
    customer: str | None = None
    conversation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Open conversations where the customer waits for us ("agent") or we wait for the customer.
    waiting: WaitingFor | None = None


class Criteria(Frozen):
    """A tab and its filters as constraints on a conversation of one team (an empty tuple: any)."""

    team_id: str
    states: tuple[ConversationState, ...] = ()
    owner_ids: tuple[str, ...] = ()
    handler_ids: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()
    tags: tuple[str, ...] = ()
    customer: str | None = None
    conversation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    waiting: WaitingFor | None = None

    @property
    def open_only(self) -> bool:
        """Whether only open conversations (New, Assigned) can match: a queue, short by nature."""
        return bool(self.states) and ConversationState.ARCHIVED not in self.states


def customer_term(raw: str) -> str:
    """The exact form a customer search term is looked up in: trimmed and case-folded; a phone
    number written with the 00 international prefix becomes its stored E.164 form."""
    term = raw.strip()
    if _INTERNATIONAL_00.fullmatch(term):
        term = "+" + term[2:]
    return term.casefold()


def normalise_tag(raw: str) -> str:
    """Tags are case-insensitive with single spaces, NFKC and without invisible characters, so
    'Billing ', 'billing' and 'bil\u200bling' are one tag (text_safety.clean_label)."""
    tag = clean_label(raw).casefold()
    if not tag:
        raise InvalidInput("a tag must not be empty", field="tags")
    if len(tag) > 50:
        raise InvalidInput(f"tag {tag[:20]!r}... is longer than 50 characters", field="tags")
    return tag


def criteria_for(view: View, filters: Filters, *, team_id: str, user_id: str) -> Criteria:
    """Merge a tab with the filters. A filter that contradicts its tab is refused, naming it."""
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInput("since must be before until", field="since")
    for name, moment in (("since", filters.since), ("until", filters.until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"{name} needs a time-zone offset (ISO 8601, e.g. 2024-05-01T09:00:00+02:00)",
                               field=name)
    if filters.states and view != "all":
        raise InvalidInput(f"the {view} tab has its own state; filter by state in the all tab", field="state")
    agents = tuple(dict.fromkeys(filters.agent_ids))
    states = tuple(dict.fromkeys(filters.states))
    owner_ids: tuple[str, ...] = ()
    handler_ids: tuple[str, ...] = ()
    if view == "new":
        if agents:
            raise InvalidInput("new conversations have no agent yet", field="agent")
        states = (ConversationState.NEW,)
    elif view == "mine":
        if any(agent != user_id for agent in agents):
            raise InvalidInput("the mine tab shows your own conversations; use the assigned tab", field="agent")
        states, owner_ids = (ConversationState.ASSIGNED,), (user_id,)
    elif view == "assigned":
        states, owner_ids = (ConversationState.ASSIGNED,), agents
    else:
        handler_ids = agents
    return Criteria(
        team_id=team_id, states=states, owner_ids=owner_ids, handler_ids=handler_ids,
        channels=tuple(dict.fromkeys(filters.channels)),
        tags=tuple(dict.fromkeys(normalise_tag(tag) for tag in filters.tags)),
        customer=customer_term(filters.customer) if filters.customer else None,
        conversation_id=filters.conversation_id, since=filters.since, until=filters.until,
        waiting=filters.waiting,
    )


def sort_time(conversation: Conversation, sort: SortField) -> datetime:
    """The time a list's span (since, until) applies to: the conversation's date, else its last message."""
    return conversation.last_message_at if sort == "activity" else conversation.created_at


def matches(conversation: Conversation, criteria: Criteria, sort: SortField) -> bool:
    """Whether a conversation meets every criterion (the storage layer has already used one of
    them as the key of its Query)."""
    moment = sort_time(conversation, sort)
    checks = (
        conversation.team_id == criteria.team_id,
        not criteria.states or conversation.state in criteria.states,
        not criteria.owner_ids or conversation.owner_id in criteria.owner_ids,
        not criteria.handler_ids or conversation.last_owner_id in criteria.handler_ids,
        not criteria.channels or conversation.channel in criteria.channels,
        not criteria.tags or any(tag in conversation.tags for tag in criteria.tags),
        criteria.customer is None or criteria.customer in _customer_terms(conversation),
        criteria.conversation_id is None or conversation.id == criteria.conversation_id,
        criteria.since is None or moment >= criteria.since,
        criteria.until is None or moment < criteria.until,
        criteria.waiting is None or waits_for(conversation, criteria.waiting),
    )
    return all(checks)


def _customer_terms(conversation: Conversation) -> set[str]:
    terms = {conversation.customer_id.casefold()}
    if conversation.customer_name and conversation.customer_name.strip():
        terms.add(conversation.customer_name.strip().casefold())
    return terms
