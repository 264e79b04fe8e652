"""One suite, two implementations: every contract test runs against the in-memory fakes
(tests/fakes) and against the DynamoDB stores on moto (in process, the table built from
chalicelib.core.resources as the local runtime builds it). A fake that answers differently from its
store fails here, so the use-case tests on the fakes (tests/unit/test_use_cases_*.py) can be trusted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from chalicelib.domain.ports.conversations import ConversationRepository, ConversationTransitions
from chalicelib.domain.ports.directory import (
    ChannelAccounts,
    Presences,
    ServiceSettingsStore,
    TeamDirectory,
    UserDirectory,
)
from chalicelib.domain.ports.exports import ExportJobStore
from chalicelib.domain.ports.work import AutoReplyMarkers, NoteStore, TagStore
from moto import mock_aws

from tests.fakes.conversations import ConversationRecords, InMemoryAutoReplies, InMemoryConversations
from tests.fakes.directory import (
    InMemoryChannelAccounts,
    InMemoryPresences,
    InMemorySettings,
    InMemoryTeams,
    InMemoryUsers,
)
from tests.fakes.exports import InMemoryExportJobs
from tests.fakes.work import InMemoryNotes, InMemoryTags

REGION = "us-east-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/contract/" in str(item.fspath):
            # moto in process (the DynamoDB side), as the integration suite runs it.
            item.add_marker(pytest.mark.integration)


@dataclass
class Stores:
    """The ports under contract, as one implementation provides them."""

    kind: str
    conversations: ConversationRepository
    transitions: ConversationTransitions
    teams: TeamDirectory
    users: UserDirectory
    accounts: ChannelAccounts
    presences: Presences
    settings: ServiceSettingsStore
    auto_replies: AutoReplyMarkers
    tags: TagStore
    notes: NoteStore
    # The occupancy gauges of a team (conversations in New and Assigned) as the counters hold them.
    gauges: Callable[[str], dict[str, int]]
    export_jobs: ExportJobStore


def in_memory() -> Stores:
    records = ConversationRecords()
    conversations = InMemoryConversations(records)
    settings = InMemorySettings()

    def gauges(team_id: str) -> dict[str, int]:
        total: Counter[str] = Counter()
        for tally in records.tallies:
            if tally.team_id == team_id:
                total.update(tally.gauges)
        return {state: n for state, n in total.items() if n}

    return Stores("memory", conversations, conversations, InMemoryTeams(records), InMemoryUsers(settings),
                  InMemoryChannelAccounts(), InMemoryPresences(), settings, InMemoryAutoReplies(records),
                  InMemoryTags(records), InMemoryNotes(), gauges, InMemoryExportJobs())


def on_dynamodb() -> Stores:
    from chalicelib.storage.auto_replies import AutoReplyStore
    from chalicelib.storage.channel_accounts import ChannelAccountStore
    from chalicelib.storage.export_jobs import ExportJobRepository
    from chalicelib.storage.lifecycle import ConversationStateStore
    from chalicelib.storage.notes import NoteRepository
    from chalicelib.storage.presence import PresenceStore
    from chalicelib.storage.repository import ContactRepository
    from chalicelib.storage.service_settings import ServiceSettingsRepository
    from chalicelib.storage.statistics import StatsRepository
    from chalicelib.storage.tags import TagRepository
    from chalicelib.storage.teams import TeamStore
    from chalicelib.storage.users import UserStore

    repository = ContactRepository()
    return Stores("dynamodb", repository, ConversationStateStore(), TeamStore(), UserStore(),
                  ChannelAccountStore(), PresenceStore(), ServiceSettingsRepository(), AutoReplyStore(),
                  TagRepository(), NoteRepository(), lambda team_id: StatsRepository().current(team_id),
                  ExportJobRepository())


@pytest.fixture
def moto_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh table in an in-process moto, the stores bound to it (and back to theirs after)."""
    from chalicelib.core.settings import app_name
    from chalicelib.storage.binding import bind_table, bound_table

    from local.provision import create_table

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    before = bound_table()
    with mock_aws():
        bind_table(create_table(None, REGION, app_name()), REGION)
        try:
            yield
        finally:
            bind_table(*before)


@pytest.fixture(params=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Stores:
    if request.param == "memory":
        return in_memory()
    request.getfixturevalue("moto_table")
    return on_dynamodb()
