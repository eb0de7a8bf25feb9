"""Filters and paging of the governance lists (每月一题, 治理任务, 未诉先办, 突发预警), shared
by the pages and the API: a status, an area (a node the reader sees), a month (``YYYY-MM``)
or a range of days (``start``, ``end``) and, for tasks, a unit. Each bad value is named by
its field; a page shows the list without it and says why (422), the API answers 422."""

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, TextChoices
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import typed_day
from civicgrid.governance import selectors
from civicgrid.requests.models import HandlingUnit
from civicgrid.requests.rates.figures import parse_month
from civicgrid.territory.models import Node

API_LIMIT_MAX = 200
PK_DIGITS = 18  # a longer number is no row of ours (and would overflow the column)


@dataclass
class Filters:
    status: str = ""
    node: Node | None = None
    start: date | None = None
    end: date | None = None
    unit: HandlingUnit | None = None


def _pk(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= PK_DIGITS else None


def read_filters(
    actor: Any,
    params: Mapping[str, Any],
    *,
    statuses: type[TextChoices],
    with_unit: bool = False,
) -> tuple[Filters, dict[str, list[str]]]:
    """The filters asked for, and the reasons for those refused (by field), which are left out."""
    found, errors = Filters(), {}

    def get(name: str) -> str:
        return str(params.get(name) or "").strip()

    if status := get("status"):
        if status in statuses.values:
            found.status = status
        else:
            errors["status"] = [
                _("状态应为以下之一：{choices}").format(
                    choices="、".join(f"{v}（{label}）" for v, label in statuses.choices)
                )
            ]
    if raw := get("node"):
        pk = _pk(raw)
        node = selectors.nodes_visible(actor).filter(pk=pk).first() if pk is not None else None
        if node is None:
            errors["node"] = [_("区域不存在或您无权查看")]
        found.node = node
    if with_unit and (raw := get("unit")):
        pk = _pk(raw)
        unit = HandlingUnit.objects.filter(pk=pk).first() if pk is not None else None
        if unit is None:
            errors["unit"] = [_("责任单位不存在")]
        found.unit = unit
    if raw := get("month"):
        try:
            first = parse_month(raw, field="month")
        except ValidationError as exc:
            errors.update(exc.errors)
        else:
            found.start = first
            found.end = first.replace(day=monthrange(first.year, first.month)[1])
    else:
        for name, label in (("start", _("开始日期")), ("end", _("结束日期"))):
            if raw := get(name):
                try:
                    setattr(found, name, typed_day(raw, field=name, label=label))
                except ValidationError as exc:
                    errors.update(exc.errors)
        if found.start and found.end and found.end < found.start:
            errors["end"] = [_("结束日期不能早于开始日期")]
            found.end = None
    return found, errors


def apply(qs: QuerySet[Any], found: Filters, *, day: str) -> QuerySet[Any]:
    """``qs`` cut by the filters; ``day`` is the column the month or range applies to (a
    datetime column is read as the local day, ``raised_at__date``)."""
    if found.status:
        qs = qs.filter(status=found.status)
    if found.node is not None:
        qs = qs.filter(node_path__startswith=found.node.path)
    if found.unit is not None:
        qs = qs.filter(unit=found.unit)
    if found.start is not None:
        qs = qs.filter(**{f"{day}__gte": found.start})
    if found.end is not None:
        qs = qs.filter(**{f"{day}__lte": found.end})
    return qs


def refuse(errors: dict[str, list[str]]) -> None:
    """The API's answer to a bad filter: 422 naming each field."""
    if errors:
        raise ValidationError(errors=errors)
