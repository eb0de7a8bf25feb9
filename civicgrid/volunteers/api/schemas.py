"""Bodies and answers of the volunteers API (Chinese field titles and validation messages)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop
from ninja import Field, Schema

from civicgrid.core.api_types import Integer, LocalDateTime, choices_text
from civicgrid.requests.api.schemas import ERRORS, Input
from civicgrid.volunteers.constants import (
    Availability,
    Difficulty,
    OrdererKind,
    ServiceType,
    TakerKind,
    TeamColour,
    VolunteerKind,
)
from civicgrid.volunteers.models import Activity, OrderPhoto, ServiceOrder, Signup, Volunteer

__all__ = ["ERRORS"]


# Input fields: ``title`` is the field's name as the pages label it (gettext_noop: pydantic
# needs a str; ``Input`` translates it in a 422), ``description`` what to send, in one line.
# i18n: data (API documentation, like Field(description=…))
DIFFICULTY = choices_text(Difficulty, "难度，1到5的整数，按积分规则折算积分")
DATETIME = (  # i18n: data (API documentation)
    "ISO 8601，如 2026-01-31T08:00:00+08:00；不带时区时按本地时间（Asia/Shanghai）"
)


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
    resident_id: Integer | None = Field(
        None,
        title=gettext_noop("居民"),
        description="要注册的居民（人口库居民 ID）；居民本人注册时不填，即本人",
    )
    kind: str = Field(
        VolunteerKind.RESIDENT,
        title=gettext_noop("志愿者类别"),
        description=choices_text(VolunteerKind, "志愿者类别，默认 resident"),
    )
    community_id: Integer | None = Field(
        None,
        title=gettext_noop("服务社区"),
        description="服务社区的区域节点 ID；不填为居住地社区（共建单位职工为单位所在社区）",
    )
    service_area_id: Integer | None = Field(
        None,
        title=gettext_noop("服务区域"),
        description="服务社区或其下网格、小区的区域节点 ID；不填即整个服务社区",
    )
    organisation_id: Integer | None = Field(
        None,
        title=gettext_noop("工作单位"),
        description="工作单位（共建单位）ID；共建单位职工必填，其他类别不填",
    )
    skills: list[str] = Field(
        [], title=gettext_noop("技能"), description="技能编码的列表，取值见 GET /skills；可为空列表"
    )
    availability: list[str] = Field(
        [],
        title=gettext_noop("可服务时间"),
        description=choices_text(Availability, "可服务时间的列表，可多选、可为空"),
    )
    intro: str = Field(
        "", title=gettext_noop("个人简介"), description="个人简介，最长200字；可选", max_length=200
    )
    team_ids: list[Integer] = Field(
        [],
        title=gettext_noop("志愿服务队"),
        description="要加入的服务社区志愿服务队 ID 列表（GET /teams）；可为空列表",
    )
    guardian_consent: str = Field(
        "",
        title=gettext_noop("监护人同意情况"),
        description="未满18周岁必填：监护人姓名及同意方式，最长200字；成年人不填",
        max_length=200,
    )


class UpdateIn(Input):
    skills: list[str] | None = Field(
        None, title=gettext_noop("技能"), description="技能编码的列表（GET /skills），整体替换；不传则不改"
    )
    availability: list[str] | None = Field(
        None,
        title=gettext_noop("可服务时间"),
        description=choices_text(Availability, "可服务时间的列表，整体替换；不传则不改"),
    )
    service_area_id: Integer | None = Field(
        None,
        title=gettext_noop("服务区域"),
        description="服务社区或其下网格、小区的区域节点 ID；不传则不改",
    )
    intro: str | None = Field(
        None, title=gettext_noop("个人简介"), description="个人简介，最长200字；不传则不改", max_length=200
    )
    guardian_consent: str | None = Field(
        None,
        title=gettext_noop("监护人同意情况"),
        description="未成年志愿者的监护人姓名及同意方式，最长200字，仅社区工作人员可登记；不传则不改",
        max_length=200,
    )


class VolunteerNoteIn(Input):
    note: str = Field(
        "",
        title=gettext_noop("意见"),
        description="审核意见或暂停原因，最长200字；审核通过时可不填，不通过和暂停时必填",
        max_length=200,
    )


class VolunteerReasonIn(Input):
    reason: str = Field(
        ...,
        title=gettext_noop("原因"),
        description="取消原因，必填，最长200字；会短信告知已报名的志愿者",
        max_length=200,
    )


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
    community_id: Integer = Field(
        ..., title=gettext_noop("社区"), description="服务队所属社区的区域节点 ID；必填"
    )
    name: str = Field(
        ..., title=gettext_noop("队伍名称"), description="队伍名称，必填，最长60字", max_length=60
    )
    colour: str = Field(
        TeamColour.OTHER,
        title=gettext_noop("类别"),
        description=choices_text(TeamColour, "五色志愿服务队的类别，默认 other"),
    )
    duties: str = Field(
        "", title=gettext_noop("服务内容"), description="队伍的服务内容，最长200字；可选", max_length=200
    )


class CommunityIn(Input):
    community_id: Integer = Field(
        ..., title=gettext_noop("社区"), description="要建五色服务队的社区的区域节点 ID；必填"
    )


class TeamMemberIn(Input):
    volunteer_id: Integer = Field(
        ..., title=gettext_noop("志愿者"), description="要加入本队的志愿者 ID（本社区已通过审核）；必填"
    )
    is_leader: bool = Field(
        False, title=gettext_noop("队长"), description="true 设为队长（可为本队发布活动）；默认 false"
    )


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
    node_id: Integer = Field(
        ..., title=gettext_noop("活动区域"), description="活动所在社区或其下网格、小区的区域节点 ID；必填"
    )
    team_id: Integer | None = Field(
        None,
        title=gettext_noop("服务队"),
        description="发布活动的志愿服务队 ID；队长为本队发布时必填，不填即社区发布",
    )
    title: str = Field(
        ..., title=gettext_noop("活动名称"), description="活动名称，必填，最长100字", max_length=100
    )
    description: str = Field(
        "", title=gettext_noop("活动内容"), description="活动内容，最长2000字；可选", max_length=2000
    )
    place: str = Field(
        ..., title=gettext_noop("活动地点"), description="活动地点，必填，最长200字", max_length=200
    )
    starts_at: LocalDateTime = Field(
        ..., title=gettext_noop("开始时间"), description=f"活动开始时间，必填；{DATETIME}"
    )
    ends_at: LocalDateTime = Field(
        ..., title=gettext_noop("结束时间"), description=f"活动结束时间，必填，须晚于开始时间；{DATETIME}"
    )
    quota: Integer = Field(..., title=gettext_noop("招募人数"), description="招募人数，必填，1到1000的整数")
    service_type: str = Field(
        ..., title=gettext_noop("服务类别"), description=choices_text(ServiceType, "服务类别，必填")
    )
    difficulty: Integer = Field(2, title=gettext_noop("难度"), description=f"{DIFFICULTY}；默认 2")
    skills: list[str] = Field(
        [],
        title=gettext_noop("所需技能"),
        description="所需技能编码的列表（GET /skills）；可为空列表，即不限",
    )


class ActivityPatchIn(Input):
    """A correction of a published activity: ``version`` and only the fields that change."""

    version: Integer = Field(
        ...,
        title=gettext_noop("版本号"),
        description="读取活动时的 version，必填；版本不符返回 409 且不做任何修改",
    )
    title: str | None = Field(
        None, title=gettext_noop("活动名称"), description="活动名称，最长100字；不传则不改", max_length=100
    )
    description: str | None = Field(
        None, title=gettext_noop("活动内容"), description="活动内容，最长2000字；不传则不改", max_length=2000
    )
    place: str | None = Field(
        None, title=gettext_noop("活动地点"), description="活动地点，最长200字；不传则不改", max_length=200
    )
    starts_at: LocalDateTime | None = Field(
        None, title=gettext_noop("开始时间"), description=f"活动开始时间，{DATETIME}；不传则不改"
    )
    ends_at: LocalDateTime | None = Field(
        None,
        title=gettext_noop("结束时间"),
        description=f"活动结束时间，须晚于开始时间，{DATETIME}；不传则不改",
    )
    quota: Integer | None = Field(
        None,
        title=gettext_noop("招募人数"),
        description="招募人数，1到1000的整数，不能少于已报名人数；不传则不改",
    )
    service_type: str | None = Field(
        None, title=gettext_noop("服务类别"), description=choices_text(ServiceType, "服务类别；不传则不改")
    )
    difficulty: Integer | None = Field(
        None, title=gettext_noop("难度"), description=f"{DIFFICULTY}；不传则不改"
    )
    skills: list[str] | None = Field(
        None,
        title=gettext_noop("所需技能"),
        description="所需技能编码的列表（GET /skills），整体替换；不传则不改",
    )


class VolunteerRefIn(Input):
    volunteer_id: Integer | None = Field(
        None, title=gettext_noop("志愿者"), description="志愿者 ID；组织者代为操作时填写，本人操作不填"
    )


class VolunteerCheckIn(Input):
    volunteer_id: Integer | None = Field(
        None, title=gettext_noop("志愿者"), description="志愿者 ID；组织者登记时填写，本人扫码时不填"
    )
    code: str = Field(
        "",
        title=gettext_noop("签到码"),
        description="活动现场二维码中的签到码，最长64字符；本人扫码时必填，组织者登记时不填",
        max_length=64,
    )
    at: LocalDateTime | None = Field(
        None, title=gettext_noop("时间"), description=f"组织者补登的签到或签退时间，{DATETIME}；不填为现在"
    )


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
    title: str = Field(
        ...,
        title=gettext_noop("服务内容"),
        description="需要什么服务（一句话），必填，最长100字",
        max_length=100,
    )
    content: str = Field(
        ..., title=gettext_noop("需求描述"), description="需求的具体描述，必填，最长2000字", max_length=2000
    )
    service_type: str = Field(
        ServiceType.MUTUAL_AID,
        title=gettext_noop("服务类别"),
        description=choices_text(ServiceType, "服务类别，默认 mutual_aid"),
    )
    difficulty: Integer = Field(2, title=gettext_noop("难度"), description=f"{DIFFICULTY}；默认 2")
    node_id: Integer | None = Field(
        None,
        title=gettext_noop("服务地点区域"),
        description="服务地点所在楼栋、网格或社区的区域节点 ID；居民本人点单可不填，即其居住地",
    )
    orderer_kind: str = Field(
        OrdererKind.RESIDENT,
        title=gettext_noop("点单方"),
        description=choices_text(OrdererKind, "谁点的单，默认 resident"),
    )
    orderer_resident_id: Integer | None = Field(
        None,
        title=gettext_noop("点单居民"),
        description="点单居民 ID；居民本人点单不填，社区工作者代居民点单时必填",
    )
    orderer_organisation_id: Integer | None = Field(
        None, title=gettext_noop("点单单位"), description="点单单位（共建单位）ID；orderer_kind=unit 时必填"
    )
    orderer_label: str = Field(
        "",
        title=gettext_noop("点单方名称"),
        description="点单方名称（如议事会名称），最长100字；议事会点单时与 origin 至少填一项",
        max_length=100,
    )
    origin: str = Field(
        "",
        title=gettext_noop("来源"),
        description="来源记录，如 party.council:12、requests.request:345，最长100字；可选",
        max_length=100,
    )
    beneficiary_id: Integer | None = Field(
        None, title=gettext_noop("服务对象"), description="接受服务的居民 ID；不填即点单居民本人"
    )
    address: str = Field(
        "", title=gettext_noop("服务地点"), description="服务地点的详细地址，最长200字；可选", max_length=200
    )
    wanted_from: LocalDateTime | None = Field(
        None, title=gettext_noop("期望开始"), description=f"期望开始时间，不早于今天，{DATETIME}；可选"
    )
    wanted_until: LocalDateTime | None = Field(
        None,
        title=gettext_noop("期望完成"),
        description=f"期望完成时间，须晚于期望开始和现在，{DATETIME}；可选",
    )
    skills: list[str] = Field(
        [],
        title=gettext_noop("所需技能"),
        description="所需技能编码的列表（GET /skills）；可为空列表，即不限",
    )
    publish: bool = Field(
        False,
        title=gettext_noop("直接发布接单"),
        description="true 时点单后直接发布到接单大厅（仅社区工作者）；默认 false，待社区发布",
    )


VERSION = Field(
    None,
    title=gettext_noop("期望版本号"),
    description="读取服务单时的 version；可选，版本不符返回 409 且不做任何修改，不填则不检查",
)


class VolunteerVersionIn(Input):
    expected_version: Integer | None = VERSION


class TakerIn(Input):
    taker_kind: str = Field(
        TakerKind.VOLUNTEER,
        title=gettext_noop("接单方类别"),
        description=choices_text(TakerKind, "派给谁，默认 volunteer；决定读哪个 ID"),
    )
    volunteer_id: Integer | None = Field(
        None, title=gettext_noop("志愿者"), description="志愿者 ID；taker_kind=volunteer 时必填"
    )
    resident_id: Integer | None = Field(
        None,
        title=gettext_noop("党员（居民）"),
        description="在册党员的居民 ID；taker_kind=party_member 时必填",
    )
    organisation_id: Integer | None = Field(
        None, title=gettext_noop("共建单位"), description="共建单位 ID；taker_kind=unit 时必填"
    )
    note: str = Field("", title=gettext_noop("说明"), description="派单说明，最长200字；可选", max_length=200)
    expected_version: Integer | None = VERSION


class TakeIn(Input):
    expected_version: Integer | None = VERSION


class OrderReasonIn(Input):
    reason: str = Field(..., title=gettext_noop("原因"), description="原因，必填，最长200字", max_length=200)
    expected_version: Integer | None = VERSION


class ConfirmIn(Input):
    rating: Integer = Field(..., title=gettext_noop("评价"), description="评价星级，必填，1到5的整数")
    comment: str = Field(
        "", title=gettext_noop("评价内容"), description="评价内容，最长300字；可选", max_length=300
    )
    expected_version: Integer | None = VERSION


class BoardIn(Input):
    on_board: bool = Field(
        ..., title=gettext_noop("晒单公开"), description="true 在社区晒单公开，false 隐藏；必填"
    )
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
