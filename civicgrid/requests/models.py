"""Respond upon receipt (接诉即办): requests from intake to rating.

A ``Request`` is what a resident asked; its ``WorkOrder`` rows say which handling units
work on it (one lead, assisting units, copies). Every state change is a ``RequestEvent``
checked against ``transitions.TRANSITIONS``; deadlines come from the catalogue leaf at
dispatch and are counted on the working calendar (``civicgrid.workcal``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import IsNull
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.requests.constants import (
    ApprovalKind,
    ApprovalState,
    AssignmentRole,
    Channel,
    HandlingLevel,
    Light,
    RequestType,
    Resolution,
    ResponseTier,
    ResponsibleKind,
    Satisfaction,
    Status,
    UnitKind,
    Urgency,
)
from civicgrid.territory.models import ScopedModel
from civicgrid.workcal.constants import LimitUnit

USER = settings.AUTH_USER_MODEL


def not_null_indexes(prefix: str, *fields: str) -> list[models.Index]:
    """One partial index per field, of the rows where it is set (``WHERE … IS NOT NULL``),
    named ``<prefix>_<field>``. For columns most rows leave empty; a lookup by value
    (``= %s``, never NULL) still uses them, a prepared statement's generic plan included."""
    return [
        models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"{prefix}_{name}")
        for name in fields
    ]


def amount_with_unit(amount: float, unit: str) -> str:
    """An amount of a clock unit as the pages show it: '2 工作日', '1.5 小时（自然时）'."""
    try:
        label = str(LimitUnit(unit).label)
    except ValueError:
        label = unit
    return f"{amount:g} {label}"


class HandlingUnit(ScopedModel):
    """A department, subdistrict, community or public-service enterprise that handles requests.

    ``node`` is the territory it serves: a subdistrict's own node, a department's district.
    """

    code = models.CharField(gettext_lazy("单位编码"), max_length=32, unique=True)
    name = models.CharField(gettext_lazy("单位名称"), max_length=100)
    kind = models.CharField(gettext_lazy("单位类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=gettext_lazy("上级单位"),
    )
    phone = models.CharField(gettext_lazy("值班电话"), max_length=30, blank=True)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)

    class Meta:
        verbose_name = gettext_lazy("承办单位")
        verbose_name_plural = gettext_lazy("承办单位")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class UnitMembership(models.Model):
    unit = models.ForeignKey(HandlingUnit, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="unit_memberships")
    is_approver = models.BooleanField(gettext_lazy("可审批（退单、延期）"), default=False)
    # The work mobile that the unit's notices (new work orders, deadline warnings, 督办, 吹哨)
    # are sent to by SMS: encrypted like every phone, shown masked. A department's staff hold
    # no territory post, whose phone would otherwise be the only one (unit_notify).
    phone_enc = models.TextField(blank=True, default="", editable=False)
    phone_masked = models.CharField(
        gettext_lazy("工作手机"), max_length=32, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = gettext_lazy("单位人员")
        verbose_name_plural = gettext_lazy("单位人员")
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unit_membership_unique")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.user}"


class CatalogueVersion(models.Model):
    number = models.PositiveIntegerField(gettext_lazy("版本号"), unique=True)
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True)
    is_current = models.BooleanField(gettext_lazy("当前版本"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = gettext_lazy("派单目录版本")
        verbose_name_plural = gettext_lazy("派单目录版本")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_catalogue"
            )
        ]

    def __str__(self) -> str:
        return _("第{number}版").format(number=self.number)


