"""The inbox's use cases wired to the in-memory fakes, as chalicelib/wiring.py wires them to the
AWS adapters: one object per test, with a clock the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.admin_models import DEFAULT_TEAM_ID, AssignmentPolicy, TeamSettings
from chalicelib.domain.assignment import Assigner, WaitingOffers
from chalicelib.domain.identity import Principal
from chalicelib.domain.lifecycle import ConversationLifecycle
from chalicelib.domain.models import Channel, ChannelAccount, Conversation, InboundEnvelope, InboundMessage, Role, User
from chalicelib.domain.notices import NoticePublisher
from chalicelib.domain.out_of_office import OutOfOffice
from chalicelib.domain.ports.conversations import IngestResult
from chalicelib.domain.presence import PresenceService
from chalicelib.domain.routing import Router
from chalicelib.domain.service_settings import ServiceSettings
from chalicelib.domain.statistics import StatsRecorder
from chalicelib.domain.tags_and_notes import TagsAndNotes

from tests.fakes.conversations import ConversationRecords, InMemoryAutoReplies, InMemoryConversations
from tests.fakes.directory import (
    InMemoryChannelAccounts,
    InMemoryPresences,
    InMemorySettings,
    InMemoryTeams,
    InMemoryUsers,
)
from tests.fakes.inbound import in_memory_side_stores
from tests.fakes.integrations import RecordingPublisher
from tests.fakes.work import InMemoryNotes, InMemoryTags

ACCOUNT_ID = "wa-shop"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class InboxWorld:
    def __init__(self, now: datetime, *, settings: ServiceSettings | None = None) -> None:
        self.clock = Clock(now)
        self.records = ConversationRecords()
        self.conversations = InMemoryConversations(self.records)
        self.settings = InMemorySettings(settings)
        self.teams = InMemoryTeams(self.records)
        self.users = InMemoryUsers(self.settings)
        self.accounts = InMemoryChannelAccounts()
        self.presences = InMemoryPresences()
        self.publisher = RecordingPublisher()
        stats = StatsRecorder()
        offers = WaitingOffers(self.publisher)
        self.presence = PresenceService(self.presences, self.clock, offers, self.conversations.assigned_count)
        tagging = TagsAndNotes(self.conversations, InMemoryTags(self.records), InMemoryNotes(), self.settings.cached,
                          stats, self.clock)
        self.lifecycle = ConversationLifecycle(self.conversations, self.conversations, self.presence, tagging,
                                   self.settings.cached, stats, self.clock, teams=self.teams, users=self.users,
                                   offers=offers,
                                   notices=NoticePublisher(self.publisher))
        self.side_stores = in_memory_side_stores(self.records)
        self.router = Router(self.conversations, self.publisher, self.lifecycle, stats, self.side_stores,
                             accounts=self.accounts, teams=self.teams, settings=self.settings.cached,
                             clock=self.clock)
        self.assigner = Assigner(self.conversations, self.clock, teams=self.teams, users=self.users,
                                 presences=self.presences, publisher=self.publisher, stats=stats)
        self.out_of_office = OutOfOffice(self.conversations, self.publisher, self.clock, teams=self.teams,
                                         accounts=self.accounts, replies=InMemoryAutoReplies(self.records))
        self.teams.create(TeamSettings(id=DEFAULT_TEAM_ID, name="Default"))
        self.accounts.create(ChannelAccount(id=ACCOUNT_ID, channel=Channel.WHATSAPP, name="Shop",
                                            provider_account_id="15550001", api_base_url="https://graph.example.com",
                                            team_id=DEFAULT_TEAM_ID, enabled=True))

    def agent(self, user_id: str, *, team_id: str = DEFAULT_TEAM_ID, online: bool = True,
              role: Role = Role.AGENT) -> Principal:
        user = self.users.create(User(id=user_id, email=f"{user_id}@example.com", display_name=user_id.title(),
                                      role=role, team_ids=(team_id,)))
        if online:
            self.presences.record_heartbeat(user_id, [team_id], self.clock())
        return Principal(user=user, team_id=team_id)

    def auto_assigning_team(self, team_id: str, *, capacity: int = 5, sticky: bool = True) -> None:
        self.teams.create(TeamSettings(id=team_id, name=team_id.title(),
                                       assignment=AssignmentPolicy(auto_assign=True, capacity=capacity,
                                                                   sticky=sticky)))

    def customer_writes(self, event: InboundMessage) -> IngestResult:
        result = self.router.handle(InboundEnvelope(event=event))
        assert isinstance(result, IngestResult)
        return result

    def conversation(self, conversation_id: str) -> Conversation:
        return self.conversations.get_conversation(conversation_id)
