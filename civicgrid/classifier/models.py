"""Models of classifier: one row per trained model version, with its evaluation."""

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class ModelKind(models.TextChoices):
    # Trained from CSV files: predicts the files' label (the contest's first-level classes).
    LABEL = "label", "标签模型（CSV 训练）"
    # Trained on the deployment's own requests: predicts the catalogue leaf and the unit.
    CATALOGUE = "catalogue", "派单目录模型（诉求历史训练）"


class ClassifierVersion(models.Model):
    """A model file under ``DATA_DIR/classifier/`` and how it did in cross-validation.

    At most one version is active: the one ``selectors.suggest`` uses. ``replaced`` is the
    version that was active before this one was switched on (what a rollback returns to).
    """

    name = models.CharField("模型名称", max_length=50)
    number = models.PositiveIntegerField("版本号")
    kind = models.CharField("类型", max_length=20, choices=ModelKind.choices)
    file = models.CharField("模型文件", max_length=255, help_text="相对 DATA_DIR/classifier/ 的路径")
    source = models.CharField("训练数据", max_length=255, blank=True)
    rows = models.PositiveIntegerField("训练条数", default=0)
    classes = models.PositiveIntegerField("类别数", default=0)
    macro_f1 = models.FloatField("宏平均 F1", null=True, blank=True)
    metrics = models.JSONField("评估", default=dict, blank=True)
    size_bytes = models.PositiveBigIntegerField("文件大小", default=0)
    duration_seconds = models.FloatField("训练用时（秒）", default=0)
    is_active = models.BooleanField("当前启用", default=False)
    replaced = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="替换的版本"
    )
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("训练时间", auto_now_add=True)

    class Meta:
        verbose_name = "分类模型版本"
        verbose_name_plural = "分类模型版本"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "number"], name="classifier_version_number_unique"),
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="classifier_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} 第{self.number}版"
