"""An export job: a file the worker builds off the request path (domain/export_jobs.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from .models import Frozen

# Here, not in export.py (which export_jobs.py and its worker import): the API's schemas take the
# job's models, and its cold start then loads neither the exporter nor the transcript it writes.
ExportFormat = Literal["csv", "xlsx", "pdf", "json"]
ExportKind = Literal["conversation", "statistics"]


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ExportJob(Frozen):
    """Who asked (``owner_id``, acting in ``team_id``), for what (a conversation in a format, or the
    statistics of a span), and how it stands. ``key``: the finished file in the media bucket."""

    id: str
    owner_id: str
    team_id: str
    kind: ExportKind
    format: ExportFormat
    filename: str
    content_type: str
    status: ExportStatus = ExportStatus.PENDING
    created_at: datetime
    expires_at: datetime
    conversation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    key: str | None = None
    size: int | None = None
    reason: str | None = None


class ExportAnswer(Frozen):
    """A job as its owner reads it: when ready, a short-lived download URL."""

    job: ExportJob
    url: str | None = None
    url_expires_at: datetime | None = None


def statistics_filename(since: datetime, until: datetime) -> str:
    return f"response-times-{_day(since)}-{_day(until)}.csv"


def _day(moment: datetime) -> date:
    return moment.date()
