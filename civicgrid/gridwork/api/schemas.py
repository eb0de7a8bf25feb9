"""Bodies and answers of the gridwork API."""

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_noop
from ninja import Field, Schema

from civicgrid.api_errors import ERRORS, ErrorOut  # noqa: F401 (the routers' import)
from civicgrid.core import crypto
from civicgrid.core.api_types import Integer, LocalDateTime, choices_text
from civicgrid.gridwork.constants import (
    CAMPAIGN_WINDOW_DAYS,
    MAX_BACKDATE_DAYS,
    MAX_CLOCK_SKEW_MINUTES,
    MAX_POINTS_PER_BATCH,
    CampaignKind,
    CampaignTarget,
    FindingCategory,
    ItemState,
    Outcome,
    ProposalKind,
    QuestionKind,
    VisitKind,
    Wellbeing,
)
from civicgrid.gridwork.models import (
    Campaign,
    CampaignCheck,
    CampaignItem,
    CarePlan,
    Finding,
    Patrol,
    Proposal,
    Visit,
)
from civicgrid.gridwork.services.campaigns import MAX_QUESTIONS
from civicgrid.gridwork.services.common import TEXT_MAX
from civicgrid.gridwork.services.findings import REPORT_TYPES
from civicgrid.gridwork.services.proposals import REASON_MAX
from civicgrid.registry.models import DwellingUse, Gender, ResidenceType
from civicgrid.requests.constants import Urgency

KEY = (  # i18n: data (API documentation: the description of the key field)
    "条目编号（幂等键）：手机在记录时生成的 8-64 位字母、数字、- 或 _，同一条目重发多次只保存一次"
)
KEY_TITLE = gettext_noop("条目编号")
AT = (  # i18n: data (API documentation)
    "ISO 8601（如 2026-11-22T09:30:00+08:00；不带时区时按本地时间 Asia/Shanghai）"
)
AT_NOW = (  # i18n: data (API documentation)
    f"{AT}；离线记录时为手机上的时间，不能晚于现在{MAX_CLOCK_SKEW_MINUTES}分钟、早于{MAX_BACKDATE_DAYS}天前"
    "；可选，不填为现在"
)

# ---------------------------------------------------------------- inputs


class PatrolStartIn(Schema):
    client_key: str = Field(title=KEY_TITLE, description=KEY)
    started_at: LocalDateTime | None = Field(
        None, title=gettext_noop("开始时间"), description=f"巡查开始时间，{AT_NOW}"
    )
    grid_id: Integer | None = Field(
        None,
        title=gettext_noop("网格"),
        description="网格（区域节点 ID）；可选，不填按位置或本人唯一网格确定",
    )
    lon: float | None = Field(None, title=gettext_noop("经度"), description="开始地点经度（WGS-84）；可选")
    lat: float | None = Field(None, title=gettext_noop("纬度"), description="开始地点纬度（WGS-84）；可选")


class PointSchema(Schema):
    at: LocalDateTime = Field(title=gettext_noop("定位时间"), description=f"定位时间，{AT}；必填")
    lon: float = Field(title=gettext_noop("经度"), description="经度（WGS-84）；必填")
    lat: float = Field(title=gettext_noop("纬度"), description="纬度（WGS-84）；必填")
    accuracy: float | str | None = Field(
        None,
        title=gettext_noop("定位精度"),
        description="定位精度（米）；可选；取值无效的点不计入轨迹（计入 skipped）",
    )


class PointsIn(Schema):
    points: list[PointSchema] = Field(
        title=gettext_noop("轨迹点"), description=f"轨迹点列表，一次最多{MAX_POINTS_PER_BATCH}个；必填"
    )


