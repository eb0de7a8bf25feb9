"""Reads of red property, cut to the actor's scope (``PROPERTY_VIEW`` on the compound's path).

A company is seen by whoever sees its registered place or a compound it serves or served.
Its credit score for a year is the company's, whole (every ledger row counts, wherever the
compound lies): ``score = 100 + sum of that year's points`` (docs/formulas.md). The ledger's
rows are listed only within the actor's scope; the rest is shown as one count and sum.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.selectors import scope_filter, scope_paths, scope_q
from civicgrid.core.errors import NotFound
from civicgrid.property.constants import (
    BASE_SCORE,
    DEFAULT_BLACK_BELOW,
    DEFAULT_RED_MIN,
    BoardList,
)
from civicgrid.property.models import (
    CommitteeMember,
    CreditEntry,
    Inspection,
    OwnersCommittee,
    ServiceContract,
)
from civicgrid.property.permissions import VIEW, may_manage
from civicgrid.property.services.committees import age_cutoff
from civicgrid.registry.models import Organisation, OrganisationKind, Resident
from civicgrid.requests.models import CouncilOutcome, Request
from civicgrid.requests.selectors import requests_visible
from civicgrid.territory.models import Node, NodeKind


def red_min() -> int:
    return int(getattr(settings, "PROPERTY_RED_MIN", DEFAULT_RED_MIN))


def black_below() -> int:
    return int(getattr(settings, "PROPERTY_BLACK_BELOW", DEFAULT_BLACK_BELOW))


# --- compounds --------------------------------------------------------------------------------


def compounds_visible(actor: Any) -> QuerySet[Node]:
    qs = Node.objects.filter(kind=NodeKind.COMPOUND, is_active=True)
    return scope_filter(qs, actor, VIEW, field="path")


def compound_get(actor: Any, pk: int) -> Node:
    found = compounds_visible(actor).select_related("parent").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("小区不存在或您无权查看"))
    return found


# --- contracts --------------------------------------------------------------------------------


def contracts_visible(actor: Any) -> QuerySet[ServiceContract]:
    """Contracts in scope, voided ones too (marked); ``served_in`` counts the others only."""
    return scope_filter(ServiceContract.objects.select_related("node", "company"), actor, VIEW)


def contract_get(actor: Any, pk: int) -> ServiceContract:
    found = contracts_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("物业服务合同不存在或您无权查看"))
    return found


def open_contract(compound: Node) -> ServiceContract | None:
    return (
        ServiceContract.objects.select_related("company")
        .filter(node=compound, ends_on__isnull=True, voided_at__isnull=True)
        .first()
    )


# --- companies --------------------------------------------------------------------------------


def companies_visible(actor: Any) -> QuerySet[Organisation]:
    """Property companies registered in the actor's scope or serving (having served) a
    compound there."""
    qs = Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY)
    own = scope_q(actor, VIEW)
    if own is None:
        return qs
    served = scope_q(actor, VIEW, "node_path")
    contracts = ServiceContract.objects.filter(company=OuterRef("pk"), voided_at__isnull=True)
    contracts = contracts.filter(served) if served is not None else contracts
    return qs.filter(own | Q(Exists(contracts)))


def companies_to_choose() -> QuerySet[Organisation]:
    """Every property company of the registry, for staff recording one entering a compound
    (companies are registered at the district, outside a community's scope)."""
    return Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY).order_by("name")


