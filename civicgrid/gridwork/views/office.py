"""The community's pages: patrol coverage, the team of a grid, a worker's month and day
(民情日志), the findings, and the photos behind them."""

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, require_any
from civicgrid.core import views_forms
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.gridwork import logbook, selectors
from civicgrid.gridwork.constants import FindingCategory, Outcome
from civicgrid.gridwork.lookups import Lookup
from civicgrid.gridwork.models import Finding
from civicgrid.gridwork.views.common import Posted
from civicgrid.gridwork.views.mobile import LOG_EARLIEST
from civicgrid.requests.rates.figures import MONTH_FORMAT, parse_month
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import nodes_visible


def _viewer(request: HttpRequest) -> Any:
    require_any(request.user, Capability.GRIDWORK_VIEW)
    return request.user


def tabs(user: Any) -> list[tuple[str, str]]:
    """The tab bar of the community's pages."""
    items = [
        (_("巡查覆盖"), "gridwork:coverage"),
        (_("网格员"), "gridwork:team"),
        (_("民情记录"), "gridwork:findings"),
        (_("关爱走访"), "gridwork:care"),
        (_("专项任务"), "gridwork:campaigns"),
        (_("信息变更"), "gridwork:proposals"),
    ]
    if has_capability(user, Capability.PATROL):
        items.append((_("网格员工作台（手机）"), "gridwork:m_today"))
    return items


def communities(user: Any) -> QuerySet[Node]:
    """The communities of the pages' filter: only their names (not their geometry)."""
    return nodes_visible(user).filter(kind=NodeKind.COMMUNITY, is_active=True).only("name").order_by("path")


def filter_errors(errors: dict[str, list[str]], labels: dict[str, Any]) -> dict[str, Any]:
    """A list's filters that do not parse: each field marked and named in one message above
    the list (社区：应为整数), as 民情记录 shows them; the page answers 422."""
    text = views_forms.labelled(ValidationError(errors=errors), labels) if errors else ""
    return {"errors": errors, "error_text": text}


COVERAGE_LABELS = {"under": gettext_lazy("社区")}


