"""The thread tells its story: system lines for who picked a conversation up, assigned it to whom,
handed it back, archived it with which tags, reopened, merged, opted out, and for the automatic
replies (out of office) and the templates sent because the reply window was closed.

A system line is a message with direction ``system`` and an ``event``, written in the same
transaction as the change it tells (the stores take it beside the change), so the story never
shows a change that did not happen nor misses one that did. Its text is the line in English, for
the CSV and XLSX exports and API clients; the PDF transcript and the web app word it in the
reader's language from the event.
"""

from __future__ import annotations

from datetime import datetime

from . import ids
from .models import ContentKind, DeliveryStatus, Direction, Message, SystemEvent, SystemEventKind

# The lines' words, in English (the stored text) and in the readers' languages the exports speak
# (the web app has the same lines in its catalogues, frontend/src/i18n).
STORY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "system": "The system", "an_agent": "an agent",
        "picked_up": "Picked up by {actor}",
        "assigned": "Assigned to {agent} by {actor}",
        "assigned_automatically": "Assigned to {agent} automatically",
        "handed_back": "Handed back to New by {actor}",
        "archived": "Archived by {actor}",
        "archived_with_tags": "Archived by {actor} with tags {tags}",
        "reopened_by": "Reopened by {actor}",
        "reopened_to": "Reopened: the customer wrote again; back to {agent}",
        "reopened_new": "Reopened: the customer wrote again; back in New",
        "merged": "Customer {source} merged into {kept} by {actor}",
        "opted_out": "The customer opted out ({detail})",
        "opted_out_bare": "The customer opted out",
        "out_of_office_sent": "Out-of-office reply sent",
        "template_window_closed": "Template {template} sent because the 24-hour window was closed",
    },
    "nl": {
        "system": "Het systeem", "an_agent": "een medewerker",
        "picked_up": "Opgepakt door {actor}",
        "assigned": "Toegewezen aan {agent} door {actor}",
        "assigned_automatically": "Automatisch toegewezen aan {agent}",
        "handed_back": "Teruggezet naar Nieuw door {actor}",
        "archived": "Gearchiveerd door {actor}",
        "archived_with_tags": "Gearchiveerd door {actor} met tags {tags}",
        "reopened_by": "Heropend door {actor}",
        "reopened_to": "Heropend: de klant schreef opnieuw; terug naar {agent}",
        "reopened_new": "Heropend: de klant schreef opnieuw; terug in Nieuw",
        "merged": "Klant {source} samengevoegd met {kept} door {actor}",
        "opted_out": "De klant heeft zich afgemeld ({detail})",
        "opted_out_bare": "De klant heeft zich afgemeld",
        "out_of_office_sent": "Afwezigheidsbericht verstuurd",
        "template_window_closed": "Sjabloon {template} verstuurd omdat het 24-uursvenster gesloten was",
    },
}


def _line_key(event: SystemEvent) -> str:
    """Which of the words tells this event."""
    kind = event.kind
    if kind is SystemEventKind.ASSIGNED and not event.actor_name:
        return "assigned_automatically"
    if kind is SystemEventKind.ARCHIVED and event.tags:
        return "archived_with_tags"
    if kind is SystemEventKind.REOPENED:
        return "reopened_by" if event.actor_name else "reopened_to" if event.agent_name else "reopened_new"
    if kind is SystemEventKind.OPTED_OUT and not event.detail:
        return "opted_out_bare"
    return kind.value


def describe(event: SystemEvent, language: str | None = None) -> str:
    """The line in the reader's language (``nl``, ``nl-BE``), English by default and for any other."""
    primary = (language or "en").lower().split("-")[0].split("_")[0]
    words = STORY_WORDS.get(primary, STORY_WORDS["en"])
    return words[_line_key(event)].format(
        actor=event.actor_name or words["system"], agent=event.agent_name or event.agent_id or words["an_agent"],
        tags=", ".join(event.tags), detail=event.detail or "", template=event.detail or "",
        source=event.merged_from or "", kept=event.merged_into or "")


def system_line(conversation_id: str, event: SystemEvent, at: datetime) -> Message:
    """The system line of ``event`` at ``at``, ready to store with the change it tells."""
    return Message(id=ids.message_id(at), conversation_id=conversation_id, direction=Direction.SYSTEM,
                   kind=ContentKind.TEXT, text=describe(event), sent_at=at, status=DeliveryStatus.RECEIVED,
                   provider_message_id=None, author_id=event.actor_id, event=event)
