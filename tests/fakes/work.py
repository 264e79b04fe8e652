"""Tags and notes in memory, with the answers of storage/tags.py and storage/notes.py."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import ids
from chalicelib.domain.models import Conversation, Page
from chalicelib.domain.ports.conversations import Tally
from chalicelib.domain.work_models import Note

from tests.fakes.conversations import ConversationRecords, page_of


class InMemoryTags:
    """``TagStore`` in memory: the catalogue, and the tags on the conversations' records."""

    def __init__(self, records: ConversationRecords) -> None:
        self.records = records
        self.catalogue_: dict[str, str | None] = {}

    def is_defined(self, tag: str) -> bool:
        return tag in self.catalogue_

    def define(self, tag: str, *, created_by: str | None, at: datetime) -> bool:
        if tag in self.catalogue_:
            return False
        self.catalogue_[tag] = created_by
        return True

    def catalogue(self, *, limit: int, cursor: str | None) -> Page[str]:
        return page_of(sorted(self.catalogue_), limit, cursor)

    def add(self, conversation: Conversation, tag: str, *, tally: Tally | None = None) -> bool:
        stored = self.records.conversations[conversation.id]
        if tag in stored.tags:
            return False
        self.records.conversations[conversation.id] = stored.model_copy(
            update={"tags": tuple(sorted({*stored.tags, tag}))})
        self.records.count(tally)
        return True

    def remove(self, conversation: Conversation, tag: str) -> bool:
        stored = self.records.conversations[conversation.id]
        if tag not in stored.tags:
            return False
        self.records.conversations[conversation.id] = stored.model_copy(
            update={"tags": tuple(t for t in stored.tags if t != tag)})
        return True


class InMemoryNotes:
    """``NoteStore`` in memory."""

    def __init__(self) -> None:
        self.notes: dict[str, list[Note]] = {}

    def add(self, conversation_id: str, *, author_id: str, author_name: str, text: str, at: datetime) -> Note:
        note = Note(id=ids.sortable_id(at), conversation_id=conversation_id, author_id=author_id,
                    author_name=author_name, text=text, created_at=at)
        self.notes.setdefault(conversation_id, []).append(note)
        return note

    def list(self, conversation_id: str, *, limit: int, cursor: str | None) -> Page[Note]:
        return page_of(sorted(self.notes.get(conversation_id, []), key=lambda note: note.id), limit, cursor)
