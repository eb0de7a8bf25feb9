"""接诉即办总览 ``/requests/overview/``: the leader's one page (``requests.overview``)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.requests.overview import DAYS, overview
from civicgrid.requests.rates.access import rate_paths, scope_target
from civicgrid.requests.views.rates import _refused, area_asked, area_choices


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    rate_paths(request.user)  # RATES_VIEW somewhere, else 403
    # ?node=: one area within the reader's scope (one outside it: 404); a malformed one is
    # said above the page, whose figures are then the whole scope's, as on the rates pages.
    refused = ""
    try:
        area = area_asked(request)
    except ValidationError as exc:
        refused, area = _refused(exc), None
    found = overview(request.user, area=area)
    context = {
        "o": found,
        "chart": found.chart(),
        "days": DAYS,
        "now": timezone.localtime(),
        "area": area,
        "nodes": area_choices(request.user, area or scope_target(request.user)),
        # The ledger links carry the area: the ledger then lists the requests behind each figure.
        "node_q": f"&node={area.pk}" if area is not None else "",
        "refused": refused,
    }
    return render(request, "requests/overview.html", context, status=422 if refused else 200)


urlpatterns: list[URLPattern] = [path("overview/", overview_page, name="overview")]
