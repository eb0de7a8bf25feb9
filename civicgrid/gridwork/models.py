"""Grid work (网格工作): patrols and their track, what a worker saw (the patrol log 民情日志),
household visits and care plans for special groups, campaigns, field updates of the registry.

Every entry a phone may send carries ``client_key``: an idempotency key made on the phone
when the entry is written (maybe offline), unique in the table, so an entry sent three
times is stored once. Rows hang on the tree (``ScopedModel``): patrols and findings on the
grid, visits and care plans where the resident lives, campaign items on the household's
building.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.gridwork.constants import (
    CampaignKind,
    CampaignState,
    CampaignTarget,
    FindingCategory,
    ItemState,
    Light,
    Outcome,
    ProposalKind,
    ProposalState,
    VisitKind,
    Wellbeing,
)
from civicgrid.territory.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class Patrol(ScopedModel):
    """One round of a grid worker through their grid (``node`` is the grid)."""

    worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="patrols", verbose_name=gettext_lazy("网格员")
    )
    client_key = models.CharField(max_length=64, unique=True, editable=False)
    day = models.DateField(gettext_lazy("日期"), db_index=True)
    started_at = models.DateTimeField(gettext_lazy("开始时间"))
    ended_at = models.DateTimeField(gettext_lazy("结束时间"), null=True, blank=True)
    distance_m = models.FloatField(gettext_lazy("里程（米）"), default=0)
    point_count = models.PositiveIntegerField(gettext_lazy("轨迹点数"), default=0)
    places = models.CharField(gettext_lazy("途经地点"), max_length=500, blank=True)
    people_met = models.PositiveIntegerField(gettext_lazy("接触群众（人次）"), default=0)
    note = models.TextField(gettext_lazy("巡查小结"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("巡查")
        verbose_name_plural = gettext_lazy("巡查")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="gridwork_one_open_patrol"
            )
        ]

    def __str__(self) -> str:
        return _("{worker} {day} 巡查").format(worker=self.worker, day=self.day)

    @property
    def minutes(self) -> int:
        if self.ended_at is None:
            return 0
        return max(0, int((self.ended_at - self.started_at).total_seconds() // 60))


class PatrolPoint(models.Model):
    """A point of the track; the same point sent twice is stored once (patrol, time)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="points")
    recorded_at = models.DateTimeField()
    lon = models.FloatField()
    lat = models.FloatField()
    accuracy_m = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("轨迹点")
        verbose_name_plural = gettext_lazy("轨迹点")
        ordering = ["patrol", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["patrol", "recorded_at"], name="gridwork_point_once")]

    def __str__(self) -> str:
        return f"{self.lon:.6f},{self.lat:.6f}"


