"""Models of classifier: one row per trained model version, with its evaluation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

USER = settings.AUTH_USER_MODEL


class ModelKind(models.TextChoices):
    # Trained from CSV files: predicts the files' label (the contest's first-level classes).
    LABEL = "label", gettext_lazy("标签模型（CSV 训练）")
    # Trained on the deployment's own requests: predicts the catalogue leaf and the unit.
    CATALOGUE = "catalogue", gettext_lazy("派单目录模型（诉求历史训练）")


class ClassifierVersion(models.Model):
    """A model file under ``DATA_DIR/classifier/`` and how it did in cross-validation.

    At most one version is active: the one ``selectors.suggest`` uses. ``replaced`` is the
    version that was active before this one was switched on (what a rollback returns to).
    """

    name = models.CharField(gettext_lazy("模型名称"), max_length=50)
    number = models.PositiveIntegerField(gettext_lazy("版本号"))
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=ModelKind.choices)
    file = models.CharField(
        gettext_lazy("模型文件"), max_length=255, help_text=gettext_lazy("相对 DATA_DIR/classifier/ 的路径")
    )
    source = models.CharField(gettext_lazy("训练数据"), max_length=255, blank=True)
    rows = models.PositiveIntegerField(gettext_lazy("训练条数"), default=0)
    classes = models.PositiveIntegerField(gettext_lazy("类别数"), default=0)
    macro_f1 = models.FloatField(gettext_lazy("宏平均 F1"), null=True, blank=True)
    metrics = models.JSONField(gettext_lazy("评估"), default=dict, blank=True)
    size_bytes = models.PositiveBigIntegerField(gettext_lazy("文件大小"), default=0)
    duration_seconds = models.FloatField(gettext_lazy("训练用时（秒）"), default=0)
    is_active = models.BooleanField(gettext_lazy("当前启用"), default=False)
    replaced = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("替换的版本"),
    )
    activated_at = models.DateTimeField(gettext_lazy("启用时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(gettext_lazy("训练时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("分类模型版本")
        verbose_name_plural = gettext_lazy("分类模型版本")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "number"], name="classifier_version_number_unique"),
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="classifier_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return _("{name} 第{number}版").format(name=self.name, number=self.number)
