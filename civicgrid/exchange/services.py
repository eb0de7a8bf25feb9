"""Writes of the exchange module: accepting an upload, and running an import job.

``import_job_create`` checks the actor and the file, stores it and queues the job once the
upload's transaction has committed. ``import_job_run`` (called by the task) validates
every row first; only if no row is bad does it write everything in one transaction,
together with one audit row, and the file is then deleted.
"""

import logging
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any, scope_paths
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.exchange import exports
from civicgrid.exchange.columns import COLUMNS
from civicgrid.exchange.constants import MAX_ROWS, MAX_STORED_ERRORS, MAX_UPLOAD_BYTES, Verb
from civicgrid.exchange.examples import example_rows
from civicgrid.exchange.importers import IMPORTERS, Importer, RowError
from civicgrid.exchange.models import ImportJob, ImportKind, ImportStatus
from civicgrid.exchange.readers import (
    GEOJSON_EXTENSIONS,
    TABULAR_EXTENSIONS,
    Table,
    extension,
    ignored_note,
    read_geojson,
    read_tabular,
)
from civicgrid.exchange.workbook import save_as_xlsx
from civicgrid.territory.models import Node, common_path

logger = logging.getLogger(__name__)

OLD_EXCEL_EXTENSIONS = (".xls", ".et")  # Excel 97–2003; WPS 表格's own format

EDIT_CAPABILITY = {kind: importer.edit_capability for kind, importer in IMPORTERS.items()}


def _check_file(kind: str, upload: UploadedFile) -> str:
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    allowed = GEOJSON_EXTENSIONS if kind == ImportKind.GEOMETRY else TABULAR_EXTENSIONS
    if extension(name) not in allowed:
        wanted = (
            "GeoJSON（.geojson）"
            if kind == ImportKind.GEOMETRY
            else _("Excel（.xlsx）、CSV（.csv）或 Unicode 文本（.txt）")
        )
        message = _("文件类型不支持：{kind}只能导入{wanted}文件").format(
            kind=ImportKind(kind).label, wanted=wanted
        )
        if kind != ImportKind.GEOMETRY and extension(name) in OLD_EXCEL_EXTENSIONS:
            message = f"{message}；{save_as_xlsx()}"
        raise ValidationError(message, field="file")
    if not upload.size:
        raise ValidationError(_("文件是空的"), field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ValidationError(
            _("文件太大：最大 {limit} MB，请拆分后分批导入").format(limit=limit), field="file"
        )
    return name


def import_job_create(*, actor: Any, kind: str, upload: UploadedFile) -> ImportJob:
    """Accept an upload and queue its import (validation and import run in the task)."""
    require_any(actor, Capability.IMPORT)
    if kind not in ImportKind.values:
        raise ValidationError(_("请选择要导入的数据类型"), field="kind")
    require_any(actor, EDIT_CAPABILITY[kind])
    name = _check_file(kind, upload)
    path = common_path(scope_paths(actor, Capability.IMPORT))
    with transaction.atomic():
        job = ImportJob(
            actor=actor,
            kind=kind,
            file_name=name[:255],
            node=Node.objects.filter(path=path).first() if path else None,
            node_path=path,
        )
        job.file.save(f"{uuid.uuid4().hex}{extension(name)}", upload, save=False)
        job.save()
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from civicgrid.exchange.tasks import import_job_process

    import_job_process.enqueue(job_id)


def _progress(job: ImportJob, **fields: Any) -> None:
    """Record progress at once (outside any import transaction) so the page can show it."""
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _fail(job: ImportJob, *, errors: list[RowError] | None = None, message: str = "") -> ImportJob:
    errors = errors or []
    if len(errors) > MAX_STORED_ERRORS:
        _save_error_file(job, errors)
    _progress(
        job,
        status=ImportStatus.FAILED,
        errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]],
        error_count=len(errors),
        message=message[:500],
        finished_at=timezone.now(),
    )
    return job


