"""The thread tells its story: system lines for who picked a conversation up, assigned it to whom,
handed it back, archived it with which tags, reopened, merged, opted out, and for the automatic
replies (out of office) and the templates sent because the reply window was closed.

A system line is a message with direction ``system`` and an ``event``, written in the same
transaction as the change it tells (the stores take it beside the change), so the story never
shows a change that did not happen nor misses one that did. Its text is the line in English, for
exports and API clients; the web app words it in the reader's language from the event.
"""

from __future__ import annotations

from datetime import datetime

from . import ids
from .models import ContentKind, DeliveryStatus, Direction, Message, SystemEvent, SystemEventKind


def describe(event: SystemEvent) -> str:
    """The line in English."""
    actor = event.actor_name or "The system"
    agent = event.agent_name or event.agent_id or "an agent"
    kind = event.kind
    if kind is SystemEventKind.PICKED_UP:
        return f"Picked up by {actor}"
    if kind is SystemEventKind.ASSIGNED:
        return f"Assigned to {agent} by {actor}" if event.actor_name else f"Assigned to {agent} automatically"
    if kind is SystemEventKind.HANDED_BACK:
        return f"Handed back to New by {actor}"
    if kind is SystemEventKind.ARCHIVED:
        tags = f" with tags {', '.join(event.tags)}" if event.tags else ""
        return f"Archived by {actor}{tags}"
    if kind is SystemEventKind.REOPENED and event.actor_name:
        return f"Reopened by {actor}"
    if kind is SystemEventKind.REOPENED:
        return f"Reopened: the customer wrote again; back to {agent}" if event.agent_name else (
            "Reopened: the customer wrote again; back in New")
    if kind is SystemEventKind.MERGED:
        return f"Customer {event.merged_from or 'profile'} merged into {event.merged_into or 'another'} by {actor}"
    if kind is SystemEventKind.OPTED_OUT:
        return "The customer opted out" + (f" ({event.detail})" if event.detail else "")
    if kind is SystemEventKind.OUT_OF_OFFICE_SENT:
        return "Out-of-office reply sent"
    return f"Template {event.detail or ''} sent because the 24-hour window was closed".replace("  ", " ")


def system_line(conversation_id: str, event: SystemEvent, at: datetime) -> Message:
    """The system line of ``event`` at ``at``, ready to store with the change it tells."""
    return Message(id=ids.message_id(at), conversation_id=conversation_id, direction=Direction.SYSTEM,
                   kind=ContentKind.TEXT, text=describe(event), sent_at=at, status=DeliveryStatus.RECEIVED,
                   provider_message_id=None, author_id=event.actor_id, event=event)
