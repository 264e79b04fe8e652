"""Ports of the export jobs (domain/export_jobs.py): the job records and the finished files."""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.export_models import ExportJob


class ExportJobStore(Protocol):
    def create(self, job: ExportJob) -> None: ...

    def get(self, export_id: str) -> ExportJob | None: ...

    def finish(self, job: ExportJob) -> bool:
        """Store the job's end (``ready`` with its file, or ``failed`` with the reason) if it is still
        pending; False when another attempt ended it first."""


class ExportFiles(Protocol):
    def put(self, key: str, body: bytes, *, content_type: str, filename: str) -> None: ...

    def download_url(self, key: str, *, content_type: str, filename: str, expires_in: int) -> str:
        """A short-lived signed GET of the file that saves it under ``filename``."""
