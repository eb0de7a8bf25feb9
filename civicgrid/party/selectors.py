"""Reads of party building, always cut to the actor's scope (PARTY_VIEW on the territory)."""

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, scope_filter, scope_paths, scope_q
from civicgrid.core.errors import NotFound
from civicgrid.core.validators import normalise_credit_code
from civicgrid.party.constants import (
    COMMITTEE_KINDS,
    NEED_RESOURCE_HINTS,
    SUGGESTION_LIMIT,
    SUGGESTION_MAX_METRES,
    AgreementKind,
    AgreementStatus,
    OrgKind,
    ReportStatus,
)
from civicgrid.party.models import (
    Agreement,
    Alliance,
    AllianceMember,
    CommitteeWarning,
    FollowUpTask,
    Meeting,
    MemberReport,
    Need,
    NeedyVisit,
    PartyMember,
    PartyOrganisation,
    Project,
    Resource,
)
from civicgrid.party.models.reporting import expired_agreement_q, live_agreement_q
from civicgrid.party.permissions import member_for_user
from civicgrid.registry.models import Organisation
from civicgrid.territory.geometry import metres_between
from civicgrid.territory.models import Node

VIEW = Capability.PARTY_VIEW


def _either(qs: QuerySet[Any], actor: Any, *fields: str) -> QuerySet[Any]:
    """Rows whose place in any of ``fields`` lies in the actor's scope."""
    parts = [scope_q(actor, VIEW, field) for field in fields]
    if any(q is None for q in parts):
        return qs
    return qs.filter(reduce(or_, [q for q in parts if q is not None]))


# --- organisations and members ------------------------------------------------------------


def orgs_visible(actor: Any) -> QuerySet[PartyOrganisation]:
    return scope_filter(PartyOrganisation.objects.all(), actor, VIEW)


def org_get(actor: Any, pk: int) -> PartyOrganisation:
    found = orgs_visible(actor).select_related("node", "parent", "unit", "hub_resident").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("党组织不存在或您无权查看"))
    return found


@dataclass
class TreeRow:
    org: PartyOrganisation
    depth: int
    members: int


def org_tree(actor: Any, *, under: Node | None = None, include_units: bool = False) -> list[TreeRow]:
    """The organisations the actor sees, each under its parent (two queries)."""
    qs = orgs_visible(actor).filter(is_active=True).select_related("node")
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if not include_units:
        qs = qs.exclude(kind=OrgKind.UNIT)
    orgs = list(
        qs.annotate(n=Count("members", filter=Q(members__is_active=True))).order_by("node_path", "name")
    )
    children: dict[int | None, list[PartyOrganisation]] = {}
    ids = {o.pk for o in orgs}
    for org in orgs:
        parent = org.parent_id if org.parent_id in ids else None
        children.setdefault(parent, []).append(org)
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            rows.append(TreeRow(org, depth, getattr(org, "n", 0)))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return rows


def members_visible(actor: Any) -> QuerySet[PartyMember]:
    """Members of organisations in scope, and members who live in scope."""
    return _either(PartyMember.objects.all(), actor, "node_path", "home_node__path")


def member_get(actor: Any, pk: int) -> PartyMember:
    qs = members_visible(actor).select_related(
        "organisation", "resident", "employer", "home_node__parent__parent", "node"
    )
    found = qs.filter(pk=pk).first()
    if found is None:
        own = member_for_user(actor)
        if own is not None and own.pk == pk:
            return own
        raise NotFound(_("党员不存在或您无权查看"))
    return found


def confirmed_report() -> Exists:
    return Exists(MemberReport.objects.filter(member=OuterRef("pk"), status=ReportStatus.CONFIRMED))


def member_search(
    actor: Any,
    *,
    q: str = "",
    category: str = "",
    organisation: int | None = None,
    needy: bool = False,
    reported: str = "",
    under: Node | None = None,
) -> QuerySet[PartyMember]:
    qs = members_visible(actor).filter(is_active=True)
    if q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(employer_name__contains=q.strip()))
    if category:
        qs = qs.filter(category=category)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if needy:
        qs = qs.filter(is_needy=True)
    if under is not None:
        qs = qs.filter(Q(node_path__startswith=under.path) | Q(home_node__path__startswith=under.path))
    qs = qs.annotate(reported=confirmed_report())
    if reported == "yes":
        qs = qs.filter(reported=True)
    elif reported == "no":
        qs = qs.filter(reported=False)
    return qs.select_related("organisation", "home_node__parent__parent", "employer").order_by(
        "node_path", "name", "id"
    )


def visits_visible(actor: Any) -> QuerySet[NeedyVisit]:
    return _either(NeedyVisit.objects.all(), actor, "node_path", "member__node_path")


# --- dual reporting -------------------------------------------------------------------------


def reports_visible(actor: Any) -> QuerySet[MemberReport]:
    """Reports to communities in scope, and reports of members whose organisation is in scope."""
    return _either(MemberReport.objects.all(), actor, "node_path", "member__node_path")


