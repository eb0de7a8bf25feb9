"""Background exports (下载中心): lists too long to write while a page waits.

A list page whose filtered list is longer than ``BACKGROUND_FROM`` rows asks for an export
job instead of a file (``export_job_create``); the task worker writes it
(``tasks.export_job_process`` → ``export_job_run``) and the user downloads it from
``/exchange/exports/`` (``views.export_list``, ``views.export_download``).

* **What is exported** is named by a *source*: a key of ``SOURCES`` whose function takes
  the actor and the job's ``params`` (JSON, as the page serialised its filters) and returns
  an ``ExportSource`` (list name, headers, rows). The request ledger is the one source so
  far: the request ledger (``requests.ledger.export_source``) and the registry's three lists
  (``registry.exports``). The source runs as the actor *when the job runs*: a scope taken
  away meanwhile is taken away from the file too. A job that failed or expired can be asked
  again from the list (``export_job_again``: the same source and filters, counted anew).
* **Limits**: at most ``BACKGROUND_EXPORT_MAX`` rows (the count when asked; an Excel sheet
  holds 1,048,576), at most ``EXPORTS_RUNNING_MAX`` jobs waiting or running per user, and
  asking again for the same list while it is being written returns that job (``digest``).
* **Audit**: the file is audited when written, as any export ("exchange.exported", with
  ``job``), and every download again ("exchange.export_downloaded").
* **Privacy**: a job and its file are only ever shown to the user who asked. The file is
  deleted ``EXPORT_KEEP_DAYS`` days after it was written (``exports_expire``, run whenever a
  job is asked for or the list is shown); the job stays, as 已过期.
* **Running twice** (a worker retrying, two workers): the job is claimed by one conditional
  update from 排队中 to 生成中; the second run finds it claimed and does nothing.
* **Stopping**: the owner may cancel a job that waits or runs (``export_job_cancel``,
  audited as "exchange.export_cancelled"); a job
  still 生成中 ``EXPORT_RUNNING_TIMEOUT_MINUTES`` (60) after it started is failed (its worker
  was stopped), freeing its place; either way a file written meanwhile is not kept.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.exchange import exports
from civicgrid.exchange.constants import (
    BACKGROUND_EXPORT_MAX,
    EXPORT_KEEP_DAYS,
    EXPORT_RUNNING_TIMEOUT_MINUTES,
    EXPORTS_RUNNING_MAX,
    Verb,
)
from civicgrid.exchange.exports import ExportSource
from civicgrid.exchange.models import EXPORT_RUNNING, ExportJob, ExportStatus

logger = logging.getLogger(__name__)

# source key -> dotted path of ``(actor, params) -> ExportSource``
SOURCES: dict[str, str] = {
    "requests.ledger": "civicgrid.requests.ledger.export_source",
    "registry.residents": "civicgrid.registry.exports.residents_source",
    "registry.dwellings": "civicgrid.registry.exports.dwellings_source",
    "registry.organisations": "civicgrid.registry.exports.organisations_source",
}
PROGRESS_EVERY = 5000  # rows between two progress writes


def _digest(source: str, params: dict[str, Any]) -> str:
    """The same list asked again: its params without their ciphertexts (``*_enc``, new at each
    encryption; a source keeps a blind index beside one to tell values apart)."""
    kept = {key: value for key, value in params.items() if not key.endswith("_enc")}
    canonical = json.dumps([source, kept], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def too_many_message(count: int) -> str:
    return _("共 {count} 条，超过导出上限 {limit} 条，请缩小筛选范围").format(
        count=f"{count:,}", limit=f"{BACKGROUND_EXPORT_MAX:,}"
    )


def export_job_create(
    *,
    actor: Any,
    source: str,
    list_name: str,
    params: dict[str, Any],
    filters: dict[str, Any] | None = None,
    description: str = "",
    expected_rows: int,
) -> tuple[ExportJob, bool]:
    """Queue the export of ``source`` with ``params``; returns the job and whether it is new
    (False: the same list was already being written for this user, that job is returned)."""
    require_any(actor, Capability.EXPORT)
    if source not in SOURCES:
        raise ValidationError(_("不支持的导出类型"), field="export")
    if expected_rows > BACKGROUND_EXPORT_MAX:
        raise ValidationError(too_many_message(expected_rows), field="export")
    exports_expire()
    digest = _digest(source, params)
    with transaction.atomic():
        # One ask at a time per user (the user's row locked), so that the limit and "the same
        # list" hold for two asks sent at once.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        mine = ExportJob.objects.filter(actor=actor, status__in=EXPORT_RUNNING)
        running = list(mine.order_by("created_at", "id"))
        same = next((job for job in running if job.digest == digest), None)
        if same is not None:
            return same, False
        if len(running) >= EXPORTS_RUNNING_MAX:
            raise ValidationError(
                _("您已有 {count} 个导出任务正在排队或生成，请等其完成后再导出").format(count=len(running)),
                field="export",
            )
        job = ExportJob.objects.create(
            actor=actor,
            source=source,
            list_name=list_name[:100],
            params=params,
            filters=json.loads(json.dumps(filters or {}, default=str, ensure_ascii=False)),
            description=description[:500],
            digest=digest,
            expected_rows=expected_rows,
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    return job, True


def _enqueue(job_id: int) -> None:
    from civicgrid.exchange.tasks import export_job_process

    export_job_process.enqueue(job_id)


def _set(job: ExportJob, **fields: Any) -> None:
    """Record at once (outside any transaction) so that the page can show it."""
    for name, value in fields.items():
        setattr(job, name, value)
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file. Safe to call twice: only the call that claims it writes."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    job = ExportJob.objects.select_related("actor").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    try:
        _write(job)
    except CivicError as exc:  # the actor may no longer export this, or a filter went stale
        _set(job, status=ExportStatus.FAILED, message=exc.message[:500], finished_at=timezone.now())
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _set(
            job,
            status=ExportStatus.FAILED,
            message=_("生成导出文件时发生内部错误，请重新导出或联系系统管理员"),
            finished_at=timezone.now(),
        )
        raise
    return job


def _write(job: ExportJob) -> None:
    actor = job.actor
    if not actor.is_active:
        raise ValidationError(_("账号已停用，导出未生成"), field="export")
    require_any(actor, Capability.EXPORT)
    build: Callable[[Any, dict[str, Any]], ExportSource] = import_string(SOURCES[job.source])
    source = build(actor, job.params)
    headers = [str(h) for h in source.headers]
    out, count = exports.workbook_file(
        source.list_name,
        headers,
        source.rows,
        progress=lambda done: _set(job, rows=done),
        every=PROGRESS_EVERY,
    )
    name = exports.download_name(f"{source.list_name}_{timezone.localdate():%Y%m%d}.xlsx")
    try:
        with transaction.atomic():
            job.file.save(f"{job.pk}-{job.digest[:16]}.xlsx", File(out, name=name), save=False)
            job.status, job.rows, job.finished_at = ExportStatus.DONE, count, timezone.now()
            job.size = job.file.size
            job.message = ""
            # Only a job still 生成中: one cancelled or timed out meanwhile keeps that state.
            done = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                file=job.file.name,
                status=job.status,
                rows=count,
                finished_at=job.finished_at,
                size=job.size,
                message="",
            )
            if not done:
                job.file.delete(save=False)
                return
            exports.export_audited(
                actor=actor,
                list_name=source.list_name,
                headers=headers,
                rows=count,
                filters=job.filters,
                job=job.pk,
            )
    finally:
        out.close()


def export_jobs_mine(actor: Any) -> Any:
    return ExportJob.objects.filter(actor=actor).order_by("-created_at", "-id")


def export_job_mine(actor: Any, pk: int) -> ExportJob:
    """The actor's own job (anyone else's is not found, administrators' included)."""
    job = ExportJob.objects.filter(actor=actor, pk=pk).first()
    if job is None:
        raise NotFound(_("导出任务不存在"))
    return job