def _save_error_file(job: ImportJob, errors: list[RowError]) -> None:
    """Every problem as an .xlsx beside the job (the page shows the first ``MAX_STORED_ERRORS``);
    a GeoJSON feature is also named (its code or name), a row by its number alone."""
    if job.kind == ImportKind.GEOMETRY:
        headers = [_("要素"), _("名称"), _("列"), _("原因")]
        rows: Iterable[tuple[Any, ...]] = ((e.row, e.label, e.column, e.reason) for e in errors)
    else:
        headers = [_("行号"), _("列"), _("原因")]
        rows = ((e.row, e.column, e.reason) for e in errors)
    out, _count = exports.workbook_file(str(_("错误明细")), headers, rows)
    try:
        job.error_file.save(f"{uuid.uuid4().hex}.xlsx", File(out), save=False)
    finally:
        out.close()
    ImportJob.objects.filter(pk=job.pk).update(error_file=job.error_file.name)


def _read(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    if job.kind == ImportKind.GEOMETRY:
        return read_geojson(job.file_name, data, MAX_ROWS)
    return read_tabular(job.file_name, data, COLUMNS[job.kind], MAX_ROWS)


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate the job's file, then import it all or nothing. Safe to call twice."""
    job = ImportJob.objects.select_related("actor", "node").get(pk=job_id)
    if job.status != ImportStatus.PENDING:
        return job
    _progress(job, status=ImportStatus.VALIDATING, started_at=timezone.now())
    try:
        return _run(job)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(job, message=_("导入时发生内部错误，未导入任何数据，请联系系统管理员"))
        raise
    finally:
        _delete_file(job)


def _run(job: ImportJob) -> ImportJob:
    try:
        table = _read(job)
    except ValidationError as exc:
        return _fail(job, message=exc.message)
    if table.problems:
        return _fail(
            job, errors=[RowError(table.header_row, column, reason) for column, reason in table.problems]
        )
    if not table.rows:
        return _fail(job, message=_("文件中没有数据行"))
    skipped = example_rows(job.kind, table.rows)
    note = ""
    if skipped:
        table.rows = [row for row in table.rows if row.number not in set(skipped)]
        note = _("第{rows}行与模板中的示例相同，已跳过，未导入").format(rows="、".join(map(str, skipped)))
        if not table.rows:
            nothing = _("{note}；文件中没有其他数据行，请填写实际数据后重新上传").format(note=note)
            return _fail(job, message=nothing)
    if ignored := ignored_note(table):
        note = _("{note}；{more}").format(note=note, more=ignored) if note else ignored
    _progress(job, total_rows=len(table.rows), processed_rows=0)
    importer = IMPORTERS[job.kind](job.actor)
    errors = importer.validate(table.rows, lambda done: _progress(job, processed_rows=done))
    if errors:
        message = _("共 {count} 处错误，未导入任何数据，请修改后重新上传").format(count=len(errors))
        return _fail(job, errors=errors, message=f"{message}；{note}" if note else message)
    _progress(job, status=ImportStatus.IMPORTING)
    try:
        _save(job, importer, note=note, skipped=skipped)
    except Conflict as exc:  # a record to update changed after validation (``select_for_update``)
        return _fail(job, message=exc.message)
    except IntegrityError:
        logger.warning("import job %s collided with a concurrent change", job.pk, exc_info=True)
        return _fail(
            job, message=_("导入时发现数据已被他人修改（如身份证号或编码已登记），未导入任何数据，请重新上传")
        )
    return job


@transaction.atomic
def _save(job: ImportJob, importer: Importer, *, note: str = "", skipped: list[int] | None = None) -> None:
    counts = importer.save()
    job.status, job.counts, job.finished_at = ImportStatus.DONE, counts, timezone.now()
    done = _("导入完成")
    if "updated" in counts:  # kinds that update by key: 新增 N、更新 M、未变 K
        done = _("导入完成：新增 {created}、更新 {updated}、未变 {unchanged}").format(
            created=counts.get(job.kind, 0), updated=counts["updated"], unchanged=counts.get("unchanged", 0)
        )
    job.message = (_("{done}；{note}").format(done=done, note=note) if note else done)[:500]
    job.save(update_fields=["status", "counts", "finished_at", "message"])
    audit_write(
        actor=job.actor,
        verb=Verb.IMPORT_COMPLETED,
        target=job,
        node=job.node,
        after={
            "kind": job.kind,
            "file_name": job.file_name,
            "rows": job.total_rows,
            "counts": counts,
            "skipped_example_rows": skipped or [],
        },
    )


def _delete_file(job: ImportJob) -> None:
    if not job.file:
        return
    try:
        job.file.delete(save=False)
    except OSError:
        logger.warning("could not delete the upload of import job %s", job.pk, exc_info=True)
    ImportJob.objects.filter(pk=job.pk).update(file="")
