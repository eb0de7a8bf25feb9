"""The patrol log (民情日志) and the overviews built from it: one worker's day and month,
patrol coverage of grids, campaign progress, and the home page's figures.

Formulas (also in docs/modules/gridwork.md):

* patrol coverage (today / this week) = grids with at least one patrol that started on the
  day (in the week, Monday to today) ÷ active grids in scope;
* a worker's minutes on a day = Σ (ended_at − started_at) of the patrols started that day;
  distance = Σ great-circle length of each track (points less accurate than 100 m skipped);
* issues found = findings; handled = fixed on the spot + reported as a request;
* overdue visits = active care plans whose next due day is before today;
* campaign progress = items done ÷ items (unreachable and refused are not done).
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core.figures import share_percent, share_text
from civicgrid.gridwork.constants import CampaignState, ItemState, Outcome
from civicgrid.gridwork.models import Campaign, CampaignCheck, CampaignItem, CarePlan, Finding, Patrol, Visit
from civicgrid.gridwork.permissions import view_q
from civicgrid.gridwork.selectors import (
    findings_visible,
    grids_visible,
    patrols_visible,
    visits_visible,
)
from civicgrid.territory.models import Node
from civicgrid.web.contrib import Figure


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- one worker's day -----------------------------------------------------------------------


@dataclass
class DayLog:
    worker: User
    day: date
    patrols: list[Patrol]
    findings: list[Finding]
    visits: list[Visit]
    checks: list[CampaignCheck]
    routes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(p.minutes for p in self.patrols)

    @property
    def distance_km(self) -> float:
        return round(sum(p.distance_m for p in self.patrols) / 1000, 2)

    @property
    def people_met(self) -> int:
        return sum(p.people_met for p in self.patrols) + len(self.visits)

    @property
    def handled(self) -> int:
        return sum(1 for f in self.findings if f.outcome != Outcome.RECORDED)

    @property
    def places(self) -> list[str]:
        seen: dict[str, None] = {}
        for p in self.patrols:
            for part in p.places.replace("，", "、").replace(",", "、").split("、"):
                if part.strip():
                    seen[part.strip()] = None
        for f in self.findings:
            if f.address:
                seen[f.address] = None
        return list(seen)


def day_log(actor: Any, worker: User, day: date) -> DayLog:
    patrols = list(
        patrols_visible(actor).filter(worker=worker, day=day).select_related("node").order_by("started_at")
    )
    findings = list(
        findings_visible(actor)
        .filter(worker=worker, day=day)
        .select_related("request", "node")
        .prefetch_related("photos")
        .order_by("observed_at")
    )
    visits = list(
        visits_visible(actor)
        .filter(worker=worker, day=day)
        .select_related("resident", "household", "care_plan")
        .prefetch_related("photos")
        .order_by("visited_at")
    )
    try:
        start = timezone.make_aware(datetime.combine(day, time.min)).astimezone(UTC)
        end = start + timedelta(days=1)
    except OverflowError:  # 0001-01-01 or 9999-12-31: no moment of it can be stored, nor any check
        checks: list[CampaignCheck] = []
    else:
        checks = list(
            CampaignCheck.objects.filter(worker=worker, checked_at__gte=start, checked_at__lt=end)
            .filter(item__in=CampaignItem.objects.filter(view_q(actor)))
            .select_related("item", "item__campaign")
            .order_by("checked_at")
        )
    log = DayLog(worker, day, patrols, findings, visits, checks)
    log.routes = _routes(patrols)
    return log


def _routes(patrols: list[Patrol]) -> list[dict[str, Any]]:
    """Each patrol's track as a GeoJSON LineString feature (for the map)."""
    from civicgrid.gridwork.models import PatrolPoint

    by_patrol: dict[int, list[list[float]]] = defaultdict(list)
    rows = PatrolPoint.objects.filter(patrol__in=patrols).order_by("patrol", "recorded_at")
    for pid, lon, lat in rows.values_list("patrol_id", "lon", "lat"):
        by_patrol[pid].append([round(lon, 6), round(lat, 6)])
    return [
        {
            "type": "Feature",
            "properties": {
                "label": _("{started_at:%H:%M} 开始").format(started_at=timezone.localtime(p.started_at))
            },
            "geometry": {"type": "LineString", "coordinates": by_patrol[p.pk]},
        }
        for p in patrols
        if len(by_patrol[p.pk]) >= 2
    ]


# --- one worker's month -------------------------------------------------------------------


@dataclass
class MonthDay:
    day: date
    patrols: int = 0
    minutes: int = 0
    distance_m: float = 0.0
    findings: int = 0
    fixed: int = 0
    reported: int = 0
    visits: int = 0

    @property
    def distance_km(self) -> float:
        return round(self.distance_m / 1000, 1)


