"""Import jobs: one uploaded file, its validation problems, its progress and its outcome.

The uploaded file is kept only until the job has run. ``node`` / ``node_path`` hold the
highest node of the actor's import scope so colleagues with the same scope see the job.

Export jobs (``ExportJob``, 下载中心): a list too long to write during a page view, written by
the task worker (``exchange.background``); only the user who asked sees and downloads it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.territory.models import Node, ScopedModel


class ImportKind(models.TextChoices):
    NODES = "nodes", _("区域节点")
    POSITIONS = "positions", _("岗位任职")
    RESIDENTS = "residents", _("实有人口")
    DWELLINGS = "dwellings", _("实有房屋")
    ORGANISATIONS = "organisations", _("实有单位")
    GEOMETRY = "geometry", _("网格范围（GeoJSON）")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    FAILED = "failed", _("未导入")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已完成")


COUNT_LABELS = {
    "nodes": _("区域"),
    "positions": _("岗位任职"),
    "residents": _("居民"),
    "households": _("新建户"),
    "tags": _("标签"),
    "dwellings": _("房屋"),
    "organisations": _("单位"),
    "geometries": _("区域范围"),
    "geometries_from_gcj02": _("其中由 GCJ-02 转换为 WGS-84"),
    "updated": _("更新"),  # re-import by key (importers/updates.py)
    "unchanged": _("未变"),
}

RUNNING_STATUSES = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.IMPORTING)


class ImportJob(ScopedModel):
    # Administrators act on the whole tree, so their jobs hang on no node.
    node = models.ForeignKey(  # type: ignore[assignment]
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("导入人"),
    )
    kind = models.CharField(_("数据类型"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True, max_length=255)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # Every problem as an .xlsx (row, column, reason) when there are more than ``errors`` keeps.
    error_file = models.FileField(upload_to="imports/errors/%Y/%m/", blank=True, max_length=255)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    counts = models.JSONField(_("导入数量"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def waiting_long(self) -> bool:
        """Still queued half a minute after the upload: the task worker is likely not running."""
        return self.status == ImportStatus.PENDING and timezone.now() - self.created_at > timedelta(
            seconds=30
        )

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))

    @property
    def counts_display(self) -> list[tuple[str, int]]:
        return [(COUNT_LABELS.get(name, name), n) for name, n in (self.counts or {}).items() if n]


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("可下载")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


EXPORT_RUNNING = (ExportStatus.PENDING, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """One background export: what was asked (``source`` and its ``params``), as the user asked
    it, and the file once written. The file holds what the list showed (phones and ID numbers
    masked); the params keep a phone filter only encrypted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_jobs",
        verbose_name=_("导出人"),
    )
    source = models.CharField(_("数据来源"), max_length=40)  # a key of ``background.SOURCES``
    list_name = models.CharField(_("列表"), max_length=100)
    params = models.JSONField(_("筛选参数"), default=dict, blank=True)
    filters = models.JSONField(_("筛选参数（审计）"), default=dict, blank=True)  # a phone masked
    description = models.CharField(_("筛选条件"), max_length=500, blank=True)  # as a reader says them
    digest = models.CharField(max_length=64, db_index=True)  # of source and params: one job per ask
    expected_rows = models.PositiveIntegerField(_("预计行数"), default=0)
    rows = models.PositiveIntegerField(_("已写行数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING, db_index=True
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=255)
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    downloads = models.PositiveIntegerField(_("下载次数"), default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.list_name} #{self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in EXPORT_RUNNING

    @property
    def waiting_long(self) -> bool:
        """Still queued half a minute after it was asked: the task worker is likely not running."""
        return self.status == ExportStatus.PENDING and timezone.now() - self.created_at > timedelta(
            seconds=30
        )

    @property
    def percent(self) -> int:
        if not self.expected_rows:
            return 0
        return min(99, round(self.rows * 100 / self.expected_rows))

    @property
    def rows_shown(self) -> str:
        """The rows as a reader reads them (1,234,567): the Chinese locale groups no digits."""
        return f"{self.rows:,}"

    @property
    def expected_shown(self) -> str:
        return f"{self.expected_rows:,}"

    @property
    def expires_at(self) -> datetime | None:
        from civicgrid.exchange.constants import EXPORT_KEEP_DAYS

        if self.status != ExportStatus.DONE or self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=EXPORT_KEEP_DAYS)
