"""Volunteers, teams, activities and service orders (点单·派单·接单·晒单).

* ``Volunteer``: a registry ``Resident`` who registered to serve a community (as a resident,
  an in-service party member or the staff of a partner unit); ``node`` is the service area
  (the community or a grid of it), ``community`` the community it belongs to.
* ``Team`` / ``TeamMember``: volunteer teams of a community, among them the five colour teams.
* ``Activity`` / ``Signup``: an activity with a quota; sign-ups hold a place or wait in
  line; check-in and check-out give the hours (see ``services.activities.hours_served``).
* ``ServiceOrder``: one generic order (点单) that the community dispatches (派单) or
  publishes to be taken (接单) by a volunteer, a party member or a partner unit, completed
  with photos, confirmed and rated by the resident and shown on the board (晒单). Every
  change is an ``OrderEvent`` checked against ``transitions.ORDER_TRANSITIONS``.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.territory.models import ScopedModel
from civicgrid.volunteers.constants import (
    ActivityStatus,
    AssignmentMode,
    Availability,
    CheckVia,
    ConfirmVia,
    Difficulty,
    OrderAction,
    OrdererKind,
    OrderStatus,
    ServiceType,
    SignupStatus,
    TakerKind,
    TeamColour,
    VolunteerKind,
    VolunteerStatus,
)

USER = settings.AUTH_USER_MODEL


def new_check_code() -> str:
    return secrets.token_urlsafe(12)


class Skill(models.Model):
    code = models.CharField(gettext_lazy("技能编码"), max_length=32, unique=True)
    name = models.CharField(gettext_lazy("技能名称"), max_length=50)
    sort_order = models.IntegerField(gettext_lazy("排序"), default=0)

    class Meta:
        verbose_name = gettext_lazy("志愿技能")
        verbose_name_plural = gettext_lazy("志愿技能")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Volunteer(ScopedModel):
    """A registered volunteer. ``node`` is the service area: the community or one of its grids."""

    resident = models.OneToOneField(
        "registry.Resident",
        on_delete=models.PROTECT,
        related_name="volunteer",
        verbose_name=gettext_lazy("居民"),
    )
    kind = models.CharField(gettext_lazy("志愿者类别"), max_length=20, choices=VolunteerKind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=gettext_lazy("工作单位"),
    )
    community = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("服务社区")
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="volunteers", verbose_name=gettext_lazy("技能")
    )
    availability = models.JSONField(gettext_lazy("可服务时间"), default=list, blank=True)
    intro = models.CharField(gettext_lazy("个人简介"), max_length=200, blank=True)
    # A minor (under 18 on the day of registration) serves with a guardian's consent: who
    # the guardian is and how they agreed (监护人姓名、关系、联系方式、同意方式).
    guardian_consent = models.CharField(gettext_lazy("监护人同意情况"), max_length=200, blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING
    )
    hours_total = models.DecimalField(
        gettext_lazy("累计服务时长（小时）"), max_digits=10, decimal_places=1, default=0
    )
    activities_done = models.PositiveIntegerField(gettext_lazy("参加活动"), default=0)
    orders_done = models.PositiveIntegerField(gettext_lazy("完成服务单"), default=0)
    no_shows = models.PositiveIntegerField(gettext_lazy("缺席次数"), default=0)
    applied_at = models.DateTimeField(gettext_lazy("申请时间"), default=timezone.now)
    registered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(gettext_lazy("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_note = models.CharField(gettext_lazy("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("志愿者")
        verbose_name_plural = gettext_lazy("志愿者")
        ordering = ["node_path", "id"]
        indexes = [
            models.Index(fields=["community", "status"]),
        ]

    def __str__(self) -> str:
        return self.resident.name if self.resident_id else _("志愿者{pk}").format(pk=self.pk)

    @property
    def number(self) -> str:
        """The number printed on the volunteer card."""
        return f"ZY{self.pk:07d}"

    @property
    def availability_labels(self) -> list[str]:
        """When the volunteer can serve, in Chinese (in the order of the choices)."""
        chosen = set(self.availability or [])
        return [str(label) for value, label in Availability.choices if value in chosen]


class Team(ScopedModel):
    """A volunteer team (志愿服务队) of a community; ``node`` is the community."""

    name = models.CharField(gettext_lazy("队伍名称"), max_length=60)
    colour = models.CharField(
        gettext_lazy("类别"), max_length=10, choices=TeamColour.choices, default=TeamColour.OTHER
    )
    duties = models.CharField(gettext_lazy("服务内容"), max_length=200, blank=True)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("志愿服务队")
        verbose_name_plural = gettext_lazy("志愿服务队")
        ordering = ["node_path", "colour", "name"]
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="team_name_unique_in_community"),
            models.UniqueConstraint(
                fields=["node", "colour"], condition=~Q(colour="other"), name="one_colour_team_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    is_leader = models.BooleanField(gettext_lazy("队长"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("队员")
        verbose_name_plural = gettext_lazy("队员")
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.team} · {self.volunteer}"


class Activity(ScopedModel):
    """A volunteer activity. ``node`` is where it takes place (the community or a grid of it)."""

    community = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=gettext_lazy("服务队"),
    )
    title = models.CharField(gettext_lazy("活动名称"), max_length=100)
    description = models.TextField(gettext_lazy("活动内容"), blank=True)
    place = models.CharField(gettext_lazy("活动地点"), max_length=200)
    starts_at = models.DateTimeField(gettext_lazy("开始时间"))
    ends_at = models.DateTimeField(gettext_lazy("结束时间"))
    quota = models.PositiveIntegerField(gettext_lazy("招募人数"))
    service_type = models.CharField(gettext_lazy("服务类别"), max_length=20, choices=ServiceType.choices)
    difficulty = models.PositiveSmallIntegerField(
        gettext_lazy("难度"), choices=Difficulty.choices, default=Difficulty.LIGHT
    )
    points = models.PositiveIntegerField(
        gettext_lazy("积分（参考）"), default=0, help_text=gettext_lazy("按时长和难度计算的预计积分")
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="activities", verbose_name=gettext_lazy("所需技能")
    )
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    check_code = models.CharField(max_length=32, default=new_check_code, editable=False)
    # One more at every edit after publishing (``activity_update``): a form or an API call
    # that read an older version is refused with 409 and changes nothing.
    version = models.PositiveIntegerField(gettext_lazy("版本号"), default=1)
    published_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField(gettext_lazy("取消原因"), max_length=200, blank=True)
    closed_at = models.DateTimeField(gettext_lazy("结束登记时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("志愿活动")
        verbose_name_plural = gettext_lazy("志愿活动")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after"
            ),
            models.CheckConstraint(condition=Q(quota__gte=1), name="activity_quota_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Signup(models.Model):
    """A volunteer's sign-up for an activity: one row per volunteer and activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=SignupStatus.choices)
    queued_at = models.DateTimeField(gettext_lazy("报名时间"), default=timezone.now)
    checked_in_at = models.DateTimeField(gettext_lazy("签到时间"), null=True, blank=True)
    check_in_via = models.CharField(max_length=12, choices=CheckVia.choices, blank=True)
    checked_out_at = models.DateTimeField(gettext_lazy("签退时间"), null=True, blank=True)
    check_out_via = models.CharField(max_length=12, choices=CheckVia.choices, blank=True)
    hours = models.DecimalField(gettext_lazy("服务时长（小时）"), max_digits=5, decimal_places=1, default=0)
    points = models.PositiveIntegerField(gettext_lazy("获得积分"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("活动报名")
        verbose_name_plural = gettext_lazy("活动报名")
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["activity", "status", "queued_at"])]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="one_signup_per_volunteer"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="signup_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.volunteer_id} {self.status}"


