"""The agents' daily work as the use cases see it: notes, quick replies, templates, presence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, get_args

from pydantic import Field

from .models import Frozen


class Note(Frozen):
    id: str
    conversation_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime


class QuickReplyGroup(Frozen):
    id: str
    name: str


class QuickReply(Frozen):
    id: str
    group_id: str
    text: str


class Template(Frozen):
    """An approved template of one channel account. ``parameters`` name the body's variables in
    the order the provider numbers them ({{1}}, {{2}}, ...)."""

    account_id: str
    name: str
    language: str
    body: str
    parameters: tuple[str, ...] = ()
    # What each variable means, by variable ({"1": "customer's first name"}): agents fill in by meaning.
    labels: dict[str, str] = Field(default_factory=dict)

    @property
    def named(self) -> bool:
        """Named variables ({{first_name}}) go to the provider by name, positional ones ({{1}}) in order."""
        return any(not name.isdigit() for name in self.parameters)


# A user is online while their last heartbeat is at most this old: the grace after the last tab
# closed or the connection dropped, before they count as Offline.
ONLINE_WINDOW = timedelta(minutes=2)
# A user whose last connection closed stays online this long (a reload or a network blip reconnects).
DEPARTURE_GRACE = timedelta(seconds=20)
# What an agent says of themselves in the web app: only Available agents are given work
# (automatic assignment, reopen to the previous owner, reassignment by a colleague).
Availability = Literal["available", "away", "offline"]
AVAILABILITIES: tuple[Availability, ...] = get_args(Availability)


class Presence(Frozen):
    user_id: str
    last_seen: datetime
    status: Availability = "available"
    # Conversations assigned to them in the team now (the team view; absent where not read).
    load: int | None = None
