"""The body of each queue's messages that had no model of its own: one pydantic model per queue,
built by the producer and parsed by the consumer (``api/workers.py``), so neither side reads or
writes a key by hand. The other queues carry ``InboundEnvelope``, ``OutboundRequest`` (outbound
and send) and ``EventsEnvelope``.

Fields left out are ``None`` and not written, so a body reads as it did when these were dicts.
"""

from __future__ import annotations

from typing import TypeAlias

from .models import Frozen, OutboundRequest
from .ports.integrations import QueueMessage


class AssignmentRequest(Frozen):
    """Assign one new or reopened conversation. A conversation that comes back (reopened) names
    the agent who had it, so a sticky team gives it to them again."""

    conversation_id: str
    previous_owner_id: str | None = None


class OfferRequest(Frozen):
    """Offer a team's waiting conversations again (an agent may take work now).
    ``returned_conversation_id``: a conversation just handed back, which this offer does not give
    straight back to the agent who returned it (``returned_by``)."""

    offer_team_id: str
    returned_conversation_id: str | None = None
    returned_by: str | None = None


# The assignment queue's body: exactly one of the two (each requires a key the other lacks).
AssignmentMessage: TypeAlias = AssignmentRequest | OfferRequest


class FollowUpRequest(Frozen):
    """After an inbound message was stored: the out-of-office check for it."""

    conversation_id: str
    message_id: str


class PurgeRequest(Frozen):
    """One archived conversation whose deletion date has come (``delete_at``, as the conversation
    carries it): the purge worker deletes it if it is still archived with that date."""

    conversation_id: str
    delete_at: str


class DynamoString(Frozen):
    """A string attribute as DynamoDB's API writes it."""

    S: str


class DueKey(Frozen):
    """One entry of the ``due`` index as the sweep's Query returns it (keys only, typed)."""

    pk: DynamoString
    due_sk: DynamoString


class PurgePage(Frozen):
    """A page of the ``due`` index the auto-deletion sweep read (``resources.auto_delete_definition``,
    built by the state machine, not by Python code): the purge worker hands out one ``PurgeRequest``
    per entry."""

    as_of: str
    due: list[DueKey]


# The purge queue's body: exactly one of the two (each requires keys the other lacks).
PurgeMessage: TypeAlias = PurgePage | PurgeRequest


class RescheduleRequest(Frozen):
    """One step of moving deletion dates: without ``team_id`` a page of teams (``cursor`` in the
    team list), with it a page of that team's archived conversations."""

    team_id: str | None = None
    cursor: str | None = None


def body_of(message: Frozen) -> str:
    return message.model_dump_json(exclude_none=True)


def send_queue_message(request: OutboundRequest) -> QueueMessage:
    """A send request as the send queue takes it: in the conversation's order, each attempt once."""
    return QueueMessage(body=request.model_dump_json(), group_id=request.conversation_id,
                        deduplication_id=f"{request.message_id}-{request.attempt}")


class ExportRequest(Frozen):
    """Build the file of one export job (domain/export_jobs.py); the job record holds what to build."""

    export_id: str
