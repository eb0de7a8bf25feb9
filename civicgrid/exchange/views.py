from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.IMPORT)
    return render(request, "exchange/imports.html", {})
