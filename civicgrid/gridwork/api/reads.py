"""Reads: today's tasks, lists, the patrol log of a day and a month, coverage, campaign progress."""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Schema

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.api_types import Integer
from civicgrid.core.errors import ValidationError
from civicgrid.gridwork import logbook, selectors
from civicgrid.gridwork.api.common import router
from civicgrid.gridwork.api.schemas import (
    ERRORS,
    CampaignOut,
    CampaignProgressOut,
    CarePlanOut,
    DayLogOut,
    FindingOut,
    GridworkCoverageOut,
    GridworkProposalOut,
    GridworkTaskOut,
    GridworkVisitOut,
    ItemOut,
    MonthDayOut,
    PatrolOut,
)
from civicgrid.gridwork.constants import ItemState, Outcome, ProposalState
from civicgrid.gridwork.lookups import Lookup
from civicgrid.territory.models import Node

MAX_LIMIT = 500


class ListIn(Schema):
    limit: Integer = 100
    offset: Integer = 0
    date_from: date | None = None
    date_to: date | None = None
    grid_id: Integer | None = None
    worker_id: Integer | None = None


def _window(qs: QuerySet[Any], f: ListIn, day_field: str = "day") -> list[Any]:
    if not 1 <= f.limit <= MAX_LIMIT or f.offset < 0:
        raise ValidationError(
            _("limit 应在1到{max_limit}之间，offset 不能为负").format(max_limit=MAX_LIMIT), field="limit"
        )
    if f.date_from:
        qs = qs.filter(**{f"{day_field}__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{day_field}__lte": f.date_to})
    if f.grid_id is not None:
        path = Node.objects.filter(pk=f.grid_id).values_list("path", flat=True).first()
        qs = qs.filter(node_path__startswith=path) if path else qs.none()
    if f.worker_id is not None and hasattr(qs.model, "worker"):
        qs = qs.filter(worker_id=f.worker_id)
    return list(qs[f.offset : f.offset + f.limit])


@router.get("/today", response={200: GridworkTaskOut, **ERRORS}, summary="今日任务（网格员）")
def today(request: HttpRequest) -> Any:
    user = request.user
    require_any(user, Capability.PATROL)
    tasks = selectors.campaign_tasks(user)
    verify = selectors.requests_to_verify(user)[:50]
    return {
        "care_due": list(selectors.care_due(user)[:100]),
        "campaigns": [
            {
                "id": t.campaign.pk,
                "name": t.campaign.name,
                "open": t.open_items,
                "mine": t.mine,
                "done": t.done,
            }
            for t in tasks
        ],
        "to_verify": [
            {
                "id": r.pk,
                "number": r.number,
                "title": r.title,
                "replied_at": r.replied_at,
                "address": r.address,
            }
            for r in verify
        ],
        "open_patrol": selectors.open_patrol(user),
    }


@router.get("/patrols", response={200: list[PatrolOut], **ERRORS}, summary="巡查记录")
def patrols(request: HttpRequest, f: Query[ListIn]) -> Any:
    return _window(selectors.patrols_visible(request.user).order_by("-started_at"), f)


@router.get("/findings", response={200: list[FindingOut], **ERRORS}, summary="民情记录")
def findings(request: HttpRequest, f: Query[ListIn], outcome: str = "") -> Any:
    qs = selectors.findings_visible(request.user).select_related("request").order_by("-observed_at")
    if outcome:
        if outcome not in Outcome.values:
            raise ValidationError(_("处理方式取值无效"), field="outcome")
        qs = qs.filter(outcome=outcome)
    return _window(qs, f)


@router.get("/visits", response={200: list[GridworkVisitOut], **ERRORS}, summary="走访记录")
def visits(request: HttpRequest, f: Query[ListIn], care_plan_id: Integer | None = None) -> Any:
    qs = selectors.visits_visible(request.user).select_related("resident").order_by("-visited_at")
    if care_plan_id is not None:
        qs = qs.filter(care_plan_id=care_plan_id)
    return _window(qs, f)


@router.get("/care-plans", response={200: list[CarePlanOut], **ERRORS}, summary="关爱计划")
def care_plans(request: HttpRequest, f: Query[ListIn], light: str = "") -> Any:
    qs = selectors.care_plans_visible(request.user).filter(is_active=True).select_related("resident")
    if light:
        if light not in ("green", "yellow", "red"):
            raise ValidationError(_("预警灯取值无效（green、yellow、red）"), field="light")
        qs = selectors.with_light(qs, light)
    return _window(qs.order_by("next_due_on", "id"), f, "next_due_on")


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, summary="专项任务")
def campaigns(request: HttpRequest) -> Any:
    return list(selectors.campaigns_visible(request.user).order_by("-starts_on", "-id")[:200])


