"""Alliances (党建联盟) and the three lists (三张清单): needs, resources and projects."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.party.constants import (
    AllianceLevel,
    AllianceRole,
    NeedCategory,
    NeedSource,
    NeedStatus,
    ProjectStatus,
    ResourceKind,
)
from civicgrid.party.models.organisations import PartyMember
from civicgrid.territory.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class Alliance(ScopedModel):
    """A party-building alliance at the district, subdistrict or community (``node``)."""

    name = models.CharField(gettext_lazy("联盟名称"), max_length=100)
    level = models.CharField(gettext_lazy("层级"), max_length=20, choices=AllianceLevel.choices)
    description = models.TextField(gettext_lazy("简介"), blank=True)
    founded_on = models.DateField(gettext_lazy("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(gettext_lazy("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("党建联盟")
        verbose_name_plural = gettext_lazy("党建联盟")
        ordering = ["node_path", "name"]

    def __str__(self) -> str:
        return self.name


class AllianceMember(ScopedModel):
    """A unit in an alliance, from ``joined_on`` until ``left_on``."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
        verbose_name=gettext_lazy("单位"),
    )
    role = models.CharField(
        gettext_lazy("角色"), max_length=10, choices=AllianceRole.choices, default=AllianceRole.MEMBER
    )
    joined_on = models.DateField(gettext_lazy("加入日期"))
    left_on = models.DateField(gettext_lazy("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("联盟成员单位")
        verbose_name_plural = gettext_lazy("联盟成员单位")
        ordering = ["alliance", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "unit"],
                condition=Q(left_on__isnull=True),
                name="party_one_live_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.unit}"


class Need(ScopedModel):
    """An entry of the needs list (需求清单). ``node`` is where it is (grid or community)."""

    title = models.CharField(gettext_lazy("需求"), max_length=200)
    description = models.TextField(gettext_lazy("具体情况"), blank=True)
    category = models.CharField(gettext_lazy("类别"), max_length=20, choices=NeedCategory.choices)
    source = models.CharField(gettext_lazy("来源"), max_length=20, choices=NeedSource.choices)
    source_ref = models.CharField(gettext_lazy("来源说明"), max_length=100, blank=True)
    request = models.ForeignKey(
        "requests.Request",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("诉求"),
    )
    wanted_kinds = models.JSONField(gettext_lazy("所需资源"), default=list, blank=True)
    address = models.CharField(gettext_lazy("地点"), max_length=255, blank=True)
    lon = models.FloatField(gettext_lazy("经度"), null=True, blank=True)
    lat = models.FloatField(gettext_lazy("纬度"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(gettext_lazy("受益人数"), null=True, blank=True)
    is_micro = models.BooleanField(gettext_lazy("微实事"), default=False)
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("需求")
        verbose_name_plural = gettext_lazy("需求清单")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A request is on the needs list once while that entry is not closed; closing it
            # lets the request be put on the list again.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(request__isnull=False) & ~Q(status=NeedStatus.CLOSED),
                name="party_one_open_need_per_request",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Resource(ScopedModel):
    """An entry of the resources list (资源清单): what a unit or member offers."""

    unit = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_resources",
        verbose_name=gettext_lazy("提供单位"),
    )
    member = models.ForeignKey(
        PartyMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=gettext_lazy("提供党员"),
    )
    kind = models.CharField(
        gettext_lazy("资源类型"), max_length=20, choices=ResourceKind.choices, db_index=True
    )
    title = models.CharField(gettext_lazy("资源"), max_length=200)
    description = models.TextField(gettext_lazy("说明"), blank=True)
    quantity = models.DecimalField(
        gettext_lazy("数量"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    quantity_unit = models.CharField(gettext_lazy("计量单位"), max_length=20, blank=True)
    address = models.CharField(gettext_lazy("地点"), max_length=255, blank=True)
    lon = models.FloatField(gettext_lazy("经度"), null=True, blank=True)
    lat = models.FloatField(gettext_lazy("纬度"), null=True, blank=True)
    available_until = models.DateField(gettext_lazy("有效期至"), null=True, blank=True)
    is_active = models.BooleanField(gettext_lazy("可用"), default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("资源")
        verbose_name_plural = gettext_lazy("资源清单")
        ordering = ["node_path", "kind", "id"]

    def __str__(self) -> str:
        return self.title


class Project(ScopedModel):
    """An entry of the projects list (项目清单): a need matched with resources."""

    title = models.CharField(gettext_lazy("项目名称"), max_length=200)
    need = models.ForeignKey(
        Need,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=gettext_lazy("需求"),
    )
    alliance = models.ForeignKey(
        Alliance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=gettext_lazy("党建联盟"),
    )
    owner_name = models.CharField(gettext_lazy("负责人"), max_length=50)
    owner_unit = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("牵头单位"),
    )
    budget = models.DecimalField(gettext_lazy("预算（元）"), max_digits=12, decimal_places=2, default=0)
    starts_on = models.DateField(gettext_lazy("计划开始"))
    ends_on = models.DateField(gettext_lazy("计划完成"))
    status = models.CharField(
        gettext_lazy("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.PLANNED,
        db_index=True,
    )
    is_micro = models.BooleanField(gettext_lazy("微实事"), default=False)
    results = models.TextField(gettext_lazy("实施成效"), blank=True)
    done_on = models.DateField(gettext_lazy("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("项目")
        verbose_name_plural = gettext_lazy("项目清单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="party_project_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="party_project_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectStatusChange(models.Model):
    """History of a project's status (checked against ``PROJECT_TRANSITIONS``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("项目状态变更")
        verbose_name_plural = gettext_lazy("项目状态变更")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.from_status}→{self.to_status}"


class ProjectContribution(models.Model):
    """What a unit (or member) put into a project, and the alliance points it earns."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contributions")
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    unit = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_contributions",
        verbose_name=gettext_lazy("单位"),
    )
    member = models.ForeignKey(
        PartyMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("党员"),
    )
    description = models.CharField(gettext_lazy("投入内容"), max_length=255)
    amount = models.DecimalField(
        gettext_lazy("折合金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    points = models.PositiveIntegerField(gettext_lazy("盟友力积分"), default=0)
    points_awarded_at = models.DateTimeField(gettext_lazy("积分入账时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("项目投入")
        verbose_name_plural = gettext_lazy("项目投入")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.description


def project_photo_path(instance: "ProjectPhoto", filename: str) -> str:
    return f"party/projects/{instance.project_id}/{filename}"


class ProjectPhoto(models.Model):
    """A photo of the results (晒单)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=project_photo_path, max_length=255)
    caption = models.CharField(gettext_lazy("说明"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("成效照片")
        verbose_name_plural = gettext_lazy("成效照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or _("照片{pk}").format(pk=self.pk)
