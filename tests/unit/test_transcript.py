"""The PDF export reads as a transcript: the customer's name and the channel as its title, times
in the reader's time zone, attachments by file name, tags, story lines and notes, in the reader's
language, and no ids or storage keys; every script DejaVu Sans covers is set as written."""

from datetime import UTC, datetime

import pytest
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryError,
    DeliveryStatus,
    Direction,
    Message,
    SystemEvent,
    SystemEventKind,
)
from chalicelib.domain.story import STORY_WORDS, describe
from chalicelib.domain.transcript import REGULAR, Transcript, layout, to_pdf
from chalicelib.domain.work_models import Note

pytestmark = pytest.mark.unit

MORNING = datetime(2026, 3, 30, 7, 5, tzinfo=UTC)


def conversation() -> Conversation:
    return Conversation(id="c0ffee0000", channel=Channel.WHATSAPP, account_id="wa-demo", customer_id="+31612345678",
                        customer_name="Zoë Ünal", team_id="default", state=ConversationState.ARCHIVED,
                        owner_id=None, created_at=MORNING, last_message_at=MORNING,
                        last_customer_message_at=MORNING, preview="", version=3, tags=("billing", "refund"))


def message(number: int, direction: Direction, text: str | None, **extra) -> Message:
    fields = {"status": DeliveryStatus.READ, **extra}
    return Message(id=f"m{number}", conversation_id="c0ffee0000", direction=direction, kind=ContentKind.TEXT,
                   text=text, sent_at=MORNING.replace(minute=5 + number), provider_message_id=f"wamid.{number}",
                   author_id="u-agent" if direction is Direction.OUTBOUND else None, **fields)


def transcript(**extra) -> Transcript:
    messages = [
        message(0, Direction.INBOUND, "Привет, my invoice 请 📦"),
        message(1, Direction.SYSTEM, "Picked up by Anna Agent",
                event=SystemEvent(kind=SystemEventKind.PICKED_UP, actor_id="u-agent", actor_name="Anna Agent")),
        message(2, Direction.OUTBOUND, "Here it is", attachments=(Attachment(
            key="media/c0ffee0000/upload/abc/invoice-42.pdf", content_type="application/pdf",
            filename="invoice-42.pdf", size=1200),)),
        message(3, Direction.OUTBOUND, "Still there?", status=DeliveryStatus.FAILED,
                error=DeliveryError(code="131026", message="Message undeliverable", permanent=True)),
    ]
    notes = [Note(id="n1", conversation_id="c0ffee0000", author_id="u-agent", author_name="Anna Agent",
                  text="Refund promised", created_at=MORNING.replace(minute=30))]
    return Transcript(conversation=conversation(), messages=messages, notes=notes, names={"u-agent": "Anna Agent"},
                      account_name="WhatsApp 15550001111", team_name="Billing", **extra)


def texts(made: Transcript) -> list[str]:
    return [line.text for line in layout(made, now=MORNING.replace(hour=9))]


def test_the_title_names_the_customer_and_the_heading_the_channel_team_and_tags():
    lines = texts(transcript(time_zone="Europe/Amsterdam"))
    assert lines[0] == "Conversation with Zoë Ünal"
    assert "Channel: WhatsApp (WhatsApp 15550001111)" in lines
    assert "Team: Billing" in lines
    assert "Tags: billing, refund" in lines


def test_times_are_in_the_readers_time_zone():
    # 07:05 UTC on 30 March 2026 is 09:05 in Amsterdam (summer time since the 29th)
    lines = texts(transcript(time_zone="Europe/Amsterdam"))
    assert "Times in Europe/Amsterdam" in lines
    assert "09:05  Zoë Ünal" in lines
    assert "09:07  Anna Agent" in lines
    assert "Monday 30 March 2026" in lines


def test_messages_attachments_failures_story_lines_and_notes_read_as_text_without_ids():
    lines = texts(transcript())
    assert "Привет, my invoice 请 📦" in lines
    assert "07:06  Picked up by Anna Agent" in lines
    assert "Attachment: invoice-42.pdf" in lines
    assert "Not delivered: Message undeliverable" in lines
    assert lines[lines.index("Internal notes") + 2] == "Refund promised"
    whole = "\n".join(lines)
    for internal in ("c0ffee0000", "media/", "wamid", "u-agent", "wa-demo"):
        assert internal not in whole


def test_the_readers_language_sets_the_transcripts_words():
    lines = texts(transcript(language="nl-NL", time_zone="Europe/Amsterdam"))
    assert lines[0] == "Gesprek met Zoë Ünal"
    assert "Labels: billing, refund" in lines
    assert "Bijlage: invoice-42.pdf" in lines
    assert "09:06  Opgepakt door Anna Agent" in lines  # the story line too


@pytest.mark.parametrize("language", sorted(STORY_WORDS))
@pytest.mark.parametrize("event", [
    SystemEvent(kind=kind, actor_name=actor, agent_name="Sam", tags=tags, detail="whatsapp, keyword",
                merged_from="Mia M.", merged_into="Mia Merge")
    for kind in SystemEventKind for actor in ("Ada", None) for tags in ((), ("vip",))])
def test_every_story_line_is_worded_in_every_language_of_the_exports(language, event):
    line = describe(event, language)
    assert line
    assert "{" not in line
    assert set(STORY_WORDS[language]) == set(STORY_WORDS["en"])


def test_a_merge_line_names_both_customers_and_who_merged_them():
    event = SystemEvent(kind=SystemEventKind.MERGED, actor_name="Ada", merged_from="Mia M.", merged_into="Mia Merge")
    assert describe(event) == "Customer Mia M. merged into Mia Merge by Ada"
    assert describe(event, "nl-BE") == "Klant Mia M. samengevoegd met Mia Merge door Ada"


def test_an_unknown_time_zone_falls_back_to_utc():
    assert "Times in UTC" in texts(transcript(time_zone="Mars/Olympus"))


def test_the_pdf_embeds_the_shipped_unicode_font():
    assert REGULAR.is_file()
    body = to_pdf(transcript(time_zone="Asia/Tokyo"), now=MORNING)
    assert body.startswith(b"%PDF-")
    assert b"DejaVuSans" in body
