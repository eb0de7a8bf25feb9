"""The party overview: coverage per grid, reporting rates, projects and units' contributions, with charts."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicgrid.party import figures
from civicgrid.party.constants import ProjectStatus
from civicgrid.party.views.common import require_view, under_param

CHART_ROWS = 40


def _chart(actor: Any, under: Any, coverage: list[figures.GridCoverage]) -> dict[str, Any]:
    communities = [r for r in figures.rates_by_community(actor, under=under) if r.rate.total][:CHART_ROWS]
    units = [r for r in figures.rates_by_unit(actor, under=under) if r.rate.total][:CHART_ROWS]
    contributions = figures.unit_contributions(actor, under=under)
    counts = figures.project_counts(actor, under=under)
    return {
        "coverage": {
            "grids": [r.grid.name for r in coverage[:CHART_ROWS]],
            "members": [r.members for r in coverage[:CHART_ROWS]],
            "hubs": [r.hubs for r in coverage[:CHART_ROWS]],
            "groups": [r.groups for r in coverage[:CHART_ROWS]],
        },
        "communities": {
            "names": [r.label for r in communities],
            "rates": [r.rate.percent for r in communities],
        },
        "units": {
            "names": [f"{r.label} · {r.detail}" if r.detail else r.label for r in units],
            "rates": [r.rate.percent for r in units],
        },
        "projects": [{"name": ProjectStatus(s).label, "value": counts[s]} for s in ProjectStatus.values],
        "done": figures.projects_done_by_month(actor, under=under),
        "contributions": {
            "names": [c.unit.name for c in contributions],
            "points": [c.points for c in contributions],
        },
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require_view(request)
    under = under_param(request)
    coverage = figures.coverage_by_grid(request.user, under=under)
    data = figures.overview(request.user, under=under, coverage=coverage)
    context = {
        "under": under,
        "data": data,
        "chart": _chart(request.user, under, coverage),
        "coverage": coverage[:200],
        "contributions": figures.unit_contributions(request.user, under=under),
        "pending": figures.reports_pending(request.user),
    }
    return render(request, "party/overview.html", context)
