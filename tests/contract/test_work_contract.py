"""Tags and notes: the contract of the stores tagging reads and writes, the same in memory and on
DynamoDB."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.builders import START, inbound, opening, unique
from tests.contract.conftest import Stores


def test_a_tag_is_defined_once_and_put_on_a_conversation_once(stores: Stores) -> None:
    tag = unique("vip")
    assert stores.tags.define(tag, created_by="ann", at=START)
    assert not stores.tags.define(tag, created_by="bob", at=START)
    assert stores.tags.is_defined(tag)
    assert tag in stores.tags.catalogue(limit=100, cursor=None).items
    opened = stores.conversations.ingest_message(opening(inbound(unique("+31"))))
    assert opened is not None
    assert stores.tags.add(opened.conversation, tag)
    assert not stores.tags.add(opened.conversation, tag)
    assert stores.conversations.get_conversation(opened.conversation.id).tags == (tag,)
    assert stores.tags.remove(opened.conversation, tag)
    assert not stores.tags.remove(opened.conversation, tag)
    assert stores.conversations.get_conversation(opened.conversation.id).tags == ()


def test_notes_are_listed_in_the_order_they_were_written(stores: Stores) -> None:
    conversation_id = unique("c")
    for minute, text in ((0, "Called the carrier"), (5, "Parcel found")):
        stores.notes.add(conversation_id, author_id="ann", author_name="Ann", text=text,
                         at=START + timedelta(minutes=minute))
    first = stores.notes.list(conversation_id, limit=1, cursor=None)
    assert [note.text for note in first.items] == ["Called the carrier"]
    assert first.next_cursor is not None
    rest = stores.notes.list(conversation_id, limit=5, cursor=first.next_cursor)
    assert [(note.text, note.author_name) for note in rest.items] == [("Parcel found", "Ann")]
