"""Pages of the three rates (三率统计), the monthly ranking (月度排名) and the weekly report (周报).

Visible to roles holding ``Capability.RATES_VIEW``; every figure is cut to the actor's scope
(units and territory nodes under their RATES_VIEW nodes). The "统计对象" list stays small at
any scope, as the ledger's filters (``views.ledger.area_options`` / ``unit_options``): the
reader's areas and the levels below, the chosen one with its line and children, the units
nearest the reader; any other unit is typed by its code (``unit_code``).
"""

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import typed_day
from civicgrid.exchange.exports import attachment
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.rates.access import (
    AREA,
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
from civicgrid.requests.rates.figures import FIRST_YEAR, Period, add_months
from civicgrid.requests.rates.ranking import (
    RankClass,
    Ranking,
    Thresholds,
    ranking_month,
    ranking_recompute_check,
    rankings,
)
from civicgrid.requests.rates.report import weekly_report, weekly_report_xlsx
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


def _trend_chart(trend: list[tuple[date, Any]]) -> dict[str, Any]:
    return {
        "months": [f"{m:%Y-%m}" for m, _ in trend],
        "series": {
            key: [r.chart()[key] for _, r in trend]
            for key in ("response", "resolution", "satisfaction", "composite")
        },
    }


def _refused(exc: ValidationError) -> str:
    """A bad filter, said above the page: the page then shows its default figures, with the
    form to put the filter right (not an error page that loses the form)."""
    reasons = [reason for reasons in exc.errors.values() for reason in reasons]
    return "；".join(reasons) or str(exc.message)


def _choices(actor: Any, target: Target) -> dict[str, Any]:
    """The "统计对象" list: a few hundred areas and units at most, the target among them."""
    visible = nodes_visible(actor)
    chosen = visible.filter(pk=target.pk).first() if target.kind == AREA and target.pk else None
    areas = area_options(visible, rate_paths(actor), chosen)
    units = unit_options(units_visible(actor), own=unit_ids(actor), selected=[target.unit_id])
    return {"nodes": [(n, INDENT * level) for n, level in areas], "units": units}


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
    context = {
        "target": target,
        "period": period,
        "rates": rates,
        "shown": rates.display(),
        "source": source,
        "trend": [(m, r, r.display()) for m, r in trend],
        "chart": _trend_chart(trend),
        **_choices(request.user, target),
        "params": request.GET,
        "month_value": f"{period.start:%Y-%m}" if period.whole_month else "",
        "is_live": period.end >= timezone.localdate(),
        "refused": refused,
    }
    return render(request, "requests/rates/rates.html", context, status=422 if refused else 200)


def _board(board: Ranking, visible: set[int]) -> dict[str, Any]:
    """One kind's table, cut to the units the reader may see; the header counts those only
    (a handler saw every class's count of the whole ranking above an empty table)."""
    ranked = [r for r in board.ranked if r.unit_id in visible]
    return {
        "ranking": board,
        "ranked": ranked,
        "hidden": len(board.ranked) - len(ranked),  # ranked units beyond the reader's scope
        "unranked": [r for r in board.unranked if r.unit_id in visible],
        "bottom": [r for r in board.bottom if r.unit_id in visible],
        "classes": [(c.label, sum(1 for r in ranked if r.klass == c.value)) for c in RankClass],
        "chart_id": f"rank-data-{board.kind}",
        "chart_height": max(120, 26 * len(ranked) + 40),
        "chart": {
            "names": [r.name for r in ranked],
            "scores": [r.rates.chart()["composite"] for r in ranked],
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
    visible = visible_unit_ids(request.user)
    ranked = rankings(month).values()
    boards = [_board(b, visible) for b in ranked]
    # The recount compares every unit of the ranking: only for readers who see all of them (a
    # leader of the district), not a GET any handler could send for the whole district.
    can_check = all(r.unit_id in visible for b in ranked for r in (*b.ranked, *b.unranked))
    thresholds = Thresholds.from_settings()
    context = {
        "thresholds": thresholds,
        "shares": thresholds.shown(),
        "month": month,
        "month_value": f"{month:%Y-%m}",
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
    try:
        week = typed_day(raw, field="week", label=gettext("统计周")) if raw else today - timedelta(days=7)
        report = weekly_report(request.user, week)
    except ValidationError as exc:
        refused, report = _refused(exc), weekly_report(request.user, today - timedelta(days=7))
    if request.GET.get("format") == "xlsx" and not refused:
        period = report.period  # both ends included
        name = gettext("接诉即办周报_{start}至{end}.xlsx").format(start=period.start, end=period.end)
        return attachment(weekly_report_xlsx(report), content_type=XLSX, filename=name)
    context = {
        "report": report,
        "shown": report.rates.display(),
        "week_value": f"{report.period.start:%Y-%m-%d}",
        "previous_week": _week_before(report.period.start),
        "next_week": f"{report.period.start + timedelta(days=7):%Y-%m-%d}",
        "has_next": report.period.end < today,  # a week that has not begun is refused
        "is_live": report.is_live,
        "this_week": f"{today:%Y-%m-%d}",
        "refused": refused,
    }
    return render(request, "requests/rates/weekly.html", context, status=422 if refused else 200)


urlpatterns: list[URLPattern] = [
    path("rates/", rates_page, name="rates"),
    path("rates/ranking/", ranking_page, name="ranking"),
    path("rates/weekly/", weekly_report_page, name="weekly_report"),
]
