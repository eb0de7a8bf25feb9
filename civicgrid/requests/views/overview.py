"""接诉即办总览 ``/requests/overview/``: the leader's one page (``requests.overview``)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from civicgrid.requests.overview import DAYS, overview
from civicgrid.requests.rates.access import rate_paths


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    rate_paths(request.user)  # RATES_VIEW somewhere, else 403
    found = overview(request.user)
    return render(
        request,
        "requests/overview.html",
        {"o": found, "chart": found.chart(), "days": DAYS, "now": timezone.localtime()},
    )


urlpatterns: list[URLPattern] = [path("overview/", overview_page, name="overview")]
