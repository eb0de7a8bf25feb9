"""The one audit table.

Rows are written by ``civicgrid.core.audit.audit_write`` in the same transaction as
the change they describe. The product offers no way to change or delete them, and the
database refuses it too (triggers installed by migration 0002).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    verb = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=255, blank=True)
    node = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    node_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # How the actor signed in when not by a page session: "令牌 <name>（<prefix>…）". Nullable,
    # so that adding it alters no row of this append-only table (SQLite would rebuild it).
    via = models.CharField(_("经由"), max_length=140, null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.verb} {self.target_label}"


class FormToken(models.Model):
    """A one-time form token that has been used (``civicgrid.core.once``).

    The token is the primary key: a second POST carrying the same token cannot insert its
    row, so the form's write runs once even when two POSTs arrive at the same moment."""

    token = models.CharField(_("令牌"), max_length=32, primary_key=True)
    used_at = models.DateTimeField(_("使用时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("表单令牌")
        verbose_name_plural = _("表单令牌")

    def __str__(self) -> str:
        return self.token