class Category(models.Model):
    """A node of the three-level catalogue. Rows of a published version never change."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.PROTECT, related_name="categories")
    code = models.CharField(gettext_lazy("分类编码"), max_length=20)
    name = models.CharField(gettext_lazy("分类名称"), max_length=100)
    level = models.PositiveSmallIntegerField(gettext_lazy("级别"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    full_name = models.CharField(gettext_lazy("完整名称"), max_length=255)
    initials = models.CharField(gettext_lazy("拼音首字母"), max_length=100, blank=True, db_index=True)
    keywords = models.CharField(gettext_lazy("关键词"), max_length=255, blank=True)
    responsible_kind = models.CharField(
        gettext_lazy("责任主体"),
        max_length=20,
        choices=ResponsibleKind.choices,
        default=ResponsibleKind.LOCATION,
    )
    responsible_unit = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=gettext_lazy("责任单位"),
    )
    response_tier = models.CharField(
        gettext_lazy("响应级别"), max_length=10, choices=ResponseTier.choices, default=ResponseTier.TIER_3
    )
    response_limit = models.FloatField(gettext_lazy("响应时限"), default=24)
    response_unit = models.CharField(
        gettext_lazy("响应时限单位"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.HOURS
    )
    resolution_limit = models.FloatField(gettext_lazy("办理时限"), default=7)
    resolution_unit = models.CharField(
        gettext_lazy("办理时限单位"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    needs_callback = models.BooleanField(gettext_lazy("需要回访"), default=True)
    needs_verification = models.BooleanField(gettext_lazy("需要网格员现场核查"), default=False)

    class Meta:
        verbose_name = gettext_lazy("诉求分类")
        verbose_name_plural = gettext_lazy("诉求分类")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="category_code_unique_in_version")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_leaf(self) -> bool:
        return self.level == 3


class Request(ScopedModel):
    """A resident's request (诉求). ``node`` is where it happened (the grid when located)."""

    number = models.CharField(gettext_lazy("诉求编号"), max_length=20, unique=True)
    # Read by prefix (LIKE 'path%') and equality: the pattern-ops index below serves both, so
    # the plain index (and its _like twin) that ScopedModel would add are left out.
    node_path = models.CharField(max_length=255, editable=False)
    channel = models.CharField(gettext_lazy("渠道"), max_length=20, choices=Channel.choices)
    type = models.CharField(gettext_lazy("诉求类型"), max_length=20, choices=RequestType.choices)
    urgency = models.CharField(
        gettext_lazy("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    title = models.CharField(gettext_lazy("标题"), max_length=200)
    content = models.TextField(gettext_lazy("诉求内容"))
    address = models.CharField(gettext_lazy("地址"), max_length=255, blank=True)
    lon = models.FloatField(gettext_lazy("经度"), null=True, blank=True)
    lat = models.FloatField(gettext_lazy("纬度"), null=True, blank=True)
    building = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("楼栋"),
        db_index=False,  # a partial index below
    )
    requester_name_enc = models.TextField(blank=True, default="", editable=False)
    requester_name_masked = models.CharField(gettext_lazy("诉求人"), max_length=50, blank=True, default="")
    requester_phone_enc = models.TextField(blank=True, default="", editable=False)
    requester_phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    requester_phone_masked = models.CharField(gettext_lazy("联系电话"), max_length=20, blank=True, default="")
    # An e-mail address some channels send (Open311 clients such as FixMyStreet): protected
    # like the phone. A database default, so the history import's COPY may leave it out.
    requester_email_enc = models.TextField(blank=True, default="", db_default="", editable=False)
    requester_email_masked = models.CharField(
        gettext_lazy("电子邮箱"), max_length=100, blank=True, default="", db_default=""
    )
    anonymous = models.BooleanField(gettext_lazy("匿名"), default=False)
    confidential = models.BooleanField(gettext_lazy("要求保密"), default=False)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=gettext_lazy("分类"),
    )
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    status_before = models.CharField(max_length=20, blank=True, default="", editable=False)
    level = models.CharField(
        gettext_lazy("办理层级"),
        max_length=20,
        choices=HandlingLevel.choices,
        default=HandlingLevel.SUBDISTRICT,
        blank=True,  # "" while no unit handles it (a return approved, back to triage)
    )
    lead_unit = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_requests",
        verbose_name=gettext_lazy("主办单位"),
        db_index=False,  # the (lead_unit, status) index serves it
    )
    received_at = models.DateTimeField(gettext_lazy("受理时间"), db_index=True)
    dispatched_at = models.DateTimeField(gettext_lazy("派单时间"), null=True, blank=True)
    responded_at = models.DateTimeField(gettext_lazy("响应（签收）时间"), null=True, blank=True)
    replied_at = models.DateTimeField(gettext_lazy("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(gettext_lazy("办结时间"), null=True, blank=True, db_index=True)
    due_response_at = models.DateTimeField(gettext_lazy("响应期限"), null=True, blank=True)
    due_resolution_at = models.DateTimeField(gettext_lazy("办理期限"), null=True, blank=True)
    clock_unit = models.CharField(
        max_length=20, choices=LimitUnit.choices, blank=True, default="", editable=False
    )
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    calendar_warning = models.CharField(gettext_lazy("期限提示"), max_length=255, blank=True, default="")
    light = models.CharField(
        gettext_lazy("预警灯"), max_length=10, choices=Light.choices, default=Light.GREEN
    )
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)  # a partial index below
    supervised = models.BooleanField(gettext_lazy("督办件"), default=False)
    reopen_count = models.PositiveSmallIntegerField(gettext_lazy("重办次数"), default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=gettext_lazy("合并至"),
        db_index=False,  # a partial index below
    )
    direct_answer = models.TextField(gettext_lazy("直接答复"), blank=True)
    rating_token = models.CharField(max_length=40, blank=True, default="", editable=False)
    external_id = models.CharField(gettext_lazy("外部编号"), max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # a partial index below
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("诉求")
        verbose_name_plural = gettext_lazy("诉求")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["node_path"], name="requests_req_path_like", opclasses=["varchar_pattern_ops"]
            ),
            # Each of these also serves queries on its first column alone (status, lead unit),
            # so those columns have no index of their own.
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["status", "due_resolution_at"]),
            # Matched exactly, never with LIKE: plain indexes, without Django's _like twins.
            models.Index(fields=["light"], name="requests_req_light"),
            models.Index(fields=["requester_phone_hash"], name="requests_req_phone_hash"),
            models.Index(fields=["rating_token"], name="requests_req_rating_token"),
            models.Index(fields=["external_id"], name="requests_req_external_id"),
            # Only the rows where these are set: closed and imported requests, most of a large
            # table, have none, and a lookup by value (``= %s``, never NULL) still uses them.
            *not_null_indexes("requests_req", "building", "created_by", "merged_into", "next_check_at"),
        ]
        constraints = [
            # One request per caller and external id: a retried intake finds the first one
            # (``services.intake.request_create``). Rows without a creator (the system,
            # residents, imported history) never clash, their NULLs being distinct; Open311
            # fills the id with the submitting device's, shared by all its requests.
            models.UniqueConstraint(
                fields=["created_by", "external_id"],
                condition=~Q(external_id="") & ~Q(channel=Channel.OPEN311),
                name="requests_req_one_per_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def extension_unit(self) -> str:
        """The unit an extension counts in: the resolution clock's (工作日 for a row without one)."""
        return self.clock_unit or LimitUnit.WORKING_DAYS


class WorkOrder(models.Model):
    """One unit's part in a request (一单到底: the lead keeps it until it is closed)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="work_orders")
    unit = models.ForeignKey(
        HandlingUnit,
        on_delete=models.PROTECT,
        related_name="work_orders",
        db_index=False,  # the (unit, is_active) index serves it
    )
    role = models.CharField(gettext_lazy("角色"), max_length=10, choices=AssignmentRole.choices)
    is_active = models.BooleanField(gettext_lazy("有效"), default=True)
    rule = models.ForeignKey(
        "DispatchRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    rule_label = models.CharField(gettext_lazy("派单依据"), max_length=200, blank=True)
    dispatched_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    dispatched_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(gettext_lazy("办理情况"), blank=True)
    # A 吹哨召集 assisting order: the whistle that summoned the unit. It ends with the whistle
    # (its outcome recorded, or ended when the lead changes or the request is done) and a
    # reopen does not copy it. Null for a dispatch's orders.
    whistle = models.ForeignKey(
        "Whistle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        db_index=False,
    )

    class Meta:
        verbose_name = gettext_lazy("工单")
        verbose_name_plural = gettext_lazy("工单")
        ordering = ["request", "role", "id"]
        indexes = [
            models.Index(fields=["unit", "is_active"]),
            *not_null_indexes("requests_wo", "rule", "dispatched_by", "whistle"),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} {self.unit} {self.get_role_display()}"


class RequestEvent(models.Model):
    """One row per action on a request: the timeline, and the source of every clock."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(gettext_lazy("动作"), max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_name = models.CharField(max_length=150, blank=True)
    unit = models.ForeignKey(
        HandlingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    note = models.TextField(gettext_lazy("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = gettext_lazy("办理记录")
        verbose_name_plural = gettext_lazy("办理记录")
        ordering = ["request", "created_at", "id"]
        # Imported history rows and system events name no actor nor unit.
        indexes = [
            *not_null_indexes("requests_ev", "actor", "unit"),
            # The console's caller history finds the requests a caller followed (跟进此件: a 备注
            # row keeping the phone's blind index, services.handling.followed_by_phone). Only
            # those rows are indexed; "IS NOT NULL" is implied by the lookup's "=", so the
            # index serves prepared statements too.
            models.Index(
                KeyTransform("caller_phone_hash", "data"),
                condition=Q(IsNull(KeyTransform("caller_phone_hash", "data"), False)),
                name="requests_ev_caller_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"requests/{instance.request_id}/{filename}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        RequestEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("附件")
        verbose_name_plural = gettext_lazy("附件")

    def __str__(self) -> str:
        return self.name


class DispatchRule(models.Model):
    """Who gets a request: by category (code prefix, stable across catalogue versions) and place."""

    class Target(models.TextChoices):
        LOCATION_SUBDISTRICT = "location_subdistrict", gettext_lazy("属地街道（按位置）")
        LOCATION_COMMUNITY = "location_community", gettext_lazy("属地社区（按位置）")
        CATEGORY_UNIT = "category_unit", gettext_lazy("目录中的责任单位")
        UNIT = "unit", gettext_lazy("指定单位")

    name = models.CharField(gettext_lazy("规则名称"), max_length=100)
    priority = models.IntegerField(gettext_lazy("优先级（小者优先）"), default=100)
    category_prefix = models.CharField(
        gettext_lazy("分类编码前缀"), max_length=20, blank=True, help_text=gettext_lazy("留空表示所有分类")
    )
    area = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("适用区域"),
        help_text=gettext_lazy("留空表示全辖区"),
    )
    target = models.CharField(gettext_lazy("派往"), max_length=30, choices=Target.choices)
    unit = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("指定单位"),
    )
    assisting = models.ManyToManyField(
        HandlingUnit, blank=True, related_name="+", verbose_name=gettext_lazy("协办单位")
    )
    copy_to = models.ForeignKey(
        HandlingUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("抄送单位"),
    )
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)

    class Meta:
        verbose_name = gettext_lazy("派单规则")
        verbose_name_plural = gettext_lazy("派单规则")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class Approval(models.Model):
    """A return (退单) or an extension (延期) waiting for the dispatcher's or approver's decision."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    state = models.CharField(max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(gettext_lazy("理由"))
    # a return the unit asked for as 非本单位职责 (not its business), not an ordinary 退单
    not_ours = models.BooleanField(gettext_lazy("非本单位职责"), default=False)
    extend_amount = models.FloatField(gettext_lazy("延长时长"), null=True, blank=True)
    # the unit the amount was asked in (the request's clock then); empty on older rows: the
    # request's clock now
    extend_unit = models.CharField(
        gettext_lazy("延长时长单位"), max_length=20, choices=LimitUnit.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("审批")
        verbose_name_plural = gettext_lazy("审批")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind"], condition=Q(state="pending"), name="one_pending_approval_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()} {self.get_state_display()}"

    def extend_label(self) -> str:
        """The extension asked for with its unit ('2 工作日'); reads the request (select it along)."""
        if self.extend_amount is None:
            return ""
        return amount_with_unit(self.extend_amount, self.extend_unit or self.request.extension_unit)


class Whistle(models.Model):
    """A summons (吹哨): a subdistrict calls departments to report in by a deadline."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="whistles")
    summoning_unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(gettext_lazy("吹哨事由"))
    deadline = models.DateTimeField(gettext_lazy("报到期限"))
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.TextField(gettext_lazy("处置结果"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("吹哨")
        verbose_name_plural = gettext_lazy("吹哨报到")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("{request_id} 吹哨").format(request_id=self.request_id)

    def outstanding(self) -> list["WhistleSummons"]:
        """The summonses not reported in (read from the prefetched summonses when there are):
        still awaited while the whistle is open, 未报到 once it is closed."""
        return [s for s in self.summonses.all() if s.reported_at is None]


class WhistleSummons(models.Model):
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="summonses")
    reported_at = models.DateTimeField(gettext_lazy("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    part = models.TextField(gettext_lazy("承担工作"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("报到")
        verbose_name_plural = gettext_lazy("报到")
        constraints = [models.UniqueConstraint(fields=["whistle", "unit"], name="one_summons_per_unit")]

    def __str__(self) -> str:
        return _("{unit} 报到").format(unit=self.unit)


class CouncilOutcome(models.Model):
    """The three-party council (小区党支部、业委会、物业公司) on a compound matter."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="councils")
    held_on = models.DateField(gettext_lazy("议事日期"))
    party_branch = models.CharField(gettext_lazy("党支部代表"), max_length=100)
    owners_committee = models.CharField(gettext_lazy("业委会代表"), max_length=100)
    property_company = models.CharField(gettext_lazy("物业公司代表"), max_length=100)
    others = models.CharField(gettext_lazy("其他参加人"), max_length=255, blank=True)
    outcome = models.TextField(gettext_lazy("议定事项"))
    agreed = models.BooleanField(gettext_lazy("达成一致"), default=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("三方议事")
        verbose_name_plural = gettext_lazy("三方议事")

    def __str__(self) -> str:
        return _("{request_id} 三方议事 {held_on}").format(request_id=self.request_id, held_on=self.held_on)


class Rating(models.Model):
    """The requester's rating of one round of handling (callback or rating link)."""

    class Via(models.TextChoices):
        CALLBACK = "callback", gettext_lazy("电话回访")
        LINK = "link", gettext_lazy("短信链接")
        H5 = "h5", gettext_lazy("居民端")

    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        related_name="ratings",
        db_index=False,  # the (request, round) unique constraint serves it
    )
    round = models.PositiveSmallIntegerField(gettext_lazy("轮次"), default=1)
    unit = models.ForeignKey(
        HandlingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    unit_path = models.CharField(max_length=255, blank=True, default="")  # not written yet
    node_path = models.CharField(max_length=255)
    month = models.DateField(gettext_lazy("考核月份"))
    contacted = models.BooleanField(gettext_lazy("是否联系"))
    resolution = models.CharField(gettext_lazy("解决情况"), max_length=10, choices=Resolution.choices)
    satisfaction = models.CharField(gettext_lazy("满意度"), max_length=12, choices=Satisfaction.choices)
    comment = models.TextField(gettext_lazy("意见"), blank=True)
    via = models.CharField(gettext_lazy("方式"), max_length=10, choices=Via.choices)
    rated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = gettext_lazy("评价")
        verbose_name_plural = gettext_lazy("评价")
        constraints = [models.UniqueConstraint(fields=["request", "round"], name="one_rating_per_round")]
        indexes = [
            models.Index(fields=["month", "unit"]),  # also serves month alone
            models.Index(
                fields=["node_path"], name="requests_rating_path_like", opclasses=["varchar_pattern_ops"]
            ),
            *not_null_indexes("requests_ra", "rated_by"),
        ]

    def __str__(self) -> str:
        return _("{request_id} 第{round}轮评价").format(request_id=self.request_id, round=self.round)


class DeadlineWarning(models.Model):
    """A traffic-light warning raised once per request, clock, colour and deadline."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="warnings")
    clock = models.CharField(max_length=12)  # "response" or "resolution"
    light = models.CharField(max_length=10, choices=Light.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("预警")
        verbose_name_plural = gettext_lazy("预警")
        constraints = [
            models.UniqueConstraint(fields=["request", "clock", "light", "due_at"], name="warning_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.clock} {self.light}"


class SavedAnswer(models.Model):
    """Answers an operator can give at once to a consultation (知识库): a policy answer, the
    office that issued it and when. Answers used often float up in the console's search."""

    title = models.CharField(gettext_lazy("标题"), max_length=200)
    content = models.TextField(gettext_lazy("答复内容"))
    keywords = models.CharField(gettext_lazy("关键词"), max_length=255, blank=True)
    category_prefix = models.CharField(gettext_lazy("分类编码前缀"), max_length=20, blank=True)
    office = models.CharField(gettext_lazy("发文（答复）单位"), max_length=100, blank=True)
    issued_on = models.DateField(gettext_lazy("发文日期"), null=True, blank=True)
    source_ref = models.CharField(
        gettext_lazy("来源编号"),
        max_length=64,
        blank=True,
        help_text=gettext_lazy("导入来源中的编号（重复导入时据此跳过）"),
    )
    use_count = models.PositiveIntegerField(gettext_lazy("使用次数"), default=0, editable=False)
    last_used_at = models.DateTimeField(gettext_lazy("最近使用"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)

    class Meta:
        verbose_name = gettext_lazy("知识库答复")
        verbose_name_plural = gettext_lazy("知识库")
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~models.Q(source_ref=""), name="saved_answer_source_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RequestCounter(models.Model):
    """Per-day sequence behind the readable number ``20261122-000123``."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = gettext_lazy("编号计数")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


from civicgrid.requests.rollups import *  # noqa: E402, F403
