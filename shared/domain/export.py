"""Export of one conversation, notes included, as CSV or XLSX (every field, for records and
tools) or PDF (a transcript to read, domain/transcript.py).

Spreadsheet cells that start with = + - @ (or a tab or carriage return) are prefixed with an
apostrophe: a customer's message must never run as a formula in the agent's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalicelib.core.model_base import Model

from .export_models import ExportFormat
from .identity import Principal, require_team_member
from .models import Conversation, Direction, Message
from .paging import MAX_PAGE_SIZE, every_item
from .transcript import Transcript
from .transcript import to_pdf as transcript_pdf
from .work_models import Note

if TYPE_CHECKING:
    from .customers import CommunicationEntry
    from .ports.conversations import ConversationRepository
    from .ports.customers import CustomerDirectory
    from .ports.directory import ChannelAccounts, TeamDirectory, UserDirectory
    from .ports.work import NoteStore

CONTENT_TYPES: dict[ExportFormat, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("time", "type", "from", "content", "attachments", "status", "error")


def conversation_filename(conversation_id: str, fmt: ExportFormat) -> str:
    return f"conversation-{conversation_id}.{fmt}"


def neutralise(value: str) -> str:
    """A cell value that spreadsheets show as text, never evaluate."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    body: bytes


def rows(conversation: Conversation, messages: list[Message], notes: list[Note],
         names: dict[str, str], log: list[CommunicationEntry] | None = None) -> list[tuple[str, ...]]:
    """The export's lines: the thread in order, then the notes, then the interactions logged on
    the conversation that did not come through a channel (calls, visits, letters)."""
    lines: list[tuple[str, ...]] = []
    for message in messages:
        if message.direction is Direction.SYSTEM:
            # A line of the story (domain/story.py): who did what, in words.
            lines.append((_time(message.sent_at), "system", (message.event.actor_name or "") if message.event
                          else "", message.text or "", "", "", ""))
            continue
        if message.direction is Direction.INBOUND:
            sender = conversation.customer_name or conversation.customer_id
        else:
            sender = names.get(message.author_id or "", message.author_id or "agent")
        lines.append((
            _time(message.sent_at), f"message {message.direction.value}", sender, message.text or f"[{message.kind}]",
            ", ".join(a.filename or a.key for a in message.attachments), message.status.value,
            f"{message.error.code}: {message.error.message}" if message.error else "",
        ))
    for note in notes:
        lines.append((_time(note.created_at), "note", note.author_name, note.text, "", "", ""))
    for entry in log or ():
        lines.append((_time(entry.occurred_at), f"logged {entry.direction.value} {entry.medium.value}",
                      entry.author_name, entry.text, "", "", ""))
    return lines


def to_csv(lines: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows([neutralise(cell) for cell in line] for line in lines)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet apps read UTF-8


def to_xlsx(conversation: Conversation, lines: list[tuple[str, ...]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "conversation"
    sheet.append(list(HEADER))
    for line in lines:
        # XLSX is XML, which cannot hold most control characters: each shows as U+FFFD.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(cell)) for cell in line])
    for column, width in zip("ABCDEFG", (26, 18, 24, 80, 30, 12, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ExportedConversation(Model):
    """The JSON export: the conversation, its whole thread in order (system lines carry their
    ``event``) and its notes."""

    conversation: Conversation
    messages: list[Message]
    notes: list[Note]


def to_json(conversation: Conversation, messages: list[Message], notes: list[Note]) -> bytes:
    return ExportedConversation(conversation=conversation, messages=messages, notes=notes).model_dump_json(
        indent=2).encode("utf-8")


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class Exporter:
    def __init__(self, repository: ConversationRepository, notes: NoteStore, *, users: UserDirectory,
                 customers: CustomerDirectory | None = None, accounts: ChannelAccounts | None = None,
                 teams: TeamDirectory | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._accounts = accounts
        self._teams = teams
        self._clock = clock
        self._repository = repository
        self._users = users
        self._notes = notes
        self._customers = customers

    def check(self, principal: Principal, conversation_id: str) -> Conversation:
        """Every role that may read the conversation may export it (the seed's watchers export too)."""
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return conversation

    def export(self, principal: Principal, conversation_id: str, fmt: ExportFormat) -> ExportFile:
        conversation = self.check(principal, conversation_id)
        messages = list(every_item(lambda cursor: self._repository.list_messages(
            conversation_id, limit=MAX_PAGE_SIZE, cursor=cursor)))
        notes = list(every_item(lambda cursor: self._notes.list(conversation_id, limit=MAX_PAGE_SIZE, cursor=cursor)))
        names = self._author_names(messages)
        customers = self._customers
        log = [] if customers is None else list(every_item(lambda cursor: customers.conversation_log(
            conversation_id, limit=MAX_PAGE_SIZE, cursor=cursor)))
        lines = rows(conversation, messages, notes, names, log)
        if fmt == "json":
            body = to_json(conversation, messages, notes)
        elif fmt == "csv":
            body = to_csv(lines)
        elif fmt == "xlsx":
            body = to_xlsx(conversation, lines)
        else:
            body = self._transcript(principal, conversation, messages, notes, names, log)
        return ExportFile(filename=conversation_filename(conversation_id, fmt), content_type=CONTENT_TYPES[fmt],
                          body=body)

    def _transcript(self, principal: Principal, conversation: Conversation, messages: list[Message],
                    notes: list[Note], names: dict[str, str], log: list[CommunicationEntry]) -> bytes:
        """The PDF: a transcript in the reader's time zone and language (their profile)."""
        profile = self._users.get_profile(principal.user)
        account = self._accounts.cached(conversation.account_id) if self._accounts is not None else None
        team = self._teams.get(conversation.team_id) if self._teams is not None else None
        return transcript_pdf(Transcript(
            conversation=conversation, messages=messages, notes=notes, names=names,
            account_name=account.name if account is not None else None,
            team_name=team.name if team is not None else None,
            time_zone=profile.time_zone, language=profile.language, log=log), now=self._clock())

    def _author_names(self, messages: list[Message]) -> dict[str, str]:
        names: dict[str, str] = {}
        for author_id in {m.author_id for m in messages if m.author_id}:
            user = self._users.get(author_id)
            if user is not None:
                names[author_id] = user.display_name
        return names
