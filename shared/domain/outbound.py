"""Outbound: the send (after the window check), and retries with backoff.

A reply or an out-of-office message is queued on the send queue (FIFO per conversation) and the
send worker checks the channel's window before the first attempt: one worker invocation per reply
(the window check was a worker and a queue of its own before; ``check_window`` still forwards what
an earlier version queued there).

A transient provider failure (5xx, 429, timeout) is retried by the delayed-retry state
machine: the worker computes the wait, the machine waits and puts the request back on the
send queue. Permanent failures, and transient ones past the retry horizon, are recorded on the
message for the agent to see.

A reply the provider takes as several messages (text, then one per attachment) notes each part
as it goes (``Message.sent_parts``); the retry after a transient failure sends only the parts
that did not go, so the customer gets each part once.

A message that names its route (it answers a customer message on another channel of the same
conversation) goes out on that channel account to that customer id. A send the provider refuses
because the customer opted out (Twilio 21610) also records the opt-out (domain/consent.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.resources import SEND_QUEUE

from .capabilities import THREADED_CHANNELS
from .consent import ConsentChange, ConsentSource
from .customers import address_for
from .events import EventPublisher, status_changed
from .held_statuses import apply_held_statuses, status_error, watermark_key
from .models import (
    Attachment,
    Conversation,
    DeliveryError,
    DeliveryStatus,
    Message,
    OutboundContent,
    OutboundMedia,
    OutboundRequest,
    SystemEvent,
    SystemEventKind,
    routed,
)
from .ports.channels import ChannelAdapter, PartProgress, SendFailed
from .queue_messages import send_queue_message
from .retry import RetryPolicy
from .story import system_line
from .window import window_state

if TYPE_CHECKING:
    from .ports.conversations import ConversationRepository
    from .ports.customers import ConsentLedger
    from .ports.directory import ChannelAccounts
    from .ports.inbound import HeldStatuses
    from .ports.integrations import Credentials, Publisher, SendFigures, StateMachines


def outbound_content(message: Message, media_url: Callable[[Attachment], str], *, in_reply_to: str | None = None,
                     human_agent_tag: bool = False) -> OutboundContent:
    """What the adapter sends for a stored message: its template, or its text and its
    attachments as URLs the provider can fetch (short-lived signed URLs of the media bucket).
    A template message sends the template only; its stored text is the filled body the agents see."""
    ids = {"message_id": message.id, "conversation_id": message.conversation_id}
    if message.template is not None:
        return OutboundContent(template=message.template, in_reply_to=in_reply_to, **ids)
    return OutboundContent(
        text=message.text, in_reply_to=in_reply_to, human_agent_tag=human_agent_tag, subject=message.subject, **ids,
        media=[OutboundMedia(url=media_url(attachment), content_type=attachment.content_type,
                             filename=attachment.filename, size=attachment.size, key=attachment.key)
               for attachment in message.attachments],
    )


class OutboundDispatcher:
    def __init__(self, repository: ConversationRepository, publisher: Publisher, credentials: Credentials,
                 retries: StateMachines, *, accounts: ChannelAccounts, adapter_for: Callable[[str], ChannelAdapter],
                 retry_machine_arn: str, send_queue_url: str, policy: RetryPolicy, clock: Callable[[], datetime],
                 media_url: Callable[[Attachment], str] | None = None, consent: ConsentLedger | None = None,
                 events: EventPublisher | None = None, early: HeldStatuses | None = None,
                 figures: SendFigures | None = None) -> None:
        self._figures = figures
        self._accounts = accounts
        self._early = early
        self._adapter_for = adapter_for
        self._consent = consent
        self._repository = repository
        self._publisher = publisher
        self._credentials = credentials
        self._retries = retries
        self._retry_machine_arn = retry_machine_arn
        self._send_queue_url = send_queue_url
        self._policy = policy
        self._clock = clock
        self._media_url = media_url or _no_media
        self._events = events

    def _publish_status(self, request: OutboundRequest, status: DeliveryStatus, at: datetime,
                        error: DeliveryError | None = None) -> None:
        if self._events is not None:
            self._events.publish(status_changed(request.conversation_id, request.message_id, status, at, error))

    def check_window(self, request: OutboundRequest) -> bool:
        """Forward a request of the outbound queue to the send queue if the channel's window still
        allows it. Replies now go to the send queue directly (``send`` checks the window); this
        serves requests queued here by an earlier version until the queue is empty."""
        message = self._repository.get_message(request.conversation_id, request.message_id)
        conversation = routed(self._repository.get_conversation(request.conversation_id), message)
        if message.status is not DeliveryStatus.QUEUED or self._closed_window(request, conversation, message):
            return False
        self._publisher.send(SEND_QUEUE, [send_queue_message(request)])
        return True

    def _closed_window(self, request: OutboundRequest, conversation: Conversation, message: Message) -> bool:
        """True (and the message failed) when the channel's window closed before the message left.
        A template is what a closed window allows: only free text and media wait on the window."""
        if window_state(conversation, self._clock()).open or message.template is not None:
            return False
        error = DeliveryError(code="window_closed", message="the customer-service window closed before the "
                              "reply left", permanent=True)
        now = self._clock()
        self._repository.record_failure(conversation.id, message.id, error, now)
        self._publish_status(request, DeliveryStatus.FAILED, now, error)
        return True

    def _opted_out_since(self, request: OutboundRequest, conversation: Conversation, message: Message) -> bool:
        """True (and the message failed with ``opted_out``) when the address opted out of the channel."""
        if self._consent is None:
            return False
        address = address_for(conversation.channel, conversation.customer_id, account_id=conversation.account_id).value
        state = self._consent.state(conversation.channel, address)
        if state is None or not state.opted_out:
            return False
        error = DeliveryError(code="opted_out", message=f"{address} opted out of {conversation.channel.value} messages "
                              "after the reply was accepted; it was not sent", permanent=True)
        now = self._clock()
        self._repository.record_failure(conversation.id, message.id, error, now)
        self._publish_status(request, DeliveryStatus.FAILED, now, error)
        return True

    def send(self, request: OutboundRequest) -> DeliveryStatus:
        message = self._repository.get_message(request.conversation_id, request.message_id)
        conversation = routed(self._repository.get_conversation(request.conversation_id), message)
        if message.status is not DeliveryStatus.QUEUED:
            return message.status  # already sent or failed: a duplicate delivery of the request
        # The window is checked when the queue gets to a reply, before its first attempt (a retry
        # goes on with what the provider accepted to try).
        if request.attempt == 0 and self._closed_window(request, conversation, message):
            return DeliveryStatus.FAILED
        # Consent is checked again before every attempt: the customer may have opted out since the
        # reply was accepted (a STOP that arrived meanwhile, an agent's entry), and then nothing goes.
        if self._opted_out_since(request, conversation, message):
            return DeliveryStatus.FAILED
        account = self._accounts.cached(conversation.account_id)
        adapter = self._adapter_for(conversation.channel)
        now = self._clock()
        try:
            if account is None or not account.enabled:
                raise SendFailed("account_disabled", "the channel account is disabled or removed", permanent=True)
            in_reply_to = (self._repository.last_inbound_provider_id(conversation)
                           if conversation.channel in THREADED_CHANNELS else None)
            content = outbound_content(message, self._media_url, in_reply_to=in_reply_to,
                                       human_agent_tag=window_state(conversation, now).human_agent_tag)
            # A reply sent as several provider messages resumes after the parts that went before.
            progress = PartProgress(sent=message.sent_parts, record=lambda part_ids: self._repository.record_parts(
                conversation.id, message.id, part_ids))
            sent = adapter.send(account, self._credentials.get(account.channel.value, account.id),
                                conversation.customer_id, content, progress)
        except SendFailed as failure:
            if failure.opted_out and self._consent is not None:
                address = address_for(conversation.channel, conversation.customer_id,
                                      account_id=conversation.account_id).value
                self._consent.record(ConsentChange(
                    channel=conversation.channel, address=address, opted_out=True, at=now,
                    source=ConsentSource.PROVIDER, detail=f"{failure.code}: {failure.message}"),
                    unique=f"send-{message.id}", story=system_line(conversation.id, SystemEvent(
                        kind=SystemEventKind.OPTED_OUT,
                        detail=f"{conversation.channel.value}, {ConsentSource.PROVIDER.value}"), now))
            return self._failed(request, message.sent_at, failure, now, conversation.channel.value)
        self._repository.record_sent(conversation.id, message.id, sent.provider_message_id,
                                     conversation.channel, conversation.account_id, now, part_ids=sent.part_ids)
        self._publish_status(request, DeliveryStatus.SENT, now)
        # Statuses the provider reported before its send API answered (routing held them: by the
        # provider's ids, and watermark receipts by the customer), each told as it would have been
        # had it come after (open threads learn statuses from notices).
        if self._early is not None:
            held_under = [sent.provider_message_id, *sent.part_ids, watermark_key(conversation.customer_id)]
            for update in apply_held_statuses(self._repository, self._early, conversation.channel,
                                              conversation.account_id, held_under):
                self._publish_status(request, update.status, update.occurred_at, status_error(update))
        return DeliveryStatus.SENT

    def _failed(self, request: OutboundRequest, first_queued_at: datetime, failure: SendFailed,
                now: datetime, channel: str) -> DeliveryStatus:
        retrying = not failure.permanent and now - first_queued_at < self._policy.horizon
        if self._figures is not None:
            failure_class = "transient" if retrying else "permanent" if failure.permanent else "retries_exhausted"
            self._figures.send_failed(channel, failure_class, failure.code)
        if retrying:
            retry = request.model_copy(update={"attempt": request.attempt + 1})
            message = send_queue_message(retry)
            self._retries.start(self._retry_machine_arn, {
                "wait_seconds": self._policy.wait_seconds(request.attempt),
                "queue_url": self._send_queue_url,
                "message_group_id": message.group_id,
                "deduplication_id": message.deduplication_id,
                "body": message.body,
            }, name=f"retry-{request.message_id}-{retry.attempt}")
            return DeliveryStatus.QUEUED
        reason = failure.message if failure.permanent else f"gave up retrying: {failure.message}"
        error = DeliveryError(code=failure.code, message=reason, permanent=True)
        self._repository.record_failure(request.conversation_id, request.message_id, error, now)
        self._publish_status(request, DeliveryStatus.FAILED, now, error)
        return DeliveryStatus.FAILED


def _no_media(attachment: Attachment) -> str:
    raise SendFailed("media_unavailable", f"no media store to sign {attachment.key}", permanent=True)
