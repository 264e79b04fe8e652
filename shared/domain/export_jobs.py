"""Exports off the request path: asking for one records a job and queues it; the export worker builds the
file (domain/export.py, statistics.py), writes it to the media bucket, and the job's owner reads its
status and, once ready, a short-lived download URL.

Why: built inside the API's request, an export above about 4.5 MB (Lambda's 6 MB response, base64) or
29 s (API Gateway's integration timeout) failed. The request checks what the export itself checks
(the caller may read the conversation, or the statistics of that span), so a refusal is answered at
once; the worker checks it again as the owner is then, since a user may have left the team meanwhile.

A job is its owner's alone: anyone else reads "not found", as for an id that never existed. A job that
has not ended within ``EXPORT_DEADLINE`` (the worker's retries past) reads as failed, and the worker no
longer builds it. The job record and the file expire after ``resources.EXPORT_EXPIRY_DAYS``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.core.resources import EXPORT_EXPIRY_DAYS, EXPORTS_PREFIX, EXPORTS_QUEUE

from .errors import DomainError, NotFound
from .export import CONTENT_TYPES, Exporter, ExportFile, conversation_filename
from .export_models import ExportAnswer, ExportFormat, ExportJob, ExportStatus, statistics_filename
from .identity import Principal, principal_for
from .ports.integrations import Publisher, QueueMessage
from .queue_messages import ExportRequest, body_of

if TYPE_CHECKING:
    from .ports.directory import UserDirectory
    from .ports.exports import ExportFiles, ExportJobStore
    from .statistics import StatisticsReader

# The export worker's retries (three receives, twelve minutes apart) end well within this.
EXPORT_DEADLINE = timedelta(minutes=30)
DOWNLOAD_URL_SECONDS = 300
STATISTICS_CONTENT_TYPE = "text/csv; charset=utf-8"
_EXPORT_ID = re.compile(r"[0-9a-f]{32}")
TOO_LATE = "the export did not finish in time; please ask for it again"


def export_key(export_id: str, filename: str) -> str:
    return f"{EXPORTS_PREFIX}{export_id}/{filename}"


class ExportJobs:
    def __init__(self, jobs: ExportJobStore, files: ExportFiles, publisher: Publisher, *, conversations: Exporter,
                 statistics: StatisticsReader, users: UserDirectory, team_exists: Callable[[str], bool],
                 clock: Callable[[], datetime]) -> None:
        self._jobs = jobs
        self._files = files
        self._publisher = publisher
        self._conversations = conversations
        self._statistics = statistics
        self._users = users
        self._team_exists = team_exists
        self._clock = clock

    # --- asking (the API) ---

    def conversation(self, principal: Principal, conversation_id: str, fmt: ExportFormat) -> ExportJob:
        self._conversations.check(principal, conversation_id)
        return self._queue(principal, kind="conversation", format=fmt, conversation_id=conversation_id,
                           filename=conversation_filename(conversation_id, fmt), content_type=CONTENT_TYPES[fmt])

    def statistics(self, principal: Principal, since: datetime, until: datetime) -> ExportJob:
        self._statistics.check(principal, since, until)
        return self._queue(principal, kind="statistics", format="csv", since=since, until=until,
                           filename=statistics_filename(since, until), content_type=STATISTICS_CONTENT_TYPE)

    def _queue(self, principal: Principal, **what: object) -> ExportJob:
        now = self._clock()
        job = ExportJob.model_validate({
            "id": uuid.uuid4().hex, "owner_id": principal.id, "team_id": principal.team_id, "created_at": now,
            "expires_at": now + timedelta(days=EXPORT_EXPIRY_DAYS), **what})
        self._jobs.create(job)
        self._publisher.send(EXPORTS_QUEUE, [QueueMessage(body=body_of(ExportRequest(export_id=job.id)))])
        return job

    # --- reading (the API) ---

    def status(self, principal: Principal, export_id: str) -> ExportAnswer:
        job = self._jobs.get(export_id) if _EXPORT_ID.fullmatch(export_id) else None
        if job is None or job.owner_id != principal.id:
            raise NotFound(f"no export {export_id}")
        if self._too_late(job):
            return ExportAnswer(job=job.model_copy(update={"status": ExportStatus.FAILED, "reason": TOO_LATE}))
        if job.status is not ExportStatus.READY or job.key is None:
            return ExportAnswer(job=job)
        url = self._files.download_url(job.key, content_type=job.content_type, filename=job.filename,
                                       expires_in=DOWNLOAD_URL_SECONDS)
        return ExportAnswer(job=job, url=url, url_expires_at=self._clock() + timedelta(seconds=DOWNLOAD_URL_SECONDS))

    # --- building (the export worker) ---

    def build(self, export_id: str) -> ExportJob | None:
        """Build a pending job's file. What the owner may no longer export ends the job as failed with the
        reason; anything else (a passing AWS error) is raised, so the queue tries again."""
        job = self._jobs.get(export_id)
        if job is None or job.status is not ExportStatus.PENDING:
            return job  # expired, or ended by an earlier attempt
        if self._too_late(job):
            return self._end(job, status=ExportStatus.FAILED, reason=TOO_LATE)
        try:
            exported = self._file_of(job)
        except DomainError as refused:
            return self._end(job, status=ExportStatus.FAILED, reason=refused.message)
        key = export_key(job.id, job.filename)
        self._files.put(key, exported.body, content_type=job.content_type, filename=job.filename)
        return self._end(job, status=ExportStatus.READY, key=key, size=len(exported.body))

    def _file_of(self, job: ExportJob) -> ExportFile:
        principal = principal_for(self._users.get(job.owner_id), job.team_id, self._team_exists)
        if job.kind == "statistics":
            assert job.since is not None
            assert job.until is not None
            return ExportFile(filename=job.filename, content_type=job.content_type,
                              body=self._statistics.export(principal, job.since, job.until))
        assert job.conversation_id is not None
        return self._conversations.export(principal, job.conversation_id, job.format)

    def _end(self, job: ExportJob, **end: object) -> ExportJob:
        ended = job.model_copy(update=end)
        self._jobs.finish(ended)
        return ended

    def _too_late(self, job: ExportJob) -> bool:
        return job.status is ExportStatus.PENDING and self._clock() - job.created_at > EXPORT_DEADLINE
