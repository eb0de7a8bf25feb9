"""Reads of grid work, cut to what the actor may see (see ``gridwork.permissions``)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_paths, scope_q
from civicgrid.core.errors import NotFound
from civicgrid.gridwork.constants import CARE_YELLOW_DAYS, CampaignState, ItemState, ProposalState
from civicgrid.gridwork.models import (
    Campaign,
    CampaignItem,
    CarePlan,
    Finding,
    Patrol,
    Photo,
    Proposal,
    Visit,
)
from civicgrid.gridwork.permissions import oversight_paths, paths_q, personal_q, view_q
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.selectors import requests_visible
from civicgrid.territory.models import Node, NodeKind

OPEN_ITEM_STATES = (ItemState.PENDING, ItemState.UNREACHABLE)


def patrols_visible(actor: Any) -> QuerySet[Patrol]:
    return Patrol.objects.filter(personal_q(actor))


def findings_visible(actor: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(personal_q(actor))


def visits_visible(actor: Any) -> QuerySet[Visit]:
    return Visit.objects.filter(view_q(actor))


def care_plans_visible(actor: Any) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(view_q(actor))


def with_light(qs: QuerySet[CarePlan], light: str, today: date | None = None) -> QuerySet[CarePlan]:
    """Plans whose light today is ``light`` (the same rule as ``services.care.light_for``)."""
    today = today or timezone.localdate()
    yellow_until = today + timedelta(days=CARE_YELLOW_DAYS)
    if light == "red":
        return qs.filter(next_due_on__lt=today)
    if light == "yellow":
        return qs.filter(next_due_on__gte=today, next_due_on__lte=yellow_until)
    if light == "green":
        return qs.filter(next_due_on__gt=yellow_until)
    return qs


def proposals_visible(actor: Any) -> QuerySet[Proposal]:
    return Proposal.objects.filter(view_q(actor))


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def campaigns_visible(actor: Any) -> QuerySet[Campaign]:
    """Campaigns on an area the actor can see, or on an area around it (the community's campaign
    seen by the worker of one of its grids)."""
    paths = scope_paths(actor, Capability.GRIDWORK_VIEW)
    if "" in paths:
        return Campaign.objects.all()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(node_path__startswith=path) | Q(node_path__in=_prefixes(path))
    return Campaign.objects.filter(q)


def campaign_get(actor: Any, pk: int) -> Campaign:
    found = campaigns_visible(actor).select_related("node", "created_by").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("专项任务不存在或您无权查看"))
    return found


def campaign_items_visible(actor: Any, campaign: Campaign) -> QuerySet[CampaignItem]:
    return CampaignItem.objects.filter(view_q(actor), campaign=campaign)


def finding_get(actor: Any, pk: int) -> Finding:
    found = (
        findings_visible(actor).select_related("node", "worker", "request", "patrol").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("民情记录不存在或您无权查看"))
    return found


def care_plan_get(actor: Any, pk: int) -> CarePlan:
    found = (
        care_plans_visible(actor).select_related("resident", "grid", "assignee", "node").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("关爱计划不存在或您无权查看"))
    return found


def proposal_get(actor: Any, pk: int) -> Proposal:
    found = proposals_visible(actor).select_related("proposer", "resident", "household", "dwelling", "tag")
    proposal = found.filter(pk=pk).first()
    if proposal is None:
        raise NotFound(_("变更申请不存在或您无权查看"))
    return proposal


def photo_get(actor: Any, pk: int) -> Photo:
    photo = Photo.objects.select_related("finding", "visit").filter(pk=pk).first()
    if photo is None:
        raise NotFound(_("照片不存在或您无权查看"))
    if photo.finding_id and not findings_visible(actor).filter(pk=photo.finding_id).exists():
        raise NotFound(_("照片不存在或您无权查看"))
    if photo.visit_id and not visits_visible(actor).filter(pk=photo.visit_id).exists():
        raise NotFound(_("照片不存在或您无权查看"))
    return photo


# --- the grid worker's day ----------------------------------------------------------------


def open_patrol(actor: Any) -> Patrol | None:
    return Patrol.objects.filter(worker=actor, ended_at__isnull=True).select_related("node").first()


def patrol_scope(actor: Any) -> Q:
    return paths_q(scope_paths(actor, Capability.PATROL), "node_path")


def care_due(actor: Any, today: date | None = None) -> QuerySet[CarePlan]:
    """Care visits due soon or overdue in the worker's grids, the most overdue first."""
    today = today or timezone.localdate()
    return (
        CarePlan.objects.filter(patrol_scope(actor), is_active=True)
        .filter(next_due_on__lte=today + timedelta(days=CARE_YELLOW_DAYS))
        .select_related("resident", "node__parent", "assignee")
        .order_by("next_due_on", "id")
    )


