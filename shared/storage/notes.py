"""Notes on a conversation: one item each under the conversation, so concurrent notes never
overwrite one another."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Note, Page
from pynamodb.exceptions import QueryError
from pynamodb.pagination import ResultIterator

from . import keys
from .items import NoteItem
from .repository import _decode_cursor, _encode_cursor


def _to_note(item: NoteItem) -> Note:
    return Note(id=item.note_id, conversation_id=item.conversation_id, author_id=item.author_id,
                author_name=item.author_name, text=item.text, created_at=item.created_at)


class NoteRepository:
    def add(self, conversation_id: str, *, author_id: str, author_name: str, text: str, at: datetime) -> Note:
        note_id = keys.sortable_id(at)
        item = NoteItem(keys.conversation_pk(conversation_id), keys.note_sk(note_id), note_id=note_id,
                        conversation_id=conversation_id, author_id=author_id, author_name=author_name,
                        text=text, created_at=at)
        item.save(condition=NoteItem.pk.does_not_exist())
        return _to_note(item)

    def list(self, conversation_id: str, *, limit: int, cursor: str | None) -> Page[Note]:
        results: ResultIterator[NoteItem] = NoteItem.query(
            keys.conversation_pk(conversation_id), NoteItem.sk.startswith(keys.NOTE_PREFIX),
            limit=limit, last_evaluated_key=_decode_cursor(cursor))
        try:
            items = [_to_note(item) for item in results]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to these notes", field="cursor") from error
        return Page[Note](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))
