"""Routing: store each inbound event, open or continue the customer's conversation, and hand
new conversations to assignment and every customer message to out-of-office.

The team of a conversation is chosen once, when its first message opens it: the first of the
account's routing rules (by priority) whose conditions hold, else the account's own team, else
the default team. A rule naming a team that was deleted since is skipped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from chalicelib.media import InboundMedia
from chalicelib.messaging import QueueMessage, QueuePublisher
from chalicelib.resources import ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE
from chalicelib.storage import keys
from chalicelib.storage.channel_accounts import ChannelAccountStore
from chalicelib.storage.repository import ContactRepository, IngestResult
from chalicelib.storage.teams import TeamStore

from .admin_models import DEFAULT_TEAM_ID, RoutingRule
from .models import Attachment, ChannelAccount, InboundEnvelope, InboundMessage, StatusUpdate

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_TEAM_ID", "Router", "assignment_request", "matches", "route_to_team"]


def matches(rule: RoutingRule, message: InboundMessage) -> bool:
    if rule.language is not None:
        language = (message.language or "").split("-")[0].lower()
        if language != rule.language.split("-")[0].lower():
            return False
    if rule.keyword is not None:
        return rule.keyword.casefold() in (message.text or "").casefold()
    return True


def route_to_team(rules: Sequence[RoutingRule], message: InboundMessage, account: ChannelAccount | None,
                  team_exists: Callable[[str], bool]) -> str:
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if matches(rule, message) and team_exists(rule.team_id):
            return rule.team_id
    if account is not None and (account.team_id == DEFAULT_TEAM_ID or team_exists(account.team_id)):
        return account.team_id
    return DEFAULT_TEAM_ID


def assignment_request(conversation_id: str, previous_owner_id: str | None = None) -> QueueMessage:
    """A message for the assignment queue. A conversation that comes back (reopened) names the
    agent who had it, so a sticky team gives it to them again."""
    body: dict[str, str] = {"conversation_id": conversation_id}
    if previous_owner_id:
        body["previous_owner_id"] = previous_owner_id
    return QueueMessage(body=json.dumps(body))


class Router:
    def __init__(self, repository: ContactRepository, publisher: QueuePublisher,
                 media: InboundMedia | None = None, accounts: ChannelAccountStore | None = None,
                 teams: TeamStore | None = None) -> None:
        self._repository = repository
        self._publisher = publisher
        self._media = media
        self._accounts = accounts or ChannelAccountStore()
        self._teams = teams or TeamStore()

    def handle(self, envelope: InboundEnvelope) -> IngestResult | bool | None:
        event = envelope.event
        if isinstance(event, StatusUpdate):
            return self._repository.apply_status(event)
        return self._ingest(event)

    def _ingest(self, event: InboundMessage) -> IngestResult | None:
        account = self._repository.get_channel_account(event.account_id)
        attachments = self._copy_media(event, account)

        def choose_team() -> str:
            # Read only when this message opens a conversation.
            return route_to_team(self._accounts.rules_for(event.account_id), event, account, self._teams.exists)

        result = self._repository.ingest_message(event, team_id=DEFAULT_TEAM_ID, choose_team=choose_team,
                                                 attachments=attachments)
        if result is None:
            return None  # a redelivery: stored before, and its follow-ups were sent then
        follow_ups = json.dumps({"conversation_id": result.conversation.id,
                                 "message_id": result.message.id})
        if result.created_conversation:
            self._publisher.send(ASSIGNMENT_QUEUE, [assignment_request(result.conversation.id)])
        self._publisher.send(OUT_OF_OFFICE_QUEUE, [QueueMessage(body=follow_ups)])
        return result

    def _copy_media(self, event: InboundMessage, account: ChannelAccount | None) -> tuple[Attachment, ...]:
        """Copy the message's media into the bucket before the idempotent write. A redelivery of
        a stored message copies nothing; a media object that cannot be copied is left out (the
        message is still stored, with the provider's reference in ``raw``) rather than losing the
        message to the dead-letter queue."""
        if not event.media or self._media is None or account is None:
            return ()
        if self._repository.has_provider_message(event.channel, event.account_id, event.provider_message_id):
            return ()
        message_id = keys.message_id(event.sent_at, event.provider_message_id)
        attachments: list[Attachment] = []
        for outcome in self._media.copy(account, message_id, event.media):
            if isinstance(outcome, Attachment):
                attachments.append(outcome)
            else:
                log.warning("inbound media not copied: %s (%s)", outcome.reason,
                            "permanent" if outcome.permanent else "transient")
        return tuple(attachments)