class PatrolEndIn(Schema):
    ended_at: LocalDateTime | None = Field(
        None, title=gettext_noop("结束时间"), description=f"巡查结束时间，{AT_NOW}"
    )
    places: str = Field(
        "", title=gettext_noop("途经地点"), description="途经地点，用顿号分隔，最长500字；可选"
    )
    people_met: Integer = Field(
        0, title=gettext_noop("接触群众（人次）"), description="接触群众人次，非负整数；可选，默认 0"
    )
    note: str = Field("", title=gettext_noop("巡查小结"), description=f"巡查小结，最长{TEXT_MAX}字；可选")


class FindingForm(Schema):
    client_key: str = Field(title=KEY_TITLE, description=KEY)
    category: str = Field(
        title=gettext_noop("类别"), description=choices_text(FindingCategory, "民情类别；必填")
    )
    description: str = Field(title=gettext_noop("情况描述"), description=f"情况描述，最长{TEXT_MAX}字；必填")
    outcome: str = Field(
        Outcome.RECORDED,
        title=gettext_noop("处理方式"),
        description=choices_text(Outcome, "处理方式，默认 recorded；fixed 须有照片，reported 同时上报诉求"),
    )
    handled_note: str = Field(
        "",
        title=gettext_noop("现场处理情况"),
        description=f"现场处理情况，最长{TEXT_MAX}字；处理方式为 fixed 时必填，其他可留空",
    )
    address: str = Field("", title=gettext_noop("地点"), description="地点（文字），最长255字；可选")
    lon: float | None = Field(None, title=gettext_noop("经度"), description="经度（WGS-84）；可选")
    lat: float | None = Field(None, title=gettext_noop("纬度"), description="纬度（WGS-84）；可选")
    observed_at: LocalDateTime | None = Field(
        None, title=gettext_noop("发现时间"), description=f"发现时间，{AT_NOW}"
    )
    grid_id: Integer | None = Field(
        None,
        title=gettext_noop("网格"),
        description="网格（区域节点 ID）；可选，不填按位置、所属巡查或本人唯一网格确定",
    )
    patrol_key: str = Field(
        "",
        title=gettext_noop("所属巡查"),
        description="所属巡查的条目编号（client_key）；可选，留空为不属于巡查",
    )
    request_type: str = Field(
        "complaint",
        title=gettext_noop("诉求类型"),
        description=choices_text(REPORT_TYPES, "上报诉求的类型（处理方式为 reported 时），默认 complaint"),
    )
    urgency: str = Field(
        "normal",
        title=gettext_noop("紧急程度"),
        description=choices_text(Urgency, "上报诉求的紧急程度（处理方式为 reported 时），默认 normal"),
    )
    follow: str = Field(
        "",
        title=gettext_noop("跟进诉求"),
        description="相似诉求列表（/gridwork/m/finding/similar/）给出的 token：跟进该件，不另立诉求；可选",
    )


class VisitForm(Schema):
    client_key: str = Field(title=KEY_TITLE, description=KEY)
    care_plan_id: Integer | None = Field(
        None, title=gettext_noop("关爱计划"), description="关爱计划 ID；可选，填写则走访计入该计划"
    )
    resident_id: Integer | None = Field(
        None, title=gettext_noop("走访对象"), description="被走访居民的 ID；可选（有关爱计划时取计划的居民）"
    )
    household_id: Integer | None = Field(None, title=gettext_noop("户"), description="被走访户的 ID；可选")
    kind: str = Field(
        VisitKind.HOME, title=gettext_noop("方式"), description=choices_text(VisitKind, "走访方式，默认 home")
    )
    wellbeing: str = Field(
        Wellbeing.GOOD, title=gettext_noop("情况"), description=choices_text(Wellbeing, "对象情况，默认 good")
    )
    found: str = Field(title=gettext_noop("走访情况"), description=f"走访情况，最长{TEXT_MAX}字；必填")
    needs: str = Field(
        "", title=gettext_noop("困难与诉求"), description=f"困难与诉求，最长{TEXT_MAX}字；可选"
    )
    visited_at: LocalDateTime | None = Field(
        None, title=gettext_noop("走访时间"), description=f"走访时间，{AT_NOW}"
    )
    lon: float | None = Field(None, title=gettext_noop("经度"), description="经度（WGS-84）；可选")
    lat: float | None = Field(None, title=gettext_noop("纬度"), description="纬度（WGS-84）；可选")
    patrol_key: str = Field(
        "",
        title=gettext_noop("所属巡查"),
        description="所属巡查的条目编号（client_key）；可选，留空为不属于巡查",
    )


