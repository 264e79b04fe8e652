"""Inbound media, copied off the inbound path: routing stores the customer's message at once
with its media marked pending and queues a copy request; the media worker downloads each object
from the provider into the media bucket and attaches it to the stored message. A copy that fails
for a reason that may pass (a timeout, a 5xx) is retried through the delayed-retry machine for a
bounded time; one that cannot succeed (the provider no longer serves it, too large, a refused
host), or that is still failing at the end of that time, is recorded on the message with its
reason, which the agent sees in place of the attachment."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .models import Attachment, InboundMessage, MediaCopyRequest, MediaIssue, MediaRef
from .ports.integrations import ProviderMedia, QueueMessage, StateMachines, fifo_token

if TYPE_CHECKING:
    from .ports.directory import ChannelAccounts
    from .ports.inbound import MediaSlots
    from .retry import RetryPolicy

log = logging.getLogger(__name__)

# How long a media copy that fails for a passing reason is retried.
MEDIA_RETRY_HORIZON = timedelta(hours=1)


def copy_request(conversation_id: str, message_id: str, event: InboundMessage, at: datetime) -> MediaCopyRequest:
    return MediaCopyRequest(conversation_id=conversation_id, message_id=message_id, account_id=event.account_id,
                            media=list(event.media), indexes=list(range(len(event.media))), first_queued_at=at)


def pending_issues(media: list[MediaRef]) -> list[MediaIssue]:
    return [MediaIssue(index=index, content_type=ref.content_type, filename=ref.filename, state="pending")
            for index, ref in enumerate(media)]


def queue_message(request: MediaCopyRequest) -> QueueMessage:
    # One group per message: its copies and their retries run one at a time.
    return QueueMessage(body=request.model_dump_json(), group_id=fifo_token("media", request.message_id),
                        deduplication_id=fifo_token("media", request.message_id, str(request.attempt)))


class MediaCopier:
    def __init__(self, accounts: ChannelAccounts, media: ProviderMedia, slots: MediaSlots,
                 retries: StateMachines, *, retry_machine_arn: str, media_queue_url: str,
                 policy: RetryPolicy, clock: Callable[[], datetime]) -> None:
        self._accounts = accounts
        self._media = media
        self._slots = slots
        self._retries = retries
        self._retry_machine_arn = retry_machine_arn
        self._media_queue_url = media_queue_url
        self._policy = policy
        self._clock = clock

    def handle(self, request: MediaCopyRequest) -> None:
        account = self._accounts.cached(request.account_id)
        if account is None:
            self._slots.mark(request.conversation_id, request.message_id, [
                MediaIssue(index=index, content_type=ref.content_type, filename=ref.filename, state="failed",
                           reason="the channel account no longer exists")
                for index, ref in zip(request.indexes, request.media, strict=True)])
            return
        outcomes = self._media.copy(account, request.message_id, request.media, indexes=request.indexes)
        now = self._clock()
        within_horizon = now - request.first_queued_at < self._policy.horizon
        issues: list[MediaIssue] = []
        again: list[tuple[int, MediaRef]] = []
        for index, ref, outcome in zip(request.indexes, request.media, outcomes, strict=True):
            if isinstance(outcome, Attachment):
                self._slots.attach(request.conversation_id, request.message_id, index, outcome)
                continue
            retrying = not outcome.permanent and within_horizon
            log.warning("inbound media not copied", extra={
                "message_id": request.message_id, "index": index, "reason": outcome.reason, "retrying": retrying})
            reason = outcome.reason if outcome.permanent or retrying else f"gave up retrying: {outcome.reason}"
            issues.append(MediaIssue(index=index, content_type=ref.content_type, filename=ref.filename,
                                     state="retrying" if retrying else "failed", reason=reason))
            if retrying:
                again.append((index, ref))
        if issues:
            self._slots.mark(request.conversation_id, request.message_id, issues)
        if again:
            retry = request.model_copy(update={"indexes": [index for index, _ in again],
                                               "media": [ref for _, ref in again], "attempt": request.attempt + 1})
            message = queue_message(retry)
            self._retries.start(self._retry_machine_arn, {
                "wait_seconds": self._policy.wait_seconds(request.attempt), "queue_url": self._media_queue_url,
                "message_group_id": message.group_id, "deduplication_id": message.deduplication_id,
                "body": message.body,
            }, name=f"media-{request.message_id}-{retry.attempt}"[:80], if_absent=True)
