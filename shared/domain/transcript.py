"""A conversation as a transcript to read or hand on (the PDF export): the customer's name and the
channel as its title, each message with its sender and time in the reader's time zone, attachments
by file name, the conversation's tags, its story lines, and the team's notes last. No ids or
storage keys: those are in the CSV and XLSX exports.

Text is set in DejaVu Sans (shipped in ``fonts/``, the Bitstream Vera licence beside it), so
every script the font covers prints as written, on Lambda too, where the system has no fonts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Conversation, Direction, Message
from .story import describe

if TYPE_CHECKING:
    from .customers import CommunicationEntry
    from .work_models import Note

FONTS = Path(__file__).resolve().parents[1] / "fonts"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"

CHANNEL_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram", "telegram": "Telegram",
                 "sms": "SMS", "viber": "Viber", "email": "Email", "api": "API"}

# The transcript's own words, in the reader's language where we have it (else English).
WORDS: dict[str, dict[str, str]] = {
    "en": {"title": "Conversation with {name}", "channel": "Channel", "team": "Team", "period": "Period",
           "times": "Times in {zone}", "tags": "Tags", "none": "none", "notes": "Internal notes",
           "log": "Logged contacts", "attachment": "Attachment", "not_delivered": "Not delivered",
           "agent": "Agent", "exported": "Exported {time}", "template": "Template {name}",
           "location": "Shared a location", "contact": "Shared a contact", "no_text": "({kind})"},
    "nl": {"title": "Gesprek met {name}", "channel": "Kanaal", "team": "Team", "period": "Periode",
           "times": "Tijden in {zone}", "tags": "Labels", "none": "geen", "notes": "Interne notities",
           "log": "Vastgelegde contacten", "attachment": "Bijlage", "not_delivered": "Niet afgeleverd",
           "agent": "Medewerker", "exported": "Geëxporteerd {time}", "template": "Sjabloon {name}",
           "location": "Heeft een locatie gedeeld", "contact": "Heeft een contact gedeeld",
           "no_text": "({kind})"},
}


@dataclass(frozen=True)
class Transcript:
    conversation: Conversation
    messages: Sequence[Message]
    notes: Sequence[Note]
    # Agents' names by user id (who wrote each reply).
    names: dict[str, str]
    account_name: str | None = None
    team_name: str | None = None
    time_zone: str | None = None
    language: str | None = None
    log: Sequence[CommunicationEntry] = field(default_factory=tuple)


def zone_of(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def words_for(language: str | None) -> dict[str, str]:
    primary = (language or "en").lower().split("-")[0].split("_")[0]
    return WORDS.get(primary, WORDS["en"])


def sender_of(transcript: Transcript, message: Message, words: dict[str, str]) -> str:
    conversation = transcript.conversation
    if message.direction is Direction.INBOUND:
        return conversation.customer_name or conversation.customer_id
    return transcript.names.get(message.author_id or "", words["agent"])


def body_of(message: Message, words: dict[str, str]) -> str:
    if message.text:
        return message.text
    if message.location is not None:
        return words["location"]
    if message.contacts:
        return words["contact"]
    return "" if message.attachments else words["no_text"].format(kind=message.kind.value)


def title_of(transcript: Transcript, language: str | None = None) -> str:
    conversation = transcript.conversation
    return words_for(language or transcript.language)["title"].format(
        name=conversation.customer_name or conversation.customer_id)


@dataclass(frozen=True)
class Line:
    """One paragraph of the transcript as it is set: its text, size and emphasis, and the space above it."""

    text: str
    size: int
    bold: bool = False
    grey: int = 0
    height: int = 5
    red: bool = False
    space_before: int = 0


def layout(transcript: Transcript, *, now: datetime) -> list[Line]:
    """The transcript's paragraphs in order: heading facts, messages by day, notes, logged contacts."""
    writer = _Writer(transcript)
    writer.heading()
    day = None
    for message in transcript.messages:
        when = writer.local(message.sent_at)
        if when.date() != day:
            day = when.date()
            writer.add(f"{when:%A %d %B %Y}", size=10, bold=True, grey=90, height=7)
        writer.message(message)
    writer.appendix(writer.words["notes"], [(n.created_at, n.author_name, n.text) for n in transcript.notes])
    writer.appendix(writer.words["log"], [(e.occurred_at, e.author_name, e.text) for e in transcript.log])
    writer.add(writer.words["exported"].format(time=f"{writer.local(now):%Y-%m-%d %H:%M %Z}"), size=7, grey=120,
               height=4, space_before=4)
    return writer.lines


