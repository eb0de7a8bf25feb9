"""Figures of party building: reporting rates, party coverage per grid, projects, contributions.

Every figure is computed from the rows the actor sees (``selectors``), in a few queries
whatever the number of communities; the formulas are in docs/modules/party.md.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter
from civicgrid.core.figures import share_percent
from civicgrid.party.constants import (
    AgreementKind,
    MemberCategory,
    OrgKind,
    ProjectStatus,
    ReportStatus,
)
from civicgrid.party.models import (
    Agreement,
    MemberReport,
    PartyMember,
    PartyOrganisation,
    ProjectContribution,
)
from civicgrid.party.models.reporting import live_agreement_q
from civicgrid.party.selectors import (
    confirmed_report,
    members_visible,
    orgs_visible,
    projects_visible,
    reports_visible,
)
from civicgrid.registry.models import Organisation
from civicgrid.territory.models import Node, NodeKind


@dataclass
class Rate:
    """``reported`` of ``total`` (and ``pending`` awaiting the community), as a percentage."""

    total: int = 0
    reported: int = 0
    pending: int = 0

    @property
    def percent(self) -> float | None:
        share = share_percent(self.reported, self.total)
        return None if share is None else float(share)

    @property
    def shown(self) -> str:
        return "—" if self.percent is None else f"{self.percent}%"


@dataclass
class RateRow:
    label: str
    pk: int
    rate: Rate = field(default_factory=Rate)
    # What tells two rows of the same label apart (a unit's credit code tail or address).
    detail: str = ""


def _unit_detail(org: PartyOrganisation) -> str:
    unit = org.unit
    if unit is None:
        return ""
    if unit.credit_code:
        return _("信用代码尾号{tail}").format(tail=unit.credit_code[-6:])
    return unit.address


def _under(qs: QuerySet[Any], under: Node | None, field_name: str = "node_path") -> QuerySet[Any]:
    return qs.filter(**{f"{field_name}__startswith": under.path}) if under is not None else qs


def _pending_ids(member_ids: set[int]) -> set[int]:
    if not member_ids:
        return set()
    return set(
        MemberReport.objects.filter(member_id__in=member_ids, status=ReportStatus.PENDING).values_list(
            "member_id", flat=True
        )
    )


def _reporting_members(actor: Any, category: str) -> QuerySet[PartyMember]:
    return (
        members_visible(actor).filter(is_active=True, category=category).annotate(reported=confirmed_report())
    )


def _rate_of(members: QuerySet[PartyMember]) -> Rate:
    rows: list[tuple[int, bool]] = list(members.values_list("pk", "reported"))  # type: ignore[misc]
    pending = _pending_ids({pk for pk, done in rows if not done})
    return Rate(total=len(rows), reported=sum(1 for _, done in rows if done), pending=len(pending))


def area_rate(actor: Any, *, under: Node | None = None, category: str = MemberCategory.IN_SERVICE) -> Rate:
    """Reporting rate of the members of ``category`` whose organisation is in the actor's
    scope and under ``under`` (where they work: the unit basis of districts and
    subdistricts). Members the actor sees only because they live in scope are not counted
    here: ``home_rate`` counts by where members live."""
    members = scope_filter(_reporting_members(actor, category), actor, Capability.PARTY_VIEW, "node_path")
    return _rate_of(_under(members, under))


def home_rate(actor: Any, *, under: Node | None = None, category: str = MemberCategory.IN_SERVICE) -> Rate:
    """Reporting rate of the members of ``category`` who live in the actor's scope and under
    ``under`` (the residence basis, whatever unit they work for)."""
    members = scope_filter(
        _reporting_members(actor, category).filter(home_node__isnull=False),
        actor,
        Capability.PARTY_VIEW,
        "home_node__path",
    )
    return _rate_of(_under(members, under, "home_node__path"))


def _community_of_path(path: str, communities: dict[int, Node]) -> Node | None:
    for part in path.strip("/").split("/"):
        node = communities.get(int(part)) if part else None
        if node is not None:
            return node
    return None


def rates_by_community(actor: Any, *, under: Node | None = None) -> list[RateRow]:
    """Per community, where members live: in-service members living there who have a
    confirmed report (to any community), of all in-service members living there."""
    communities = {n.pk: n for n in _communities(actor, under)}
    rows: dict[int, RateRow] = {pk: RateRow(n.name, pk) for pk, n in communities.items()}
    members = _reporting_members(actor, MemberCategory.IN_SERVICE).filter(home_node__isnull=False)
    data: list[tuple[int, str, bool]] = list(
        members.values_list("pk", "home_node__path", "reported")  # type: ignore[misc]
    )
    pending = _pending_ids({pk for pk, _, done in data if not done})
    for pk, path, done in data:
        community = _community_of_path(path, communities)
        if community is None:
            continue
        rate = rows[community.pk].rate
        rate.total += 1
        rate.reported += 1 if done else 0
        rate.pending += 1 if pk in pending else 0
    return sorted(rows.values(), key=lambda r: (r.rate.percent is None, r.rate.percent or 0, r.label))


def _communities(actor: Any, under: Node | None) -> QuerySet[Node]:
    qs = scope_filter(
        Node.objects.filter(kind=NodeKind.COMMUNITY, is_active=True), actor, Capability.PARTY_VIEW, "path"
    )
    qs = qs.defer("geometry")
    return qs.filter(path__startswith=under.path) if under is not None else qs.order_by("path")


def rates_by_unit(actor: Any, *, under: Node | None = None) -> list[RateRow]:
    """Per unit: its in-service members with a confirmed report, of all its in-service members."""
    units = _under(orgs_visible(actor).filter(kind=OrgKind.UNIT, is_active=True), under)
    orgs = list(units.select_related("unit").only("id", "name", "unit__credit_code", "unit__address"))
    names = Counter(o.name for o in orgs)
    rows = {o.pk: RateRow(o.name, o.pk, detail=_unit_detail(o) if names[o.name] > 1 else "") for o in orgs}
    members = _reporting_members(actor, MemberCategory.IN_SERVICE).filter(organisation_id__in=list(rows))
    data: list[tuple[int, int, bool]] = list(
        members.values_list("pk", "organisation_id", "reported")  # type: ignore[misc]
    )
    pending = _pending_ids({pk for pk, _, done in data if not done})
    for pk, org_id, done in data:
        rate = rows[org_id].rate
        rate.total += 1
        rate.reported += 1 if done else 0
        rate.pending += 1 if pk in pending else 0
    return sorted(rows.values(), key=lambda r: (r.rate.percent is None, r.rate.percent or 0, r.label))


def unit_rate(actor: Any, *, under: Node | None = None) -> Rate:
    """Units' party organisations under ``under`` with a live dual-reporting agreement."""
    units = _under(orgs_visible(actor).filter(kind=OrgKind.UNIT, is_active=True), under)
    unit_ids = set(units.values_list("unit_id", flat=True))
    signed = set(
        Agreement.objects.filter(
            live_agreement_q(), unit_id__in=unit_ids, kind=AgreementKind.DUAL_REPORTING
        ).values_list("unit_id", flat=True)
    )
    return Rate(total=len(unit_ids), reported=len(signed))


