"""The ratings behind a figure of the rates (评价明细): the rows a count of ``cells`` adds up.

``ratings_behind(target, period, outcome)`` selects the ``Rating`` rows of a target (a unit,
or places under territory paths) in a period, as ``cells._ratings`` counts them, so the
list's length is the figure a page shows: 评价 (``all``), 未联系, 已解决/部分解决/未解决,
满意/基本满意/不满意. A reopened request rated again is a row per rating (件次), as counted.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.requests.constants import Resolution, Satisfaction
from civicgrid.requests.models import Rating
from civicgrid.requests.rates.access import Target
from civicgrid.requests.rates.cells import _restrict, bounds
from civicgrid.requests.rates.figures import Period, month_start

ALL = "all"
# outcome -> (its label, the condition on a rating; None: every rating)
OUTCOMES: dict[str, tuple[StrOrPromise, Q | None]] = {
    ALL: (gettext_lazy("全部评价"), None),
    "contacted": (gettext_lazy("已联系"), Q(contacted=True)),
    "not_contacted": (gettext_lazy("未联系"), Q(contacted=False)),
    "solved": (gettext_lazy("已解决"), Q(resolution=Resolution.SOLVED)),
    "partly": (gettext_lazy("部分解决"), Q(resolution=Resolution.PARTLY)),
    "unsolved": (gettext_lazy("未解决"), Q(resolution=Resolution.UNSOLVED)),
    "satisfied": (gettext_lazy("满意"), Q(satisfaction=Satisfaction.SATISFIED)),
    "basic": (gettext_lazy("基本满意"), Q(satisfaction=Satisfaction.BASIC)),
    "unsatisfied": (gettext_lazy("不满意"), Q(satisfaction=Satisfaction.UNSATISFIED)),
}


def outcome_checked(raw: str) -> str:
    outcome = raw.strip() or ALL
    if outcome not in OUTCOMES:
        raise ValidationError(gettext("评价结果参数无效：{value}").format(value=raw[:20]), field="outcome")
    return outcome


def ratings_in(period: Period) -> QuerySet[Rating]:
    """The ratings a period counts: a whole month by its assessment month, a range of days by
    the day each was given (within the months the range touches), as ``cells._ratings``."""
    qs = Rating.objects.all()
    month = period.whole_month
    if month is not None:
        return qs.filter(month=month)
    start, end = bounds(period)
    return qs.filter(
        month__gte=month_start(period.start), month__lte=period.end, created_at__gte=start, created_at__lt=end
    )


def ratings_behind(target: Target, period: Period, outcome: str = ALL) -> QuerySet[Any]:
    """The ratings behind ``target``'s figure of ``outcome`` in ``period``, newest first."""
    qs = _restrict(ratings_in(period), target.slice, unit="unit_id", path="node_path")
    condition = OUTCOMES[outcome_checked(outcome)][1]
    if condition is not None:
        qs = qs.filter(condition)
    return qs.select_related("request", "request__category", "unit").order_by("-created_at", "-id")
