"""Registry pages: searchable, filterable, paginated lists; masked PII with audited reveal."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require_any
from civicgrid.core.errors import NotFound
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.validators import fold, normalise_credit_code
from civicgrid.registry import selectors, services
from civicgrid.registry.models import (
    DwellingUse,
    Gender,
    OrganisationKind,
    ResidenceType,
    Resident,
    ResidentTag,
)
from civicgrid.registry.pii import PiiSearchLimited
from civicgrid.territory.models import Node
from civicgrid.territory.selectors import node_get


def _under(request: HttpRequest) -> Node | None:
    raw = request.GET.get("under", "")
    return node_get(request.user, int(raw)) if raw.isdigit() else None


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REGISTRY_VIEW)
    under = _under(request)
    context: dict[str, Any] = {
        "under": under,
        "query": query_without_page(request),
        "tags": ResidentTag.objects.all(),
        "residence_types": ResidenceType.choices,
        "genders": Gender.choices,
        "params": request.GET,
    }
    try:
        qs = selectors.resident_search(
            request.user,
            q=request.GET.get("q", ""),
            under=under,
            tag=request.GET.get("tag", ""),
            residence_type=request.GET.get("residence_type", ""),
            gender=request.GET.get("gender", ""),
        )
    except PiiSearchLimited as exc:  # the form stays, with the reason above an empty list
        context |= {"page": paginate(request, Resident.objects.none()), "error": exc.message}
        return render(request, "registry/residents.html", context, status=exc.http_status)
    if request.GET.get("export") == "xlsx":
        from civicgrid.exchange.exports import residents_xlsx

        return residents_xlsx(request.user, qs)
    return render(request, "registry/residents.html", context | {"page": paginate(request, qs)})


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(request.user, pk)
    return render(
        request,
        "registry/resident.html",
        {
            "resident": resident,
            "can_reveal": can(request.user, Capability.PII_VIEW, resident.node_path),
        },
    )


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(request.user, pk)
    clear = services.resident_reveal_pii(actor=request.user, resident=resident)
    return render(request, "registry/_revealed.html", {"clear": clear})


@login_required
def dwelling_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REGISTRY_VIEW)
    qs = selectors.dwellings_visible(request.user).select_related("node")
    under = _under(request)
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if use := request.GET.get("use", ""):
        qs = qs.filter(use=use)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(room__contains=fold(q)) | qs.filter(code__contains=fold(q).upper())
    qs = qs.order_by("node_path", "room")
    if request.GET.get("export") == "xlsx":
        from civicgrid.exchange.exports import dwellings_xlsx

        return dwellings_xlsx(request.user, qs)
    return render(
        request,
        "registry/dwellings.html",
        {
            "page": paginate(request, qs),
            "under": under,
            "uses": DwellingUse.choices,
            "query": query_without_page(request),
            "params": request.GET,
        },
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REGISTRY_VIEW)
    qs = selectors.organisations_visible(request.user).select_related("node")
    under = _under(request)
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if kind := request.GET.get("kind", ""):
        qs = qs.filter(kind=kind)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(name__contains=q) | qs.filter(credit_code=normalise_credit_code(q))
    qs = qs.order_by("node_path", "name")
    if request.GET.get("export") == "xlsx":
        from civicgrid.exchange.exports import organisations_xlsx

        return organisations_xlsx(request.user, qs)
    page = paginate(request, qs)
    for org in page:
        org.can_reveal = can(request.user, Capability.PII_VIEW, org.node_path)
    return render(
        request,
        "registry/organisations.html",
        {
            "page": page,
            "under": under,
            "kinds": OrganisationKind.choices,
            "query": query_without_page(request),
            "params": request.GET,
        },
    )


@login_required
@require_POST
def organisation_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisations_visible(request.user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("单位不存在或您无权查看"))
    clear = services.organisation_reveal_pii(actor=request.user, organisation=org)
    return render(request, "registry/_revealed.html", {"clear": clear})