def company_get(actor: Any, pk: int) -> Organisation:
    found = companies_visible(actor).select_related("node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("物业服务企业不存在或您无权查看"))
    return found


def score(company: Organisation, year: int) -> int:
    """The credit score of ``company`` for ``year``: 100 + the year's ledger points."""
    total = CreditEntry.objects.filter(company=company, year=year).aggregate(s=Sum("points"))["s"]
    return BASE_SCORE + (total or 0)


def board_list(value: int) -> str:
    if value >= red_min():
        return BoardList.RED
    if value < black_below():
        return BoardList.BLACK
    return BoardList.NONE


def ledger(actor: Any, company: Organisation, year: int) -> QuerySet[CreditEntry]:
    """The company's ledger rows for the year that lie in the actor's scope (the row's
    ``node_path``): a community sees its own inspections, not other communities' results."""
    qs = CreditEntry.objects.filter(company=company, year=year).select_related(
        "node", "actor", "reverses", "reversed_by", "reversed_by__actor"
    )
    return scope_filter(qs, actor, VIEW)


@dataclass(frozen=True)
class Elsewhere:
    """The ledger rows outside the actor's scope, as one summary: how many and their sum."""

    count: int
    points: int


def ledger_elsewhere(actor: Any, company: Organisation, year: int) -> Elsewhere:
    """Count and sum of the rows ``ledger`` leaves out (the score counts them all)."""
    inside = scope_q(actor, VIEW)
    if inside is None:
        return Elsewhere(count=0, points=0)
    rows = CreditEntry.objects.filter(company=company, year=year)
    if scope_paths(actor, VIEW):
        rows = rows.exclude(inside)
    found = rows.aggregate(n=Count("pk"), s=Sum("points"))
    return Elsewhere(count=found["n"], points=found["s"] or 0)


@dataclass
class BoardRow:
    rank: int
    company: Organisation
    score: int
    entries: int
    inspections: int
    deducted: int
    compounds: int
    list: str


@dataclass
class Board:
    year: int
    red_min: int
    black_below: int
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def red(self) -> list[BoardRow]:
        return [r for r in self.rows if r.list == BoardList.RED]

    @property
    def black(self) -> list[BoardRow]:
        return [r for r in self.rows if r.list == BoardList.BLACK]


def served_in(actor: Any, year: int) -> QuerySet[ServiceContract]:
    """The contracts in the actor's scope that ran at some time in ``year`` (started by its
    last day, not ended before its first): the compounds served that year, as the board counts
    them and the company page lists them; a voided one never."""
    return (
        contracts_visible(actor)
        .filter(voided_at__isnull=True, starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
    )


def inspections_in(actor: Any, year: int) -> QuerySet[Inspection]:
    """The inspections of ``year`` (by the day inspected, as their ledger rows' year) in the
    actor's scope, the newest first: those the board counts and the company page lists (a
    voided one never)."""
    return inspections_visible(actor).filter(
        inspected_on__gte=date(year, 1, 1), inspected_on__lte=date(year, 12, 31), voided_at__isnull=True
    )


@dataclass(frozen=True)
class InspectionTotals:
    """How many inspections and the points they deducted."""

    count: int = 0
    deducted: int = 0


def inspection_totals(inspections: QuerySet[Inspection]) -> dict[int, InspectionTotals]:
    """``InspectionTotals`` of ``inspections`` by company id (one query)."""
    rows = (
        inspections.order_by()
        .values("company_id")
        .annotate(n=Count("pk"), s=Sum("total_deduction"))
        .values_list("company_id", "n", "s")
    )
    return {company_id: InspectionTotals(count=n, deducted=s or 0) for company_id, n, s in rows}


def board(actor: Any, year: int) -> Board:
    """The companies that served a compound in the actor's scope in ``year``, ranked by
    score (highest first, then by name), with the red and black lists (four queries).

    The score counts every ledger row of the company; the compounds served, the inspections
    and the points they deducted count only those in the actor's scope (``served_in``,
    ``inspections_in``: the company page lists the same)."""
    served = served_in(actor, year)
    compounds: dict[int, set[int]] = {}
    for company_id, node_id in served.values_list("company_id", "node_id"):
        compounds.setdefault(company_id, set()).add(node_id)
    companies = Organisation.objects.filter(pk__in=compounds).order_by("name")
    # The score is the company's whole (every ledger row); its inspections are counted where
    # the reader sees them, as the compounds served are.
    totals: dict[int, dict[str, int]] = {}
    for row in CreditEntry.objects.filter(company_id__in=compounds, year=year).values("company_id", "points"):
        t = totals.setdefault(row["company_id"], {"points": 0, "entries": 0})
        t["points"] += row["points"]
        t["entries"] += 1
    inspected = inspection_totals(inspections_in(actor, year).filter(company_id__in=compounds))
    scored = []
    for company in companies:
        t = totals.get(company.pk, {"points": 0, "entries": 0})
        scored.append((BASE_SCORE + t["points"], company, t))
    scored.sort(key=lambda s: (-s[0], s[1].name))
    result = Board(year=year, red_min=red_min(), black_below=black_below())
    for rank, (value, company, t) in enumerate(scored, start=1):
        found = inspected.get(company.pk, InspectionTotals())
        result.rows.append(
            BoardRow(
                rank=rank,
                company=company,
                score=value,
                entries=t["entries"],
                inspections=found.count,
                deducted=found.deducted,
                compounds=len(compounds[company.pk]),
                list=board_list(value),
            )
        )
    return result


# --- inspections ------------------------------------------------------------------------------


def inspections_visible(actor: Any) -> QuerySet[Inspection]:
    """Every inspection in scope, voided ones too (shown as 已作废 with who and why)."""
    qs = Inspection.objects.select_related("node", "company", "inspector", "voided_by")
    return scope_filter(qs, actor, VIEW)


def inspection_get(actor: Any, pk: int) -> Inspection:
    found = inspections_visible(actor).prefetch_related("items").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("检查记录不存在或您无权查看"))
    return found


# --- owners' committees -----------------------------------------------------------------------


def committees_visible(actor: Any) -> QuerySet[OwnersCommittee]:
    """Committees in the actor's scope, their members (with the resident) fetched in one
    more query for the whole list, not one per committee."""
    members = Prefetch("members", queryset=CommitteeMember.objects.select_related("resident"))
    qs = OwnersCommittee.objects.select_related("node").prefetch_related(members)
    return scope_filter(qs, actor, VIEW)


def committee_get(actor: Any, pk: int) -> OwnersCommittee:
    found = committees_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("业委会不存在或您无权查看"))
    return found


