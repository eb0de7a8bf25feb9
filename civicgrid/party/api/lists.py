"""Endpoints of committees, alliances, the three lists, orders of needs, and the figures."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Schema, Status

from civicgrid.core.api_types import Integer, LocalDateTime, choices_text
from civicgrid.party import figures, selectors, services
from civicgrid.party.api.common import (
    FOUNDED,
    address_field,
    credit_code_field,
    errors,
    lat_field,
    lon_field,
    require_view,
    router,
    window,
)
from civicgrid.party.constants import (
    MAX_BENEFICIARIES,
    MAX_CONTRIBUTION_POINTS,
    MICRO_PROJECT_MAX_BUDGET,
    AllianceRole,
    CommitteeSource,
    MeetingKind,
    NeedCategory,
    NeedSource,
    ProjectStatus,
    ResourceKind,
)
from civicgrid.party.services.alliances import PROJECT_YEARS_AHEAD
from civicgrid.party.services.committees import current_part_time_members
from civicgrid.territory.selectors import node_get
from civicgrid.volunteers.constants import ServiceType as OrderServiceType

# --- committees ---------------------------------------------------------------------------------


class CommitteeOut(Schema):
    id: int
    name: str
    kind: str
    node_id: int
    seated: int
    warnings: list[str]


@router.get(
    "/committees",
    response={200: list[CommitteeOut], **errors()},
    summary="大党委列表",
)
def committee_list(request: HttpRequest) -> Any:
    require_view(request)
    today = date.today()
    rows = []
    for org in selectors.committees_visible(request.user).filter(is_active=True).order_by("node_path"):
        rows.append(
            {
                "id": org.pk,
                "name": org.name,
                "kind": org.kind,
                "node_id": org.node_id,
                "seated": current_part_time_members(org, today).count(),
                "warnings": [f"{w.year}Q{w.quarter}" for w in org.warnings.all()],
            }
        )
    return rows


class SeatIn(Schema):
    name: str = Field(
        title=gettext_noop("姓名"),
        description="兼职委员姓名，必填，最长50字；同一大党委不能有任期重叠的同名兼职委员",
    )
    source: str = Field(
        title=gettext_noop("来源"),
        description=choices_text(CommitteeSource, "委员来源（三必配三优先），必填"),
    )
    term_start: date = Field(
        title=gettext_noop("任期开始"),
        description=f"任期开始日期，YYYY-MM-DD，必填；不早于 {FOUNDED}，不晚于今天",
    )
    term_end: date | None = Field(
        None,
        title=gettext_noop("任期结束"),
        description="任期结束日期，YYYY-MM-DD，不能早于任期开始；不填表示任期未定",
    )
    title: str = Field(
        "兼职委员",  # i18n: data (the default title stored with the seat)
        title=gettext_noop("职务"),
        description="职务，最长50字；不填为“兼职委员”",
    )
    unit_name: str = Field(
        "", title=gettext_noop("单位名称"), description="兼职委员所在单位的名称，最长100字；可不填"
    )


class SeatOut(Schema):
    id: int
    name: str
    title: str
    source: str
    unit_name: str
    term_start: date
    term_end: date | None


@router.post(
    "/committees/{int:committee_id}/members",
    response={201: SeatOut, **errors(404, 422)},
    summary="新增大党委兼职委员",
)
def committee_seat(request: HttpRequest, committee_id: Integer, payload: SeatIn) -> Any:
    committee = selectors.committee_get(request.user, committee_id)
    row = services.committee_member_add(
        actor=request.user,
        committee=committee,
        name=payload.name,
        source=payload.source,
        term_start=payload.term_start,
        term_end=payload.term_end,
        title=payload.title,
        unit_name=payload.unit_name,
    )
    return Status(201, row)


class AttendanceIn(Schema):
    committee_member_id: Integer = Field(
        title=gettext_noop("兼职委员"),
        description="本大党委兼职委员的 ID（会议日期在其任期内）；同一名单中不能重复",
    )
    present: bool = Field(True, title=gettext_noop("出席"), description="true：出席；false：缺席；默认 true")
    note: str = Field("", title=gettext_noop("请假事由"), description="请假事由，最长100字；可不填")


class PartyTaskIn(Schema):
    title: str = Field(title=gettext_noop("任务"), description="跟进任务的内容，必填，最长200字")
    owner_name: str = Field(
        title=gettext_noop("责任人（单位）"), description="任务的责任人或责任单位，必填，最长100字"
    )
    due_on: date | None = Field(
        None,
        title=gettext_noop("完成期限"),
        description="完成期限，YYYY-MM-DD，不能早于会议日期；不填表示不设期限",
    )
    decision: Integer | None = Field(
        None,
        title=gettext_noop("对应决定"),
        description="任务对应的决定事项在 decisions 中的序号（从 0 起）；不填表示不对应某条决定",
    )


class MeetingIn(Schema):
    kind: str = Field(title=gettext_noop("类型"), description=choices_text(MeetingKind, "会议活动类型，必填"))
    title: str = Field(
        title=gettext_noop("主题"),
        description="会议活动主题，必填，最长200字；同一大党委同一时间同一主题只记录一次",
    )
    held_at: LocalDateTime = Field(
        title=gettext_noop("时间"),
        description=f"会议活动时间，ISO 8601（如 2026-01-31T08:00:00+08:00；不带时区时按本地时间），必填；"
        f"不能晚于现在，不早于 {FOUNDED} 和大党委的成立日期",
    )
    agenda: str = Field(title=gettext_noop("议程"), description="会议议程，必填，最长5000字")
    place: str = Field("", title=gettext_noop("地点"), description="地点，最长100字；可不填")
    minutes: str = Field("", title=gettext_noop("会议纪要"), description="会议纪要，最长20000字；可不填")
    attendance: list[AttendanceIn] = Field(
        [],
        title=gettext_noop("出席情况"),
        description="兼职委员的出席名单；大党委有在任兼职委员时至少一人出席",
    )
    decisions: list[str] = Field(
        [],
        title=gettext_noop("决定事项"),
        description="会议的决定事项，每条最长500字，不能重复；空白的条目略去；可为空",
    )
    tasks: list[PartyTaskIn] = Field(
        [], title=gettext_noop("跟进任务"), description="会议定下的跟进任务，不能重复；可为空"
    )


class MeetingOut(Schema):
    id: int
    committee_id: int
    kind: str
    title: str
    held_at: datetime
    place: str


@router.post(
    "/committees/{int:committee_id}/meetings",
    response={201: MeetingOut, **errors(404, 422)},
    summary="记录大党委会议（出席、决议、任务）",
)
def meeting_record(request: HttpRequest, committee_id: Integer, payload: MeetingIn) -> Any:
    committee = selectors.committee_get(request.user, committee_id)
    data = services.MeetingIn(
        kind=payload.kind,
        title=payload.title,
        held_at=payload.held_at,
        agenda=payload.agenda,
        place=payload.place,
        minutes=payload.minutes,
        attendance=[
            services.AttendanceIn(a.committee_member_id, a.present, a.note) for a in payload.attendance
        ],
        decisions=payload.decisions,
        tasks=[services.TaskIn(t.title, t.owner_name, t.due_on, t.decision) for t in payload.tasks],
    )
    return Status(201, services.meeting_record(actor=request.user, committee=committee, data=data))


@router.get(
    "/committees/{int:committee_id}/meetings",
    response={200: list[MeetingOut], **errors(404, 422)},
    summary="大党委会议列表",
)
def meeting_list(request: HttpRequest, committee_id: Integer) -> Any:
    require_view(request)
    committee = selectors.committee_get(request.user, committee_id)
    return list(committee.meetings.order_by("-held_at")[:200])


# --- alliances ----------------------------------------------------------------------------------


class AllianceOut(Schema):
    id: int
    name: str
    level: str
    node_id: int
    founded_on: date | None
    is_active: bool


class AllianceIn(Schema):
    node_id: Integer = Field(
        title=gettext_noop("所在区域"),
        description="联盟所在区域节点的 ID：区、街道或社区（联盟的层级由它而定），必填",
    )
    name: str = Field(
        title=gettext_noop("联盟名称"),
        description="联盟名称，必填，最长100字；同一区域已有同名的有效联盟时返回 422",
    )
    description: str = Field("", title=gettext_noop("简介"), description="联盟简介，最长2000字；可不填")
    founded_on: date | None = Field(
        None,
        title=gettext_noop("成立日期"),
        description=f"成立日期，YYYY-MM-DD，不早于 {FOUNDED}，不晚于今天；可不填",
    )


class JoinIn(Schema):
    unit_id: Integer | None = Field(
        None,
        title=gettext_noop("单位"),
        description="加入联盟的单位（单位档案）ID，须在调用者辖区内；与 unit_credit_code 二选一",
    )
    unit_credit_code: str = credit_code_field()
    joined_on: date = Field(
        title=gettext_noop("加入日期"),
        description="加入日期，YYYY-MM-DD，必填；不早于联盟成立日期，不晚于今天",
    )
    role: str = Field(
        "member",
        title=gettext_noop("角色"),
        description=choices_text(AllianceRole, "成员角色，不填为 member；一个联盟同时只有一个牵头单位"),
    )


class MembershipOut(Schema):
    id: int
    alliance_id: int
    unit_id: int
    role: str
    joined_on: date
    left_on: date | None


@router.get(
    "/alliances",
    response={200: list[AllianceOut], **errors()},
    summary="党建联盟列表",
)
def alliance_list(request: HttpRequest) -> Any:
    require_view(request)
    return list(selectors.alliances_visible(request.user).order_by("node_path", "name")[:500])


@router.post(
    "/alliances",
    response={201: AllianceOut, **errors(404, 422)},
    summary="新建党建联盟",
)
def alliance_create(request: HttpRequest, payload: AllianceIn) -> Any:
    alliance = services.alliance_create(
        actor=request.user,
        node=node_get(request.user, payload.node_id),
        name=payload.name,
        description=payload.description,
        founded_on=payload.founded_on,
    )
    return Status(201, alliance)


@router.post(
    "/alliances/{int:alliance_id}/units",
    response={201: MembershipOut, **errors(404, 422)},
    summary="单位加入党建联盟",
    description="单位按 unit_id 或统一社会信用代码（unit_credit_code）指定。",
)
def alliance_join(request: HttpRequest, alliance_id: Integer, payload: JoinIn) -> Any:
    actor = request.user
    alliance = selectors.alliance_get(actor, alliance_id)
    unit = selectors.unit_lookup(actor, pk=payload.unit_id, credit_code=payload.unit_credit_code)
    row = services.alliance_unit_join(
        actor=actor, alliance=alliance, unit=unit, joined_on=payload.joined_on, role=payload.role
    )
    return Status(201, row)


# --- the three lists ------------------------------------------------------------------------------


class NeedOut(Schema):
    id: int
    title: str
    category: str
    source: str
    source_ref: str
    node_id: int
    is_micro: bool
    status: str
    wanted_kinds: list[str]


class NeedIn(Schema):
    node_id: Integer = Field(
        title=gettext_noop("所在区域"),
        description="需求所在区域节点的 ID：街道、社区、网格、小区或楼栋，必填",
    )
    title: str = Field(title=gettext_noop("需求"), description="需求名称，必填，最长200字")
    category: str = Field(
        title=gettext_noop("类别"), description=choices_text(NeedCategory, "需求类别，必填")
    )
    source: str = Field(title=gettext_noop("来源"), description=choices_text(NeedSource, "需求来源，必填"))
    description: str = Field(
        "", title=gettext_noop("具体情况"), description="需求的具体情况，最长5000字；可不填"
    )
    source_ref: str = Field(
        "",
        title=gettext_noop("来源说明"),
        description="来源说明（如议事会名称、诉求编号），最长100字；可不填",
    )
    wanted_kinds: list[str] = Field(
        [],
        title=gettext_noop("所需资源"),
        description=choices_text(ResourceKind, "需求所要的资源类型，可多选；为空时按需求类别推荐资源"),
    )
    address: str = address_field()
    lon: float | None = lon_field()
    lat: float | None = lat_field()
    beneficiaries: Integer | None = Field(
        None,
        title=gettext_noop("受益人数"),
        description=f"受益人数，0 到 {MAX_BENEFICIARIES} 的整数；可不填",
    )
    is_micro: bool = Field(
        False, title=gettext_noop("微实事"), description="true：微实事（小切口民生实事）；默认 false"
    )


@router.get(
    "/needs",
    response={200: list[NeedOut], **errors(422)},
    summary="需求清单",
    description="status：按状态筛选；micro：只看微心愿。",
)
def need_list(
    request: HttpRequest, status: str = "", micro: bool = False, limit: Integer = 100, offset: Integer = 0
) -> Any:
    require_view(request)
    qs = selectors.needs_visible(request.user)
    if status:
        qs = qs.filter(status=status)
    if micro:
        qs = qs.filter(is_micro=True)
    start, end = window(limit, offset)
    return list(qs.order_by("-created_at", "-id")[start:end])


@router.post(
    "/needs",
    response={201: NeedOut, **errors(404, 422)},
    summary="新增需求",
)
def need_create(request: HttpRequest, payload: NeedIn) -> Any:
    data = services.NeedIn(
        title=payload.title,
        category=payload.category,
        source=payload.source,
        description=payload.description,
        source_ref=payload.source_ref,
        wanted_kinds=payload.wanted_kinds,
        address=payload.address,
        lon=payload.lon,
        lat=payload.lat,
        beneficiaries=payload.beneficiaries,
        is_micro=payload.is_micro,
    )
    need = services.need_create(actor=request.user, node=node_get(request.user, payload.node_id), data=data)
    return Status(201, need)


class FromRequestIn(Schema):
    request_id: Integer = Field(
        title=gettext_noop("诉求"),
        description="列入需求清单的诉求 ID，必填；需求的名称、内容、地点取自诉求，区域为诉求发生地",
    )
    category: str = Field(
        title=gettext_noop("类别"), description=choices_text(NeedCategory, "需求类别，必填")
    )
    is_micro: bool = Field(
        False, title=gettext_noop("微实事"), description="true：微实事（小切口民生实事）；默认 false"
    )


@router.post(
    "/needs/from-request",
    response={201: NeedOut, **errors(404, 422)},
    summary="把诉求列入需求清单",
    description="居民诉求列入其发生地的需求清单；已在清单中的诉求返回 422。",
)
def need_from_request(request: HttpRequest, payload: FromRequestIn) -> Any:
    """Put a resident's request (诉求) on the needs list, where it happened."""
    from civicgrid.requests.selectors import request_get

    found = request_get(request.user, payload.request_id)
    need = services.need_from_request(
        actor=request.user, request=found, category=payload.category, is_micro=payload.is_micro
    )
    return Status(201, need)


