"""Tags and notes on conversations.

Tags come from the organisation's catalogue; whether agents may add a tag that is not in it yet
is a service setting (administrators always may). Notes belong to one conversation, with their
author and time, and go into its export.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Forbidden, InvalidInput

from .identity import (
    WORKING_ROLES,
    Principal,
    require_administrator,
    require_team_member,
    require_working_role,
)
from .models import Conversation, Page, Role
from .notices import NoticePublisher, NoticeType
from .paging import check_limit
from .search import normalise_tag
from .text_safety import clean_text

if TYPE_CHECKING:
    from .ports.conversations import Conversations
    from .ports.work import NoteStore, TagStore
    from .service_settings import ServiceSettings
    from .statistics import StatsRecorder
    from .work_models import Note

MAX_TAGS_PER_CONVERSATION = 20
MAX_NOTE_LENGTH = 5000


class TagsAndNotes:
    def __init__(self, repository: Conversations, tags: TagStore, notes: NoteStore,
                 settings: Callable[[], ServiceSettings], stats: StatsRecorder,
                 clock: Callable[[], datetime], notices: NoticePublisher | None = None) -> None:
        self._repository = repository
        self._notices = notices
        self._tags = tags
        self._notes = notes
        self._settings = settings
        self._stats = stats
        self._clock = clock

    # --- tags ---

    def catalogue(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[str]:
        check_limit(limit)
        return self._tags.catalogue(limit=limit, cursor=cursor)

    def may_create(self, principal: Principal) -> bool:
        """Whether tagging a conversation with a tag not in the catalogue adds it: always for
        administrators, for agents as the service setting says; never for who may not tag."""
        if principal.user.role is Role.ADMINISTRATOR:
            return True
        return principal.user.role in WORKING_ROLES and self._settings().agents_may_create_tags

    def define(self, principal: Principal, tag: str) -> str:
        require_administrator(principal)
        tag = normalise_tag(tag)
        self._tags.define(tag, created_by=principal.id, at=self._clock())
        return tag

    def add(self, principal: Principal, conversation_id: str, raw_tags: Sequence[str]) -> Conversation:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return self.apply(principal, conversation, raw_tags)

    def apply(self, principal: Principal, conversation: Conversation, raw_tags: Sequence[str]) -> Conversation:
        """Tag a conversation the caller may work on (checked by the caller)."""
        tags = list(dict.fromkeys(normalise_tag(tag) for tag in raw_tags))
        if len(set(conversation.tags) | set(tags)) > MAX_TAGS_PER_CONVERSATION:
            raise InvalidInput(f"a conversation has at most {MAX_TAGS_PER_CONVERSATION} tags", field="tags")
        # Every tag is checked before any is written: a refused tag leaves the conversation as it was.
        unknown = [tag for tag in tags if not self._tags.is_defined(tag)]
        if unknown and not self.may_create(principal):
            raise Forbidden(f"tag {unknown[0]!r} is not in the catalogue, and agents may not create tags",
                            field="tags")
        now = self._clock()
        for tag in unknown:
            self._tags.define(tag, created_by=principal.id, at=now)
        for tag in tags:
            self._tags.add(conversation, tag, tally=self._stats.tagged(conversation, tag, now))
        tagged = self._repository.get_conversation(conversation.id)
        self._changed(tagged, NoticeType.TAGS, tags=tagged.tags)
        return tagged

    def remove(self, principal: Principal, conversation_id: str, raw_tag: str) -> Conversation:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        self._tags.remove(conversation, normalise_tag(raw_tag))
        untagged = self._repository.get_conversation(conversation_id)
        self._changed(untagged, NoticeType.TAGS, tags=untagged.tags)
        return untagged

    # --- notes ---

    def add_note(self, principal: Principal, conversation_id: str, text: str) -> Note:
        require_working_role(principal)
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        text = clean_text(text).strip()
        if not text:
            raise InvalidInput("a note must not be empty", field="text")
        if len(text) > MAX_NOTE_LENGTH:
            raise InvalidInput(f"a note is at most {MAX_NOTE_LENGTH} characters", field="text")
        note = self._notes.add(conversation_id, author_id=principal.id, author_name=principal.user.display_name,
                               text=text, at=self._clock())
        self._changed(conversation, NoticeType.NOTE)
        return note

    def _changed(self, conversation: Conversation, kind: NoticeType, tags: Sequence[str] | None = None) -> None:
        if self._notices is not None:
            self._notices.conversation_changed(conversation.team_id, conversation.id, kind, tags=tags)

    def notes(self, principal: Principal, conversation_id: str, *, limit: int, cursor: str | None) -> Page[Note]:
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        check_limit(limit)
        return self._notes.list(conversation_id, limit=limit, cursor=cursor)

