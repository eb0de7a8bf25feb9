"""Volunteers, teams, skills, the volunteer's own card, figures and the report."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status

from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound
from civicgrid.registry.models import Organisation
from civicgrid.registry.selectors import residents_visible
from civicgrid.territory.selectors import node_get
from civicgrid.volunteers import points_link, selectors, services
from civicgrid.volunteers.access import own_volunteer, staff_team, staff_volunteer
from civicgrid.volunteers.api.common import node_or_none, page, request_fields, router
from civicgrid.volunteers.api.schemas import (
    ERRORS,
    CardOut,
    CommunityIn,
    RegisterIn,
    ReportRowOut,
    SkillOut,
    TeamIn,
    TeamMemberIn,
    TeamOut,
    UpdateIn,
    VolunteerFiguresOut,
    VolunteerNoteIn,
    VolunteerOut,
    VolunteerPage,
)
from civicgrid.volunteers.models import Skill, Team
from civicgrid.volunteers.permissions import acting_resident

# The services' names of a volunteer's records, as the API's bodies name them.
VOLUNTEER_FIELDS = {
    "resident": "resident_id",
    "organisation": "organisation_id",
    "community": "community_id",
    "service_area": "service_area_id",
    "teams": "team_ids",
}


@router.get(
    "/skills",
    # Any signed-in caller may read the catalogue (a resident registering too): no 403.
    response={200: list[SkillOut], 401: ERRORS[401]},
    summary="技能列表",
)
def skill_list(request: HttpRequest) -> Any:
    return list(Skill.objects.all())


@router.get("/volunteers", response={200: VolunteerPage, **ERRORS}, summary="志愿者列表（社区工作者）")
def volunteer_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    kind: str = "",
    team: Integer | None = None,
    skill: str = "",
    limit: Integer = 50,
    offset: Integer = 0,
) -> Any:
    qs = selectors.volunteer_search(request.user, q=q, status=status, kind=kind, team=team, skill=skill)
    return page(qs, limit, offset)


@router.get("/volunteers/{int:volunteer_id}", response={200: VolunteerOut, **ERRORS}, summary="志愿者详情")
def volunteer_detail(request: HttpRequest, volunteer_id: Integer) -> Any:
    return selectors.volunteer_get(request.user, volunteer_id)


@router.post(
    "/volunteers",
    response={201: VolunteerOut, **ERRORS},
    summary="注册志愿者",
    description="居民本人注册（待社区审核），或社区工作者为本辖区居民登记（直接通过）。",
)
def volunteer_register(request: HttpRequest, payload: RegisterIn) -> Any:
    actor = request.user
    if payload.resident_id is None:
        resident = acting_resident(actor)
        if resident is None:
            raise NotFound(_("请指明居民"))
    else:
        mine = acting_resident(actor)
        resident = mine if mine is not None and mine.pk == payload.resident_id else None
        resident = resident or residents_visible(actor).filter(pk=payload.resident_id).first()
        if resident is None:
            raise NotFound(_("居民不存在或您无权查看"))
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
        if organisation is None:
            raise NotFound(_("单位不存在"))
    with request_fields(VOLUNTEER_FIELDS):
        volunteer = services.volunteer_register(
            actor=actor,
            resident=resident,
            kind=payload.kind,
            community=node_or_none(actor, payload.community_id),
            service_area=node_or_none(actor, payload.service_area_id),
            organisation=organisation,
            skills=payload.skills,
            availability=payload.availability,
            intro=payload.intro,
            teams=list(Team.objects.filter(pk__in=payload.team_ids)),
            guardian_consent=payload.guardian_consent,
        )
    return Status(201, volunteer)


@router.patch(
    "/volunteers/{int:volunteer_id}", response={200: VolunteerOut, **ERRORS}, summary="修改志愿者信息"
)
def volunteer_update(request: HttpRequest, volunteer_id: Integer, payload: UpdateIn) -> Any:
    mine = own_volunteer(request.user) if acting_resident(request.user) else None
    volunteer = mine if mine is not None and mine.pk == volunteer_id else None
    volunteer = volunteer or selectors.volunteer_get(request.user, volunteer_id)
    with request_fields(VOLUNTEER_FIELDS):
        return services.volunteer_update(
            actor=request.user,
            volunteer=volunteer,
            skills=payload.skills,
            availability=payload.availability,
            service_area=node_or_none(request.user, payload.service_area_id),
            intro=payload.intro,
            guardian_consent=payload.guardian_consent,
        )


def _decide(request: HttpRequest, volunteer_id: int, approve: bool, note: str) -> Any:
    volunteer = selectors.volunteer_get(request.user, volunteer_id)
    return services.volunteer_decide(actor=request.user, volunteer=volunteer, approve=approve, note=note)


@router.post(
    "/volunteers/{int:volunteer_id}/approve", response={200: VolunteerOut, **ERRORS}, summary="审核通过"
)
def volunteer_approve(request: HttpRequest, volunteer_id: Integer, payload: VolunteerNoteIn) -> Any:
    return _decide(request, volunteer_id, True, payload.note)


@router.post(
    "/volunteers/{int:volunteer_id}/reject",
    response={200: VolunteerOut, **ERRORS},
    summary="审核不通过（须写原因）",
)
def volunteer_reject(request: HttpRequest, volunteer_id: Integer, payload: VolunteerNoteIn) -> Any:
    return _decide(request, volunteer_id, False, payload.note)


@router.post(
    "/volunteers/{int:volunteer_id}/suspend", response={200: VolunteerOut, **ERRORS}, summary="暂停服务"
)
def volunteer_suspend(request: HttpRequest, volunteer_id: Integer, payload: VolunteerNoteIn) -> Any:
    volunteer = selectors.volunteer_get(request.user, volunteer_id)
    return services.volunteer_suspend(actor=request.user, volunteer=volunteer, note=payload.note)


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, summary="志愿服务队")
def team_list(request: HttpRequest) -> Any:
    return list(selectors.teams_with_counts(request.user))


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="新建志愿服务队")
def team_create(request: HttpRequest, payload: TeamIn) -> Any:
    community = node_get(request.user, payload.community_id)
    with request_fields(VOLUNTEER_FIELDS):
        team = services.team_create(
            actor=request.user,
            community=community,
            name=payload.name,
            colour=payload.colour,
            duties=payload.duties,
        )
    return Status(201, team)


@router.post(
    "/teams/colours",
    response={201: list[TeamOut], **ERRORS},
    summary="建立五色志愿服务队",
    description="红色互助、绿色环保、蓝色平安、黄色法律、紫色文化；已有的保留。",
)
def team_colours(request: HttpRequest, payload: CommunityIn) -> Any:
    community = node_get(request.user, payload.community_id)
    services.teams_create_colours(actor=request.user, community=community)
    return Status(201, list(selectors.teams_with_counts(request.user).filter(node=community)))


@router.post("/teams/{int:team_id}/members", response={200: TeamOut, **ERRORS}, summary="加入队员")
def team_member_add(request: HttpRequest, team_id: Integer, payload: TeamMemberIn) -> Any:
    team = staff_team(request.user, team_id)
    volunteer = staff_volunteer(request.user, payload.volunteer_id)
    with request_fields({"volunteer": "volunteer_id"}):
        services.team_member_add(
            actor=request.user, team=team, volunteer=volunteer, is_leader=payload.is_leader
        )
    return selectors.teams_with_counts(request.user).get(pk=team.pk)


@router.delete(
    "/teams/{int:team_id}/members/{int:volunteer_id}", response={200: TeamOut, **ERRORS}, summary="移出队员"
)
def team_member_remove(request: HttpRequest, team_id: Integer, volunteer_id: Integer) -> Any:
    team = staff_team(request.user, team_id)
    volunteer = staff_volunteer(request.user, volunteer_id)
    services.team_member_remove(actor=request.user, team=team, volunteer=volunteer)
    return selectors.teams_with_counts(request.user).get(pk=team.pk)


@router.get(
    "/me",
    response={200: CardOut, **ERRORS},
    summary="我的志愿者证",
    description="居民账号：志愿者信息、积分余额、时间银行、积分流水、活动和接单记录。",
)
def my_card(request: HttpRequest) -> Any:
    volunteer = own_volunteer(request.user)
    resident = volunteer.resident
    return {
        "volunteer": volunteer,
        "points": points_link.balance(resident),
        "time_bank_hours": points_link.time_bank_hours(resident),
        "movements": [
            {"at": m.created_at, "amount": amount, "kind": m.kind, "note": m.note}
            for m, amount in points_link.movements(resident)
        ],
        "signups": list(selectors.my_signups(volunteer).select_related("volunteer__resident")[:20]),
        "orders_taken": list(selectors.orders_taken_by(resident).prefetch_related("photos")[:20]),
    }


@router.get("/figures", response={200: VolunteerFiguresOut, **ERRORS}, summary="志愿服务概况（首页数字）")
def figures(request: HttpRequest) -> Any:
    found = selectors.figures_for(request.user)
    if found is None:
        raise NotFound(_("您无权查看志愿服务概况"))
    return {**found.__dict__, "satisfaction": found.satisfaction}


@router.get(
    "/report",
    response={200: list[ReportRowOut], **ERRORS},
    summary="志愿服务统计（按社区）",
    description="period：all 累计（默认）、month 近30天、quarter 近一季度（91天）、year 近一年，"
    "与统计页相同：时长、活动、签退人次等都按所选期间统计。",
)
def report(
    request: HttpRequest,
    under: Integer | None = None,
    period: Literal["all", "month", "quarter", "year"] = "all",
) -> Any:
    node = node_get(request.user, under) if under else None
    since = selectors.report_since(period, timezone.now())
    return [
        {
            **{k: v for k, v in row.__dict__.items() if k not in ("community", "rated", "satisfied")},
            "community_id": row.community.pk,
            "community": row.community.name,
            "attendance_rate": row.attendance_rate,
            "satisfaction": row.satisfaction,
        }
        for row in selectors.report_rows(request.user, under=node, since=since)
    ]