def units_not_reported(actor: Any, *, under: Node | None = None) -> QuerySet[PartyOrganisation]:
    signed = Agreement.objects.filter(live_agreement_q(), kind=AgreementKind.DUAL_REPORTING).values("unit_id")
    units = _under(orgs_visible(actor).filter(kind=OrgKind.UNIT, is_active=True), under)
    return units.exclude(unit_id__in=signed).select_related("unit", "node").order_by("node_path", "name")


def members_not_reported(
    actor: Any, *, community: Node | None = None, organisation: PartyOrganisation | None = None
) -> QuerySet[PartyMember]:
    """In-service members (and new-employment workers) with no confirmed report; ``pending``
    says whether one awaits the community's confirmation (待确认), listed after those who
    never reported."""
    qs = members_visible(actor).filter(
        is_active=True, category__in=(MemberCategory.IN_SERVICE, MemberCategory.NEW_EMPLOYMENT)
    )
    if community is not None:
        qs = qs.filter(home_node__path__startswith=community.path)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    pending = Exists(MemberReport.objects.filter(member=OuterRef("pk"), status=ReportStatus.PENDING))
    return (
        qs.annotate(reported=confirmed_report(), pending=pending)
        .filter(reported=False)
        .select_related("organisation", "home_node__parent__parent")
        .order_by("pending", "organisation__name", "name", "id")
    )


