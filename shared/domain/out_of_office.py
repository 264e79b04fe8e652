"""Out-of-office replies for customer messages that arrive while their team is closed.

The replies of the channel account the customer's message came on go out on that account, to
that address (a conversation joined across channels sends an SMS customer the SMS account's
replies, not those of the account that opened it), at most once per conversation per closed
period: a marker item keyed by the conversation and the closed period's id is written in the
same transaction as the replies, on the condition that it does not exist. The replies take the
normal outbound path (stored queued, author ``system``, then the outbound queue), so the window
check, retries and delivery statuses apply to them as to an agent's reply; a reply's media (an
administrator's upload for the account) goes to the provider as a signed URL, like an agent's
attachment.

Media the route cannot carry is left out rather than failing the reply: SMS carries pictures
(MMS) only between US and Canadian numbers (``capabilities.media_refusal``), so a customer
elsewhere gets the replies' text alone, and a reply that is only a picture is not sent to them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.core.resources import SEND_QUEUE

from .capabilities import conversation_media_refusal
from .models import Conversation, Direction, OutboundRequest, SystemEvent, SystemEventKind, routed
from .office_hours import current_closed_period
from .queue_messages import send_queue_message
from .story import system_line

if TYPE_CHECKING:
    from .admin_models import OutOfOfficeMessage
    from .ports.conversations import ConversationRepository
    from .ports.directory import ChannelAccounts, TeamDirectory
    from .ports.integrations import Publisher
    from .ports.work import AutoReplyMarkers

log = logging.getLogger(__name__)


class OutOfOffice:
    def __init__(self, repository: ConversationRepository, publisher: Publisher,
                 clock: Callable[[], datetime], *, teams: TeamDirectory, accounts: ChannelAccounts,
                 replies: AutoReplyMarkers) -> None:
        self._repository = repository
        self._publisher = publisher
        self._clock = clock
        self._teams = teams
        self._accounts = accounts
        self._replies = replies

    def handle(self, conversation_id: str, message_id: str) -> bool:
        """Returns True when out-of-office replies were queued for this message."""
        message = self._repository.get_message(conversation_id, message_id)
        if message.direction is not Direction.INBOUND:
            return False
        own = self._repository.get_conversation(conversation_id)
        # The conversation as the customer's message came: on another channel account of a joined
        # conversation (one open conversation per customer), the replies are that account's and go there.
        conversation = routed(own, message)
        route = None
        if (conversation.channel, conversation.account_id, conversation.customer_id) != (
                own.channel, own.account_id, own.customer_id):
            route = (conversation.channel, conversation.account_id, conversation.customer_id)
        team = self._teams.cached(conversation.team_id)
        # When the customer wrote, not when the queue got to it.
        closed_period = current_closed_period(team.office_hours if team else None, message.sent_at)
        if closed_period is None:
            return False
        replies = self._deliverable(conversation, self._accounts.auto_replies(conversation.account_id))
        if not replies:
            return False
        now = self._clock()
        # The line just before the replies (they are a millisecond apart from ``now`` on).
        story = system_line(conversation_id, SystemEvent(kind=SystemEventKind.OUT_OF_OFFICE_SENT),
                            now - timedelta(milliseconds=1))
        reply = self._replies.record(conversation_id, closed_period, replies, trigger_message_id=message_id,
                                     at=now, route=route, story=story)
        if not reply.created and reply.trigger_message_id != message_id:
            return False  # this closed period was answered already
        # First time, or a redelivery of the very record that stored the replies (it may have
        # failed before publishing): publish; the FIFO deduplication and the window check's
        # "still queued" test keep a second publish from sending twice.
        self._publisher.send(SEND_QUEUE, [send_queue_message(OutboundRequest(conversation_id=conversation_id,
                                                                             message_id=reply_id))
                                          for reply_id in reply.message_ids])
        return True

    def _deliverable(self, conversation: Conversation,
                     replies: Sequence[OutOfOfficeMessage]) -> list[OutOfOfficeMessage]:
        """The replies as this customer can receive them: without media the route cannot carry."""
        if not any(reply.media is not None for reply in replies):
            return list(replies)
        refusal = conversation_media_refusal(self._accounts, conversation)
        if refusal is None:
            return list(replies)
        log.info("out-of-office media left out: %s", refusal, extra={"conversation_id": conversation.id})
        return [reply.model_copy(update={"media": None}) for reply in replies if reply.text]
