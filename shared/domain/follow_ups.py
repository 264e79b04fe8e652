"""The follow-ups of a stored inbound message: which workers have anything to do with it.

A message may need an automatic assignment (it opened or reopened a conversation of a team that
assigns automatically) and an out-of-office reply (its team was closed when the customer wrote and
the account has replies to send). Each is a queue message and an invocation of its worker, so
one is queued only when its condition holds, decided here from the same cached team and account
the workers read (storage/admin_cache.py: an administrator's change reaches the routing worker
within the cache's lifetime, as it reaches the workers). Most messages need neither: a follow-up
in an open conversation during office hours queues nothing. The workers check again before they
act (state, policy, closed period, the once-per-period marker), so a follow-up queued on a stale
view does nothing wrong, and one missed by a stale view is the same as a change made a minute later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.core.resources import ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE, QueueDefinition

from .assignment import assignment_request
from .models import Conversation, ConversationState, Message, routed
from .office_hours import current_closed_period
from .ports.integrations import QueueMessage
from .queue_messages import FollowUpRequest, body_of

if TYPE_CHECKING:
    from .admin_models import OutOfOfficeMessage, TeamSettings


@dataclass(frozen=True)
class FollowUp:
    queue: QueueDefinition
    message: QueueMessage


def follow_ups(conversation: Conversation, message: Message, *, opened: bool, reopened: Conversation | None,
               team: TeamSettings | None,
               auto_replies: Callable[[str], list[OutOfOfficeMessage]]) -> list[FollowUp]:
    """What to queue for ``message``, stored in ``conversation`` (``opened``: by this message;
    ``reopened``: the archived conversation this message brought back, if any). ``auto_replies``
    reads a channel account's out-of-office messages (the account the customer wrote to, whose
    replies the worker sends); it is called only while the team is closed."""
    queued: list[FollowUp] = []
    auto_assign = team is not None and team.assignment.auto_assign
    if auto_assign and opened:
        queued.append(FollowUp(ASSIGNMENT_QUEUE, assignment_request(conversation.id)))
    elif auto_assign and reopened is not None and reopened.state is ConversationState.NEW:
        queued.append(FollowUp(ASSIGNMENT_QUEUE, assignment_request(reopened.id, reopened.last_owner_id)))
    # When the customer wrote, not when the queue got to it (the worker decides by the same instant).
    closed = current_closed_period(team.office_hours if team else None, message.sent_at)
    if closed is not None and auto_replies(routed(conversation, message).account_id):
        request = FollowUpRequest(conversation_id=conversation.id, message_id=message.id)
        queued.append(FollowUp(OUT_OF_OFFICE_QUEUE, QueueMessage(body=body_of(request))))
    return queued
