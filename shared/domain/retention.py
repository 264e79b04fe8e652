"""Auto-deletion of archived conversations, N days after archiving (a service setting).

Archiving stores the deadline on the conversation (``delete_at``) and starts one execution of
the auto-delete state machine (``resources.auto_delete_definition``). The machine waits until
its deadline, reads the conversation again and compares: still archived with the same
``delete_at`` -> purge queue; archived with another ``delete_at`` -> wait for that one; reopened,
gone or no longer to be deleted -> stop. So the conversation item is the one truth, and a
change of N only has to rewrite ``delete_at`` on the conversations already waiting: later
deadlines are picked up by the waiting executions, earlier ones get a new execution (the old one
wakes later, finds a different or missing date and stops or waits).

That rewrite runs in the reschedule worker, not in the request that changed N: the request
queues one message (``request_reschedule``), and each message is one bounded step
(``reschedule_step``): a page of teams fans out into one message per team, and a page of a
team's archived conversations (Query on its Archived list) queues the next page. Each step applies
the setting as it is when the step runs, so after two quick changes the later one wins, and a
step that runs twice moves nothing the second time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from chalicelib.adapters.messaging import QueueMessage, QueuePublisher, StateMachineStarter
from chalicelib.core.resources import RESCHEDULE_QUEUE
from chalicelib.storage import keys
from chalicelib.storage.retention import RetainedConversation, RetentionStore, deadline_text
from chalicelib.storage.service_settings import get_service_settings
from chalicelib.storage.teams import TeamStore

from .models import ConversationState
from .queue_messages import RescheduleRequest, body_of
from .service_settings import ServiceSettings

# Teams per fan-out step, archived conversations per rewrite step: a step stays well within the
# worker's timeout (one conditional update, at most one execution start, per conversation).
RESCHEDULE_PAGE = 50


def reschedule_request(*, team_id: str | None = None, cursor: str | None = None) -> QueueMessage:
    """One step: without ``team_id`` a page of teams (``cursor`` in the team list), with it a page
    of that team's archived conversations."""
    return QueueMessage(body=body_of(RescheduleRequest(team_id=team_id, cursor=cursor)))


class AutoDeletion:
    def __init__(self, store: RetentionStore, teams: TeamStore, machines: StateMachineStarter, *,
                 machine_arn: str, purge_queue_url: str, clock: Callable[[], datetime],
                 publisher: QueuePublisher | None = None) -> None:
        self._publisher = publisher
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

    def request_reschedule(self) -> None:
        """Have the reschedule worker apply the current period to every archived conversation."""
        self._queue([reschedule_request()])

    def reschedule_step(self, *, team_id: str | None, cursor: str | None) -> int:
        """One step of the rewrite (see the module docstring); returns how many deadlines moved."""
        if team_id is None:
            teams = self._teams.list_teams(limit=RESCHEDULE_PAGE, cursor=cursor)
            steps = [reschedule_request(team_id=team.id) for team in teams.items]
            if teams.next_cursor is not None:
                steps.append(reschedule_request(cursor=teams.next_cursor))
            self._queue(steps)
            return 0
        settings = get_service_settings()
        page = self._store.archived_page(team_id, limit=RESCHEDULE_PAGE, cursor=cursor)
        moved = sum(self._reschedule(conversation, settings) for conversation in page.items)
        if page.next_cursor is not None:
            self._queue([reschedule_request(team_id=team_id, cursor=page.next_cursor)])
        return moved

    def _reschedule(self, conversation: RetainedConversation, settings: ServiceSettings) -> bool:
        due = settings.delete_at(conversation.archived_at)
        delete_at = deadline_text(due) if due else None
        if delete_at == conversation.delete_at:
            return False
        if not self._store.set_delete_at(conversation.id, delete_at):
            return False  # reopened meanwhile
        # A later date is picked up by the waiting execution; an earlier (or a first) one needs an
        # execution that wakes in time.
        if delete_at is not None and (conversation.delete_at is None or delete_at < conversation.delete_at):
            self._start(conversation.id, delete_at)
        return True

    def _queue(self, steps: list[QueueMessage]) -> None:
        if steps:
            if self._publisher is None:
                raise RuntimeError("auto-deletion was built without a queue publisher")
            self._publisher.send(RESCHEDULE_QUEUE, steps)

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