@dataclass
class CampaignTask:
    campaign: Campaign
    open_items: int
    mine: int
    done: int
    total: int


def campaign_tasks(actor: Any) -> list[CampaignTask]:
    """Active campaigns with items in the worker's grids: how many are still open."""
    scope = patrol_scope(actor)
    rows = (
        CampaignItem.objects.filter(scope, campaign__state=CampaignState.ACTIVE)
        .values("campaign")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(state=ItemState.DONE)),
            open_items=Count("id", filter=Q(state__in=OPEN_ITEM_STATES)),
            mine=Count("id", filter=Q(state__in=OPEN_ITEM_STATES, assignee=actor)),
        )
    )
    by_id = {r["campaign"]: r for r in rows}
    campaigns = Campaign.objects.filter(pk__in=by_id).order_by("ends_on", "id")
    return [
        CampaignTask(
            c, by_id[c.pk]["open_items"], by_id[c.pk]["mine"], by_id[c.pk]["done"], by_id[c.pk]["total"]
        )
        for c in campaigns
    ]


def requests_to_verify(actor: Any) -> QuerySet[Request]:
    """Replies waiting for the grid worker's on-site check (现场核查) in their grids."""
    where = scope_q(actor, Capability.REQUEST_VERIFY)
    qs = requests_visible(actor).filter(status=Status.REPLIED, category__needs_verification=True)
    if where is not None:
        qs = qs.filter(where)
    return qs.select_related("category").order_by("replied_at", "id")


# The request states a grid worker's report list tells apart: done (办结, or merged into
# another request, which carries it on) and still being handled (any other state).
REPORT_DONE = (Status.CLOSED, Status.MERGED)
REPORT_STATES = ("open", "done", "all")


def reported_findings(actor: Any, state: str = "open") -> QuerySet[Finding]:
    """我上报的诉求: the requests the worker filed or followed (跟进这件) from their findings, one
    row per request — the worker's latest finding on it — newest first, each with its
    request, the request's lead unit and the id of its latest history row
    (``last_event_id``). ``state``: ``open`` (still being handled), ``done`` (closed or
    merged) or ``all``."""
    latest = RequestEvent.objects.filter(request=OuterRef("request_id")).order_by("-created_at", "-id")
    own = Finding.objects.filter(worker=actor, request=OuterRef("request_id")).order_by("-observed_at", "-id")
    qs = Finding.objects.filter(worker=actor, request__isnull=False).filter(pk=Subquery(own.values("pk")[:1]))
    if state == "open":
        qs = qs.exclude(request__status__in=REPORT_DONE)
    elif state == "done":
        qs = qs.filter(request__status__in=REPORT_DONE)
    return (
        qs.select_related("request", "request__lead_unit", "request__merged_into")
        .annotate(last_event_id=Subquery(latest.values("id")[:1]))
        .order_by("-observed_at", "-id")
    )


# --- workers and their month --------------------------------------------------------------


def workers_visible(actor: Any) -> QuerySet[User]:
    """Grid workers whose patrol logs the actor may read: themselves, and those they oversee."""
    oversee = oversight_paths(actor)
    q = Q(pk=actor.pk) if scope_paths(actor, Capability.PATROL) else Q(pk__in=[])
    if oversee:
        assigned = RoleAssignment.objects.filter(paths_q(oversee, "node__path"), role=Role.GRID_WORKER)
        q |= Q(pk__in=assigned.values("user_id"))
    return User.objects.filter(q, is_active=True).order_by("full_name", "username")


def worker_get(actor: Any, pk: int) -> User:
    found = workers_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("网格员不存在或您无权查看"))
    return found


def worker_grids(worker: User) -> QuerySet[Node]:
    return Node.objects.filter(
        role_assignments__user=worker, role_assignments__role=Role.GRID_WORKER, kind=NodeKind.GRID
    ).order_by("path")


def grid_workers(grid: Node | int) -> QuerySet[User]:
    grid_id = grid if isinstance(grid, int) else grid.pk
    return User.objects.filter(
        role_assignments__node_id=grid_id, role_assignments__role=Role.GRID_WORKER, is_active=True
    ).order_by("full_name", "username")


def grids_visible(actor: Any, under: Node | None = None) -> QuerySet[Node]:
    qs = Node.objects.filter(view_q(actor, "path"), kind=NodeKind.GRID, is_active=True)
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs.order_by("path")


def pending_proposals(actor: Any) -> QuerySet[Proposal]:
    return proposals_visible(actor).filter(state=ProposalState.PENDING)