def export_download(*, actor: Any, pk: int) -> ExportJob:
    """The job whose file the actor may download now; the download is audited."""
    require_any(actor, Capability.EXPORT)
    job = export_job_mine(actor, pk)
    if job.status == ExportStatus.EXPIRED:
        raise NotFound(
            _("该导出文件已超过保存期限（{days}天）被删除，请重新导出").format(days=EXPORT_KEEP_DAYS)
        )
    if job.status != ExportStatus.DONE or not job.file:
        raise NotFound(_("导出文件尚未生成"))
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(downloads=F("downloads") + 1)
        _audited(actor, Verb.EXPORT_DOWNLOADED, job)
    return job


def _audited(actor: Any, verb: str, job: ExportJob) -> None:
    """The audit row of a download or a cancel: which job, of which list, how many rows."""
    audit_write(
        actor=actor,
        verb=verb,
        target_type="exchange.export",
        target_id=str(job.pk),
        target_label=job.list_name,
        after={"list": job.list_name, "rows": job.rows, "job": job.pk},
    )


def export_job_cancel(*, actor: Any, pk: int) -> ExportJob:
    """Stop the actor's own job while it waits or runs: 失败 (已取消); a worker writing it
    meanwhile keeps no file (``_write`` completes only a job still 生成中)."""
    job = export_job_mine(actor, pk)
    with transaction.atomic():
        cancelled = ExportJob.objects.filter(pk=job.pk, status__in=EXPORT_RUNNING).update(
            status=ExportStatus.FAILED, message=_("已取消"), finished_at=timezone.now()
        )
        if not cancelled:
            raise ValidationError(_("该导出任务已结束，无需取消"), field="export")
        _audited(actor, Verb.EXPORT_CANCELLED, job)
    job.refresh_from_db()
    return job