class GridworkCheckIn(Schema):
    client_key: str = Field(title=KEY_TITLE, description=KEY)
    state: str = Field(
        title=gettext_noop("状态"),
        description=choices_text(
            [ItemState.DONE, ItemState.UNREACHABLE, ItemState.REFUSED], "核查结果；必填"
        ),
    )
    answers: dict[str, Any] = Field(
        default_factory=dict,
        title=gettext_noop("检查项结果"),
        description='检查项编号 → 结果（如 {"q1": true}）：是否项 true/false，数字项数字，文字项文本；可选',
    )
    note: str = Field("", title=gettext_noop("备注"), description="备注，最长500字；可选")
    checked_at: LocalDateTime | None = Field(
        None, title=gettext_noop("检查时间"), description=f"检查时间，{AT_NOW}"
    )


class ProposalIn(Schema):
    client_key: str = Field(title=KEY_TITLE, description=KEY)
    kind: str = Field(
        title=gettext_noop("变更类型"), description=choices_text(ProposalKind, "变更类型；必填")
    )
    reason: str = Field("", title=gettext_noop("情况说明"), description=f"情况说明，最长{REASON_MAX}字；可选")
    resident_id: Integer | None = Field(
        None, title=gettext_noop("居民"), description="居民 ID：迁出、死亡、新增/去除标签时必填"
    )
    household_id: Integer | None = Field(
        None, title=gettext_noop("户"), description="户 ID：新住户入住的户（与 dwelling_id 至少填一个）"
    )
    dwelling_id: Integer | None = Field(
        None,
        title=gettext_noop("房屋"),
        description="房屋 ID：房屋使用情况变化时必填；新住户可只填房屋（审核通过后新建一户）",
    )
    tag: str = Field("", title=gettext_noop("标签"), description="居民标签编码：新增/去除标签时必填")
    name: str = Field("", title=gettext_noop("姓名"), description="新住户姓名（new_resident 时必填）")
    gender: str = Field(
        "", title=gettext_noop("性别"), description=choices_text(Gender, "新住户性别；可选，留空为 unknown")
    )
    id_number: str = Field("", title=gettext_noop("身份证号"), description="新住户身份证号（18位）；可选")
    phone: str = Field("", title=gettext_noop("电话"), description="新住户联系电话；可选")
    residence_type: str = Field(
        "floating",
        title=gettext_noop("人口类型"),
        description=choices_text(ResidenceType, "新住户人口类型，默认 floating"),
    )
    relation_to_head: str = Field(
        "", title=gettext_noop("与户主关系"), description="新住户与户主关系，最长20字；可选"
    )
    use: str = Field(
        "",
        title=gettext_noop("使用情况"),
        description=choices_text(DwellingUse, "房屋使用情况（dwelling_use 时必填）"),
    )


class GridworkDecisionIn(Schema):
    note: str = Field("", title=gettext_noop("审核意见"), description="审核意见，最长300字；可选")


class CarePlanIn(Schema):
    resident_id: Integer = Field(title=gettext_noop("居民"), description="关爱对象（居民 ID）；必填")
    interval_days: Integer | None = Field(
        None,
        title=gettext_noop("走访周期"),
        description="走访周期（天），1-365；可选，不填按居民的关爱类别（如独居老人7天）",
    )
    assignee_id: Integer | None = Field(
        None, title=gettext_noop("走访人"), description="走访人（用户 ID）；可选，不填为所在网格的网格员"
    )
    note: str = Field("", title=gettext_noop("备注"), description="备注，最长255字；可选")


