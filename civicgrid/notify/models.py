"""The notification outbox.

A row is written in the same transaction as the change that causes it, with a unique
``dedupe_key``, so a change that rolls back notifies nobody and a retried job cannot
notify twice. ``notify.services.outbox_drain`` sends pending rows after commit.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信模板消息")
    EMAIL = "email", _("电子邮件")


class State(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Notification(models.Model):
    dedupe_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_label = models.CharField(_("接收方"), max_length=100, blank=True)
    address_enc = models.TextField(blank=True, default="", editable=False)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject}"
