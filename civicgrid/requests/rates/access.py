"""What an actor may see of the rates: units and territory nodes under their RATES_VIEW scope."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter, scope_paths
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.requests.models import HandlingUnit
from civicgrid.requests.rates.cells import AUTO, BY_AREA, BY_UNIT, Slice, cells, current_month, grand_total
from civicgrid.requests.rates.figures import (
    Period,
    Rates,
    Weights,
    add_months,
    parse_month,
    parse_range,
    rates_of,
)
from civicgrid.territory.models import Node, NodeKind

AREA_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID)
UNIT = "unit"
AREA = "area"


def asked_period(month: str, start: str, end: str) -> Period:
    """The period a rates page or API call asks for: a month (this one by default) or a range
    of days. One not yet begun has no figures, not even zeros that read as a bad month (as the
    ranking refuses a month not begun); a range may end after today (it is counted so far).
    A month and a range asked for together are refused, naming both fields: neither silently
    wins (the page's form clears the other fields as one is typed)."""
    start, end, month = start.strip(), end.strip(), month.strip()
    if month and (start or end):
        raise ValidationError(
            gettext("“月份”和“起止日期”只能填写一种：按月统计请清空起止日期，按区间统计请清空月份"),
            field="month",
        )
    if start or end:
        period = parse_range(start, end)
        if period.start > timezone.localdate():
            raise ValidationError(
                gettext("开始日期晚于今天，尚无数据，请选择今天或以前的日期"), field="start"
            )
        return period
    if not month:
        return Period.month(current_month())
    first = parse_month(month)
    if first > current_month():
        raise ValidationError(gettext("所选月份尚未开始，请选择本月或以前的月份"), field="month")
    return Period.month(first)


@dataclass(frozen=True)
class Target:
    """A handling unit, or one or more territory paths (the ratings of places under them)."""

    kind: str
    label: str
    unit_id: int | None = None
    paths: tuple[str, ...] = ()
    pk: int | None = None

    @property
    def slice(self) -> Slice:
        if self.kind == UNIT:
            assert self.unit_id is not None
            return Slice(unit_ids=frozenset({self.unit_id}))
        return Slice(paths=self.paths)


def rate_paths(actor: Any) -> list[str]:
    paths = scope_paths(actor, Capability.RATES_VIEW)
    if not paths:
        raise PermissionDenied(gettext("您无权查看三率统计"))
    return paths


def units_visible(actor: Any) -> QuerySet[HandlingUnit]:
    qs = HandlingUnit.objects.filter(is_active=True).order_by("kind", "code")
    return scope_filter(qs, actor, Capability.RATES_VIEW)


def visible_unit_ids(actor: Any) -> set[int]:
    """The units whose rows of a ranking the actor may see: those in scope, stopped ones too
    (a month a unit was ranked in keeps it after it is stopped)."""
    return set(
        scope_filter(HandlingUnit.objects.all(), actor, Capability.RATES_VIEW).values_list("pk", flat=True)
    )


def nodes_visible(actor: Any) -> QuerySet[Node]:
    qs = Node.objects.filter(kind__in=AREA_KINDS, is_active=True).order_by("path")
    return scope_filter(qs, actor, Capability.RATES_VIEW, field="path")


def unit_target(actor: Any, pk: int) -> Target:
    unit = units_visible(actor).filter(pk=pk).first()
    if unit is None:
        raise NotFound(gettext("承办单位不存在或您无权查看"))
    return Target(UNIT, unit.name, unit_id=unit.pk, pk=unit.pk)


def node_target(actor: Any, pk: int) -> Target:
    node = nodes_visible(actor).filter(pk=pk).first()
    if node is None:
        raise NotFound(gettext("区域不存在或您无权查看"))
    return Target(AREA, node.name, paths=(node.path,), pk=node.pk)


def scope_target(actor: Any) -> Target:
    """Everything the actor may see (their own area)."""
    paths = tuple(rate_paths(actor))
    if paths == ("",):
        return Target(AREA, gettext("全部辖区"), paths=paths)
    nodes = list(Node.objects.filter(path__in=paths).order_by("path"))
    if len(nodes) == 1:
        return Target(AREA, nodes[0].name, paths=paths, pk=nodes[0].pk)
    return Target(AREA, "、".join(n.name for n in nodes) or gettext("我的辖区"), paths=paths)


def target_rates(
    target: Target, period: Period, *, source: str = AUTO, weights: Weights | None = None
) -> tuple[Rates, str]:
    by = BY_UNIT if target.kind == UNIT else BY_AREA
    found, used = cells(period, target.slice, source=source, by=by)
    return rates_of(grand_total(found), weights), used


def target_trend(target: Target, last_month: date, months: int = 12) -> list[tuple[date, Rates]]:
    """The target's rates for each of the ``months`` months ending with ``last_month``, or with
    the current month when ``last_month`` has not begun (a range ending in the future): a
    month not begun has no figures, not even a row of zeros that pushes real months out."""
    last_month = min(last_month, current_month())
    weights = Weights.from_settings()
    result = []
    for back in range(months - 1, -1, -1):
        month = add_months(last_month, -back)
        rates, _ = target_rates(target, Period.month(month), weights=weights)
        result.append((month, rates))
    return result