# --- coverage per grid ----------------------------------------------------------------------------


@dataclass
class GridCoverage:
    grid: Node
    branches: int = 0
    groups: int = 0
    hubs: int = 0
    members: int = 0

    @property
    def covered(self) -> bool:
        return self.branches > 0


def coverage_by_grid(actor: Any, *, under: Node | None = None) -> list[GridCoverage]:
    """Per grid: its branches (grid or dedicated), building groups, hub households and the
    members of the organisations on it (three queries)."""
    grids = scope_filter(
        Node.objects.filter(kind=NodeKind.GRID, is_active=True), actor, Capability.PARTY_VIEW, "path"
    )
    if under is not None:
        grids = grids.filter(path__startswith=under.path)
    rows = {g.pk: GridCoverage(g) for g in grids.defer("geometry").order_by("path")}
    if not rows:
        return []
    prefix = under.path if under is not None else ""
    orgs = orgs_visible(actor).filter(is_active=True, node_path__startswith=prefix)
    kinds: dict[str, str] = {
        OrgKind.GRID_BRANCH: "branches",
        OrgKind.DEDICATED_BRANCH: "branches",
        OrgKind.BUILDING_GROUP: "groups",
        OrgKind.HUB_HOUSEHOLD: "hubs",
    }
    for path, kind in orgs.filter(kind__in=list(kinds)).values_list("node_path", "kind"):
        grid = _grid_of(path, rows)
        if grid is not None:
            setattr(grid, kinds[kind], getattr(grid, kinds[kind]) + 1)
    members = members_visible(actor).filter(is_active=True, node_path__startswith=prefix)
    for path in members.exclude(organisation__kind=OrgKind.UNIT).values_list("node_path", flat=True):
        grid = _grid_of(path, rows)
        if grid is not None:
            grid.members += 1
    return list(rows.values())


def _grid_of(path: str, rows: dict[int, GridCoverage]) -> GridCoverage | None:
    for part in reversed(path.strip("/").split("/")):
        row = rows.get(int(part)) if part else None
        if row is not None:
            return row
    return None


def coverage_rate(rows: list[GridCoverage]) -> Rate:
    return Rate(total=len(rows), reported=sum(1 for r in rows if r.covered))


# --- projects and contributions -------------------------------------------------------------------


