"""Bodies and answers of the gridwork API."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from civicgrid.api_errors import ERRORS, ErrorOut  # noqa: F401 (the routers' import)
from civicgrid.core import crypto
from civicgrid.core.api_types import Integer
from civicgrid.gridwork.constants import Outcome, VisitKind, Wellbeing
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

KEY = (  # i18n: data (API documentation: the description of the key field)
    "条目编号（幂等键）：手机在记录时生成的 8-64 位字母数字，同一条目重发多次只保存一次"
)

# ---------------------------------------------------------------- inputs


class PatrolStartIn(Schema):
    client_key: str = Field(description=KEY)
    started_at: datetime | None = Field(None, description="开始时间（离线记录时为手机上的时间），默认现在")
    grid_id: Integer | None = Field(None, description="网格；不填按位置或本人唯一网格确定")
    lon: float | None = None
    lat: float | None = None


class PointSchema(Schema):
    at: datetime = Field(description="定位时间")
    lon: float = Field(description="经度（WGS-84）")
    lat: float = Field(description="纬度（WGS-84）")
    accuracy: float | str | None = Field(
        None, description="定位精度（米）；取值无效的点不计入轨迹（计入 skipped）"
    )


class PointsIn(Schema):
    points: list[PointSchema]


class PatrolEndIn(Schema):
    ended_at: datetime | None = None
    places: str = Field("", description="途经地点，用顿号分隔")
    people_met: Integer = Field(0, description="接触群众人次")
    note: str = Field("", description="巡查小结")


class FindingForm(Schema):
    client_key: str = Field(description=KEY)
    category: str = Field(description="类别：environment、facilities、safety、fire、dispute、order…")
    description: str = Field(description="情况描述")
    outcome: str = Field(
        Outcome.RECORDED, description="recorded 仅记录 / fixed 现场解决（须有照片）/ reported 上报诉求"
    )
    handled_note: str = Field("", description="现场处理情况（现场解决时必填）")
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    observed_at: datetime | None = None
    grid_id: Integer | None = None
    patrol_key: str = Field("", description="所属巡查的条目编号")
    request_type: str = Field(
        "complaint", description="上报诉求的类型：complaint、help、suggestion、emergency"
    )
    urgency: str = Field("normal", description="上报诉求的紧急程度：normal、urgent、critical")
    follow: str = Field(
        "", description="跟进这件：相似诉求列表（/gridwork/m/finding/similar/）给出的 token；上报时不另立诉求"
    )


class VisitForm(Schema):
    client_key: str = Field(description=KEY)
    care_plan_id: Integer | None = None
    resident_id: Integer | None = None
    household_id: Integer | None = None
    kind: str = Field(VisitKind.HOME, description="home 入户 / doorstep 门口交谈 / phone 电话")
    wellbeing: str = Field(Wellbeing.GOOD, description="good 良好 / attention 需关注 / urgent 需紧急帮扶")
    found: str = Field(description="走访情况")
    needs: str = ""
    visited_at: datetime | None = None
    lon: float | None = None
    lat: float | None = None
    patrol_key: str = ""


class GridworkCheckIn(Schema):
    client_key: str = Field(description=KEY)
    state: str = Field(description="done 已完成 / unreachable 无人在家 / refused 拒绝配合")
    answers: dict[str, Any] = Field(default_factory=dict, description="检查项编号 → 结果（q1: true）")
    note: str = ""
    checked_at: datetime | None = None


class ProposalIn(Schema):
    client_key: str = Field(description=KEY)
    kind: str = Field(description="moved_out、deceased、new_resident、add_tag、remove_tag、dwelling_use")
    reason: str = ""
    resident_id: Integer | None = None
    household_id: Integer | None = None
    dwelling_id: Integer | None = None
    tag: str = Field("", description="标签编码（新增/去除标签）")
    name: str = ""
    gender: str = ""
    id_number: str = ""
    phone: str = ""
    residence_type: str = "floating"
    relation_to_head: str = ""
    use: str = Field("", description="房屋使用情况：owner_occupied、rented、vacant")


class GridworkDecisionIn(Schema):
    note: str = ""


class CarePlanIn(Schema):
    resident_id: Integer
    interval_days: Integer | None = None
    assignee_id: Integer | None = None
    note: str = ""


class CarePlanPatch(Schema):
    interval_days: Integer | None = None
    assignee_id: Integer | None = None
    note: str | None = None


class EndIn(Schema):
    reason: str


class GenerateIn(Schema):
    node_id: Integer


class QuestionIn(Schema):
    label: str
    kind: str = "yesno"
    required: bool = False


class CampaignIn(Schema):
    area_id: Integer
    name: str
    kind: str
    target: str = "household"
    starts_on: date
    ends_on: date
    description: str = ""
    checklist: list[QuestionIn] | None = Field(None, description="不填用该类型的默认清单")


class AssignIn(Schema):
    grid_id: Integer
    worker_id: Integer


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