class ServiceOrder(ScopedModel):
    """One service order (点单·派单·接单·晒单). ``node`` is where the service is needed.

    The orderer is a resident, a council, a unit or staff on behalf of a need: ``orderer_kind``
    with ``origin`` (a reference string such as ``"party.council:12"`` or
    ``"requests.request:345"``) and the optional ``orderer_resident`` / ``orderer_organisation``.
    The taker is a volunteer, a party member (a resident) or a partner unit (an organisation):
    ``taker_kind`` with the matching field (a volunteer's resident is copied to
    ``taker_resident``, so "whose points" is always ``taker_resident`` or ``taker_organisation``).
    """

    community = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(gettext_lazy("服务内容"), max_length=100)
    content = models.TextField(gettext_lazy("需求描述"))
    service_type = models.CharField(gettext_lazy("服务类别"), max_length=20, choices=ServiceType.choices)
    difficulty = models.PositiveSmallIntegerField(
        gettext_lazy("难度"), choices=Difficulty.choices, default=Difficulty.LIGHT
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="orders", verbose_name=gettext_lazy("所需技能")
    )
    address = models.CharField(gettext_lazy("服务地点"), max_length=200, blank=True)
    wanted_from = models.DateTimeField(gettext_lazy("期望开始"), null=True, blank=True)
    wanted_until = models.DateTimeField(gettext_lazy("期望完成"), null=True, blank=True)
    # who ordered
    orderer_kind = models.CharField(gettext_lazy("点单方"), max_length=20, choices=OrdererKind.choices)
    origin = models.CharField(gettext_lazy("来源"), max_length=100, blank=True, db_index=True)
    orderer_label = models.CharField(gettext_lazy("点单方名称"), max_length=100, blank=True)
    orderer_resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    orderer_organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("服务对象"),
    )
    ordered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # where it stands
    status = models.CharField(
        gettext_lazy("状态"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.ORDERED,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=1)
    # who took it
    assignment = models.CharField(
        gettext_lazy("接单方式"), max_length=12, choices=AssignmentMode.choices, blank=True
    )
    taker_kind = models.CharField(
        gettext_lazy("接单方"), max_length=20, choices=TakerKind.choices, blank=True
    )
    taker_volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    taker_resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taker_organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taker_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    taker_label = models.CharField(gettext_lazy("接单方名称"), max_length=100, blank=True)
    assigned_at = models.DateTimeField(gettext_lazy("接单时间"), null=True, blank=True)
    # done, confirmed, shown
    completed_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)
    completion_note = models.TextField(gettext_lazy("服务情况"), blank=True)
    hours = models.DecimalField(gettext_lazy("服务时长（小时）"), max_digits=5, decimal_places=1, default=0)
    confirmed_at = models.DateTimeField(gettext_lazy("确认时间"), null=True, blank=True)
    confirmed_via = models.CharField(max_length=10, choices=ConfirmVia.choices, blank=True)
    rating = models.PositiveSmallIntegerField(gettext_lazy("评价（星）"), null=True, blank=True)
    rating_comment = models.CharField(gettext_lazy("评价内容"), max_length=300, blank=True)
    points = models.PositiveIntegerField(gettext_lazy("获得积分"), null=True, blank=True)
    on_board = models.BooleanField(gettext_lazy("晒单公开"), default=True)
    cancel_reason = models.CharField(gettext_lazy("取消原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("服务单")
        verbose_name_plural = gettext_lazy("服务单（点单·派单·接单·晒单）")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "completed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="order_taker_matches_kind",
                condition=(
                    Q(
                        taker_kind="",
                        taker_volunteer__isnull=True,
                        taker_resident__isnull=True,
                        taker_organisation__isnull=True,
                    )
                    | Q(
                        taker_kind=TakerKind.VOLUNTEER,
                        taker_volunteer__isnull=False,
                        taker_resident__isnull=False,
                        taker_organisation__isnull=True,
                    )
                    | Q(
                        taker_kind=TakerKind.PARTY_MEMBER,
                        taker_volunteer__isnull=True,
                        taker_resident__isnull=False,
                        taker_organisation__isnull=True,
                    )
                    | Q(
                        taker_kind=TakerKind.UNIT,
                        taker_volunteer__isnull=True,
                        taker_resident__isnull=True,
                        taker_organisation__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="order_rating_1_to_5", condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """Shown to people: FW + the order's id."""
        return f"FW{self.pk:07d}" if self.pk else "FW"

    @property
    def orderer_text(self) -> str:
        """Who ordered, as lists and pages show it: the kind, then the name when it says more
        (an order placed by staff is named after its kind: 社区代居民点单, said once)."""
        kind = str(self.get_orderer_kind_display())
        label = self.orderer_label.strip()
        return f"{kind} {label}" if label and label != kind else kind


class OrderEvent(models.Model):
    """One step of a service order (history; the timeline on its page)."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=OrderAction.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("服务单记录")
        verbose_name_plural = gettext_lazy("服务单记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


def photo_path(instance: "OrderPhoto", filename: str) -> str:
    return f"volunteers/orders/{instance.order_id}/{filename}"


class OrderPhoto(models.Model):
    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("服务照片")
        verbose_name_plural = gettext_lazy("服务照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
