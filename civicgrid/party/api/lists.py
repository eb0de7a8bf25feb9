"""Endpoints of committees, alliances, the three lists, orders of needs, and the figures."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status

from civicgrid.core.api_types import Integer
from civicgrid.party import figures, selectors, services
from civicgrid.party.api.common import errors, require_view, router, window
from civicgrid.party.services.committees import current_part_time_members
from civicgrid.territory.selectors import node_get

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
    name: str
    source: str
    term_start: date
    term_end: date | None = None
    title: str = "兼职委员"  # i18n: data (the default title stored with the seat)
    unit_name: str = ""


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
    committee_member_id: Integer
    present: bool = True
    note: str = ""


class PartyTaskIn(Schema):
    title: str
    owner_name: str
    due_on: date | None = None
    decision: Integer | None = None


class MeetingIn(Schema):
    kind: str
    title: str
    held_at: datetime
    agenda: str
    place: str = ""
    minutes: str = ""
    attendance: list[AttendanceIn] = []
    decisions: list[str] = []
    tasks: list[PartyTaskIn] = []


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
    node_id: Integer
    name: str
    description: str = ""
    founded_on: date | None = None


class JoinIn(Schema):
    unit_id: Integer | None = None
    unit_credit_code: str = ""
    joined_on: date
    role: str = "member"


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
    node_id: Integer
    title: str
    category: str
    source: str
    description: str = ""
    source_ref: str = ""
    wanted_kinds: list[str] = []
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    beneficiaries: Integer | None = None
    is_micro: bool = False


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
    request_id: Integer
    category: str
    is_micro: bool = False


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
    service_type: str = ""
    content: str = ""
    unit_id: Integer | None = None
    unit_credit_code: str = ""
    member_id: Integer | None = None
    publish: bool = False


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
    node_id: Integer
    kind: str
    title: str
    unit_id: Integer | None = None
    unit_credit_code: str = ""
    description: str = ""
    quantity: Decimal | None = None
    quantity_unit: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    available_until: date | None = None


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
    need_id: Integer | None = None
    node_id: Integer | None = None
    alliance_id: Integer | None = None
    title: str
    owner_name: str
    starts_on: date
    ends_on: date
    budget: Decimal = Decimal("0")
    is_micro: bool = False


class StatusIn(Schema):
    to_status: str
    note: str = ""
    results: str = ""
    done_on: date | None = None


class ContributionIn(Schema):
    description: str
    resource_id: Integer | None = None
    unit_id: Integer | None = None
    unit_credit_code: str = ""
    amount: Decimal | None = None
    points: Integer | None = None


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
