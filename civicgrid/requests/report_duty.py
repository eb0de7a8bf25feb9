"""A summoned unit's own duty on a request it is in only by a whistle (吹哨召集).

A department summoned to report in is not answerable for the lead unit's deadlines: its inbox
row shows its report-in deadline (报到期限) and a light from that deadline (same yellow
threshold as the request's clocks), and once it has reported in the request no longer counts
in its yellow/red figures. A unit that is also the lead, or assists by an order of its own
(dispatch, not the whistle), keeps the request's deadlines.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.requests.constants import Light, Status
from civicgrid.requests.deadlines import RANK
from civicgrid.requests.models import Request, WhistleSummons, WorkOrder
from civicgrid.requests.services.whistle import report_in_light
from civicgrid.requests.web_helpers import duration_text


@dataclass(frozen=True)
class ReportDuty:
    """Shaped like ``web_helpers.ClockView`` for the inbox row (``report`` tells them apart)."""

    live: str  # the report-in light; "" once reported in (counts in no colour)
    clock: str
    due: datetime | None
    left: str
    overdue: bool
    reported_at: datetime | None = None
    report: bool = True


def whistle_only_q(units: Iterable[int]) -> Q:
    """Requests the units are on only by an open whistle's summons (not lead, no order of their
    own besides the whistle's)."""
    units = list(units)
    own_order = WorkOrder.objects.filter(
        request=OuterRef("pk"), unit_id__in=units, is_active=True, whistle__isnull=True
    )
    summoned = WhistleSummons.objects.filter(
        whistle__request=OuterRef("pk"), whistle__closed_at__isnull=True, unit_id__in=units
    )
    return Q(Exists(summoned)) & ~Q(lead_unit_id__in=units) & ~Q(Exists(own_order))


def duties(units: Iterable[int], request_ids: Iterable[int], now: datetime) -> dict[int, ReportDuty]:
    """The report-in duty of each of ``request_ids`` the units are on only by a whistle."""
    units = list(units)
    only = Request.objects.filter(pk__in=list(request_ids)).filter(whistle_only_q(units)).values("pk")
    summonses = (
        WhistleSummons.objects.filter(
            whistle__request__in=only, whistle__closed_at__isnull=True, unit_id__in=units
        )
        .select_related("whistle")
        .order_by("whistle__deadline", "id")
    )
    found: dict[int, list[WhistleSummons]] = {}
    for s in summonses:
        found.setdefault(s.whistle.request_id, []).append(s)
    return {pk: _duty(rows, now) for pk, rows in found.items()}


def _duty(rows: list[WhistleSummons], now: datetime) -> ReportDuty:
    awaited = [s for s in rows if s.reported_at is None]
    if not awaited:
        last = max(s.reported_at for s in rows if s.reported_at is not None)
        return ReportDuty("", _("已报到"), None, "", False, reported_at=last)
    first = awaited[0].whistle  # the earliest deadline
    light = max((report_in_light(s.whistle, now) for s in awaited), key=RANK.__getitem__)
    overdue = first.deadline <= now
    left = (_("超期 {duration}") if overdue else _("剩余 {duration}")).format(
        duration=duration_text(first.deadline - now)
    )
    return ReportDuty(light, _("报到"), first.deadline, left, overdue)


def light_counts(units: Iterable[int], base: QuerySet[Request], now: datetime) -> dict[str, int]:
    """Yellow/red/green counts of an inbox: the request's scanned light, but for requests the
    units are on only by a whistle the light of their report-in deadline, and none once
    reported in. A suspended request has no light, except as a report-in duty."""
    units = list(units)
    ids = base.order_by().values("pk")
    mine = Request.objects.filter(pk__in=ids)
    only_ids = list(mine.filter(whistle_only_q(units)).values_list("pk", flat=True))
    lit = mine.exclude(status=Status.SUSPENDED).exclude(pk__in=only_ids)
    counts = {value: 0 for value in Light.values}
    for light, n in lit.values_list("light").annotate(n=Count("id")).order_by():
        counts[light] = counts.get(light, 0) + n
    for duty in duties(units, only_ids, now).values():
        if duty.live:
            counts[duty.live] += 1
    return counts


def ids_with_light(units: Iterable[int], base: QuerySet[Request], light: str, now: datetime) -> Q:
    """The filter ``?light=`` means for an inbox: as ``light_counts`` counts."""
    units = list(units)
    only_ids = list(base.filter(whistle_only_q(units)).order_by().values_list("pk", flat=True))
    matching = [pk for pk, d in duties(units, only_ids, now).items() if d.live == light]
    return (Q(light=light) & ~Q(status=Status.SUSPENDED) & ~Q(pk__in=only_ids)) | Q(pk__in=matching)
