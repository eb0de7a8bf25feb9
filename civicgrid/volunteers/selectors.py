"""Reads of volunteer service, cut to what the actor may see.

Staff lists (volunteers, teams, activities) follow ``VOLUNTEER_MANAGE``; service orders
follow ``VOLUNTEER_MANAGE`` or ``PARTY_EDIT``; aggregate figures and the report follow
``TERRITORY_VIEW`` (numbers only, no one's details). A resident sees their own records
(``my_*``), the activities and published orders of their community, and anyone sees the
public board (晒单) of a community.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter, scope_paths
from civicgrid.core.errors import NotFound
from civicgrid.registry.models import Resident
from civicgrid.territory.models import Node, NodeKind
from civicgrid.volunteers.constants import (
    ON_BOARD,
    OPEN_ORDER,
    ActivityStatus,
    OrderStatus,
    SignupStatus,
    VolunteerStatus,
)
from civicgrid.volunteers.models import Activity, OrderEvent, ServiceOrder, Signup, Skill, Team, Volunteer
from civicgrid.volunteers.numbers import hours_text, percent_text
from civicgrid.volunteers.permissions import acting_resident, order_staff_q

MANAGE = Capability.VOLUNTEER_MANAGE
# Figures and the report show numbers only; whoever sees the territory sees them.
REPORT = Capability.TERRITORY_VIEW


# --- staff ---------------------------------------------------------------------------------------


def volunteers_visible(actor: Any) -> QuerySet[Volunteer]:
    return scope_filter(Volunteer.objects.all(), actor, MANAGE)


def volunteer_search(
    actor: Any, *, q: str = "", status: str = "", kind: str = "", team: int | None = None, skill: str = ""
) -> QuerySet[Volunteer]:
    qs = volunteers_visible(actor)
    if q := q.strip():
        qs = qs.filter(resident__name__contains=q)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if team:
        qs = qs.filter(memberships__team_id=team)
    if skill:
        qs = qs.filter(skills__code=skill)
    return (
        qs.select_related("resident", "community", "node", "organisation")
        .prefetch_related("skills", "memberships__team")
        .order_by("status", "-applied_at", "id")
        .distinct()
    )


def volunteer_get(actor: Any, pk: int) -> Volunteer:
    found = (
        volunteers_visible(actor)
        .select_related("resident", "community", "node", "organisation")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("志愿者不存在或您无权查看"))
    return found


def teams_visible(actor: Any) -> QuerySet[Team]:
    return scope_filter(Team.objects.all(), actor, MANAGE)


def team_get(actor: Any, pk: int) -> Team:
    found = teams_visible(actor).select_related("node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("志愿服务队不存在或您无权查看"))
    return found


def teams_with_counts(actor: Any) -> QuerySet[Team]:
    return (
        teams_visible(actor)
        .select_related("node")
        .annotate(
            n_members=Count("members", filter=Q(members__volunteer__status=VolunteerStatus.APPROVED)),
        )
        .order_by("node_path", "colour", "name")
    )


def activities_visible(actor: Any) -> QuerySet[Activity]:
    return scope_filter(Activity.objects.all(), actor, MANAGE)


def activity_list(actor: Any, *, status: str = "", when: str = "") -> QuerySet[Activity]:
    qs = activities_visible(actor).select_related("community", "team", "node").order_by("-starts_at", "-id")
    if status:
        qs = qs.filter(status=status)
    now = timezone.now()
    if when == "upcoming":
        qs = qs.filter(starts_at__gt=now).order_by("starts_at", "id")
    elif when == "past":
        qs = qs.filter(starts_at__lte=now)
    return with_counts(qs)


def with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Each activity with its places taken, its line and its attendance."""
    return qs.annotate(
        n_confirmed=Count(
            "signups",
            filter=Q(
                signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN, SignupStatus.COMPLETED]
            ),
        ),
        n_waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
        n_attended=Count("signups", filter=Q(signups__status=SignupStatus.COMPLETED)),
        n_no_show=Count("signups", filter=Q(signups__status=SignupStatus.NO_SHOW)),
    )


def activities_led(actor: Any) -> QuerySet[Activity]:
    """Activities of the teams the actor leads as an approved volunteer (they organise them)."""
    resident = acting_resident(actor)
    if resident is None:
        return Activity.objects.none()
    return Activity.objects.filter(
        team__members__volunteer__resident=resident,
        team__members__volunteer__status=VolunteerStatus.APPROVED,
        team__members__is_leader=True,
    )