class PartySuggestionOut(Schema):
    resource_id: int
    title: str
    kind: str
    unit_id: int | None
    metres: float | None


@router.get(
    "/needs/{int:need_id}/suggestions",
    response={200: list[PartySuggestionOut], **errors(404, 422)},
    summary="需求的资源推荐",
    description="需求所要种类的资源，由近及远，5 公里以内。",
)
def need_suggestions(request: HttpRequest, need_id: Integer) -> Any:
    """Resources for a need: of the kinds it asks for, nearest first, within 5 km."""
    require_view(request)
    need = selectors.need_get(request.user, need_id)
    return [
        {
            "resource_id": s.resource.pk,
            "title": s.resource.title,
            "kind": s.resource.kind,
            "unit_id": s.resource.unit_id,
            "metres": round(s.metres, 1) if s.metres is not None else None,
        }
        for s in selectors.resources_suggest(request.user, need)
    ]


class PartyOrderIn(Schema):
    service_type: str = Field(
        "",
        title=gettext_noop("服务类别"),
        description=choices_text(OrderServiceType, "服务单的服务类别；不填按需求类别取默认"),
    )
    content: str = Field(
        "",
        title=gettext_noop("需求描述"),
        description="服务单的内容，最长2000字；不填取需求的具体情况，没有则取需求名称",
    )
    unit_id: Integer | None = Field(
        None,
        title=gettext_noop("共建单位"),
        description="派给的共建单位（单位档案）ID；与 unit_credit_code 二选一；不能与 member_id 同时填写",
    )
    unit_credit_code: str = credit_code_field()
    member_id: Integer | None = Field(
        None,
        title=gettext_noop("党员"),
        description="派给的党员 ID（须已关联居民档案）；不能与单位同时填写",
    )
    publish: bool = Field(
        False,
        title=gettext_noop("发布"),
        description="true：发布到接单大厅，由报到党员和志愿者接单（不能同时指定接单方）；"
        "false 且未指定接单方：服务单待派单",
    )