def member_get(actor: Any, pk: int) -> CommitteeMember:
    """A member of a committee in the actor's scope (``NotFound`` otherwise)."""
    found = (
        scope_filter(
            CommitteeMember.objects.select_related("committee__node"), actor, VIEW, "committee__node_path"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("业委会成员不存在或您无权查看"))
    return found


def member_candidates(actor: Any, compound: Node, *, adults_on: date | None = None) -> QuerySet[Resident]:
    """The residents of ``compound`` a committee member may be linked to, for whoever may
    manage its committee (a subdistrict handler too, without registry access): only what the
    picker shows (name, masked ID number); none for anyone else.

    ``adults_on``: only those of full age that day (``MEMBER_MIN_AGE``, the service's rule; a
    resident without a birth date stays, as the service takes them): the picker passes today,
    as no one joins after today, so whoever it leaves out would be refused on any joining day."""
    if not may_manage(actor, compound.path):
        return Resident.objects.none()
    qs = Resident.objects.filter(node_path__startswith=compound.path, is_active=True)
    if adults_on is not None:
        qs = qs.exclude(birth_date__gt=age_cutoff(adults_on))
    return qs.only("pk", "name", "id_number_masked", "birth_date", "node_path").order_by("name", "pk")


def credit_entry_get(actor: Any, pk: int) -> CreditEntry:
    """A ledger row in the actor's scope (``NotFound`` otherwise)."""
    qs = CreditEntry.objects.select_related("node", "company")
    found = scope_filter(qs, actor, VIEW).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("信用记录不存在或您无权查看"))
    return found


def members_of(committee: OwnersCommittee) -> list[CommitteeMember]:
    """Serving members first (chair, vice-chairs, members, each in the order they joined),
    then those who left; sorted here so that the members prefetched by ``committees_visible``
    are used as they are."""
    order = {"chair": 0, "vice_chair": 1, "member": 2}
    return sorted(committee.members.all(), key=lambda m: (m.ended_on is not None, order.get(m.post, 3), m.pk))


def current_committee(compound: Node, today: date) -> OwnersCommittee | None:
    return (
        OwnersCommittee.objects.filter(node=compound, term_starts_on__lte=today, term_ends_on__gte=today)
        .order_by("-term_starts_on")
        .first()
    )


# --- requests and three-party councils concerning compounds -------------------------------------

# A compound's name is looked for in a request's address only when it is this long: a shorter
# one (苑, 新村) would match addresses of other places.
NAME_IN_ADDRESS_MIN = 3


def concerning_q(compound: Node) -> Q:
    """The requests that concern ``compound``, by what the data links: the place the request
    was located at lies in the compound (its node or a building under it), its building (门牌)
    is one of the compound's, or it was located in the area that holds the compound (its grid
    or community, where a request without a building lies) and its address names the compound
    (a name of at least ``NAME_IN_ADDRESS_MIN`` characters). A point without an address that
    names it is not linked: a compound is recorded as one point, not as an area."""
    q = Q(node_path__startswith=compound.path) | Q(building__path__startswith=compound.path)
    parent = compound.parent
    if parent is not None and len(compound.name) >= NAME_IN_ADDRESS_MIN:
        q |= Q(node_path__startswith=parent.path, address__contains=compound.name)
    return q


def compound_requests(actor: Any, compound: Node) -> QuerySet[Request]:
    """The requests concerning ``compound`` (``concerning_q``) that the actor may see."""
    return requests_visible(actor).filter(concerning_q(compound))


def company_requests(actor: Any, company: Organisation, year: int) -> QuerySet[Request]:
    """The requests of ``year`` the actor may see that concern a compound ``company`` served
    when the request was received: for each of its contracts of the year in the actor's scope
    (``served_in``), the requests concerning that compound received from its entry day to its
    exit day (in ``year``). On a handover day the incoming company serves (``serving_contract``),
    so an outgoing contract followed by another that day stops the day before."""
    contracts = list(served_in(actor, year).filter(company=company).select_related("node__parent"))
    if not contracts:
        return Request.objects.none()
    handovers = set(
        ServiceContract.objects.filter(
            node_id__in={c.node_id for c in contracts}, voided_at__isnull=True
        ).values_list("node_id", "starts_on")
    )
    first_day, last_day = date(year, 1, 1), date(year, 12, 31)
    q = Q()
    for contract in contracts:
        ends_on = contract.ends_on
        if ends_on is not None and (contract.node_id, ends_on) in handovers and ends_on > contract.starts_on:
            ends_on -= timedelta(days=1)
        start = max(contract.starts_on, first_day)
        end = min(ends_on or last_day, last_day)
        if end < start:
            continue
        q |= concerning_q(contract.node) & Q(
            received_at__gte=_day_start(start), received_at__lt=_day_start(end + timedelta(days=1))
        )
    if not q:
        return Request.objects.none()
    return requests_visible(actor).filter(q)


def councils_of(requests: QuerySet[Request]) -> QuerySet[CouncilOutcome]:
    """The three-party councils held on ``requests``, the newest first."""
    return (
        CouncilOutcome.objects.filter(request__in=requests.values("pk"))
        .select_related("request")
        .order_by("-held_on", "-id")
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