def activity_get(actor: Any, pk: int) -> Activity:
    """An activity of the actor's scope, or one of a team the actor leads."""
    qs = Activity.objects.select_related("community", "team", "node").filter(pk=pk)
    found = (
        qs.filter(pk__in=activities_visible(actor)).first() or qs.filter(pk__in=activities_led(actor)).first()
    )
    if found is None:
        raise NotFound(_("活动不存在或您无权查看"))
    return found


def orders_visible(actor: Any) -> QuerySet[ServiceOrder]:
    q = order_staff_q(actor)
    qs = ServiceOrder.objects.all()
    return qs if q is None else qs.filter(q)


ORDERS_DONE = "done"  # a filter of the order list: every order counted as done (``ON_BOARD``)


def order_list(actor: Any, *, status: str = "", q: str = "", taker_kind: str = "") -> QuerySet[ServiceOrder]:
    qs = orders_visible(actor)
    if status == ORDERS_DONE:  # the home card's 完成服务单: done, whether confirmed yet or not
        qs = qs.filter(status__in=list(ON_BOARD))
    elif status:
        qs = qs.filter(status=status)
    if taker_kind:
        qs = qs.filter(taker_kind=taker_kind)
    if q := q.strip():
        qs = qs.filter(Q(title__contains=q) | Q(orderer_label__contains=q) | Q(taker_label__contains=q))
    return qs.select_related("community", "node").order_by("-created_at", "-id")