def worker_month(actor: Any, worker: User, year: int, month: int) -> list[MonthDay]:
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    days = {
        first + timedelta(days=n): MonthDay(first + timedelta(days=n)) for n in range((last - first).days + 1)
    }
    for p in (
        patrols_visible(actor)
        .filter(worker=worker, day__range=(first, last))
        .only("day", "started_at", "ended_at", "distance_m")
    ):
        row = days[p.day]
        row.patrols += 1
        row.minutes += p.minutes
        row.distance_m += p.distance_m
    findings = (
        findings_visible(actor)
        .filter(worker=worker, day__range=(first, last))
        .values("day")
        .annotate(
            n=Count("id"),
            fixed=Count("id", filter=Q(outcome=Outcome.FIXED)),
            reported=Count("id", filter=Q(outcome=Outcome.REPORTED)),
        )
    )
    for r in findings:
        days[r["day"]].findings, days[r["day"]].fixed, days[r["day"]].reported = (
            r["n"],
            r["fixed"],
            r["reported"],
        )
    visits = (
        visits_visible(actor)
        .filter(worker=worker, day__range=(first, last))
        .values("day")
        .annotate(n=Count("id"))
    )
    for r in visits:
        days[r["day"]].visits = r["n"]
    return list(days.values())


# --- coverage ------------------------------------------------------------------------------


@dataclass
class GridCoverage:
    grid: Node  # only its name and its parent's name are loaded (``coverage_grids``)
    today: int  # patrols started today
    week_days: int  # days of this week with a patrol
    workers_today: list[str]
    last_day: date | None


@dataclass
class CoverageTotals:
    grids: int  # active grids in scope
    today: int  # of them, patrolled today
    week: int  # of them, patrolled this week


def coverage_grids(actor: Any, under: Node | None = None) -> QuerySet[Node]:
    """The grids the coverage lists, by path, each with only what a row shows: its name and
    its community's (never the geometry, a large JSON column of each grid and community)."""
    return grids_visible(actor, under).select_related("parent").only("name", "parent__name")


def coverage_totals(actor: Any, under: Node | None = None, today: date | None = None) -> CoverageTotals:
    """The page's figures over the whole scope, counted in the database (two queries)."""
    today = today or timezone.localdate()
    grids = grids_visible(actor, under)
    found = (
        Patrol.objects.filter(
            view_q(actor), node__in=grids.values("pk"), day__range=(week_start(today), today)
        )
        .order_by()
        .aggregate(
            week=Count("node_id", distinct=True),
            today=Count("node_id", distinct=True, filter=Q(day=today)),
        )
    )
    return CoverageTotals(grids.count(), found["today"], found["week"])


def coverage(
    actor: Any, under: Node | None = None, today: date | None = None, grids: Iterable[Node] | None = None
) -> list[GridCoverage]:
    """One row per grid: ``grids`` (a page of ``coverage_grids``), else every grid in scope.
    Three queries for the patrols, however many grids."""
    today = today or timezone.localdate()
    monday = week_start(today)
    if grids is None:
        rows = list(coverage_grids(actor, under))
        patrols = Patrol.objects.filter(view_q(actor), node__in=grids_visible(actor, under).values("pk"))
    else:
        rows = list(grids)
        patrols = Patrol.objects.filter(view_q(actor), node_id__in=[g.pk for g in rows])
    week: dict[int, set[date]] = defaultdict(set)
    for node_id, day in (
        patrols.filter(day__range=(monday, today)).order_by().values_list("node_id", "day").distinct()
    ):
        week[node_id].add(day)
    names: dict[int, list[str]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    for node_id, full_name, username in patrols.filter(day=today).values_list(
        "node_id", "worker__full_name", "worker__username"
    ):
        count[node_id] += 1
        if (full_name or username) not in names[node_id]:
            names[node_id].append(full_name or username)
    last = {
        r["node_id"]: r["last"]
        for r in patrols.filter(day__lte=today).values("node_id").annotate(last=Max("day")).order_by()
    }
    return [GridCoverage(g, count[g.pk], len(week[g.pk]), names[g.pk], last.get(g.pk)) for g in rows]


# --- campaign progress ----------------------------------------------------------------------


@dataclass
class Progress:
    label: str
    node_id: int | None
    total: int
    done: int
    unreachable: int
    refused: int
    assignees: list[str] = field(default_factory=list)
    workers: list[Any] = field(default_factory=list)  # who a grid's items may go to (pages fill it)

    @property
    def pending(self) -> int:
        return self.total - self.done - self.unreachable - self.refused

    @property
    def percent(self) -> float:
        return float(share_percent(self.done, self.total) or 0)


def campaign_progress(actor: Any, campaign: Campaign) -> tuple[list[Progress], list[Progress], Progress]:
    """(per grid, per community, overall) progress of the items the actor can see."""
    rows = (
        CampaignItem.objects.filter(view_q(actor), campaign=campaign)
        .values("grid_id", "grid__name", "grid__parent_id", "grid__parent__name")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(state=ItemState.DONE)),
            unreachable=Count("id", filter=Q(state=ItemState.UNREACHABLE)),
            refused=Count("id", filter=Q(state=ItemState.REFUSED)),
        )
        .order_by("grid__parent__name", "grid__name")
    )
    assignees: dict[int | None, set[str]] = defaultdict(set)
    for grid_id, full_name, username in (
        CampaignItem.objects.filter(view_q(actor), campaign=campaign, assignee__isnull=False)
        .values_list("grid_id", "assignee__full_name", "assignee__username")
        .distinct()
    ):
        assignees[grid_id].add(full_name or username)
    grids: list[Progress] = []
    communities: dict[int | None, Progress] = {}
    total = Progress(_("合计"), None, 0, 0, 0, 0)
    for r in rows:
        counts = (r["total"], r["done"], r["unreachable"], r["refused"])
        grids.append(
            Progress(
                r["grid__name"] or _("（未划入网格）"), r["grid_id"], *counts, sorted(assignees[r["grid_id"]])
            )
        )
        key = r["grid__parent_id"]
        c = communities.setdefault(
            key, Progress(r["grid__parent__name"] or _("（未划入网格）"), key, 0, 0, 0, 0)
        )
        for target in (c, total):
            target.total += counts[0]
            target.done += counts[1]
            target.unreachable += counts[2]
            target.refused += counts[3]
    return grids, list(communities.values()), total


