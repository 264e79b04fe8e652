"""The export job store (domain/ports/exports.py): a job reads back as written, and ends once."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.export_models import ExportJob, ExportStatus

from tests.contract.builders import START
from tests.contract.conftest import Stores


def _job() -> ExportJob:
    return ExportJob(id="a" * 32, owner_id="ann", team_id="default", kind="conversation", format="csv",
                     filename="conversation-c1.csv", content_type="text/csv; charset=utf-8", created_at=START,
                     expires_at=START + timedelta(days=1), conversation_id="c1")


def test_a_job_reads_back_as_written_and_an_unknown_one_not_at_all(stores: Stores) -> None:
    # Given a pending job
    job = _job()
    stores.export_jobs.create(job)
    # Then it reads back whole, and another id reads as none
    assert stores.export_jobs.get(job.id) == job
    assert stores.export_jobs.get("b" * 32) is None


def test_a_job_ends_once(stores: Stores) -> None:
    # Given a pending job
    job = _job()
    stores.export_jobs.create(job)
    # When one attempt ends it ready
    ready = job.model_copy(update={"status": ExportStatus.READY, "key": f"exports/{job.id}/x.csv", "size": 10})
    assert stores.export_jobs.finish(ready) is True
    # Then a later attempt that would fail it changes nothing
    failed = job.model_copy(update={"status": ExportStatus.FAILED, "reason": "late"})
    assert stores.export_jobs.finish(failed) is False
    assert stores.export_jobs.get(job.id) == ready
