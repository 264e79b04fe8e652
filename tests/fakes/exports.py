"""Export jobs and their files in memory (domain/ports/exports.py)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.export_models import ExportJob, ExportStatus


class InMemoryExportJobs:
    """``ExportJobStore`` in memory: ending a job is conditional on it being pending, as in DynamoDB."""

    def __init__(self) -> None:
        self.jobs: dict[str, ExportJob] = {}

    def create(self, job: ExportJob) -> None:
        assert job.id not in self.jobs
        self.jobs[job.id] = job

    def get(self, export_id: str) -> ExportJob | None:
        return self.jobs.get(export_id)

    def finish(self, job: ExportJob) -> bool:
        if self.jobs[job.id].status is not ExportStatus.PENDING:
            return False
        self.jobs[job.id] = job
        return True


@dataclass(frozen=True)
class StoredFile:
    body: bytes
    content_type: str
    filename: str


class InMemoryExportFiles:
    """``ExportFiles`` in memory; a download URL names the key and how long it is signed for."""

    def __init__(self) -> None:
        self.files: dict[str, StoredFile] = {}

    def put(self, key: str, body: bytes, *, content_type: str, filename: str) -> None:
        self.files[key] = StoredFile(body, content_type, filename)

    def download_url(self, key: str, *, content_type: str, filename: str, expires_in: int) -> str:
        assert key in self.files
        return f"https://bucket.example/{key}?expires={expires_in}&filename={filename}"
