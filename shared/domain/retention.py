"""Auto-deletion of archived conversations, N days after archiving (a service setting).

Archiving stores the deadline on the conversation (``delete_at``) and starts one execution of
the auto-delete state machine (``resources.auto_delete_definition``). The machine waits until
its deadline, reads the conversation again and compares: still archived with the same
``delete_at`` -> purge queue; archived with another ``delete_at`` -> wait for that one; reopened,
gone or no longer to be deleted -> stop. So the conversation item is the one truth, and a
change of N only has to rewrite ``delete_at`` on the conversations already waiting
(``reschedule_all``): later deadlines are picked up by the waiting executions, earlier ones get a
new execution (the old one wakes later, finds a different or missing date and stops or waits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from chalicelib.messaging import StateMachineStarter
from chalicelib.storage import keys
from chalicelib.storage.retention import RetentionStore, deadline_text
from chalicelib.storage.service_settings import get_service_settings
from chalicelib.storage.teams import TeamStore

from .models import ConversationState
from .service_settings import ServiceSettings


class AutoDeletion:
    def __init__(self, store: RetentionStore, teams: TeamStore, machines: StateMachineStarter, *,
                 machine_arn: str, purge_queue_url: str, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._teams = teams
        self._machines = machines
        self._machine_arn = machine_arn
        self._purge_queue_url = purge_queue_url
        self._clock = clock

    def schedule(self, conversation_id: str, archived_at: datetime,
                 settings: ServiceSettings | None = None) -> str | None:
        """Give an archived conversation its deletion date and start waiting for it; returns the
        date (None when auto-deletion is off or the conversation is not archived)."""
        settings = settings or get_service_settings()
        due = settings.delete_at(archived_at)
        delete_at = deadline_text(due) if due else None
        if not self._store.set_delete_at(conversation_id, delete_at) or delete_at is None:
            return None
        self._start(conversation_id, delete_at)
        return delete_at

    def reschedule_all(self, settings: ServiceSettings) -> int:
        """Apply a new retention to every archived conversation of every team; returns how many
        deadlines moved. Runs through each team's Archived list (Query on an index, no Scan)."""
        moved = 0
        cursor: str | None = None
        while True:
            page = self._teams.list_teams(limit=100, cursor=cursor)
            for team in page.items:
                for conversation in self._store.archived_in_team(team.id):
                    due = settings.delete_at(conversation.archived_at)
                    delete_at = deadline_text(due) if due else None
                    if delete_at == conversation.delete_at:
                        continue
                    if not self._store.set_delete_at(conversation.id, delete_at):
                        continue  # reopened meanwhile
                    moved += 1
                    # A later date is picked up by the waiting execution; an earlier (or a first) one
                    # needs an execution that wakes in time.
                    if delete_at is not None and (conversation.delete_at is None or delete_at < conversation.delete_at):
                        self._start(conversation.id, delete_at)
            cursor = page.next_cursor
            if cursor is None:
                return moved

    def purge(self, conversation_pk: str, delete_at: str) -> int:
        """Delete a conversation the machine found due; a reopened or rescheduled one stays."""
        conversation_id = conversation_pk.removeprefix(keys.conversation_pk(""))
        current = self._store.current(conversation_id)
        # A missing conversation item means an interrupted purge: finish it.
        if current is not None and (current.state is not ConversationState.ARCHIVED
                                    or current.delete_at != delete_at
                                    or delete_at > deadline_text(self._clock())):
            return 0
        return self._store.purge(conversation_id)

    def _start(self, conversation_id: str, delete_at: str) -> None:
        # One execution per conversation and deadline: a repeated start is refused by name.
        suffix = hashlib.sha256(delete_at.encode()).hexdigest()[:16]
        self._machines.start(self._machine_arn, {
            "conversation_pk": keys.conversation_pk(conversation_id), "delete_at": delete_at,
            "queue_url": self._purge_queue_url,
        }, name=f"delete-{conversation_id[:40]}-{suffix}", if_absent=True)


def schedule_auto_delete(conversation_id: str, archived_at: datetime) -> str | None:
    """For the archive use case: start the auto-deletion of a conversation it just archived
    (state ``archived`` stored). Returns the deletion date, or None when auto-deletion is off."""
    from chalicelib import wiring  # the wiring builds the use cases, this module among them

    return wiring.auto_deletion().schedule(conversation_id, archived_at)
