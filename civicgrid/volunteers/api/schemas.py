"""Bodies and answers of the volunteers API (Chinese field titles and validation messages)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from civicgrid.core.api_types import Integer
from civicgrid.requests.api.schemas import ERRORS, Input, text
from civicgrid.volunteers.constants import (
    Availability,
    OrdererKind,
    ServiceType,
    TakerKind,
    TeamColour,
    VolunteerKind,
)
from civicgrid.volunteers.models import Activity, OrderPhoto, ServiceOrder, Signup, Volunteer

__all__ = ["ERRORS"]


def options(choices: Any) -> str:
    return "、".join(f"{c.value}（{c.label}）" for c in choices)


# --- volunteers and teams ------------------------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    number: str
    name: str
    kind: str
    status: str
    community_id: int
    community: str
    service_area_id: int
    organisation_id: int | None
    skills: list[str]
    availability: list[str]
    intro: str
    hours_total: Decimal
    activities_done: int
    orders_done: int
    no_shows: int
    applied_at: datetime

    @staticmethod
    def resolve_name(obj: Volunteer) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_community(obj: Volunteer) -> str:
        return obj.community.name

    @staticmethod
    def resolve_service_area_id(obj: Volunteer) -> int:
        return obj.node_id

    @staticmethod
    def resolve_skills(obj: Volunteer) -> list[str]:
        return [s.code for s in obj.skills.all()]


class VolunteerPage(Schema):
    count: int
    results: list[VolunteerOut]


class RegisterIn(Input):
    resident_id: Integer | None = Field(None, title="居民", description="居民 ID；居民本人注册时可不填")
    kind: str = text("志愿者类别", options(VolunteerKind), default=VolunteerKind.RESIDENT)
    community_id: Integer | None = Field(
        None, title="服务社区", description="默认：居住地社区（共建单位职工为单位所在社区）"
    )
    service_area_id: Integer | None = Field(None, title="服务区域", description="服务社区或其下的网格、小区")
    organisation_id: Integer | None = Field(None, title="工作单位", description="共建单位职工必填")
    skills: list[str] = Field([], title="技能", description="技能编码，见 GET /skills")
    availability: list[str] = Field([], title="可服务时间", description=options(Availability))
    intro: str = text("个人简介", default="", max_length=200)
    team_ids: list[Integer] = Field([], title="志愿服务队", description="加入服务社区的哪些队伍")
    guardian_consent: str = text(
        "监护人同意情况", "未满18周岁必填：监护人姓名及同意方式", default="", max_length=200
    )


class UpdateIn(Input):
    skills: list[str] | None = Field(None, title="技能")
    availability: list[str] | None = Field(None, title="可服务时间")
    service_area_id: Integer | None = Field(None, title="服务区域")
    intro: str | None = text("个人简介", default=None, max_length=200)
    guardian_consent: str | None = text(
        "监护人同意情况（未成年志愿者；仅社区工作人员可登记）", default=None, max_length=200
    )


class VolunteerNoteIn(Input):
    note: str = text("意见", default="", max_length=200)


class VolunteerReasonIn(Input):
    reason: str = text("原因", max_length=200)


class SkillOut(Schema):
    code: str
    name: str


class TeamOut(Schema):
    id: int
    name: str
    colour: str
    duties: str
    community_id: int
    members: int = 0

    @staticmethod
    def resolve_community_id(obj: Any) -> int:
        return int(obj.node_id)

    @staticmethod
    def resolve_members(obj: Any) -> int:
        return int(getattr(obj, "n_members", 0) or 0)


class TeamIn(Input):
    community_id: Integer = Field(..., title="社区")
    name: str = text("队伍名称", max_length=60)
    colour: str = text("类别", options(TeamColour), default=TeamColour.OTHER)
    duties: str = text("服务内容", default="", max_length=200)


class CommunityIn(Input):
    community_id: Integer = Field(..., title="社区")


class TeamMemberIn(Input):
    volunteer_id: Integer = Field(..., title="志愿者")
    is_leader: bool = Field(False, title="队长")


# --- activities ----------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    quota: int
    service_type: str
    difficulty: int
    points: int
    status: str
    version: int
    community_id: int
    node_id: int
    team_id: int | None
    skills: list[str]
    confirmed: int | None = None
    waiting: int | None = None

    @staticmethod
    def resolve_skills(obj: Activity) -> list[str]:
        return [s.code for s in obj.skills.all()]

    @staticmethod
    def resolve_confirmed(obj: Activity) -> int | None:
        return getattr(obj, "n_confirmed", None)

    @staticmethod
    def resolve_waiting(obj: Activity) -> int | None:
        return getattr(obj, "n_waiting", None)


class ActivityPage(Schema):
    count: int
    results: list[ActivityOut]


class ActivityIn(Input):
    node_id: Integer = Field(..., title="活动区域", description="社区或其下的网格")
    team_id: Integer | None = Field(None, title="服务队")
    title: str = text("活动名称", max_length=100)
    description: str = text("活动内容", default="", max_length=2000)
    place: str = text("活动地点", max_length=200)
    starts_at: datetime = Field(..., title="开始时间")
    ends_at: datetime = Field(..., title="结束时间")
    quota: Integer = Field(..., title="招募人数")
    service_type: str = text("服务类别", options(ServiceType))
    difficulty: Integer = Field(2, title="难度", description="1（轻松）到5（艰巨）")
    skills: list[str] = Field([], title="所需技能")


class ActivityPatchIn(Input):
    """A correction of a published activity: ``version`` and only the fields that change."""

    version: Integer = Field(
        ..., title="版本号", description="读取活动时的 version；版本不符返回 409 且不做任何修改"
    )
    title: str | None = text("活动名称", default=None, max_length=100)
    description: str | None = text("活动内容", default=None, max_length=2000)
    place: str | None = text("活动地点", default=None, max_length=200)
    starts_at: datetime | None = Field(None, title="开始时间")
    ends_at: datetime | None = Field(None, title="结束时间")
    quota: Integer | None = Field(None, title="招募人数", description="不能少于已报名人数")
    service_type: str | None = text("服务类别", options(ServiceType), default=None)
    difficulty: Integer | None = Field(None, title="难度", description="1（轻松）到5（艰巨）")
    skills: list[str] | None = Field(None, title="所需技能")


class VolunteerRefIn(Input):
    volunteer_id: Integer | None = Field(
        None, title="志愿者", description="组织者代为操作时填写；本人操作不填"
    )


class VolunteerCheckIn(Input):
    volunteer_id: Integer | None = Field(None, title="志愿者", description="组织者登记时填写；扫码时不填")
    code: str = text("签到码", "活动现场二维码中的签到码（扫码时必填）", default="", max_length=64)
    at: datetime | None = Field(None, title="时间", description="组织者补登的时间；默认现在")


class SignupOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    volunteer: str
    status: str
    queued_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    check_in_via: str
    check_out_via: str
    hours: Decimal
    points: int | None

    @staticmethod
    def resolve_volunteer(obj: Signup) -> str:
        return obj.volunteer.resident.name


class ClosingOut(Schema):
    no_shows: int
    auto_checked_out: int
    completed: int
    not_selected: int


# --- service orders ------------------------------------------------------------------------------


class PhotoOut(Schema):
    id: int
    name: str
    url: str

    @staticmethod
    def resolve_url(obj: OrderPhoto) -> str:
        from django.urls import reverse

        return reverse("volunteers:photo", args=[obj.pk])


class VolunteerOrderOut(Schema):
    id: int
    number: str
    title: str
    content: str
    service_type: str
    difficulty: int
    status: str
    version: int
    community_id: int
    node_id: int
    address: str
    wanted_from: datetime | None
    wanted_until: datetime | None
    orderer_kind: str
    orderer_label: str
    origin: str
    assignment: str
    taker_kind: str
    taker_label: str
    taker_volunteer_id: int | None
    taker_resident_id: int | None
    taker_organisation_id: int | None
    assigned_at: datetime | None
    completed_at: datetime | None
    completion_note: str
    hours: Decimal
    confirmed_at: datetime | None
    rating: int | None
    rating_comment: str
    points: int | None
    on_board: bool
    created_at: datetime
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj: ServiceOrder) -> list[OrderPhoto]:
        return list(obj.photos.all())


class OrderPage(Schema):
    count: int
    results: list[VolunteerOrderOut]


class VolunteerOrderIn(Input):
    title: str = text("服务内容", max_length=100)
    content: str = text("需求描述", max_length=2000)
    service_type: str = text("服务类别", options(ServiceType), default=ServiceType.MUTUAL_AID)
    difficulty: Integer = Field(2, title="难度", description="1（轻松）到5（艰巨）")
    node_id: Integer | None = Field(
        None, title="服务地点区域", description="楼栋、网格或社区；居民本人点单可不填"
    )
    orderer_kind: str = text("点单方", options(OrdererKind), default=OrdererKind.RESIDENT)
    orderer_resident_id: Integer | None = Field(None, title="点单居民", description="居民本人点单可不填")
    orderer_organisation_id: Integer | None = Field(None, title="点单单位")
    orderer_label: str = text("点单方名称", default="", max_length=100)
    origin: str = text("来源", "如 party.council:12、requests.request:345", default="", max_length=100)
    beneficiary_id: Integer | None = Field(None, title="服务对象")
    address: str = text("服务地点", default="", max_length=200)
    wanted_from: datetime | None = Field(None, title="期望开始")
    wanted_until: datetime | None = Field(None, title="期望完成")
    skills: list[str] = Field([], title="所需技能")
    publish: bool = Field(False, title="直接发布接单", description="社区工作者可在点单时直接发布")


VERSION = Field(None, title="期望版本号", description="可选；版本不符返回 409 且不做任何修改")


class VolunteerVersionIn(Input):
    expected_version: Integer | None = VERSION


class TakerIn(Input):
    taker_kind: str = text("接单方类别", options(TakerKind), default=TakerKind.VOLUNTEER)
    volunteer_id: Integer | None = Field(None, title="志愿者")
    resident_id: Integer | None = Field(None, title="党员（居民）")
    organisation_id: Integer | None = Field(None, title="共建单位")
    note: str = text("说明", default="", max_length=200)
    expected_version: Integer | None = VERSION


class TakeIn(Input):
    expected_version: Integer | None = VERSION


class OrderReasonIn(Input):
    reason: str = text("原因", max_length=200)
    expected_version: Integer | None = VERSION


class ConfirmIn(Input):
    rating: Integer = Field(..., title="评价", description="1到5星")
    comment: str = text("评价内容", default="", max_length=300)
    expected_version: Integer | None = VERSION


class BoardIn(Input):
    on_board: bool = Field(..., title="晒单公开")
    expected_version: Integer | None = VERSION


# --- me, board, figures --------------------------------------------------------------------------


class VolunteerMovementOut(Schema):
    at: datetime
    amount: int
    kind: str
    note: str


class CardOut(Schema):
    volunteer: VolunteerOut
    points: int
    time_bank_hours: Decimal
    movements: list[VolunteerMovementOut]
    signups: list[SignupOut]
    orders_taken: list[VolunteerOrderOut]


class BoardItemOut(Schema):
    id: int
    number: str
    title: str
    service_type: str
    place: str
    taker: str
    completed_at: datetime | None
    hours: Decimal
    rating: int | None
    rating_comment: str
    photos: list[str]


class VolunteerFiguresOut(Schema):
    volunteers: int
    pending: int
    hours: Decimal
    activities: int
    orders_open: int
    orders_done: int
    rated: int
    satisfaction: float | None
    average_rating: float | None


class ReportRowOut(Schema):
    community_id: int
    community: str
    volunteers: int
    pending: int
    hours: Decimal
    teams: int
    activities: int
    attended: int
    no_shows: int
    attendance_rate: float | None
    orders: int
    orders_done: int
    satisfaction: float | None
