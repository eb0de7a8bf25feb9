"""Red property (红色物业): who serves which compound, inspections, credit, owners' committees.

Compounds are territory nodes (``NodeKind.COMPOUND``) and property companies are registry
organisations (``OrganisationKind.PROPERTY_COMPANY``); this app adds what happens between
them. Every row with a place is scoped by the compound's path (``node_path``), like the
rest of the product.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.property.constants import (
    CheckItem,
    CommitteePost,
    CreditSource,
    ExitReason,
    MemberEndReason,
)
from civicgrid.territory.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class CompanyProfile(models.Model):
    """What red property adds to a property company of the registry: its party work."""

    company = models.OneToOneField(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="property_profile",
        verbose_name=_("物业服务企业"),
    )
    party_instructor = models.CharField(_("党建指导员"), max_length=50, blank=True)
    has_party_branch = models.BooleanField(_("已建立党组织"), default=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("物业企业党建信息")
        verbose_name_plural = _("物业企业党建信息")

    def __str__(self) -> str:
        return str(self.company_id)


class ServiceContract(ScopedModel):
    """A property company serving a compound (物业进驻) from ``starts_on`` until it leaves
    (物业退出) on ``ends_on``. ``node`` is the compound; at most one contract per compound is
    open (``ends_on`` empty) at a time, enforced by the database."""

    company = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="property_contracts",
        verbose_name=_("物业服务企业"),
    )
    starts_on = models.DateField(_("进驻日期"))
    ends_on = models.DateField(_("退出日期"), null=True, blank=True)
    exit_reason = models.CharField(
        _("退出原因"), max_length=16, choices=ExitReason.choices, blank=True, default=""
    )
    exit_note = models.CharField(_("退出说明"), max_length=255, blank=True, default="")
    note = models.CharField(_("备注"), max_length=255, blank=True, default="")
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Voided (作废 / 撤销录入) when recorded by mistake: the row stays, shown with who and why,
    # and counts nowhere.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("作废人")
    )
    void_reason = models.CharField(_("作废原因"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业进驻与退出")
        ordering = ["node_path", "-starts_on"]
        indexes = [models.Index(fields=["company", "starts_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["node"],
                condition=Q(ends_on__isnull=True, voided_at__isnull=True),
                name="property_one_open_contract",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="property_contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_id}:{self.company_id}:{self.starts_on}"

    @property
    def is_open(self) -> bool:
        return self.ends_on is None and self.voided_at is None

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Inspection(ScopedModel):
    """An inspection of a compound (物业检查) by ``inspector`` on ``inspected_on``, of the
    company that served it that day. ``total_deduction`` is the sum of its items."""

    contract = models.ForeignKey(
        ServiceContract, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("服务合同")
    )
    company = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="property_inspections",
        verbose_name=_("物业服务企业"),
    )
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人"))
    total_deduction = models.PositiveSmallIntegerField(_("合计扣分"), default=0)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    note = models.CharField(_("检查说明"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Voided (作废 / 撤销录入) when recorded by mistake: the row stays, shown with who and why,
    # and counts nowhere.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("作废人")
    )
    void_reason = models.CharField(_("作废原因"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("物业检查")
        verbose_name_plural = _("物业检查")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["company", "inspected_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_deduction=0, rectify_by__isnull=True)
                | Q(total_deduction__gt=0, rectify_by__gte=F("inspected_on")),
                name="property_inspection_rectify_when_deducted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_id}:{self.inspected_on}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    item = models.CharField(_("检查项目"), max_length=16, choices=CheckItem.choices)
    deduction = models.PositiveSmallIntegerField(_("扣分"), default=0)
    note = models.CharField(_("问题说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="property_inspection_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.item}:{self.deduction}"


class CreditEntry(ScopedModel):
    """One line of a company's credit ledger (信用分), append-only: an inspection's
    deduction, an award or a manual deduction. ``node`` is the compound inspected, or the
    district or subdistrict that awarded or deducted."""

    company = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="property_credit",
        verbose_name=_("物业服务企业"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.SmallIntegerField(_("分值"))
    reason = models.CharField(_("事由"), max_length=255)
    source = models.CharField(_("来源"), max_length=16, choices=CreditSource.choices)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    # A reversal (冲正) names the one row it cancels; a row is reversed at most once (unique).
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("冲正的记录"),
    )

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "year"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(source=CreditSource.INSPECTION),
                name="property_credit_one_per_inspection",
            ),
            models.CheckConstraint(
                condition=Q(source=CreditSource.REVERSAL, reverses__isnull=False)
                | (~Q(source=CreditSource.REVERSAL) & Q(reverses__isnull=True)),
                name="property_credit_reversal_names_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}:{self.year}:{self.points}"


class OwnersCommittee(ScopedModel):
    """The owners' committee (业委会) of a compound (``node``) for one term."""

    term_starts_on = models.DateField(_("任期开始"))
    term_ends_on = models.DateField(_("任期结束"))
    note = models.CharField(_("备注"), max_length=255, blank=True, default="")
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("业主委员会")
        verbose_name_plural = _("业主委员会")
        ordering = ["node_path", "-term_starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["node", "term_starts_on"], name="property_committee_term_once"),
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=F("term_starts_on")), name="property_committee_term_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_id}:{self.term_starts_on}"


class CommitteeMember(models.Model):
    """A member of an owners' committee, admitted after the community checked the
    candidate against the negative list (``checked_by``)."""

    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=16, choices=CommitteePost.choices)
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("居民档案"),
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("审查人"))
    created_at = models.DateTimeField(default=timezone.now)
    # The day the member joined (任职日期): the day recorded unless given, within the term.
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    # Leaving the committee (离任) ends the membership; the row stays as history.
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("离任原因"), max_length=16, choices=MemberEndReason.choices, blank=True, default=""
    )
    end_note = models.CharField(_("离任说明"), max_length=255, blank=True, default="")
    ended_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("离任登记人")
    )

    class Meta:
        verbose_name = _("业委会成员")
        verbose_name_plural = _("业委会成员")
        ordering = ["committee", "post", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(post=CommitteePost.CHAIR, ended_on__isnull=True),
                name="property_one_chair",
            ),
            models.UniqueConstraint(
                fields=["committee", "resident"],
                condition=Q(resident__isnull=False, ended_on__isnull=True),
                name="property_member_resident_once",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="property_member_end_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