def to_pdf(transcript: Transcript, *, now: datetime) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("body", fname=str(REGULAR))
    pdf.add_font("body", style="B", fname=str(BOLD))
    pdf.set_title(title_of(transcript))
    pdf.add_page()
    for line in layout(transcript, now=now):
        if line.space_before:
            pdf.ln(line.space_before)
        pdf.set_font("body", "B" if line.bold else "", size=line.size)
        if line.red:
            pdf.set_text_color(160, 30, 20)
        else:
            pdf.set_text_color(line.grey, line.grey, line.grey)
        pdf.multi_cell(0, line.height, line.text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


class _Writer:
    def __init__(self, transcript: Transcript) -> None:
        self.lines: list[Line] = []
        self.transcript = transcript
        self.words = words_for(transcript.language)
        self.zone = zone_of(transcript.time_zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def add(self, text: str, **style: Any) -> None:
        self.lines.append(Line(text, **style))

    def heading(self) -> None:
        transcript, words = self.transcript, self.words
        conversation = transcript.conversation
        self.add(title_of(transcript), size=15, bold=True, height=8)
        channel = CHANNEL_NAMES.get(conversation.channel.value, conversation.channel.value)
        account = f" ({transcript.account_name})" if transcript.account_name else ""
        self.add(f"{words['channel']}: {channel}{account}", size=9)
        if transcript.team_name:
            self.add(f"{words['team']}: {transcript.team_name}", size=9)
        times = [m.sent_at for m in transcript.messages] or [conversation.created_at]
        self.add(f"{words['period']}: {self.local(min(times)):%Y-%m-%d %H:%M} - "
                 f"{self.local(max(times)):%Y-%m-%d %H:%M}", size=9)
        self.add(words["times"].format(zone=str(self.zone)), size=9)
        self.add(f"{words['tags']}: {', '.join(conversation.tags) if conversation.tags else words['none']}", size=9)

    def message(self, message: Message) -> None:
        when = self.local(message.sent_at)
        if message.direction is Direction.SYSTEM:
            line = describe(message.event, self.transcript.language) if message.event else message.text
            self.add(f"{when:%H:%M}  {line or ''}", size=8, grey=100, space_before=1)
            return
        heading = f"{when:%H:%M}  {sender_of(self.transcript, message, self.words)}"
        if message.template is not None:
            heading += "  -  " + self.words["template"].format(name=message.template.name)
        self.add(heading, size=9, bold=True, space_before=2)
        body = body_of(message, self.words)
        if body:
            self.add(body, size=10)
        for attachment in message.attachments:
            self.add(f"{self.words['attachment']}: {attachment.filename or attachment.content_type}", size=9)
        if message.error is not None and message.status.value == "failed":
            self.add(f"{self.words['not_delivered']}: {message.error.message}", size=8, red=True, height=4)

    def appendix(self, heading: str, entries: list[tuple[datetime, str, str]]) -> None:
        if not entries:
            return
        self.add(heading, size=11, bold=True, height=7, space_before=4)
        for moment, author, text in entries:
            self.add(f"{self.local(moment):%Y-%m-%d %H:%M}  {author}", size=9, bold=True, space_before=1)
            self.add(text, size=10)
