"""Pages of the three rates (三率统计), the monthly ranking (月度排名) and the weekly report (周报).

Visible to roles holding ``Capability.RATES_VIEW``; every figure is cut to the actor's scope
(units and territory nodes under their RATES_VIEW nodes). The "统计对象" list stays small at
any scope, as the ledger's filters (``views.ledger.area_options`` / ``unit_options``): the
reader's areas and the levels below, the chosen one with its line and children, the units
nearest the reader; any other unit is typed by its code (``unit_code``).
"""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core.errors import ValidationError
from civicgrid.core.pagination import query_without_page
from civicgrid.core.validators import typed_day
from civicgrid.exchange.exports import attachment, limit_export, xlsx_response
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.rates.access import (
    AREA,
    UNIT,
    Target,
    asked_period,
    node_target,
    nodes_visible,
    rate_paths,
    scope_target,
    target_rates,
    target_trend,
    unit_target,
    units_visible,
    visible_unit_ids,
)
from civicgrid.requests.rates.cells import RAW, current_month, rollup_ready
from civicgrid.requests.rates.drill import OUTCOMES, outcome_checked, ratings_behind
from civicgrid.requests.rates.exports import RATING_HEADERS, ranking_xlsx, rates_xlsx, rating_rows
from civicgrid.requests.rates.figures import FIRST_YEAR, Period, Weights, add_months
from civicgrid.requests.rates.ranking import (
    RankClass,
    Ranking,
    Thresholds,
    node_not_ranked,
    ranking_month,
    ranking_recompute_check,
    rankings,
)
from civicgrid.requests.rates.report import weekly_report, weekly_report_xlsx
from civicgrid.requests.selectors import requests_visible
from civicgrid.requests.views.ledger import INDENT, area_options, unit_by_code, unit_options

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int_value(raw: str, name: str, label: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    # ASCII digits within an id's range, as the API reads them ('٣' or a 20-digit number is
    # refused alike on both, not opened on one and refused on the other).
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 18:
        raise ValidationError(gettext("{label}参数无效").format(label=label), field=name)
    return int(raw)


def _target_params(request: HttpRequest) -> dict[str, str]:
    """``unit=5`` / ``node=3``, or the form's single "统计对象" select: ``target=unit:5``; a
    unit's code typed beside the list (``unit_code``) wins over both."""
    if request.GET.get("unit_code", "").strip():
        unit = unit_by_code(units_visible(request.user), request.GET["unit_code"])
        if unit is None:
            raise ValidationError(gettext("承办单位不存在或您无权查看"), field="unit_code")
        return {"unit": str(unit.pk), "node": ""}
    params = {"unit": request.GET.get("unit", ""), "node": request.GET.get("node", "")}
    combined = request.GET.get("target", "").strip()
    if combined:
        kind, _, pk = combined.partition(":")
        if kind not in params or not pk:
            raise ValidationError(gettext("统计对象参数无效"), field="target")
        params[kind] = pk
    return params


def _target(request: HttpRequest) -> Target:
    params = _target_params(request)
    unit = _int_value(params["unit"], "unit", gettext("承办单位"))
    node = _int_value(params["node"], "node", gettext("区域"))
    if unit is not None and node is not None:
        raise ValidationError(gettext("承办单位和区域只能选择一个"), field="unit")
    if unit is not None:
        return unit_target(request.user, unit)
    if node is not None:
        return node_target(request.user, node)
    return scope_target(request.user)


def _period(request: HttpRequest) -> Period:
    return asked_period(
        request.GET.get("month", ""), request.GET.get("start", ""), request.GET.get("end", "")
    )


def period_query(period: Period) -> dict[str, str]:
    """The period as the pages' parameters: ``month`` for a whole month, else ``start``/``end``."""
    if period.whole_month:
        return {"month": f"{period.start:%Y-%m}"}
    return {"start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}


def ratings_query(target: Target, period: Period | None) -> str:
    """The query of the ratings list (``rates_ratings``) behind ``target``'s figures in ``period``
    (None: the target alone); add ``outcome``."""
    asked = period_query(period) if period is not None else {}
    if target.kind == UNIT:
        asked["unit"] = str(target.unit_id)
    elif target.pk is not None:
        asked["node"] = str(target.pk)
    return urlencode(asked)


def received_query(target: Target, period: Period) -> str | None:
    """The ledger's query listing the requests a target received in a period (受理: by the lead
    unit, or by place), or None when no ledger filter says it (a scope of several areas)."""
    asked = {"received_from": f"{period.start:%Y-%m-%d}", "received_to": f"{period.end:%Y-%m-%d}"}
    if target.kind == UNIT:
        asked["lead_unit"] = str(target.unit_id)
    elif target.pk is not None:
        asked["node"] = str(target.pk)
    elif target.paths != ("",):
        return None
    return urlencode(asked)


AXIS_MARGIN = 5  # points below the lowest value where a chart's value axis starts


def axis_floor(values: list[float | None]) -> int:
    """Where a 0–100 chart's value axis starts: a multiple of 5 at least ``AXIS_MARGIN`` below
    the lowest value (0 when there is none, or it is that low), so 89 and 100 do not overlap
    and 94 does not look like 100; the chart says so on the axis."""
    shown = [v for v in values if v is not None]
    if not shown:
        return 0
    return max(0, int((min(shown) - AXIS_MARGIN) // 5 * 5))


def _trend_chart(trend: list[tuple[date, Any]]) -> dict[str, Any]:
    keys = ("response", "resolution", "satisfaction", "composite")
    series = {key: [r.chart()[key] for _, r in trend] for key in keys}
    return {
        "months": [f"{m:%Y-%m}" for m, _ in trend],
        "series": series,
        "axis_min": axis_floor([v for values in series.values() for v in values]),
    }


def _refused(exc: ValidationError) -> str:
    """A bad filter, said above the page: the page then shows its default figures, with the
    form to put the filter right (not an error page that loses the form)."""
    reasons = [reason for reasons in exc.errors.values() for reason in reasons]
    return "；".join(reasons) or str(exc.message)


def area_choices(actor: Any, target: Target) -> list[tuple[Any, str]]:
    """The areas of the "统计对象" / "区域" list, indented: the reader's areas and the levels
    below, the chosen one with its line and children (a few hundred at most)."""
    visible = nodes_visible(actor)
    chosen = visible.filter(pk=target.pk).first() if target.kind == AREA and target.pk else None
    return [(n, INDENT * level) for n, level in area_options(visible, rate_paths(actor), chosen)]


def area_asked(request: HttpRequest) -> Target | None:
    """The area ``?node=`` narrows a page to (总览, 周报), within the reader's RATES_VIEW scope
    (one outside it: 404, as on the rates page); None when none is asked for."""
    pk = _int_value(request.GET.get("node", ""), "node", gettext("区域"))
    return None if pk is None else node_target(request.user, pk)


def _choices(actor: Any, target: Target) -> dict[str, Any]:
    """The "统计对象" list: a few hundred areas and units at most, the target among them."""
    units = unit_options(units_visible(actor), own=unit_ids(actor), selected=[target.unit_id])
    return {"nodes": area_choices(actor, target), "units": units}


@login_required
def rates_page(request: HttpRequest) -> HttpResponse:
    rate_paths(request.user)
    refused = ""
    try:
        target, period = _target(request), _period(request)
    except ValidationError as exc:
        refused = _refused(exc)
        target, period = scope_target(request.user), Period.month(current_month())
    rates, source = target_rates(target, period)
    trend = target_trend(target, period.months()[-1])
    if request.GET.get("format") == "xlsx" and not refused:
        name = gettext("三率统计_{label}_{period}.xlsx").format(label=target.label, period=period.label)
        return attachment(rates_xlsx(target, period, rates, trend), content_type=XLSX, filename=name)
    context = {
        "target": target,
        "period": period,
        "rates": rates,
        "shown": rates.display(),
        "source": source,
        "trend": [(m, r, r.display()) for m, r in trend],
        "drill_target": ratings_query(target, None),
        "drill": ratings_query(target, period),
        "not_contacted": rates.counts.rated - rates.counts.contacted,
        "received_query": received_query(target, period),
        "chart": _trend_chart(trend),
        "weights_note": Weights.from_settings().note(),
        **_choices(request.user, target),
        "params": request.GET,
        # What was typed stays in the form when it was refused, to be put right.
        "month_value": request.GET.get("month", "").strip()
        if refused and request.GET.get("month", "").strip()
        else (f"{period.start:%Y-%m}" if period.whole_month else ""),
        "is_live": period.end >= timezone.localdate(),
        "refused": refused,
        "xlsx_query": urlencode({k: v for k, v in request.GET.items() if k != "format"} | {"format": "xlsx"}),
    }
    return render(request, "requests/rates/rates.html", context, status=422 if refused else 200)


@login_required
def ratings_page(request: HttpRequest) -> HttpResponse:
    """The ratings behind a figure (评价明细): the target, period and outcome of the rates page
    (``outcome=unsatisfied`` …); as many rows as the figure counts, each linked to its request."""
    rate_paths(request.user)
    refused = ""
    try:
        target, period = _target(request), _period(request)
        outcome = outcome_checked(request.GET.get("outcome", ""))
    except ValidationError as exc:
        refused = _refused(exc)
        target, period, outcome = scope_target(request.user), Period.month(current_month()), "all"
    behind = ratings_behind(target, period, outcome)
    if request.GET.get("format") == "xlsx" and not refused:
        # The rows the page lists, for an analyst to recount the rates (requesters masked).
        limit_export(behind)
        name = gettext("评价明细_{label}_{period}").format(label=target.label, period=period.label)
        asked = {k: v for k, v in request.GET.items() if k != "format"}
        return xlsx_response(
            actor=request.user,
            list_name=name,
            headers=RATING_HEADERS,
            rows=rating_rows(request.user, behind),
            filters=asked,
        )
    paginator = Paginator(behind, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    shown = [r.request_id for r in page]
    context = {
        # The figure is the reader's scope of the rates; a request's page only where they may open it.
        "openable": set(requests_visible(request.user).filter(pk__in=shown).values_list("pk", flat=True)),
        "target": target,
        "period": period,
        "outcome_label": OUTCOMES[outcome][0],
        "page": page,
        "query": query_without_page(request),
        "refused": refused,
        "may_export": has_capability(request.user, Capability.EXPORT),
        "xlsx_query": urlencode(
            {k: v for k, v in request.GET.items() if k not in ("format", "page")} | {"format": "xlsx"}
        ),
    }
    return render(request, "requests/rates/ratings.html", context, status=422 if refused else 200)


def _board(board: Ranking, visible: set[int]) -> dict[str, Any]:
    """One kind's table, cut to the units the reader may see; the header counts those only
    (a handler saw every class's count of the whole ranking above an empty table)."""
    ranked = [r for r in board.ranked if r.unit_id in visible]
    return {
        "ranking": board,
        "ranked": ranked,
        "ranked_all": len(board.ranked),  # how many take part, the reader's or not
        "hidden": len(board.ranked) - len(ranked),  # ranked units beyond the reader's scope
        "unranked": [r for r in board.unranked if r.unit_id in visible],
        "bottom": [r for r in board.bottom if r.unit_id in visible],
        "classes": [(c.label, sum(1 for r in ranked if r.klass == c.value)) for c in RankClass],
        "chart_id": f"rank-data-{board.kind}",
        "chart_height": max(120, 26 * len(ranked) + 40),
        "chart": {
            "names": [r.name for r in ranked],
            "scores": (scores := [r.rates.chart()["composite"] for r in ranked]),
            "axis_min": axis_floor(scores),
        },
    }


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    rate_paths(request.user)
    raw = request.GET.get("month", "").strip()
    refused = ""
    try:
        month = ranking_month(raw)
    except ValidationError as exc:
        refused, month = _refused(exc), add_months(current_month(), -1)
    if request.GET.get("node", "").strip() and not refused:
        # The ranking ranks the units of the whole district against each other: it has no area
        # to narrow to, and a ?node= silently ignored read as that area's ranking.
        refused = node_not_ranked()  # the full ranking below, the reason above
    visible = visible_unit_ids(request.user)
    ranked = rankings(month).values()
    boards = [_board(b, visible) for b in ranked]
    # The recount compares every unit of the ranking: only for readers who see all of them (a
    # leader of the district), not a GET any handler could send for the whole district.
    can_check = all(r.unit_id in visible for b in ranked for r in (*b.ranked, *b.unranked))
    if request.GET.get("format") == "xlsx" and not refused:
        name = gettext("月度排名_{month:%Y-%m}.xlsx").format(month=month)
        return attachment(ranking_xlsx(month, boards), content_type=XLSX, filename=name)
    thresholds = Thresholds.from_settings()
    context = {
        "thresholds": thresholds,
        "weights_note": Weights.from_settings().note(),
        "shares": thresholds.shown(),
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "month_end": Period.month(month).end,
        "boards": boards,
        "is_live": month >= current_month(),
        "from_rollup": rollup_ready(month),
        "can_check": can_check,
        "check": ranking_recompute_check(month) if can_check and request.GET.get("check") == "1" else None,
        "raw": RAW,
        "refused": refused,
    }
    return render(request, "requests/rates/ranking.html", context, status=422 if refused else 200)


def _week_before(monday: date) -> str:
    """The link to the week before, unless it falls before the first year the pages take."""
    before = monday - timedelta(days=7)
    return f"{before:%Y-%m-%d}" if before.year >= FIRST_YEAR else ""


@login_required
def weekly_report_page(request: HttpRequest) -> HttpResponse:
    rate_paths(request.user)
    raw = request.GET.get("week", "").strip()
    today = timezone.localdate()
    # Without a week asked for: the last complete week, the one a weekly report is about.
    refused = ""
    area = None
    try:
        area = area_asked(request)
        week = typed_day(raw, field="week", label=gettext("统计周")) if raw else today - timedelta(days=7)
        report = weekly_report(request.user, week, area=area)
    except ValidationError as exc:
        refused, report = _refused(exc), weekly_report(request.user, today - timedelta(days=7), area=area)
    if request.GET.get("format") == "xlsx" and not refused:
        period = report.period  # both ends included
        name = gettext("接诉即办周报_{start}至{end}.xlsx").format(start=period.start, end=period.end)
        return attachment(weekly_report_xlsx(report), content_type=XLSX, filename=name)
    period = report.period
    days = period_query(period)  # a week: its first and last day
    scope = {"node": str(report.scope.pk)} if report.scope.pk is not None else {}
    same_time = report.before is not None and report.before.same_time
    context = {
        "report": report,
        "changes": report.changes(),
        # A week not over is set against the week before up to the same moment (同期).
        "before_label": gettext("较上周同期") if same_time else gettext("较上周"),
        "before_end_label": gettext("较上周同期") if same_time else gettext("较上周末"),
        "received_query": received_query(report.scope, period),
        "overdue_query": urlencode({**scope, "overdue_at": f"{period.end:%Y-%m-%d}"}),
        "hot_spots": [
            (
                spot,
                received_query(Target(AREA, spot.name, pk=spot.node_id), period) if spot.node_id else None,
                urlencode({"node": str(spot.node_id), **days}) if spot.node_id else None,
            )
            for spot in report.hot_spots
        ],
        "shown": report.rates.display(),
        "weights_note": Weights.from_settings().note(),
        "week_value": f"{report.period.start:%Y-%m-%d}",
        "previous_week": _week_before(report.period.start),
        "next_week": f"{report.period.start + timedelta(days=7):%Y-%m-%d}",
        "has_next": report.period.end < today,  # a week that has not begun is refused
        "is_live": report.is_live,
        "this_week": f"{today:%Y-%m-%d}",
        "refused": refused,
        # The area asked for, carried by the week's links and the Excel link (&node=3).
        "node_q": f"&node={area.pk}" if area is not None else "",
        "area": area,
        "nodes": area_choices(request.user, area or scope_target(request.user)),
    }
    return render(request, "requests/rates/weekly.html", context, status=422 if refused else 200)


urlpatterns: list[URLPattern] = [
    path("rates/", rates_page, name="rates"),
    path("rates/ratings/", ratings_page, name="rates_ratings"),
    path("rates/ranking/", ranking_page, name="ranking"),
    path("rates/weekly/", weekly_report_page, name="weekly_report"),
]
