"""Exports off the request path (domain/export_jobs.py) on the in-memory stores: who may ask, the job's
life from pending to ready or failed, and that a job is its owner's alone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from chalicelib.core.resources import EXPORTS_PREFIX, EXPORTS_QUEUE
from chalicelib.domain.admin_models import TeamSettings
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.export import Exporter
from chalicelib.domain.export_jobs import DOWNLOAD_URL_SECONDS, EXPORT_DEADLINE, ExportJobs
from chalicelib.domain.export_models import ExportStatus
from chalicelib.domain.models import Conversation, Role
from chalicelib.domain.statistics import StatisticsReader

from tests.contract.builders import START, inbound
from tests.fakes.exports import InMemoryExportFiles, InMemoryExportJobs
from tests.fakes.work import InMemoryNotes
from tests.fakes.world import ACCOUNT_ID, InboxWorld

CUSTOMER = "+31612345678"


class NoCounts:
    """A ``StatisticsStore`` with nothing counted yet."""

    def current(self, team_id: str) -> dict[str, int]:
        return {}

    def hours(self, team_id: str, since: datetime, until: datetime) -> list[tuple[str, dict[str, int]]]:
        return []


class Exports:
    def __init__(self) -> None:
        self.world = InboxWorld(START)
        self.jobs = InMemoryExportJobs()
        self.files = InMemoryExportFiles()
        self.use_case = ExportJobs(
            self.jobs, self.files, self.world.publisher,
            conversations=Exporter(self.world.conversations, InMemoryNotes(), users=self.world.users),
            statistics=StatisticsReader(NoCounts(), self.world.users), users=self.world.users,
            team_exists=lambda team_id: self.world.teams.get(team_id) is not None, clock=self.world.clock)

    def conversation(self) -> Conversation:
        return self.world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID)).conversation

    def queued(self) -> list[str]:
        return [json.loads(body)["export_id"] for body in self.world.publisher.bodies(EXPORTS_QUEUE)]


def test_an_export_is_queued_at_once_and_built_by_the_worker_into_a_file_of_its_own() -> None:
    # Given an agent of the conversation's team
    exports = Exports()
    ann = exports.world.agent("ann")
    conversation = exports.conversation()
    # When she asks for it as CSV
    job = exports.use_case.conversation(ann, conversation.id, "csv")
    # Then a pending job is stored and queued, and nothing is built yet
    assert job.status is ExportStatus.PENDING
    assert exports.queued() == [job.id]
    assert exports.use_case.status(ann, job.id).url is None
    assert exports.files.files == {}
    # When the worker builds it
    built = exports.use_case.build(job.id)
    # Then the file is under the exports folder, and her status read gives a URL signed for minutes
    assert built is not None
    assert built.status is ExportStatus.READY
    key = f"{EXPORTS_PREFIX}{job.id}/conversation-{conversation.id}.csv"
    assert built.key == key
    assert exports.files.files[key].body.decode("utf-8-sig").startswith("time,type,from,content")
    answer = exports.use_case.status(ann, job.id)
    assert answer.job.status is ExportStatus.READY
    assert answer.url == f"https://bucket.example/{key}?expires={DOWNLOAD_URL_SECONDS}&filename={job.filename}"
    # And a second delivery of the same queue message builds nothing again
    exports.files.files.clear()
    assert exports.use_case.build(job.id) == built
    assert exports.files.files == {}


def test_a_job_is_its_owners_alone() -> None:
    # Given ann's export
    exports = Exports()
    ann, bob = exports.world.agent("ann"), exports.world.agent("bob")
    admin = exports.world.agent("root", role=Role.ADMINISTRATOR)
    job = exports.use_case.conversation(ann, exports.conversation().id, "pdf")
    # Then a colleague, even an administrator, reads it as not found, as an id that never existed
    for stranger in (bob, admin):
        with pytest.raises(NotFound):
            exports.use_case.status(stranger, job.id)
    with pytest.raises(NotFound):
        exports.use_case.status(ann, "f" * 32)
    with pytest.raises(NotFound):
        exports.use_case.status(ann, "../" + job.id)


def test_asking_is_refused_as_reading_the_conversation_or_the_statistics_is() -> None:
    # Given an agent of another team, and an agent of the conversation's team
    exports = Exports()
    exports.world.teams.create(TeamSettings(id="sales", name="Sales"))
    stranger = exports.world.agent("sam", team_id="sales")
    ann = exports.world.agent("ann")
    conversation = exports.conversation()
    # Then neither may have an export made that they could not read, and no job is queued
    with pytest.raises(Forbidden):
        exports.use_case.conversation(stranger, conversation.id, "csv")
    with pytest.raises(NotFound):
        exports.use_case.conversation(ann, "no-such-conversation", "csv")
    with pytest.raises(Forbidden):
        exports.use_case.statistics(ann, START - timedelta(days=1), START)
    watcher = exports.world.agent("wes", role=Role.WATCHER)
    with pytest.raises(InvalidInput, match="since must be before until"):
        exports.use_case.statistics(watcher, START, START - timedelta(days=1))
    assert exports.queued() == []
    # While a watcher's span is queued and built as the response times' CSV
    job = exports.use_case.statistics(watcher, START - timedelta(days=1), START)
    built = exports.use_case.build(job.id)
    assert built is not None
    assert built.status is ExportStatus.READY
    assert job.filename == f"response-times-{(START - timedelta(days=1)).date()}-{START.date()}.csv"


def test_an_owner_who_may_no_longer_read_it_gets_a_failed_job_with_the_reason() -> None:
    # Given ann's export, asked for while she was in the conversation's team
    exports = Exports()
    ann = exports.world.agent("ann")
    job = exports.use_case.conversation(ann, exports.conversation().id, "xlsx")
    # When she is disabled before the worker builds it
    exports.world.users.change_role(ann.user, Role.DISABLED)
    built = exports.use_case.build(job.id)
    # Then the job failed, saying why, and no file was written
    assert built is not None
    assert (built.status, built.reason) == (ExportStatus.FAILED, "this user is disabled")
    assert exports.jobs.get(job.id) == built
    assert exports.files.files == {}


def test_a_job_not_built_in_time_reads_as_failed_and_is_not_built_later() -> None:
    # Given an export the worker has not reached
    exports = Exports()
    ann = exports.world.agent("ann")
    job = exports.use_case.conversation(ann, exports.conversation().id, "csv")
    # When the deadline has passed
    exports.world.clock.advance(seconds=EXPORT_DEADLINE.total_seconds() + 1)
    # Then its owner reads it as failed with the reason, and a late delivery ends it so
    answer = exports.use_case.status(ann, job.id)
    assert answer.job.status is ExportStatus.FAILED
    assert answer.job.reason is not None
    assert "again" in answer.job.reason
    built = exports.use_case.build(job.id)
    assert built is not None
    assert built.status is ExportStatus.FAILED
    assert exports.files.files == {}