class PartyOrderOut(Schema):
    id: int
    number: str
    status: str
    origin: str
    taker_kind: str
    taker_label: str


@router.post(
    "/needs/{int:need_id}/orders",
    response={201: PartyOrderOut, **errors(404, 422)},
    summary="需求派单或发布",
    description="把需求作为服务单派给共建单位或党员（派单），或发布出去供报到党员和志愿者接单。",
)
def need_order(request: HttpRequest, need_id: Integer, payload: PartyOrderIn) -> Any:
    """Order a need to a partner unit or a party member (派单), or publish it (接单)."""
    actor = request.user
    need = selectors.need_get(actor, need_id)
    unit = None
    if payload.unit_id or payload.unit_credit_code:
        unit = selectors.unit_lookup(actor, pk=payload.unit_id, credit_code=payload.unit_credit_code)
    order = services.need_order(
        actor=actor,
        need=need,
        service_type=payload.service_type,
        content=payload.content,
        unit=unit,
        member=selectors.member_get(actor, payload.member_id) if payload.member_id else None,
        publish=payload.publish,
    )
    return Status(201, order)


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    unit_id: int | None
    member_id: int | None
    node_id: int
    quantity: Decimal | None
    quantity_unit: str
    is_active: bool


class ResourceIn(Schema):
    node_id: Integer = Field(title=gettext_noop("所在区域"), description="资源所在区域节点的 ID，必填")
    kind: str = Field(
        title=gettext_noop("资源类型"), description=choices_text(ResourceKind, "资源类型，必填")
    )
    title: str = Field(title=gettext_noop("资源"), description="资源名称，必填，最长200字")
    unit_id: Integer | None = Field(
        None,
        title=gettext_noop("提供单位"),
        description="提供资源的单位（单位档案）ID；与 unit_credit_code 二选一，必须指定其一",
    )
    unit_credit_code: str = credit_code_field()
    description: str = Field("", title=gettext_noop("说明"), description="资源说明，最长2000字；可不填")
    quantity: Decimal | None = Field(
        None,
        title=gettext_noop("数量"),
        description="数量，不小于 0，最多10位整数、2位小数；可不填",
    )
    quantity_unit: str = Field(
        "", title=gettext_noop("计量单位"), description="数量的计量单位（如 平方米、人），最长20字；可不填"
    )
    address: str = address_field()
    lon: float | None = lon_field()
    lat: float | None = lat_field()
    available_until: date | None = Field(
        None,
        title=gettext_noop("有效期至"),
        description="有效期至，YYYY-MM-DD，不早于今天；不填表示长期有效",
    )