def report_get(actor: Any, pk: int, *, own: bool = False) -> MemberReport:
    """A report in the actor's scope; with ``own``, also one of the actor's own member
    record (the member ends or withdraws it, as on the H5 page)."""
    found = reports_visible(actor).select_related("member", "node", "grid").filter(pk=pk).first()
    if found is None and own:
        member = member_for_user(actor)
        if member is not None:
            found = member.reports.select_related("member", "node", "grid").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("报到记录不存在或您无权查看"))
    return found


def agreements_visible(actor: Any) -> QuerySet[Agreement]:
    return _either(Agreement.objects.all(), actor, "node_path", "unit__node_path")


def agreement_get(actor: Any, pk: int) -> Agreement:
    found = agreements_visible(actor).select_related("unit", "node", "alliance", "party_organisation")
    agreement = found.filter(pk=pk).first()
    if agreement is None:
        raise NotFound(_("共建协议不存在或您无权查看"))
    return agreement


def agreements_in_status(qs: QuerySet[Agreement], status: str) -> QuerySet[Agreement]:
    """Filter by the status as shown today: "active" leaves out those past their end date,
    "expired" takes them in."""
    if status == AgreementStatus.ACTIVE:
        return qs.filter(live_agreement_q())
    if status == AgreementStatus.EXPIRED:
        return qs.filter(expired_agreement_q())
    return qs.filter(status=status)


def live_agreement() -> Exists:
    return Exists(
        Agreement.objects.filter(live_agreement_q(), unit=OuterRef("unit"), kind=AgreementKind.DUAL_REPORTING)
    )


def units_visible(actor: Any) -> QuerySet[Organisation]:
    """Units the actor may pick for agreements and alliances: those registered in scope."""
    return scope_filter(Organisation.objects.all(), actor, VIEW)


def unit_lookup(actor: Any, *, pk: int | None = None, credit_code: str = "") -> Organisation:
    """A unit by id (in scope) or by its unified social credit code (public; any unit)."""
    if credit_code := normalise_credit_code(credit_code):
        found = Organisation.objects.filter(credit_code=credit_code).first()
    else:
        found = units_visible(actor).filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(_("单位不存在或不在您的管辖范围内（辖区外单位请按统一社会信用代码查找）"))
    return found


# --- committees -------------------------------------------------------------------------------


def committees_visible(actor: Any) -> QuerySet[PartyOrganisation]:
    return orgs_visible(actor).filter(kind__in=COMMITTEE_KINDS)