class CarePlanPatch(Schema):
    interval_days: Integer | None = Field(
        None, title=gettext_noop("走访周期"), description="走访周期（天），1-365；不填则不改"
    )
    assignee_id: Integer | None = Field(
        None, title=gettext_noop("走访人"), description="走访人（用户 ID）；不填则不改"
    )
    note: str | None = Field(
        None, title=gettext_noop("备注"), description="备注，最长255字；不填（null）则不改"
    )


class EndIn(Schema):
    reason: str = Field(
        title=gettext_noop("结束原因"), description="结束关爱计划的原因（记入备注，最长255字）；必填"
    )


class GenerateIn(Schema):
    node_id: Integer = Field(
        title=gettext_noop("区域"),
        description="区域节点 ID：为其下带重点关爱人群标签、尚无计划的居民生成；必填",
    )


class QuestionIn(Schema):
    label: str = Field(title=gettext_noop("检查项"), description="检查项的问题，最长100字；必填")
    kind: str = Field(
        "yesno",
        title=gettext_noop("回答方式"),
        description=choices_text(QuestionKind, "回答方式，默认 yesno"),
    )
    required: bool = Field(False, title=gettext_noop("必答"), description="是否必答；默认 false")


class CampaignIn(Schema):
    area_id: Integer = Field(
        title=gettext_noop("任务范围"),
        description="任务范围（区、街道、社区、网格或小区的区域节点 ID）；必填",
    )
    name: str = Field(title=gettext_noop("任务名称"), description="任务名称，最长100字；必填")
    kind: str = Field(
        title=gettext_noop("任务类型"), description=choices_text(CampaignKind, "任务类型；必填")
    )
    target: str = Field(
        "household",
        title=gettext_noop("任务对象"),
        description=choices_text(CampaignTarget, "任务对象，默认 household"),
    )
    starts_on: date = Field(title=gettext_noop("开始日期"), description="开始日期（YYYY-MM-DD）；必填")
    ends_on: date = Field(
        title=gettext_noop("截止日期"),
        description=f"截止日期（YYYY-MM-DD），不早于今天和开始日期，最长开始后{CAMPAIGN_WINDOW_DAYS}天；必填",
    )
    description: str = Field("", title=gettext_noop("工作要求"), description="工作要求，最长2000字；可选")
    checklist: list[QuestionIn] | None = Field(
        None,
        title=gettext_noop("检查清单"),
        description=f"检查清单，最多{MAX_QUESTIONS}项；可选，不填用该类型的默认清单",
    )


class AssignIn(Schema):
    grid_id: Integer = Field(
        title=gettext_noop("网格"), description="网格（区域节点 ID）：分配其中未完成的任务对象；必填"
    )
    worker_id: Integer = Field(title=gettext_noop("网格员"), description="该网格的网格员（用户 ID）；必填")


# ---------------------------------------------------------------- outputs


class PatrolOut(Schema):
    id: int
    client_key: str
    grid_id: int = Field(alias="node_id")
    worker_id: int
    day: date
    started_at: datetime
    ended_at: datetime | None
    minutes: int
    distance_m: float
    point_count: int
    places: str
    people_met: int
    note: str

    @staticmethod
    def resolve_minutes(obj: Patrol) -> int:
        return obj.minutes


class PointsOut(Schema):
    added: int
    skipped: int = 0
    skipped_note: str = ""
    point_count: int
    distance_m: float