@router.get(
    "/resources",
    response={200: list[ResourceOut], **errors(422)},
    summary="资源清单",
)
def resource_list(request: HttpRequest, kind: str = "", limit: Integer = 100, offset: Integer = 0) -> Any:
    require_view(request)
    qs = selectors.resources_visible(request.user).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    start, end = window(limit, offset)
    return list(qs.order_by("node_path", "kind", "id")[start:end])


@router.post(
    "/resources",
    response={201: ResourceOut, **errors(404, 422)},
    summary="新增资源",
)
def resource_create(request: HttpRequest, payload: ResourceIn) -> Any:
    actor = request.user
    unit = None
    if payload.unit_id or payload.unit_credit_code:
        unit = selectors.unit_lookup(actor, pk=payload.unit_id, credit_code=payload.unit_credit_code)
    data = services.ResourceIn(
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        quantity=payload.quantity,
        quantity_unit=payload.quantity_unit,
        address=payload.address,
        lon=payload.lon,
        lat=payload.lat,
        available_until=payload.available_until,
    )
    resource = services.resource_create(
        actor=actor, node=node_get(actor, payload.node_id), unit=unit, data=data
    )
    return Status(201, resource)


class ProjectOut(Schema):
    id: int
    title: str
    need_id: int | None
    alliance_id: int | None
    owner_name: str
    budget: Decimal
    starts_on: date
    ends_on: date
    status: str
    is_micro: bool
    results: str
    done_on: date | None


