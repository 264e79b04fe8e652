"""Export jobs (domain/export_jobs.py): one item per job, ``pk = EXPORT#<id>``, ``sk = EXPORT``, the job
as its JSON document beside its status, gone through the table's TTL when its file expires. Ending a
job is one conditional write (still pending), so two attempts of the worker end it once."""

from __future__ import annotations

from chalicelib.domain.export_models import ExportJob, ExportStatus
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from .items import TableItem

_SK = "EXPORT"


class ExportJobItem(TableItem, discriminator="export_job"):
    status = UnicodeAttribute()
    job = UnicodeAttribute()
    expires_at = NumberAttribute()


def _pk(export_id: str) -> str:
    return f"EXPORT#{export_id}"


def _item(job: ExportJob) -> ExportJobItem:
    return ExportJobItem(_pk(job.id), _SK, status=job.status.value, job=job.model_dump_json(),
                         expires_at=int(job.expires_at.timestamp()))


class ExportJobRepository:
    """``ExportJobStore`` (domain/ports/exports.py) on the single table."""

    def create(self, job: ExportJob) -> None:
        _item(job).save(condition=ExportJobItem.pk.does_not_exist())

    def get(self, export_id: str) -> ExportJob | None:
        try:
            item = ExportJobItem.get(_pk(export_id), _SK, consistent_read=True)
        except ExportJobItem.DoesNotExist:
            return None
        return ExportJob.model_validate_json(item.job)

    def finish(self, job: ExportJob) -> bool:
        try:
            _item(job).save(condition=ExportJobItem.status == ExportStatus.PENDING.value)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