def project_counts(actor: Any, *, under: Node | None = None) -> dict[str, int]:
    qs = _under(projects_visible(actor), under)
    counts = Counter(dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    counts["micro_done"] = qs.filter(is_micro=True, status=ProjectStatus.DONE).count()
    return {status: counts.get(status, 0) for status in [*ProjectStatus.values, "micro_done"]}


def projects_done_by_month(
    actor: Any, *, under: Node | None = None, months: int = 12
) -> list[tuple[str, int]]:
    today = timezone.localdate()
    first = _month_start(today, months - 1)
    qs = _under(projects_visible(actor), under).filter(status=ProjectStatus.DONE, done_on__gte=first)
    counts = Counter(f"{d:%Y-%m}" for d in qs.values_list("done_on", flat=True) if d)
    return [
        (label, counts.get(label, 0))
        for label in (f"{_month_start(today, k):%Y-%m}" for k in range(months - 1, -1, -1))
    ]


def _month_start(day: date, back: int) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


@dataclass
class Contribution:
    unit: Organisation
    projects: int
    points: int
    amount: Decimal


def unit_contributions(actor: Any, *, under: Node | None = None, limit: int = 10) -> list[Contribution]:
    """Units by the alliance points credited to them (``points_awarded_at`` set: the project
    is done) for their contributions to projects in scope; a contribution to a project still
    planned or in progress has earned nothing yet and is not counted."""
    projects = _under(projects_visible(actor), under).exclude(status=ProjectStatus.CANCELLED)
    rows = (
        ProjectContribution.objects.filter(
            project__in=projects, unit__isnull=False, points_awarded_at__isnull=False
        )
        .values("unit_id")
        .annotate(points=Sum("points"), projects=Count("project", distinct=True), amount=Sum("amount"))
        .order_by("-points", "unit_id")[:limit]
    )
    data = list(rows)
    units = Organisation.objects.in_bulk([r["unit_id"] for r in data])
    return [
        Contribution(units[r["unit_id"]], r["projects"], r["points"] or 0, r["amount"] or Decimal("0"))
        for r in data
    ]


def overview(
    actor: Any, *, under: Node | None = None, coverage: list[GridCoverage] | None = None
) -> dict[str, Any]:
    """The numbers of the party overview page and the home figures."""
    coverage = coverage if coverage is not None else coverage_by_grid(actor, under=under)
    return {
        "coverage": coverage_rate(coverage),
        "in_service": area_rate(actor, under=under),
        "new_employment": area_rate(actor, under=under, category=MemberCategory.NEW_EMPLOYMENT),
        "units": unit_rate(actor, under=under),
        "projects": project_counts(actor, under=under),
        "members": _under(members_visible(actor), under).filter(is_active=True).count(),
        "organisations": _under(orgs_visible(actor), under)
        .filter(is_active=True)
        .exclude(kind=OrgKind.UNIT)
        .count(),
        "needy_unvisited": _needy_unvisited(actor, under),
    }


def _needy_unvisited(actor: Any, under: Node | None) -> int:
    """Needy members with no visit in the last 90 days."""
    since = timezone.localdate().toordinal() - 90
    qs = _under(members_visible(actor), under).filter(is_active=True, is_needy=True)
    return qs.exclude(visits__visited_on__gte=date.fromordinal(since)).count()


def reports_pending(actor: Any) -> int:
    return reports_visible(actor).filter(status=ReportStatus.PENDING).count()


# --- members' service hours -------------------------------------------------------------------


@dataclass
class ServiceRow:
    member: PartyMember
    orders: int
    hours: Decimal
    points: int


def members_by_hours(
    actor: Any, *, since: date, until: date, under: Node | None = None, limit: int = 20
) -> list[ServiceRow]:
    """Members in scope by the hours of their service orders confirmed from ``since`` to
    ``until`` (local days, both included), most first; only confirmed orders count."""
    from civicgrid.volunteers.constants import OrderStatus
    from civicgrid.volunteers.models import ServiceOrder

    members = _under(members_visible(actor), under).filter(resident__isnull=False)
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    rows = list(
        ServiceOrder.objects.filter(
            status=OrderStatus.CONFIRMED,
            confirmed_at__gte=start,
            confirmed_at__lt=end,
            taker_resident_id__in=members.values("resident_id"),
        )
        .values("taker_resident_id")
        .annotate(n=Count("id"), hours=Sum("hours"), points=Sum("points"))
        .order_by("-hours", "-n", "taker_resident_id")[:limit]
    )
    by_resident = {
        m.resident_id: m for m in members.filter(resident_id__in=[r["taker_resident_id"] for r in rows])
    }
    return [
        ServiceRow(by_resident[r["taker_resident_id"]], r["n"], r["hours"] or Decimal("0"), r["points"] or 0)
        for r in rows
        if r["taker_resident_id"] in by_resident
    ]