class ProjectIn(Schema):
    need_id: Integer | None = Field(
        None,
        title=gettext_noop("需求"),
        description="立项的需求 ID；填写时项目在需求所在区域，微实事需求的项目也是微实事；不填则须填 node_id",
    )
    node_id: Integer | None = Field(
        None, title=gettext_noop("所在区域"), description="项目所在区域节点的 ID；不填 need_id 时必填"
    )
    alliance_id: Integer | None = Field(
        None, title=gettext_noop("党建联盟"), description="参与的党建联盟 ID；可不填"
    )
    title: str = Field(title=gettext_noop("项目名称"), description="项目名称，必填，最长200字")
    owner_name: str = Field(title=gettext_noop("负责人"), description="项目负责人，必填，最长50字")
    starts_on: date = Field(
        title=gettext_noop("计划开始"),
        description=f"计划开始日期，YYYY-MM-DD，必填；不早于 {FOUNDED}，不晚于 {PROJECT_YEARS_AHEAD} 年后",
    )
    ends_on: date = Field(
        title=gettext_noop("计划完成"),
        description=f"计划完成日期，YYYY-MM-DD，必填；不早于计划开始，不晚于 {PROJECT_YEARS_AHEAD} 年后",
    )
    budget: Decimal = Field(
        Decimal("0"),
        title=gettext_noop("预算（元）"),
        description=f"预算，单位元，不小于 0，最多10位整数、2位小数；默认 0；"
        f"微实事不超过 {MICRO_PROJECT_MAX_BUDGET} 元",
    )
    is_micro: bool = Field(
        False, title=gettext_noop("微实事"), description="true：微实事（小切口民生实事）；默认 false"
    )