@router.get(
    "/campaigns/{int:campaign_id}/progress", response={200: CampaignProgressOut, **ERRORS}, summary="任务进度"
)
def campaign_progress(request: HttpRequest, campaign_id: Integer) -> Any:
    campaign = selectors.campaign_get(request.user, campaign_id)
    grids, communities, overall = logbook.campaign_progress(request.user, campaign)
    return {"overall": overall, "communities": communities, "grids": grids}


@router.get("/campaigns/{int:campaign_id}/items", response={200: list[ItemOut], **ERRORS}, summary="任务对象")
def campaign_items(
    request: HttpRequest, campaign_id: Integer, f: Query[ListIn], state: str = "", mine: bool = False
) -> Any:
    campaign = selectors.campaign_get(request.user, campaign_id)
    qs = selectors.campaign_items_visible(request.user, campaign).order_by("node_path", "label")
    if state:
        if state not in ItemState.values:
            raise ValidationError(_("状态取值无效"), field="state")
        qs = qs.filter(state=state)
    if mine:
        qs = qs.filter(assignee_id=request.user.pk)
    f.worker_id = None
    return _window(qs, f, "checked_at__date")


@router.get("/proposals", response={200: list[GridworkProposalOut], **ERRORS}, summary="信息变更申请")
def proposals(request: HttpRequest, f: Query[ListIn], state: str = "") -> Any:
    qs = selectors.proposals_visible(request.user).order_by("-created_at")
    if state:
        if state not in ProposalState.values:
            raise ValidationError(_("状态取值无效"), field="state")
        qs = qs.filter(state=state)
    f.worker_id = None
    return _window(qs, f, "created_at__date")


@router.get(
    "/coverage",
    response={200: list[GridworkCoverageOut], **{code: ERRORS[code] for code in (401, 403, 422)}},
    summary="巡查覆盖（今日、本周）",
    description="辖区内的网格按区域顺序排列，从第 offset 个起取 limit 个（1 到 500）；"
    "响应头 X-Total-Count 为辖区内网格总数（一个市有数千个网格，用 offset 翻页）。"
    "node_id：只看该区域内的网格（不存在或不在辖区内时返回 422）。",
)
def coverage(
    request: HttpRequest,
    response: HttpResponse,
    node_id: Integer | None = None,
    limit: Integer = MAX_LIMIT,
    offset: Integer = 0,
) -> Any:
    """The grids by path, ``limit`` (1 to 500) from ``offset``; the header ``X-Total-Count``
    gives how many grids the scope has (a city has thousands: page with ``offset``)."""
    require_any(request.user, Capability.GRIDWORK_VIEW)
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValidationError(
            _("limit 应在1到{max_limit}之间，offset 不能为负").format(max_limit=MAX_LIMIT), field="limit"
        )
    look = Lookup(request.user)
    under = look.node(node_id, "node_id")
    look.done()
    grids = logbook.coverage_grids(request.user, under)
    response["X-Total-Count"] = str(grids.count())
    return [
        {
            "grid_id": c.grid.pk,
            "grid": c.grid.name,
            "community": c.grid.parent.name if c.grid.parent else "",
            "patrols_today": c.today,
            "week_days": c.week_days,
            "workers_today": c.workers_today,
            "last_day": c.last_day,
        }
        for c in logbook.coverage(request.user, under, grids=grids[offset : offset + limit])
    ]


@router.get(
    "/workers/{int:worker_id}/days/{day}", response={200: DayLogOut, **ERRORS}, summary="民情日志（某日）"
)
def worker_day(request: HttpRequest, worker_id: Integer, day: date) -> Any:
    worker = selectors.worker_get(request.user, worker_id)
    log = logbook.day_log(request.user, worker, day)
    return {
        "worker_id": worker.pk,
        "day": day,
        "minutes": log.minutes,
        "distance_km": log.distance_km,
        "people_met": log.people_met,
        "handled": log.handled,
        "places": log.places,
        "patrols": log.patrols,
        "findings": log.findings,
        "visits": log.visits,
        "routes": log.routes,
    }


@router.get(
    "/workers/{int:worker_id}/months/{int:year}/{int:month}",
    response={200: list[MonthDayOut], **ERRORS},
    summary="网格员月度一览",
)
def worker_month(request: HttpRequest, worker_id: Integer, year: Integer, month: Integer) -> Any:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationError(_("年月取值无效"), field="month")
    worker = selectors.worker_get(request.user, worker_id)
    return logbook.worker_month(request.user, worker, year, month)