class FindingOut(Schema):
    id: int
    client_key: str
    grid_id: int = Field(alias="node_id")
    worker_id: int
    observed_at: datetime
    category: str
    category_label: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    outcome: str
    outcome_label: str
    handled_note: str
    request_number: str | None
    photos: int

    @staticmethod
    def resolve_category_label(obj: Finding) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_outcome_label(obj: Finding) -> str:
        return str(obj.get_outcome_display())

    @staticmethod
    def resolve_request_number(obj: Finding) -> str | None:
        return obj.request.number if obj.request_id and obj.request else None

    @staticmethod
    def resolve_photos(obj: Finding) -> int:
        return obj.photos.count()


class GridworkVisitOut(Schema):
    id: int
    client_key: str
    worker_id: int
    visited_at: datetime
    kind: str
    resident_id: int | None
    resident: str
    household_id: int | None
    care_plan_id: int | None
    wellbeing: str
    found: str
    needs: str

    @staticmethod
    def resolve_resident(obj: Visit) -> str:
        return crypto.mask_name(obj.resident.name) if obj.resident else ""


class CarePlanOut(Schema):
    id: int
    resident_id: int
    resident: str
    groups: str
    grid_id: int | None
    interval_days: int
    assignee_id: int | None
    is_active: bool
    last_visit_at: datetime | None
    visit_count: int
    next_due_on: date
    light: str

    @staticmethod
    def resolve_resident(obj: CarePlan) -> str:
        return crypto.mask_name(obj.resident.name)

    @staticmethod
    def resolve_light(obj: CarePlan) -> str:
        from django.utils import timezone

        from civicgrid.gridwork.services import light_for

        return light_for(obj.next_due_on, timezone.localdate()) if obj.is_active else ""


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    area_id: int = Field(alias="node_id")
    state: str
    starts_on: date
    ends_on: date
    item_count: int
    checklist: list[dict[str, Any]]
    description: str

    @staticmethod
    def resolve_checklist(obj: Campaign) -> list[dict[str, Any]]:
        return list(obj.checklist)


class ItemOut(Schema):
    id: int
    label: str
    household_id: int | None
    building_id: int | None
    grid_id: int | None
    assignee_id: int | None
    state: str
    answers: dict[str, Any]
    note: str
    checked_at: datetime | None

    @staticmethod
    def resolve_answers(obj: CampaignItem) -> dict[str, Any]:
        return dict(obj.answers)


class CheckOut(Schema):
    id: int
    client_key: str
    item_id: int
    state: str
    answers: dict[str, Any]
    checked_at: datetime

    @staticmethod
    def resolve_answers(obj: CampaignCheck) -> dict[str, Any]:
        return dict(obj.answers)


class ProgressOut(Schema):
    label: str
    node_id: int | None
    total: int
    done: int
    unreachable: int
    refused: int
    pending: int
    percent: float
    assignees: list[str]


class CampaignProgressOut(Schema):
    overall: ProgressOut
    communities: list[ProgressOut]
    grids: list[ProgressOut]


class GridworkProposalOut(Schema):
    id: int
    client_key: str
    kind: str
    state: str
    summary: str
    reason: str
    proposer_id: int
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    result: dict[str, Any]

    @staticmethod
    def resolve_result(obj: Proposal) -> dict[str, Any]:
        return dict(obj.result)


class GridworkCoverageOut(Schema):
    grid_id: int
    grid: str
    community: str
    patrols_today: int
    week_days: int
    workers_today: list[str]
    last_day: date | None


class GridworkTaskOut(Schema):
    care_due: list[CarePlanOut]
    campaigns: list[dict[str, Any]]
    to_verify: list[dict[str, Any]]
    open_patrol: PatrolOut | None


class MonthDayOut(Schema):
    day: date
    patrols: int
    minutes: int
    distance_m: float
    findings: int
    fixed: int
    reported: int
    visits: int


class DayLogOut(Schema):
    worker_id: int
    day: date
    minutes: int
    distance_km: float
    people_met: int
    handled: int
    places: list[str]
    patrols: list[PatrolOut]
    findings: list[FindingOut]
    visits: list[GridworkVisitOut]
    routes: list[dict[str, Any]]