class StatusIn(Schema):
    to_status: str = Field(
        title=gettext_noop("改为"),
        description=choices_text(
            ProjectStatus, "新状态，必填：已立项可改为实施中或已取消，实施中可改为已完成或已取消，否则 409"
        ),
    )
    note: str = Field(
        "", title=gettext_noop("说明"), description="变更说明，最长255字；改为 cancelled 时必填，其他可不填"
    )
    results: str = Field(
        "",
        title=gettext_noop("实施成效"),
        description="实施成效，最长5000字；改为 done 时必填，其他状态不保存",
    )
    done_on: date | None = Field(
        None,
        title=gettext_noop("完成日期"),
        description="完成日期，YYYY-MM-DD，只用于改为 done：不晚于今天、不早于项目开始；不填为今天",
    )


class ContributionIn(Schema):
    description: str = Field(title=gettext_noop("投入内容"), description="投入的内容，必填，最长255字")
    resource_id: Integer | None = Field(
        None,
        title=gettext_noop("资源"),
        description="来自资源清单的资源 ID（须未下架）；填写时投入单位取资源的提供单位；可不填",
    )
    unit_id: Integer | None = Field(
        None,
        title=gettext_noop("单位"),
        description="投入资源的单位（单位档案）ID；与 unit_credit_code 二选一；资源已有提供单位时可不填",
    )
    unit_credit_code: str = credit_code_field()
    amount: Decimal | None = Field(
        None,
        title=gettext_noop("折合金额（元）"),
        description="投入折合的金额，单位元，不小于 0，最多10位整数、2位小数；可不填",
    )
    points: Integer | None = Field(
        None,
        title=gettext_noop("盟友力积分"),
        description=f"给单位记的盟友力积分，0 到 {MAX_CONTRIBUTION_POINTS} 的整数；"
        "不填按资源类型默认（无资源为 10）",
    )


class ContributionOut(Schema):
    id: int
    project_id: int
    unit_id: int | None
    description: str
    points: int
    points_awarded_at: datetime | None