def _area(user: Any, pk: int | None) -> Node | None:
    """The area of ?under=: one outside the viewer's scope does not exist for them (404), as
    the rates and overview pages answer for an area."""
    if pk is None:
        return None
    found = nodes_visible(user).filter(pk=pk, is_active=True).first()
    if found is None:
        raise NotFound(_("区域不存在或您无权查看"))
    return found


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """The grids' patrols; an ?under= that does not parse shows the whole scope with the
    reason (422)."""
    user = _viewer(request)
    posted = Posted(request.GET)
    under = _area(user, posted.integer("under"))
    today = timezone.localdate()
    # A page of grids (a city has thousands); the figures above it count the whole scope.
    page = paginate(request, logbook.coverage_grids(user, under))
    totals = logbook.coverage_totals(user, under, today)
    context = {
        "tabs": tabs(user),
        "rows": logbook.coverage(user, under, today, grids=page.object_list),
        "page": page,
        "query": query_without_page(request),
        "under": under,
        "communities": communities(user),
        "today": today,
        "week_start": logbook.week_start(today),
        "week_days": (today - logbook.week_start(today)).days + 1,
        "grids_total": totals.grids,
        "patrolled_today": totals.today,
        "patrolled_week": totals.week,
        **filter_errors(posted.errors, COVERAGE_LABELS),
    }
    return render(request, "gridwork/coverage.html", context, status=422 if posted.errors else 200)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The workers the actor oversees (the grid leader: the grid's workers), today and this month."""
    user = _viewer(request)
    today = timezone.localdate()
    month = today.replace(day=1)
    workers = list(selectors.workers_visible(user))
    ids = [w.pk for w in workers]
    patrols = selectors.patrols_visible(user).filter(worker_id__in=ids)
    today_rows = dict(
        patrols.filter(day=today).values("worker_id").annotate(n=Count("id")).values_list("worker_id", "n")
    )
    open_ids = set(patrols.filter(ended_at__isnull=True).values_list("worker_id", flat=True))
    month_days = dict(
        patrols.filter(day__gte=month)
        .values("worker_id")
        .annotate(n=Count("day", distinct=True))
        .values_list("worker_id", "n")
    )
    found = (
        selectors.findings_visible(user)
        .filter(worker_id__in=ids, day__gte=month)
        .values("worker_id")
        .annotate(n=Count("id"), handled=Count("id", filter=~Q(outcome=Outcome.RECORDED)))
    )
    found_by = {r["worker_id"]: r for r in found}
    visits = dict(
        selectors.visits_visible(user)
        .filter(worker_id__in=ids, day__gte=month)
        .values("worker_id")
        .annotate(n=Count("id"))
        .values_list("worker_id", "n")
    )
    grids: dict[int, list[str]] = {}
    for w in workers:
        grids[w.pk] = [g.name for g in selectors.worker_grids(w)]
    rows = [
        {
            "worker": w,
            "grids": grids[w.pk],
            "today": today_rows.get(w.pk, 0),
            "on_patrol": w.pk in open_ids,
            "month_days": month_days.get(w.pk, 0),
            "findings": found_by.get(w.pk, {}).get("n", 0),
            "handled": found_by.get(w.pk, {}).get("handled", 0),
            "visits": visits.get(w.pk, 0),
        }
        for w in workers
    ]
    return render(request, "gridwork/team.html", {"tabs": tabs(user), "rows": rows, "today": today})


def _month(raw: str) -> date:
    """The month of ?month= (this one when empty), read as the rates pages read it
    (``parse_month``: YYYY-MM strictly); one before the diaries begin or not yet begun is
    refused, naming 月份, as the rates pages refuse it (a month to come has no diary, not an
    empty one)."""
    this_month = timezone.localdate().replace(day=1)
    if not raw:
        return this_month
    # The year first: 0001-01 and 9999-12 are refused for what they are, not as beyond
    # parse_month's calendar (日期应在 1900 年至 2999 年之间).
    matched = MONTH_FORMAT.fullmatch(raw)
    year = int(matched[1]) if matched is not None else this_month.year
    if year < LOG_EARLIEST.year:
        raise ValidationError(
            _("月份不能早于{earliest}").format(earliest=f"{LOG_EARLIEST:%Y-%m}"), field="month"
        )
    first = this_month.replace(year=this_month.year + 1) if year > this_month.year else parse_month(raw)
    if first > this_month:
        raise ValidationError(_("所选月份尚未开始，请选择本月或以前的月份"), field="month")
    return first


@login_required
def worker_month(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    worker = selectors.worker_get(user, pk)
    first = _month(request.GET.get("month", "").strip())
    days = logbook.worker_month(user, worker, first.year, first.month)
    prev = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    context = {
        "tabs": tabs(user),
        "worker": worker,
        "grids": selectors.worker_grids(worker),
        "first": first,
        "days": days,
        "lead": range(first.weekday()),
        "prev": prev if prev >= LOG_EARLIEST else None,
        "next": nxt if nxt <= timezone.localdate() else None,
        "totals": {
            "patrol_days": sum(1 for d in days if d.patrols),
            "minutes": sum(d.minutes for d in days),
            "km": round(sum(d.distance_m for d in days) / 1000, 1),
            "findings": sum(d.findings for d in days),
            "fixed": sum(d.fixed for d in days),
            "reported": sum(d.reported for d in days),
            "visits": sum(d.visits for d in days),
        },
    }
    return render(request, "gridwork/worker_month.html", context)


@login_required
def worker_day(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    user = _viewer(request)
    worker = selectors.worker_get(user, pk)
    try:
        on = date.fromisoformat(day)
    except ValueError as exc:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD"), field="day") from exc
    # The phone's 民情日志 keeps to the same days: none before its first, none to come.
    if on < LOG_EARLIEST:
        raise ValidationError(
            _("日期不能早于{earliest}").format(earliest=LOG_EARLIEST.isoformat()), field="day"
        )
    if on > timezone.localdate():
        raise ValidationError(_("所选日期尚未到来，请选择今天或以前的日期"), field="day")
    log = logbook.day_log(user, worker, on)
    grids = list(selectors.worker_grids(worker))
    markers = [
        {"lon": f.lon, "lat": f.lat, "kind": f.outcome, "label": f.description[:30]}
        for f in log.findings
        if f.lon is not None and f.lat is not None
    ]
    map_data = {
        "grids": [{"name": g.name, "geometry": g.geometry} for g in grids],
        "routes": log.routes,
        "markers": markers,
    }
    context = {"tabs": tabs(user), "worker": worker, "log": log, "map_data": map_data}
    return render(request, "gridwork/worker_day.html", context)


FINDING_FILTERS = ("outcome", "category", "under", "date_from", "date_to", "worker")
FINDING_FILTER_LABELS = {
    "outcome": gettext_lazy("处理方式"),
    "category": gettext_lazy("类别"),
    "under": gettext_lazy("社区"),
    "date_from": gettext_lazy("从"),
    "date_to": gettext_lazy("到"),
    "worker": gettext_lazy("网格员"),
}


def _filtered_findings(user: Any, posted: Posted, look: Lookup) -> QuerySet[Finding]:
    qs = selectors.findings_visible(user).select_related("worker", "node", "request")
    outcome, category = posted.text("outcome"), posted.text("category")
    if outcome and outcome not in Outcome.values:
        posted.errors["outcome"] = [_("处理方式取值无效")]
    elif outcome:
        qs = qs.filter(outcome=outcome)
    if category and category not in FindingCategory.values:
        posted.errors["category"] = [_("类别取值无效")]
    elif category:
        qs = qs.filter(category=category)
    under = look.node(posted.integer("under"), "under")
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if (start := posted.day("date_from")) is not None:
        qs = qs.filter(day__gte=start)
    if (end := posted.day("date_to")) is not None:
        qs = qs.filter(day__lte=end)
    if (worker := posted.integer("worker")) is not None:
        qs = qs.filter(worker_id=worker)
    return qs.order_by("-observed_at", "-id")


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    posted = Posted(request.GET)
    look = Lookup(user)
    qs = _filtered_findings(user, posted, look)
    # A filter that does not parse (从 2026-02-30) is marked on its field and named in the
    # message; the list is shown with the other filters (422), not an error page.
    errors = {**look.errors, **posted.errors}
    context = {
        "errors": errors,
        "error_text": views_forms.labelled(ValidationError(errors=errors), FINDING_FILTER_LABELS)
        if errors
        else "",
        "tabs": tabs(user),
        "page": paginate(request, qs),
        "query": query_without_page(request),
        "params": {k: request.GET.get(k, "") for k in FINDING_FILTERS},
        "outcomes": [(c.value, c.label) for c in Outcome],
        "categories": [(c.value, c.label) for c in FindingCategory],
        "communities": communities(user),
    }
    return render(request, "gridwork/findings.html", context, status=422 if errors else 200)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    found = selectors.finding_get(user, pk)
    marker = (
        [{"lon": found.lon, "lat": found.lat, "kind": found.outcome, "label": found.get_category_display()}]
        if found.lon is not None and found.lat is not None
        else []
    )
    map_data = {
        "grids": [{"name": found.node.name, "geometry": found.node.geometry}],
        "routes": [],
        "markers": marker,
    }
    context = {"tabs": tabs(user), "finding": found, "photos": found.photos.all(), "map_data": map_data}
    return render(request, "gridwork/finding.html", context)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.photo_get(request.user, pk)
    return FileResponse(found.file.open("rb"), content_type=found.content_type)


urlpatterns = [
    path("", coverage, name="coverage"),
    path("team/", team, name="team"),
    path("workers/<int:pk>/", worker_month, name="worker_month"),
    path("workers/<int:pk>/<str:day>/", worker_day, name="worker_day"),
    path("findings/", findings, name="findings"),
    path("findings/<int:pk>/", finding_detail, name="finding"),
    path("photos/<int:pk>/", photo, name="photo"),
]