def committee_get(actor: Any, pk: int) -> PartyOrganisation:
    found = committees_visible(actor).select_related("node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("大党委不存在或您无权查看"))
    return found


def meetings_visible(actor: Any) -> QuerySet[Meeting]:
    return scope_filter(Meeting.objects.all(), actor, VIEW)


def meeting_get(actor: Any, pk: int) -> Meeting:
    found = meetings_visible(actor).select_related("committee", "node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("会议活动不存在或您无权查看"))
    return found


def tasks_visible(actor: Any) -> QuerySet[FollowUpTask]:
    return scope_filter(FollowUpTask.objects.all(), actor, VIEW)


def warnings_visible(actor: Any) -> QuerySet[CommitteeWarning]:
    return scope_filter(CommitteeWarning.objects.all(), actor, VIEW)


# --- alliances and the three lists -------------------------------------------------------------


def alliances_visible(actor: Any) -> QuerySet[Alliance]:
    """Alliances in scope, and those above it that units of the scope belong to (or none)."""
    return scope_filter(Alliance.objects.all(), actor, VIEW)


def alliance_get(actor: Any, pk: int) -> Alliance:
    found = alliances_visible(actor).select_related("node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("党建联盟不存在或您无权查看"))
    return found


def needs_visible(actor: Any) -> QuerySet[Need]:
    return scope_filter(Need.objects.all(), actor, VIEW)


def need_get(actor: Any, pk: int) -> Need:
    found = needs_visible(actor).select_related("node", "request").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("需求不存在或您无权查看"))
    return found


def _ancestor_paths(path: str) -> list[str]:
    """``"1/2/3/"`` → ``["1/", "1/2/", "1/2/3/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: k + 1]) for k in range(len(parts))]


def alliance_unit_ids(actor: Any) -> QuerySet[Any] | None:
    """The units (ids) in the live alliances the actor's scope belongs to: an alliance in the
    scope, or one above it (a subdistrict's alliance for its communities' workers). None when
    the actor sees everywhere anyway."""
    paths = scope_paths(actor, VIEW)
    if EVERYWHERE in paths:
        return None
    q = scope_q(actor, VIEW, "alliance__node_path")
    above = {a for p in paths for a in _ancestor_paths(p)}
    if above:
        q = Q(alliance__node_path__in=above) if q is None else q | Q(alliance__node_path__in=above)
    return AllianceMember.objects.filter(q, left_on__isnull=True, alliance__is_active=True).values("unit_id")


def resources_visible(actor: Any) -> QuerySet[Resource]:
    """Resources in scope, and those of the member units of the actor's alliances
    (``alliance_unit_ids``): an alliance's units offer their resources to its communities."""
    q = scope_q(actor, VIEW)
    if q is None:
        return Resource.objects.all()
    units = alliance_unit_ids(actor)
    if units is None:
        return Resource.objects.all()
    return Resource.objects.filter(q | Q(unit_id__in=units))


def resource_get(actor: Any, pk: int) -> Resource:
    found = resources_visible(actor).select_related("unit", "member", "node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("资源不存在或您无权查看"))
    return found


def projects_visible(actor: Any) -> QuerySet[Project]:
    return scope_filter(Project.objects.all(), actor, VIEW)


def project_get(actor: Any, pk: int) -> Project:
    qs = projects_visible(actor).select_related("need", "alliance", "owner_unit", "node")
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("项目不存在或您无权查看"))
    return found


# --- suggestions ------------------------------------------------------------------------------


def node_point(node: Node | None) -> tuple[float, float] | None:
    """A node's own point, else the centre of its area, else its nearest ancestor's."""
    while node is not None:
        if node.lon is not None and node.lat is not None:
            return node.lon, node.lat
        if node.geometry:
            centre = shape(node.geometry).representative_point()
            return centre.x, centre.y
        node = node.parent
    return None


def _resource_point(resource: Resource) -> tuple[float, float] | None:
    if resource.lon is not None and resource.lat is not None:
        return resource.lon, resource.lat
    return node_point(resource.node)


@dataclass
class Suggestion:
    resource: Resource
    kind_rank: int
    metres: float | None

    @property
    def km(self) -> str:
        return "—" if self.metres is None else f"{self.metres / 1000:.1f}"


def resources_suggest(actor: Any, need: Need, *, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Resources for a need: of a kind it asks for (its own list, else the usual kinds for
    its category, in that order), then nearest first; none farther than 5 km."""
    kinds = list(need.wanted_kinds or NEED_RESOURCE_HINTS.get(need.category, ()))
    today = timezone.localdate()
    qs = (
        resources_visible(actor)
        .filter(is_active=True)
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    origin = (need.lon, need.lat) if need.lon is not None and need.lat is not None else node_point(need.node)
    found: list[Suggestion] = []
    for resource in qs.select_related("unit", "member", "node__parent")[:500]:
        point = _resource_point(resource)
        metres = metres_between(origin[0], origin[1], point[0], point[1]) if origin and point else None
        if metres is not None and metres > SUGGESTION_MAX_METRES:
            continue
        rank = kinds.index(resource.kind) if resource.kind in kinds else len(kinds)
        found.append(Suggestion(resource, rank, metres))
    found.sort(key=lambda s: (s.kind_rank, math.inf if s.metres is None else s.metres, s.resource.pk))
    return found[:limit]


# --- service orders of members ---------------------------------------------------------------


@dataclass
class MemberService:
    """The service orders a member took (as a party member or a volunteer), and the hours and
    points they earned: only confirmed orders count (``volunteers.service_order_confirm``)."""

    orders: list[Any]
    held: int = 0
    confirmed: int = 0
    hours: Decimal = Decimal("0")
    points: int = 0
    # Hours of volunteer activities (check-in to check-out), shown beside the orders' hours
    # and never added to them: the party's service hours are the orders' (the volunteer
    # card's 累计服务时长 adds both).
    activity_hours: Decimal = Decimal("0")


def member_service(member: PartyMember, *, limit: int = 50) -> MemberService:
    """The member's orders (newest first, at most ``limit`` shown; the totals over all) by the
    registry entry behind them; a member without one has taken none."""
    from civicgrid.volunteers.constants import OrderStatus
    from civicgrid.volunteers.models import ServiceOrder, Signup

    if member.resident_id is None:
        return MemberService(orders=[])
    activity_hours = Signup.objects.filter(volunteer__resident_id=member.resident_id).aggregate(
        hours=Sum("hours")
    )["hours"]
    qs = ServiceOrder.objects.filter(taker_resident_id=member.resident_id)
    totals = qs.filter(status=OrderStatus.CONFIRMED).aggregate(
        n=Count("id"), hours=Sum("hours"), points=Sum("points")
    )
    held = qs.filter(status__in=(OrderStatus.ASSIGNED, OrderStatus.COMPLETED)).count()
    return MemberService(
        orders=list(
            qs.select_related("community")
            .defer("community__geometry")
            .order_by("-assigned_at", "-id")[:limit]
        ),
        held=held,
        confirmed=totals["n"] or 0,
        hours=totals["hours"] or Decimal("0"),
        points=totals["points"] or 0,
        activity_hours=(activity_hours or Decimal("0")).quantize(Decimal("0.1")),
    )