@router.get(
    "/projects",
    response={200: list[ProjectOut], **errors(422)},
    summary="项目清单",
    description="status：按状态筛选；micro：只看微项目。",
)
def project_list(
    request: HttpRequest, status: str = "", micro: bool = False, limit: Integer = 100, offset: Integer = 0
) -> Any:
    require_view(request)
    qs = selectors.projects_visible(request.user)
    if status:
        qs = qs.filter(status=status)
    if micro:
        qs = qs.filter(is_micro=True)
    start, end = window(limit, offset)
    return list(qs.order_by("-created_at", "-id")[start:end])


@router.post(
    "/projects",
    response={201: ProjectOut, **errors(404, 422)},
    summary="新建项目",
)
def project_create(request: HttpRequest, payload: ProjectIn) -> Any:
    actor = request.user
    project = services.project_create(
        actor=actor,
        need=selectors.need_get(actor, payload.need_id) if payload.need_id else None,
        node=node_get(actor, payload.node_id) if payload.node_id else None,
        alliance=selectors.alliance_get(actor, payload.alliance_id) if payload.alliance_id else None,
        data=services.ProjectIn(
            title=payload.title,
            owner_name=payload.owner_name,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            budget=payload.budget,
            is_micro=payload.is_micro,
        ),
    )
    return Status(201, project)


@router.post(
    "/projects/{int:project_id}/status",
    response={200: ProjectOut, **errors(404, 409, 422)},
    summary="变更项目状态",
    description="项目当前状态不允许该变更时返回 409。",
)
def project_status(request: HttpRequest, project_id: Integer, payload: StatusIn) -> Any:
    project = selectors.project_get(request.user, project_id)
    return services.project_status_change(
        actor=request.user,
        project=project,
        to_status=payload.to_status,
        note=payload.note,
        results=payload.results,
        done_on=payload.done_on,
    )


@router.post(
    "/projects/{int:project_id}/contributions",
    response={201: ContributionOut, **errors(404, 422)},
    summary="记录项目的共建贡献",
)
def project_contribution(request: HttpRequest, project_id: Integer, payload: ContributionIn) -> Any:
    actor = request.user
    project = selectors.project_get(actor, project_id)
    unit = None
    if payload.unit_id or payload.unit_credit_code:
        unit = selectors.unit_lookup(actor, pk=payload.unit_id, credit_code=payload.unit_credit_code)
    row = services.project_contribution_add(
        actor=actor,
        project=project,
        description=payload.description,
        resource=selectors.resource_get(actor, payload.resource_id) if payload.resource_id else None,
        unit=unit,
        amount=payload.amount,
        points=payload.points,
    )
    return Status(201, row)


# --- figures ----------------------------------------------------------------------------------------


class PartyCoverageOut(Schema):
    grid_id: int
    grid_name: str
    branches: int
    groups: int
    hubs: int
    members: int


class PartyFiguresOut(Schema):
    coverage_percent: float | None
    in_service_percent: float | None
    units_percent: float | None
    members: int
    organisations: int
    projects: dict[str, int]
    grids: list[PartyCoverageOut]


@router.get(
    "/figures",
    response={200: PartyFiguresOut, **errors(404, 422)},
    summary="党建数据概览",
    description="按网格的党组织覆盖、在职党员和单位的报到率、各状态的项目数"
    "（计算方法见 docs/modules/party.md）；under：只看该区域。",
)
def party_figures(request: HttpRequest, under: Integer | None = None) -> Any:
    """Party coverage per grid, reporting rates, projects by status (formulas: docs/modules/party.md)."""
    require_view(request)
    actor = request.user
    node = node_get(actor, under) if under else None
    data = figures.overview(actor, under=node)
    grids = figures.coverage_by_grid(actor, under=node)
    return {
        "coverage_percent": data["coverage"].percent,
        "in_service_percent": data["in_service"].percent,
        "units_percent": data["units"].percent,
        "members": data["members"],
        "organisations": data["organisations"],
        "projects": data["projects"],
        "grids": [
            {
                "grid_id": g.grid.pk,
                "grid_name": g.grid.name,
                "branches": g.branches,
                "groups": g.groups,
                "hubs": g.hubs,
                "members": g.members,
            }
            for g in grids
        ],
    }