def order_get(actor: Any, pk: int) -> ServiceOrder:
    found = (
        orders_visible(actor)
        .select_related(
            "community", "node", "taker_volunteer", "taker_resident", "taker_organisation", "beneficiary"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("服务单不存在或您无权查看"))
    return found


def orders_with_origin(actor: Any, origin: str) -> QuerySet[ServiceOrder]:
    """The orders another app created with this ``origin`` (e.g. ``"party.council:12"``)."""
    return orders_visible(actor).filter(origin=origin).order_by("-created_at", "-id")


def order_events(order: ServiceOrder) -> list[OrderEvent]:
    return list(order.events.order_by("created_at", "id"))


# --- a resident's own --------------------------------------------------------------------------


def my_signups(volunteer: Volunteer) -> QuerySet[Signup]:
    return volunteer.signups.select_related("activity").order_by("-activity__starts_at", "-id")


def activities_open_to(volunteer: Volunteer) -> QuerySet[Activity]:
    """Activities of the volunteer's community still open for sign-up, soonest first."""
    return with_counts(
        Activity.objects.filter(
            community=volunteer.community, status=ActivityStatus.PUBLISHED, starts_at__gt=timezone.now()
        )
        .select_related("team")
        .order_by("starts_at", "id")
    )


def orders_open_to(volunteer: Volunteer) -> QuerySet[ServiceOrder]:
    """Published orders of the volunteer's community waiting to be taken (接单大厅), those
    needing a skill the volunteer lacks left out (taking one is refused: 该服务需要技能)."""
    lacking = Skill.objects.exclude(pk__in=volunteer.skills.values("pk"))
    return (
        ServiceOrder.objects.filter(community=volunteer.community, status=OrderStatus.PUBLISHED)
        .exclude(skills__in=lacking)
        .prefetch_related("skills")
        .order_by("wanted_from", "created_at", "id")
    )


def orders_taken_by(resident: Resident) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(taker_resident=resident).order_by("-assigned_at", "-id")


def orders_of_resident(resident: Resident) -> QuerySet[ServiceOrder]:
    """Orders the resident placed or is served by."""
    return ServiceOrder.objects.filter(Q(orderer_resident=resident) | Q(beneficiary=resident)).order_by(
        "-created_at", "-id"
    )


def board_orders(community: Node) -> QuerySet[ServiceOrder]:
    """Completed orders of a community shown to everyone, newest first."""
    return (
        ServiceOrder.objects.filter(community=community, status__in=list(ON_BOARD), on_board=True)
        .select_related("node")
        .prefetch_related("photos")
        .order_by("-completed_at", "-id")
    )


def board_community(pk: int) -> Node:
    found = Node.objects.filter(pk=pk, kind=NodeKind.COMMUNITY, is_active=True).first()
    if found is None:
        raise NotFound(_("社区不存在"))
    return found


# --- figures and report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    volunteers: int
    pending: int
    hours: Decimal
    activities: int
    orders_open: int
    orders_done: int
    rated: int
    satisfied: int
    average_rating: float | None

    @property
    def satisfaction(self) -> float | None:
        """Share of rated orders with 4 or 5 stars."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    @property
    def satisfaction_text(self) -> str:
        return percent_text(self.satisfied, self.rated)


def hours_since(since: datetime, volunteers: Q) -> dict[int, Decimal]:
    """Hours served since ``since`` per community of the volunteers ``volunteers`` selects:
    activity check-outs (``Signup.hours``) and confirmed orders a volunteer took
    (``ServiceOrder.hours``), the two things ``Volunteer.hours_total`` adds up, each counted
    at its moment (check-out, confirmation)."""
    chosen = Volunteer.objects.filter(volunteers)
    signups = Signup.objects.filter(
        status=SignupStatus.COMPLETED, checked_out_at__gte=since, volunteer__in=chosen
    ).values_list("volunteer__community_id")
    orders = ServiceOrder.objects.filter(
        status=OrderStatus.CONFIRMED, confirmed_at__gte=since, taker_volunteer__in=chosen
    ).values_list("taker_volunteer__community_id")
    out: dict[int, Decimal] = {}
    for rows in (signups, orders):
        for community_id, hours in rows.annotate(h=Sum("hours")):
            out[community_id] = out.get(community_id, Decimal(0)) + Decimal(hours or 0)
    return out


def figures_under(paths: list[str], since: datetime | None = None) -> Figures:
    """Volunteers, hours, activities and orders under the given path prefixes ([""]: all).

    With ``since`` every figure is of the period, as the report's rows: volunteers who
    applied since then (approved / waiting), hours served since then (``hours_since``),
    activities that started since then, orders placed since then."""

    def under(field: str = "node_path") -> Q:
        if "" in paths:
            return Q()
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(**{f"{field}__startswith": p})
        return q

    volunteers = Volunteer.objects.filter(under("community__path"))
    activities_qs = Activity.objects.filter(under()).exclude(status=ActivityStatus.CANCELLED)
    orders_qs = ServiceOrder.objects.filter(under())
    if since is not None:
        volunteers = volunteers.filter(applied_at__gte=since)
        activities_qs = activities_qs.filter(starts_at__gte=since)
        orders_qs = orders_qs.filter(created_at__gte=since)
    vols = volunteers.aggregate(
        n=Count("id", filter=Q(status=VolunteerStatus.APPROVED)),
        pending=Count("id", filter=Q(status=VolunteerStatus.PENDING)),
        hours=Sum("hours_total"),  # hours served stay served (as the report's rows count them)
    )
    if since is not None:
        hours = sum(hours_since(since, under("community__path")).values(), Decimal(0))
    else:
        hours = Decimal(vols["hours"] or 0)
    orders = orders_qs.aggregate(
        open=Count("id", filter=Q(status__in=list(OPEN_ORDER))),
        done=Count("id", filter=Q(status__in=list(ON_BOARD))),
        rated=Count("id", filter=Q(rating__isnull=False)),
        satisfied=Count("id", filter=Q(rating__gte=4)),
        avg=Avg("rating"),
    )
    activities = activities_qs.count()
    return Figures(
        volunteers=vols["n"] or 0,
        pending=vols["pending"] or 0,
        hours=hours,
        activities=activities,
        orders_open=orders["open"] or 0,
        orders_done=orders["done"] or 0,
        rated=orders["rated"] or 0,
        satisfied=orders["satisfied"] or 0,
        average_rating=float(orders["avg"]) if orders["avg"] is not None else None,
    )


# The report's periods: rolling days back from now (not calendar months); "all" is 累计.
REPORT_PERIOD_DAYS = {"month": 30, "quarter": 91, "year": 365}


def report_since(period: str, now: datetime) -> datetime | None:
    """Where a report period (``REPORT_PERIOD_DAYS`` or "all") starts; None for 累计."""
    days = REPORT_PERIOD_DAYS.get(period)
    return now - timedelta(days=days) if days else None


def figures_for(actor: Any, under: Node | None = None, since: datetime | None = None) -> Figures | None:
    """The figures of the actor's scope (or of ``under``, a node they see), of the period
    from ``since`` when given."""
    paths = scope_paths(actor, REPORT)
    if not paths:
        return None
    return figures_under([under.path] if under is not None else paths, since=since)


@dataclass
class CommunityRow:
    community: Node
    volunteers: int = 0
    pending: int = 0
    hours: Decimal = Decimal(0)
    teams: int = 0
    activities: int = 0
    attended: int = 0
    no_shows: int = 0
    orders: int = 0
    orders_done: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def attendance_rate(self) -> float | None:
        total = self.attended + self.no_shows
        return self.attended / total if total else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    @property
    def attendance_text(self) -> str:
        return percent_text(self.attended, self.attended + self.no_shows)

    @property
    def satisfaction_text(self) -> str:
        return percent_text(self.satisfied, self.rated)


def report_rows(actor: Any, under: Node | None = None, since: datetime | None = None) -> list[CommunityRow]:
    """One row per community in the actor's scope (or under ``under``): a handful of grouped
    queries whatever the number of communities. With ``since`` every figure is of the
    period (see ``figures_under``); teams are those active now."""
    communities = scope_filter(
        Node.objects.filter(kind=NodeKind.COMMUNITY, is_active=True), actor, REPORT, field="path"
    )
    if under is not None:
        communities = communities.filter(path__startswith=under.path)
    rows = {c.pk: CommunityRow(community=c) for c in communities.order_by("path")}
    if not rows:
        return []
    ids = list(rows)
    volunteers = Volunteer.objects.filter(community_id__in=ids)
    if since is not None:  # who applied in the period; the hours served in it (below)
        volunteers = volunteers.filter(applied_at__gte=since)
    for r in volunteers.values("community_id").annotate(
        n=Count("id", filter=Q(status=VolunteerStatus.APPROVED)),
        pending=Count("id", filter=Q(status=VolunteerStatus.PENDING)),
        hours=Sum("hours_total"),
    ):
        row = rows[r["community_id"]]
        row.volunteers, row.pending, row.hours = r["n"], r["pending"], Decimal(r["hours"] or 0)
    if since is not None:
        served = hours_since(since, Q(community_id__in=ids))
        for pk, row in rows.items():
            row.hours = served.get(pk, Decimal(0))
    for r in Team.objects.filter(node_id__in=ids, is_active=True).values("node_id").annotate(n=Count("id")):
        rows[r["node_id"]].teams = r["n"]
    activities = Activity.objects.filter(community_id__in=ids).exclude(status=ActivityStatus.CANCELLED)
    signups = Signup.objects.filter(activity__community_id__in=ids)
    orders = ServiceOrder.objects.filter(community_id__in=ids)
    if since is not None:
        activities = activities.filter(starts_at__gte=since)
        signups = signups.filter(activity__starts_at__gte=since)
        orders = orders.filter(created_at__gte=since)
    for r in activities.values("community_id").annotate(n=Count("id")):
        rows[r["community_id"]].activities = r["n"]
    for r in signups.values("activity__community_id").annotate(
        attended=Count("id", filter=Q(status=SignupStatus.COMPLETED)),
        no_shows=Count("id", filter=Q(status=SignupStatus.NO_SHOW)),
    ):
        row = rows[r["activity__community_id"]]
        row.attended, row.no_shows = r["attended"], r["no_shows"]
    for r in orders.values("community_id").annotate(
        n=Count("id"),
        done=Count("id", filter=Q(status__in=list(ON_BOARD))),
        rated=Count("id", filter=Q(rating__isnull=False)),
        satisfied=Count("id", filter=Q(rating__gte=4)),
    ):
        row = rows[r["community_id"]]
        row.orders, row.orders_done, row.rated, row.satisfied = r["n"], r["done"], r["rated"], r["satisfied"]
    return list(rows.values())


def pending_counts(actor: Any) -> dict[str, int]:
    """What waits for the community worker: applications, orders to dispatch, orders to verify."""
    vols = volunteers_visible(actor).filter(status=VolunteerStatus.PENDING).count()
    orders = orders_visible(actor).aggregate(
        ordered=Count("id", filter=Q(status=OrderStatus.ORDERED)),
        published=Count("id", filter=Q(status=OrderStatus.PUBLISHED)),
        completed=Count("id", filter=Q(status=OrderStatus.COMPLETED)),
    )
    return {"applications": vols, **{k: v or 0 for k, v in orders.items()}}
