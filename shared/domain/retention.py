"""Auto-deletion of archived conversations, N days after archiving (a service setting).

Archiving stores the deadline on the conversation (``delete_at``) together with its place in the
sparse ``due`` index (``resources.DUE_INDEX``: one of a few shard partitions, sorted by deadline).
Nothing waits per conversation: an hourly sweep (EventBridge Scheduler starting the auto-delete
state machine, ``resources.auto_delete_definition``) reads each shard's due entries page by page
and sends each page to the purge queue; the purge worker hands out one purge per entry
(``hand_out``) and each purge checks the conversation again (``purge``): still archived with that
deadline, and due -> deleted; reopened or rescheduled -> left. So the conversation item is the one
truth, any retention length works, a change of N only rewrites deadlines, and the cost is per page.

That rewrite runs in the reschedule worker, not in the request that changed N: the request
queues one message (``request_reschedule``), and each message is one bounded step
(``reschedule_step``): a page of teams fans out into one message per team, and a page of a
team's archived conversations (Query on its Archived list) queues the next page. Each step applies
the setting as it is when the step runs, so after two quick changes the later one wins, and a
step that runs twice moves nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.resources import PURGE_QUEUE, RESCHEDULE_QUEUE, QueueDefinition

from .models import ConversationState
from .ports.integrations import Publisher, QueueMessage
from .queue_messages import PurgePage, PurgeRequest, RescheduleRequest, body_of
from .service_settings import deadline_text

if TYPE_CHECKING:
    from .ports.conversations import RetainedConversation, Retention
    from .ports.directory import TeamDirectory
    from .service_settings import ServiceSettings

# Teams per fan-out step, archived conversations per rewrite step: a step stays well within the
# worker's timeout (one conditional update per conversation).
RESCHEDULE_PAGE = 50


def reschedule_request(*, team_id: str | None = None, cursor: str | None = None) -> QueueMessage:
    """One step: without ``team_id`` a page of teams (``cursor`` in the team list), with it a page
    of that team's archived conversations."""
    return QueueMessage(body=body_of(RescheduleRequest(team_id=team_id, cursor=cursor)))


class AutoDeletion:
    def __init__(self, store: Retention, teams: TeamDirectory, *,
                 settings: Callable[[], ServiceSettings], clock: Callable[[], datetime],
                 publisher: Publisher | None = None) -> None:
        self._publisher = publisher
        self._store = store
        self._teams = teams
        self._settings = settings
        self._clock = clock

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
        settings = self._settings()
        page = self._store.archived_page(team_id, limit=RESCHEDULE_PAGE, cursor=cursor)
        moved = sum(self._reschedule(conversation, settings) for conversation in page.items)
        if page.next_cursor is not None:
            self._queue([reschedule_request(team_id=team_id, cursor=page.next_cursor)])
        return moved

    def _reschedule(self, conversation: RetainedConversation, settings: ServiceSettings) -> bool:
        delete_at = settings.deletion_date(conversation.archived_at)
        if delete_at == conversation.delete_at:
            return False
        # The due index moves with the date: the next sweep finds the conversation by its new one.
        return self._store.set_delete_at(conversation.id, delete_at)  # False: reopened meanwhile

    def _queue(self, steps: list[QueueMessage], queue: QueueDefinition = RESCHEDULE_QUEUE) -> None:
        if steps:
            if self._publisher is None:
                raise RuntimeError("auto-deletion was built without a queue publisher")
            self._publisher.send(queue, steps)

    def hand_out(self, page: PurgePage) -> int:
        """One purge request per entry of a page the sweep read; returns how many."""
        requests = []
        for entry in page.due:
            delete_at, _, conversation_id = entry.due_sk.S.partition("#")
            requests.append(QueueMessage(body=body_of(PurgeRequest(conversation_id=conversation_id,
                                                                    delete_at=delete_at))))
        self._queue(requests, PURGE_QUEUE)
        return len(requests)

    def purge(self, conversation_id: str, delete_at: str) -> int:
        """Delete a conversation the sweep found due; a reopened or rescheduled one stays (0)."""
        current = self._store.current(conversation_id)
        # A missing conversation item means an interrupted purge: finish it.
        if current is not None and (current.state is not ConversationState.ARCHIVED
                                    or current.delete_at != delete_at
                                    or delete_at > deadline_text(self._clock())):
            return 0
        return self._store.purge(conversation_id)
