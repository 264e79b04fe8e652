"""Push notices: a small "what changed" for the agents' open tabs, sent over their WebSocket
connections (``push.py``) instead of every tab polling the API.

A notice names what changed (ids, a version); the browser reads what else it needs through the
API, with the caller's own authorization. Three kinds carry the change itself, so that no tab
has to read for it: a status notice carries the message's new delivery status (and the
provider's failure reason), a tags notice the conversation's tags, and a conversation or message
notice the conversation as the change left it (its list row: what every tab's watcher reads to
tell arrivals, which with a thousand agents made every arrival a thousand reads). Notices go only
to connections of the conversation's team, whose members may read every conversation of the
team; a user who is disabled or leaves the team loses those connections (``push.withdraw_push``).
The open thread and the lists patch statuses and tags in place without a read, however far up
the thread the message is. Notices come from the
domain's events (a listener on ``events.EventPublisher``) and from the few changes integrators get
no event for (tags, notes, presence). The use cases only queue them; the push worker sends them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from chalicelib.core.resources import NOTICES_QUEUE
from pydantic import Field

from .events import Event, EventType
from .models import Conversation, ConversationState, DeliveryError, DeliveryStatus, Frozen
from .ports.integrations import Publisher, QueueMessage

log = logging.getLogger(__name__)


class NoticeType(StrEnum):
    # a conversation entered, left or moved in a tab: created, assigned, handed back, archived, reopened
    CONVERSATION = "conversation"
    MESSAGE = "message"  # a new message (the customer's or an agent's)
    STATUS = "status"  # a message's delivery status
    TAGS = "tags"
    NOTE = "note"
    PRESENCE = "presence"  # a colleague came online or went offline


class Notice(Frozen):
    """One change, as the browser receives it. ``team_id`` is None when the event does not name the
    team (a status update names the conversation): the worker looks it up."""

    type: NoticeType
    team_id: str | None = None
    conversation_id: str | None = None
    message_id: str | None = None
    user_id: str | None = None
    # Where the conversation is now (its tab) and who has it: a browser reads a list only when the
    # change can touch it. Ids and states, never customer content.
    state: ConversationState | None = None
    owner_id: str | None = None
    # A status notice: the message's delivery status now, and why it failed (the provider's code
    # and wording, never the message's text).
    status: DeliveryStatus | None = None
    error: DeliveryError | None = None
    # A tags notice: the conversation's tags now.
    tags: tuple[str, ...] | None = None
    # A conversation or message notice: the conversation as the change left it (as a list shows it).
    conversation: Conversation | None = None

    def wire(self) -> dict[str, Any]:
        """The notice as a browser receives it: what it says, without the team (the connection
        is the team's), the conversation whole (its empty fields too, as the API lists it)."""
        body = self.model_dump(mode="json", exclude={"team_id", "conversation"}, exclude_none=True)
        if self.conversation is not None:
            body["conversation"] = self.conversation.model_dump(mode="json")
        return body


class NoticeBatch(Frozen):
    """The body of one notices queue message."""

    notices: list[Notice] = Field(min_length=1)


_TYPE_OF_EVENT = {
    EventType.CONVERSATION_CREATED: NoticeType.CONVERSATION,
    EventType.CONVERSATION_ASSIGNED: NoticeType.CONVERSATION,
    EventType.CONVERSATION_ARCHIVED: NoticeType.CONVERSATION,
    EventType.MESSAGE_CREATED: NoticeType.MESSAGE,
    EventType.MESSAGE_STATUS_CHANGED: NoticeType.STATUS,
}


def notice_of(event: Event) -> Notice:
    """The notice of a domain event: the conversation (and message) it is about, nothing else."""
    conversation = event.data.get("conversation")
    message = event.data.get("message")
    team_id = conversation.get("team_id") if isinstance(conversation, dict) else None
    conversation_id = (conversation.get("id") if isinstance(conversation, dict)
                       else event.data.get("conversation_id"))
    message_id = message.get("id") if isinstance(message, dict) else event.data.get("message_id")
    state = conversation.get("state") if isinstance(conversation, dict) else None
    owner_id = conversation.get("owner_id") if isinstance(conversation, dict) else None
    status = error = None
    if event.type is EventType.MESSAGE_STATUS_CHANGED:
        status = event.data.get("status")
        error = event.data.get("error")
    return Notice.model_validate({
        "type": _TYPE_OF_EVENT[event.type], "team_id": team_id, "conversation_id": conversation_id,
        "message_id": message_id, "state": state, "owner_id": owner_id, "status": status, "error": error,
        "conversation": event.conversation})


class NoticePublisher:
    """Queues notices for the push worker. Never raises: the change they describe has happened, and
    a lost notice costs a browser one read at its next catch-up, not a lost change."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def publish(self, notices: Iterable[Notice]) -> None:
        batch = list(notices)
        if not batch:
            return
        try:
            self._publisher.send(NOTICES_QUEUE, [QueueMessage(body=NoticeBatch(notices=batch).model_dump_json())])
        except Exception:
            log.exception("push notices not queued: %s", ", ".join(n.type.value for n in batch))

    def on_events(self, events: Iterable[Event]) -> None:
        """The listener ``EventPublisher`` calls with every event it publishes."""
        self.publish(notice_of(event) for event in events)

    def conversation_changed(self, team_id: str, conversation_id: str, kind: NoticeType,
                             tags: Iterable[str] | None = None) -> None:
        self.publish([Notice(type=kind, team_id=team_id, conversation_id=conversation_id,
                             tags=tuple(tags) if tags is not None else None)])

    def presence_changed(self, team_ids: Iterable[str], user_id: str) -> None:
        self.publish(Notice(type=NoticeType.PRESENCE, team_id=team_id, user_id=user_id) for team_id in team_ids)
