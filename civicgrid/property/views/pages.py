"""Pages of red property under /property/: the board, companies, compounds, inspections."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.property import selectors
from civicgrid.property.constants import (
    CHECK_ITEM_MAX,
    MANUAL_SOURCES,
    RECTIFY_DAYS,
    CheckItem,
    CommitteePost,
    ExitReason,
    MemberEndReason,
    NegativeItem,
)
from civicgrid.property.models import CompanyProfile, Inspection, ServiceContract
from civicgrid.property.permissions import ADJUSTING_KINDS, manage_filter, may_adjust, may_manage
from civicgrid.property.services.contracts import may_manage_company
from civicgrid.property.views.common import Kept, require_view, year_param
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node

INSPECTIONS_SHOWN = 50  # a company page lists the year's newest inspections, saying so when there are more


@login_required
def board(request: HttpRequest) -> HttpResponse:
    require_view(request)
    year, refused = year_param(request)
    if refused:
        messages.error(request, refused)
    this_year = timezone.localdate().year
    context = {
        "board": selectors.board(request.user, year),
        "year": year,
        "years": list(range(this_year, this_year - 5, -1)),
    }
    return render(request, "property/board.html", context, status=422 if refused else 200)


@login_required
def compounds(request: HttpRequest) -> HttpResponse:
    require_view(request)
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.compounds_visible(request.user).select_related("parent")
    if q:
        qs = qs.filter(name__contains=q)
    page = paginate(request, qs.order_by("path"))
    serving = {
        c.node_id: c
        for c in ServiceContract.objects.filter(
            node__in=list(page.object_list), ends_on__isnull=True, voided_at__isnull=True
        ).select_related("company")
    }
    rows = [(node, serving.get(node.pk)) for node in page.object_list]
    context = {"page": page, "rows": rows, "q": q, "query": query_without_page(request)}
    return render(request, "property/compounds.html", context)


REQUESTS_SHOWN = 20  # the compound page's recent requests, and its councils


@login_required
def compound(request: HttpRequest, pk: int) -> HttpResponse:
    return compound_page(request, selectors.compound_get(request.user, pk))


def compound_page(
    request: HttpRequest, found: Node, kept: Kept | None = None, status: int = 200
) -> HttpResponse:
    """The compound's page; ``kept`` is a refused form's input, shown again in that form."""
    today = timezone.localdate()
    committees = list(
        selectors.committees_visible(request.user).filter(node=found).order_by("-term_starts_on")
    )
    manages = may_manage(request.user, found.path)
    inspection_kept = kept.values if kept is not None and kept.form == "inspection" else {}
    # The requests concerning the compound that the reader may see (located in it, its
    # building, or its name in the address: selectors.concerning_q), through the requests
    # app's scope; the three-party councils held on them. Read-only.
    located = selectors.compound_requests(request.user, found)
    councils = selectors.councils_of(located)
    context = {
        "requests_here": list(located.order_by("-received_at", "-id")[:REQUESTS_SHOWN]),
        "requests_total": located.count(),
        "councils": list(councils[:REQUESTS_SHOWN]),
        "councils_total": councils.count(),
        "compound": found,
        "open": selectors.open_contract(found),
        "contracts": found_contracts(found),
        "committees": [(c, selectors.members_of(c), c.term_ends_on >= today) for c in committees],
        "inspections": selectors.inspections_visible(request.user).filter(node=found)[:50],
        "can_manage": manages,
        "companies": selectors.companies_to_choose()[:500] if manages else [],
        "exit_reasons": ExitReason.choices,
        "check_items": [
            (
                item,
                CHECK_ITEM_MAX[item],
                inspection_kept.get(f"deduction_{item.value}", "0"),
                inspection_kept.get(f"note_{item.value}", ""),
            )
            for item in CheckItem
        ],
        "posts": CommitteePost.choices,
        "negative_items": NegativeItem.choices,
        "member_end_reasons": MemberEndReason.choices,
        "residents": found_residents(request, found),
        "today": today.isoformat(),
        "rectify_default": (today + timedelta(days=RECTIFY_DAYS)).isoformat(),
        "kept": kept,
    }
    return render(request, "property/compound.html", context, status=status)


def found_contracts(compound: Node) -> list[ServiceContract]:
    """Every contract of the compound, the newest first (the compound is in scope)."""
    return list(
        ServiceContract.objects.filter(node=compound)
        .select_related("company", "voided_by")
        .order_by("-starts_on", "-id")
    )


def found_residents(request: HttpRequest, compound: Node) -> list[Resident]:
    """Residents of the compound to link a committee member to, for whoever manages its
    committee (name and masked ID number only; no registry access needed), of full age today."""
    adults_on = timezone.localdate()
    return list(selectors.member_candidates(request.user, compound, adults_on=adults_on)[:300])


@login_required
def company(request: HttpRequest, pk: int) -> HttpResponse:
    return company_page(request, selectors.company_get(request.user, pk))


def company_page(
    request: HttpRequest, found: Organisation, kept: Kept | None = None, status: int = 200
) -> HttpResponse:
    """The company's page; ``kept`` is a refused form's input, shown again in that form."""
    year, refused = year_param(request)
    if refused:
        messages.error(request, refused)
        status = 422 if status == 200 else status
    this_year = timezone.localdate().year
    score = selectors.score(found, year)
    adjusting = manage_filter(
        Node.objects.filter(kind__in=ADJUSTING_KINDS, is_active=True), request.user, "path"
    )
    # The year's compounds served and inspections in scope, by the rules the board counts them.
    contracts = list(
        selectors.served_in(request.user, year).filter(company=found).order_by("ends_on", "-starts_on")
    )
    inspections = selectors.inspections_in(request.user, year).filter(company=found)
    inspected = selectors.inspection_totals(inspections).get(found.pk, selectors.InspectionTotals())
    # The year's requests concerning the compounds it served when they were received, in
    # scope, and the three-party councils held on them (selectors.company_requests).
    concerning = selectors.company_requests(request.user, found, year)
    councils = selectors.councils_of(concerning)
    ledger = Paginator(selectors.ledger(request.user, found, year), 100).get_page(request.GET.get("page"))
    context = {
        "company": found,
        "profile": CompanyProfile.objects.filter(company=found).first(),
        "year": year,
        "years": list(range(this_year, this_year - 5, -1)),
        "score": score,
        "list": selectors.board_list(score),
        "contracts": contracts,
        "compounds_served": len({c.node_id for c in contracts}),
        "inspected": inspected,
        "inspections_shown": INSPECTIONS_SHOWN,
        "ledger": ledger,
        "reversible": {
            e.pk
            for e in ledger
            if e.source in MANUAL_SOURCES
            and not hasattr(e, "reversed_by")
            and may_adjust(request.user, e.node)
        },
        "elsewhere": selectors.ledger_elsewhere(request.user, found, year),
        "inspections": inspections[:INSPECTIONS_SHOWN],
        "requests_here": list(concerning.order_by("-received_at", "-id")[:REQUESTS_SHOWN]),
        "requests_total": concerning.count(),
        "councils": list(councils[:REQUESTS_SHOWN]),
        "councils_total": councils.count(),
        "can_manage": may_manage_company(request.user, found),
        # The company's contact: its phone masked as everywhere, the full one behind the
        # registry's audited reveal to those who hold PII_VIEW where it is registered.
        "can_reveal": bool(found.contact_phone_masked)
        and can(request.user, Capability.PII_VIEW, found.node_path),
        "adjusting": list(adjusting.order_by("path")[:100]),
        "this_year": this_year,
        "kept": kept,
    }
    return render(request, "property/company.html", context, status=status)


@login_required
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    return inspection_page(request, selectors.inspection_get(request.user, pk))


def inspection_page(
    request: HttpRequest, found: Inspection, kept: Kept | None = None, status: int = 200
) -> HttpResponse:
    """One inspection item by item, voided or with the void form for those who manage it."""
    order = {item.value: i for i, item in enumerate(CheckItem)}
    items = sorted(found.items.all(), key=lambda row: order.get(row.item, 99))
    context = {
        "inspection": found,
        "items": items,
        "can_manage": may_manage(request.user, found.node_path),
        "kept": kept,
    }
    return render(request, "property/inspection.html", context, status=status)
