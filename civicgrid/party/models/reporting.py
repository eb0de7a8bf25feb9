"""Dual reporting (双报到): members report where they live; units sign agreements with places."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.party.constants import (
    ACTIVE_AGREEMENT_STATUSES,
    ACTIVE_REPORT_STATUSES,
    AgreementKind,
    AgreementStatus,
    LocatedBy,
    ReportStatus,
)
from civicgrid.party.models.organisations import PartyMember, PartyOrganisation
from civicgrid.territory.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class MemberReport(ScopedModel):
    """A member's report to a community (``node``), with pledges and service types."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="reports", verbose_name=_("党员")
    )
    grid = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("网格"),
    )
    address = models.CharField(_("居住地址"), max_length=255, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    located_by = models.CharField(_("定位方式"), max_length=20, choices=LocatedBy.choices)
    pledges = models.JSONField(_("承诺事项"), default=list, blank=True)
    service_types = models.JSONField(_("服务类型"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(_("报到时间"))
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_note = models.CharField(_("说明"), max_length=255, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员报到")
        verbose_name_plural = _("党员报到")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # A member reports to one community at a time (pending or confirmed).
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=ACTIVE_REPORT_STATUSES),
                name="party_one_active_report_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.node}"


def live_agreement_q(today: date | None = None, prefix: str = "") -> Q:
    """Agreements that are live today: in a live status and not past their end date. An
    agreement whose ``ends_on`` has passed keeps its stored status until the next one with the
    same place is signed, but counts as expired (已到期) from the day after ``ends_on``."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status__in": ACTIVE_AGREEMENT_STATUSES}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def expired_agreement_q(today: date | None = None) -> Q:
    """Agreements shown as expired: recorded so, or live in status but past ``ends_on``."""
    today = today or timezone.localdate()
    return Q(status=AgreementStatus.EXPIRED) | Q(status__in=ACTIVE_AGREEMENT_STATUSES, ends_on__lt=today)


class Agreement(ScopedModel):
    """A partnership agreement (共建协议) of a unit with a place (``node``): a community for
    dual reporting, the alliance's node for an alliance agreement."""

    kind = models.CharField(_("协议类型"), max_length=20, choices=AgreementKind.choices)
    unit = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="party_agreements",
        verbose_name=_("单位"),
    )
    party_organisation = models.ForeignKey(
        PartyOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("单位党组织"),
    )
    alliance = models.ForeignKey(
        "party.Alliance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("党建联盟"),
    )
    title = models.CharField(_("协议名称"), max_length=200)
    pledges = models.TextField(_("共建内容与承诺"), blank=True)
    service_types = models.JSONField(_("服务类型"), default=list, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_enc = models.TextField(blank=True, default="", editable=False)
    contact_phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    contact_phone_masked = models.CharField(
        _("联系电话"), max_length=20, blank=True, default="", editable=False
    )
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.ACTIVE,
        db_index=True,
    )
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=255, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        ordering = ["-signed_on", "-id"]
        constraints = [
            # A unit has one live agreement with one place.
            models.UniqueConstraint(
                fields=["unit", "node"],
                condition=Q(status__in=ACTIVE_AGREEMENT_STATUSES),
                name="party_one_active_agreement",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="party_agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_status(self) -> str:
        """The status as of today: a live agreement past its end date is expired (已到期)."""
        if (
            self.status in ACTIVE_AGREEMENT_STATUSES
            and self.ends_on is not None
            and self.ends_on < timezone.localdate()
        ):
            return AgreementStatus.EXPIRED.value
        return str(self.status)

    @property
    def shown_status_label(self) -> str:
        return str(AgreementStatus(self.shown_status).label)


def agreement_file_path(instance: "AgreementFile", filename: str) -> str:
    return f"party/agreements/{instance.agreement_id}/{filename}"


class AgreementFile(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=agreement_file_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("协议文件")
        verbose_name_plural = _("协议文件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