class Finding(ScopedModel):
    """What the worker saw (民情): recorded, fixed on the spot, or reported as a request."""

    worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="findings", verbose_name=gettext_lazy("网格员")
    )
    patrol = models.ForeignKey(
        Patrol,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        verbose_name=gettext_lazy("巡查"),
    )
    client_key = models.CharField(max_length=64, unique=True, editable=False)
    observed_at = models.DateTimeField(gettext_lazy("发现时间"), db_index=True)
    day = models.DateField(gettext_lazy("日期"))
    category = models.CharField(gettext_lazy("类别"), max_length=20, choices=FindingCategory.choices)
    description = models.TextField(gettext_lazy("情况描述"))
    address = models.CharField(gettext_lazy("地点"), max_length=255, blank=True)
    lon = models.FloatField(gettext_lazy("经度"), null=True, blank=True)
    lat = models.FloatField(gettext_lazy("纬度"), null=True, blank=True)
    outcome = models.CharField(gettext_lazy("处理方式"), max_length=10, choices=Outcome.choices)
    handled_note = models.TextField(gettext_lazy("处理情况"), blank=True)
    request = models.ForeignKey(
        "requests.Request",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("上报的诉求"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("民情记录")
        verbose_name_plural = gettext_lazy("民情记录")
        ordering = ["-observed_at", "-id"]
        indexes = [models.Index(fields=["worker", "day"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:30]}"


class CarePlan(ScopedModel):
    """Who in a special group is visited, by whom and how often (``node``: where they live)."""

    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        related_name="care_plans",
        verbose_name=gettext_lazy("关爱对象"),
    )
    grid = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("所属网格"),
    )
    groups = models.CharField(gettext_lazy("关爱类别"), max_length=200, blank=True)
    interval_days = models.PositiveSmallIntegerField(gettext_lazy("走访周期（天）"))
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_plans",
        verbose_name=gettext_lazy("走访人"),
    )
    started_on = models.DateField(gettext_lazy("开始日期"))
    is_active = models.BooleanField(gettext_lazy("有效"), default=True)
    ended_on = models.DateField(gettext_lazy("结束日期"), null=True, blank=True)
    last_visit_at = models.DateTimeField(gettext_lazy("上次走访"), null=True, blank=True)
    visit_count = models.PositiveIntegerField(gettext_lazy("走访次数"), default=0)
    next_due_on = models.DateField(gettext_lazy("下次应走访"), db_index=True)
    light = models.CharField(
        gettext_lazy("预警灯"), max_length=10, choices=Light.choices, default=Light.GREEN, db_index=True
    )
    note = models.CharField(gettext_lazy("备注"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("关爱计划")
        verbose_name_plural = gettext_lazy("关爱计划")
        ordering = ["next_due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(is_active=True), name="gridwork_one_active_care_plan"
            )
        ]

    def __str__(self) -> str:
        return _("{resident} 关爱计划").format(resident=self.resident)


class CareWarning(models.Model):
    """A visit coming due (yellow) or overdue (red); one row per plan, due date and light."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="warnings")
    due_on = models.DateField()
    light = models.CharField(max_length=10, choices=Light.choices)
    raised_at = models.DateTimeField()
    notified = models.PositiveSmallIntegerField(gettext_lazy("通知人数"), default=0)

    class Meta:
        verbose_name = gettext_lazy("走访预警")
        verbose_name_plural = gettext_lazy("走访预警")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on", "light"], name="gridwork_care_warning_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_light_display()}"


class Visit(ScopedModel):
    """A household visit (走访): whom, how, what was found."""

    worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="visits", verbose_name=gettext_lazy("走访人")
    )
    patrol = models.ForeignKey(
        Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    client_key = models.CharField(max_length=64, unique=True, editable=False)
    visited_at = models.DateTimeField(gettext_lazy("走访时间"), db_index=True)
    day = models.DateField(gettext_lazy("日期"))
    kind = models.CharField(
        gettext_lazy("方式"), max_length=10, choices=VisitKind.choices, default=VisitKind.HOME
    )
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("走访对象"),
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("户"),
    )
    care_plan = models.ForeignKey(
        CarePlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=gettext_lazy("关爱计划"),
    )
    wellbeing = models.CharField(
        gettext_lazy("情况"), max_length=10, choices=Wellbeing.choices, default=Wellbeing.GOOD
    )
    found = models.TextField(gettext_lazy("走访情况"))
    needs = models.TextField(gettext_lazy("困难与诉求"), blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("走访")
        verbose_name_plural = gettext_lazy("走访")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["worker", "day"])]

    def __str__(self) -> str:
        return f"{self.resident or self.household} {self.visited_at:%Y-%m-%d}"


def photo_path(instance: "Photo", filename: str) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(instance.content_type, "bin")
    return f"gridwork/{uuid.uuid4().hex}.{ext}"


class Photo(models.Model):
    """A photo taken in the field, of a finding (evidence of a fix) or of a visit."""

    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("现场照片")
        verbose_name_plural = gettext_lazy("现场照片")
        constraints = [
            models.CheckConstraint(
                condition=(Q(finding__isnull=False) & Q(visit__isnull=True))
                | (Q(finding__isnull=True) & Q(visit__isnull=False)),
                name="gridwork_photo_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.file.name


class Campaign(ScopedModel):
    """A task set on every household (or building) of an area, with a checklist."""

    name = models.CharField(gettext_lazy("任务名称"), max_length=100)
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=CampaignKind.choices)
    target = models.CharField(gettext_lazy("对象"), max_length=10, choices=CampaignTarget.choices)
    checklist = models.JSONField(gettext_lazy("检查清单"), default=list)
    description = models.TextField(gettext_lazy("工作要求"), blank=True)
    starts_on = models.DateField(gettext_lazy("开始日期"))
    ends_on = models.DateField(gettext_lazy("截止日期"))
    state = models.CharField(
        gettext_lazy("状态"),
        max_length=10,
        choices=CampaignState.choices,
        default=CampaignState.ACTIVE,
        db_index=True,
    )
    item_count = models.PositiveIntegerField(gettext_lazy("任务数"), default=0)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("发起人")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("专项任务")
        verbose_name_plural = gettext_lazy("专项任务")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def not_started(self) -> bool:
        """Active but before its start date (未开始): shown, not yet open for results."""
        return self.state == CampaignState.ACTIVE and self.starts_on > timezone.localdate()


class CampaignItem(ScopedModel):
    """One household (or building) of a campaign; ``node`` is where it is."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("户"),
    )
    building = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("楼栋"),
    )
    grid = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("网格"),
    )
    label = models.CharField(gettext_lazy("对象"), max_length=200)
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("负责网格员"),
    )
    state = models.CharField(
        gettext_lazy("状态"), max_length=12, choices=ItemState.choices, default=ItemState.PENDING
    )
    answers = models.JSONField(gettext_lazy("检查结果"), default=dict, blank=True)
    note = models.CharField(gettext_lazy("备注"), max_length=500, blank=True)
    checked_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = gettext_lazy("专项任务对象")
        verbose_name_plural = gettext_lazy("专项任务对象")
        ordering = ["campaign", "node_path", "label", "id"]
        indexes = [
            models.Index(fields=["campaign", "grid", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=Q(household__isnull=False),
                name="gridwork_item_household_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "building"],
                condition=Q(building__isnull=False),
                name="gridwork_item_building_once",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class CampaignCheck(models.Model):
    """One result sent for a campaign item (the item keeps the latest)."""

    item = models.ForeignKey(CampaignItem, on_delete=models.CASCADE, related_name="checks")
    worker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    client_key = models.CharField(max_length=64, unique=True, editable=False)
    checked_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=ItemState.choices)
    answers = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("专项任务记录")
        verbose_name_plural = gettext_lazy("专项任务记录")
        ordering = ["item", "checked_at", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.get_state_display()}"


class Proposal(ScopedModel):
    """A change to the registry seen in the field, waiting for the community to approve it."""

    kind = models.CharField(gettext_lazy("变更类型"), max_length=20, choices=ProposalKind.choices)
    state = models.CharField(
        gettext_lazy("状态"),
        max_length=10,
        choices=ProposalState.choices,
        default=ProposalState.PENDING,
        db_index=True,
    )
    proposer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("提出人")
    )
    client_key = models.CharField(max_length=64, unique=True, editable=False)
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("居民"),
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("户"),
    )
    dwelling = models.ForeignKey(
        "registry.Dwelling",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("房屋"),
    )
    tag = models.ForeignKey(
        "registry.ResidentTag",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("标签"),
    )
    # New resident: name, gender, residence_type, relation_to_head, id/phone (encrypted + masked);
    # dwelling use: use.
    payload = models.JSONField(default=dict, blank=True)
    summary = models.CharField(gettext_lazy("变更内容"), max_length=300)
    reason = models.TextField(gettext_lazy("情况说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(gettext_lazy("审核意见"), max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = gettext_lazy("信息变更申请")
        verbose_name_plural = gettext_lazy("信息变更申请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary
