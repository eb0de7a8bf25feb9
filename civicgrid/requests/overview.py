"""接诉即办总览: one page of what a leader asks first — how many came in today and this
month, how many are open, overdue, red or yellow, the last 30 days' intake, this month's
top second-level categories, the open and overdue requests of each area below the
reader's scope (ending, as the weekly report's hot spots do, with a row of what lies in the
reader's area but on none of those areas, so the rows add up to the open card) and the units
with the most overdue open requests.

Everything is counted over the requests the reader may see (``selectors.requests_visible``)
in a fixed number of queries, whatever the number of areas: the areas' counts are
filtered aggregates of one query. "Overdue" is the ledger's (``ledger.overdue_q``: open,
its resolution clock running and past due), so each figure (but the whistles') links to
the ledger filtered to the same requests. Its scope is the ledger's, which for a unit's
handler is narrower than the rates pages' area (``rates.access``: RATES_VIEW). ``?node=``
narrows it to one area within the reader's RATES_VIEW scope (a subdistrict of the district),
the ledger links then carrying the node.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.requests import selectors
from civicgrid.requests.constants import OPEN_STATUSES, Light
from civicgrid.requests.ledger import day_start, overdue_q
from civicgrid.requests.models import Category, Whistle
from civicgrid.requests.rates.access import Target, nodes_visible, scope_target
from civicgrid.requests.rates.report import unsplit_name
from civicgrid.territory.models import Node, NodeKind

DAYS = 30  # the intake chart's span
TOP_CATEGORIES = 10
TOP_UNITS = 10
AREAS_MAX = 40  # areas charted at most (a district has some twenty subdistricts)


@dataclass
class AreaRow:
    node: Node
    open: int
    overdue: int


@dataclass
class RestRow:
    """The open requests in the reader's area (or the one they narrowed it to) but in none of
    the areas below it: placed on that node itself (no finer location yet), or on no node."""

    name: str
    open: int
    overdue: int


@dataclass
class UnitRow:
    unit_id: int
    name: str
    open: int
    overdue: int


@dataclass
class Overview:
    today: date
    month_start: date
    received_today: int = 0
    received_month: int = 0
    open: int = 0
    overdue: int = 0
    red: int = 0
    yellow: int = 0
    supervised: int = 0  # open and supervised (督办)
    whistles_month: int = 0
    daily: list[tuple[date, int]] = field(default_factory=list)
    categories: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, count)
    areas: list[AreaRow] = field(default_factory=list)
    rest: RestRow | None = None  # after the areas, when any open request lies in none of them
    units: list[UnitRow] = field(default_factory=list)

    def chart(self) -> dict[str, Any]:
        """The data of the page's charts (``json_script``)."""
        areas = [(row.node.name, row.open, row.overdue) for row in self.areas]
        if self.rest is not None:
            areas.append((self.rest.name, self.rest.open, self.rest.overdue))
        return {
            "days": [f"{d:%m-%d}" for d, _ in self.daily],
            "received": [n for _, n in self.daily],
            "categories": [name for _, name, _ in self.categories],
            "category_counts": [n for _, _, n in self.categories],
            "areas": [name for name, _, _ in areas],
            "areas_open": [n for _, n, _ in areas],
            "areas_overdue": [n for _, _, n in areas],
        }


def _areas_below(actor: Any, area: Target | None = None) -> tuple[list[Node], bool]:
    """The areas one level below the reader's view (or below ``area``, the one they narrowed
    it to): the subdistricts for a district's reader, the communities for a subdistrict's,
    the grids for a community's; and whether there were more than ``AREAS_MAX`` of them
    (then the last row holds the areas left out as well)."""
    visible = nodes_visible(actor)
    if area is not None:
        visible = visible.filter(path__startswith=area.paths[0]).exclude(path=area.paths[0])
    for kind in (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID):
        found = list(visible.filter(kind=kind)[: AREAS_MAX + 1])
        if len(found) > 1:
            return found[:AREAS_MAX], len(found) > AREAS_MAX
    return [], False


def _category_names(codes: list[str]) -> dict[str, str]:
    """Second-level codes (two digits a level: stable across catalogue versions) to their
    names in the newest version that has them."""
    names: dict[str, str] = {}
    rows = Category.objects.filter(level=2, code__in=codes).order_by("version__created_at")
    for code, name in rows.values_list("code", "name"):
        names[code] = name  # newer versions overwrite older ones
    return names


def overview(actor: Any, now: datetime | None = None, *, area: Target | None = None) -> Overview:
    """The figures over what ``actor`` may see, or only what lies in ``area`` (an area within
    their RATES_VIEW scope, from ``access.node_target``: a subdistrict of a district leader's)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month_start = today.replace(day=1)
    found = Overview(today=today, month_start=month_start)
    qs = selectors.requests_visible(actor).order_by()
    if area is not None:
        qs = qs.filter(node_path__startswith=area.paths[0])
    open_q = Q(status__in=OPEN_STATUSES)
    counts = qs.aggregate(
        received_today=Count("id", filter=Q(received_at__gte=day_start(today))),
        received_month=Count("id", filter=Q(received_at__gte=day_start(month_start))),
        open=Count("id", filter=open_q),
        overdue=Count("id", filter=overdue_q(now)),
        red=Count("id", filter=open_q & Q(light=Light.RED)),
        yellow=Count("id", filter=open_q & Q(light=Light.YELLOW)),
        supervised=Count("id", filter=open_q & Q(supervised=True)),
    )
    for name, value in counts.items():
        setattr(found, name, value)
    found.whistles_month = Whistle.objects.filter(
        request__in=qs, created_at__gte=day_start(month_start)
    ).count()

    first_day = today - timedelta(days=DAYS - 1)
    per_day = dict(
        qs.filter(received_at__gte=day_start(first_day))
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    found.daily = [(day, per_day.get(day, 0)) for day in (first_day + timedelta(days=i) for i in range(DAYS))]

    month = qs.filter(received_at__gte=day_start(month_start), category__isnull=False)
    top = list(
        month.annotate(group=Substr("category__code", 1, 4))
        .values("group")
        .annotate(n=Count("id"))
        .order_by("-n", "group")
        .values_list("group", "n")[:TOP_CATEGORIES]
    )
    names = _category_names([code for code, _ in top])
    found.categories = [(code, names.get(code, code), n) for code, n in top]

    areas, more = _areas_below(actor, area)
    if areas:
        aggregates: dict[str, Any] = {}
        in_any = Q()
        for node in areas:
            inside = Q(node_path__startswith=node.path)
            in_any |= inside
            aggregates[f"open_{node.pk}"] = Count("id", filter=inside & open_q)
            aggregates[f"overdue_{node.pk}"] = Count("id", filter=inside & overdue_q(now))
        aggregates["open_rest"] = Count("id", filter=~in_any & open_q)
        aggregates["overdue_rest"] = Count("id", filter=~in_any & overdue_q(now))
        by_area = qs.aggregate(**aggregates)
        found.areas = [AreaRow(n, by_area[f"open_{n.pk}"], by_area[f"overdue_{n.pk}"]) for n in areas]
        if by_area["open_rest"]:  # overdue ones are open too
            label = (area or scope_target(actor)).label
            # Past AREAS_MAX rows the areas left out are in this row too, and it says so.
            name = _("{name}（其余区域、本级及未细分）").format(name=label) if more else unsplit_name(label)
            found.rest = RestRow(name, by_area["open_rest"], by_area["overdue_rest"])

    units = (
        qs.filter(open_q, lead_unit__isnull=False)
        .values("lead_unit", "lead_unit__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q(now)))
        .order_by("-overdue", "-open", "lead_unit__name")[:TOP_UNITS]
    )
    found.units = [UnitRow(u["lead_unit"], u["lead_unit__name"], u["open"], u["overdue"]) for u in units]
    return found
