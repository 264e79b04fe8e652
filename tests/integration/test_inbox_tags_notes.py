"""Tags and notes: the catalogue and its agents-may-create setting, notes with author and time,
and concurrent writers who never lose a tag or a note."""

import threading

from chalicelib.storage.notes import NoteRepository
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.tags import TagRepository

from tests.integration.inbox_support import delete, get, new_conversation, patch, picked_up, post


def run_together(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        barrier.wait()
        try:
            work(index)
        except Exception as error:  # collected: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def test_agents_tag_a_conversation_and_new_tags_join_the_catalogue(runtime, api, agent1, webhook_url, demo):
    # Given a conversation agent1 works on
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    # When agent1 adds two tags (one written loosely) and removes one
    response = post(api, f"/conversations/{conversation['id']}/tags", agent1, {"tags": ["Refund ", "vip  customer"]})
    assert response.status_code == 200
    assert response.json()["tags"] == ["refund", "vip customer"]
    removed = delete(api, f"/conversations/{conversation['id']}/tags/vip%20customer", agent1)
    # Then the conversation keeps the other, and the catalogue knows both
    assert removed.json()["tags"] == ["refund"]
    catalogue = get(api, "/tags", agent1, limit=100).json()["items"]
    assert {"refund", "vip customer"} <= set(catalogue)


def test_when_agents_may_not_create_tags_only_known_tags_go_on(runtime, api, agent1, admin, webhook_url, demo):
    # Given the administrator's service setting forbids agents to create tags, and the admin defined one
    patch(api, "/settings/service", admin, {"agents_may_create_tags": False}).raise_for_status()
    try:
        assert post(api, "/tags", admin, {"tag": "Known-Tag"}).status_code == 201
        assert post(api, "/tags", agent1, {"tag": "agent-made"}).status_code == 403
        _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
        path = f"/conversations/{conversation['id']}/tags"
        # When agent1 adds an unknown tag along with the known one
        refused = post(api, path, agent1, {"tags": ["known-tag", "brand-new"]})
        # Then nothing is added, and the error names the unknown tag
        assert refused.status_code == 403
        assert "brand-new" in refused.json()["error"]["message"]
        assert get(api, f"/conversations/{conversation['id']}", agent1).json()["conversation"]["tags"] == []
        # But the known tag alone goes on, and an administrator may create new ones
        assert post(api, path, agent1, {"tags": ["known-tag"]}).json()["tags"] == ["known-tag"]
        assert post(api, path, admin, {"tags": ["admin-made"]}).json()["tags"] == ["admin-made", "known-tag"]
    finally:
        patch(api, "/settings/service", admin, {"agents_may_create_tags": True}).raise_for_status()


def test_notes_keep_author_and_time_and_watchers_read_them(runtime, api, agent1, watcher, webhook_url, demo):
    # Given a conversation
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}/notes"
    # When agent1 writes two notes
    first = post(api, path, agent1, {"text": "Customer called too 📞"})
    post(api, path, agent1, {"text": "Refund approved"}).raise_for_status()
    # Then they are listed in order with author and time, also for a watcher
    assert first.status_code == 201
    notes = get(api, path, watcher).json()["items"]
    assert [n["text"] for n in notes] == ["Customer called too 📞", "Refund approved"]
    assert notes[0]["author_name"] == "Alex Agent"
    assert notes[0]["created_at"]
    # And empty notes are refused
    assert post(api, path, agent1, {"text": "   "}).status_code == 400


def test_twenty_concurrent_taggers_and_note_writers_lose_nothing(runtime, api, agent1, webhook_url, demo):
    # Given a conversation
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    current = ContactRepository().get_conversation(conversation["id"])
    tags, notes = TagRepository(), NoteRepository()

    # When twenty writers each add their own tag at once, and twenty write a note at once
    run_together(20, lambda i: tags.add(current, f"concurrent-{i:02d}"))
    run_together(20, lambda i: notes.add(current.id, author_id=f"u{i}", author_name=f"Writer {i}",
                                         text=f"note {i}", at=current.created_at))

    # Then all twenty tags are on the conversation and findable, and all twenty notes are there
    stored = ContactRepository().get_conversation(current.id)
    assert sorted(stored.tags) == [f"concurrent-{i:02d}" for i in range(20)]
    for i in (0, 19):
        found = get(api, "/conversations", agent1, view="all", tag=f"concurrent-{i:02d}").json()["items"]
        assert [c["id"] for c in found] == [current.id]
    listed = get(api, f"/conversations/{current.id}/notes", agent1, limit=100).json()["items"]
    assert sorted(n["text"] for n in listed) == sorted(f"note {i}" for i in range(20))