def export_job_again(*, actor: Any, pk: int) -> tuple[ExportJob, bool]:
    """Ask again for the list of the actor's own job that failed or whose file expired: the
    same source and filters, counted now, as a new job (``export_job_create``'s limits)."""
    job = export_job_mine(actor, pk)
    if job.status not in (ExportStatus.FAILED, ExportStatus.EXPIRED):
        raise ValidationError(_("只有失败或已过期的导出可以重新导出"), field="export")
    require_any(actor, Capability.EXPORT)
    if job.source not in SOURCES:
        raise ValidationError(_("不支持的导出类型"), field="export")
    build: Callable[[Any, dict[str, Any]], ExportSource] = import_string(SOURCES[job.source])
    source = build(actor, job.params)
    return export_job_create(
        actor=actor,
        source=job.source,
        list_name=job.list_name,
        params=job.params,
        filters=job.filters,
        description=job.description,
        expected_rows=source.count() if source.count is not None else job.expected_rows,
    )


def exports_expire() -> int:
    """Delete the files written more than ``EXPORT_KEEP_DAYS`` days ago (how many), and fail the
    jobs still 生成中 ``EXPORT_RUNNING_TIMEOUT_MINUTES`` after they started: their worker stopped."""
    now = timezone.now()
    ExportJob.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=now - timedelta(minutes=EXPORT_RUNNING_TIMEOUT_MINUTES)
    ).update(
        status=ExportStatus.FAILED,
        message=_("生成超时（后台任务可能已中断），请重新导出"),
        finished_at=now,
    )
    cutoff = now - timedelta(days=EXPORT_KEEP_DAYS)
    old = list(ExportJob.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff))
    for job in old:
        try:
            job.file.delete(save=False)
        except OSError:
            logger.warning("could not delete the file of export job %s", job.pk, exc_info=True)
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE).update(
            status=ExportStatus.EXPIRED, file=""
        )
    return len(old)