# --- the home page --------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    """One decimal, as the campaign page writes it (``Progress.percent``): 3/80 is 3.8%, not 4%."""
    return share_text(part, whole)


def home_figures(user: Any) -> list[Figure]:
    if not has_capability(user, Capability.GRIDWORK_VIEW):
        return []
    today = timezone.localdate()
    where = view_q(user)
    grids = grids_visible(user).count()
    patrols = Patrol.objects.filter(where)
    today_grids = patrols.filter(day=today).values("node_id").distinct().count()
    week_grids = patrols.filter(day__range=(week_start(today), today)).values("node_id").distinct().count()
    month = today.replace(day=1)
    found = Finding.objects.filter(where, day__gte=month).aggregate(
        n=Count("id"),
        fixed=Count("id", filter=Q(outcome=Outcome.FIXED)),
        reported=Count("id", filter=Q(outcome=Outcome.REPORTED)),
    )
    visits = Visit.objects.filter(where, day__gte=month).count()
    overdue = CarePlan.objects.filter(where, is_active=True, next_due_on__lt=today).count()
    items = CampaignItem.objects.filter(where, campaign__state=CampaignState.ACTIVE).aggregate(
        n=Count("id"), done=Count("id", filter=Q(state=ItemState.DONE))
    )
    coverage_url = reverse("gridwork:coverage")
    # The cards count this month: their lists open filtered the same way, to show the same number,
    # both ends given (the 1st and today), so a bookmarked link keeps to the month it counted.
    findings_url = reverse("gridwork:findings")
    this_month = f"date_from={month.isoformat()}&date_to={today.isoformat()}"
    return [
        Figure(
            _("今日巡查覆盖"),
            f"{today_grids}/{grids}",
            coverage_url,
            _("今日有巡查的网格占比 {pct}").format(pct=_pct(today_grids, grids)),
        ),
        Figure(
            _("本周巡查覆盖"),
            _pct(week_grids, grids),
            coverage_url,
            _("本周有巡查的网格 {week_grids} 个").format(week_grids=week_grids),
        ),
        Figure(_("本月发现问题"), found["n"], f"{findings_url}?{this_month}", _("网格员巡查记录的民情")),
        Figure(_("现场解决"), found["fixed"], f"{findings_url}?outcome=fixed&{this_month}", _("有照片佐证")),
        Figure(_("上报诉求"), found["reported"], f"{findings_url}?outcome=reported&{this_month}"),
        # No page lists the visits of a month (the care list shows plans): the card is no link.
        Figure(_("本月走访"), visits, "", _("本月网格员记录的走访次数")),
        Figure(
            _("走访超期"), overdue, reverse("gridwork:care") + "?light=red", _("关爱对象超过走访周期未走访")
        ),
        Figure(
            _("专项任务进度"),
            _pct(items["done"], items["n"]),
            reverse("gridwork:campaigns"),
            _("进行中的任务已完成 {done}/{n}").format(done=items["done"], n=items["n"]),
        ),
    ]
