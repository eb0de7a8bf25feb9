"""What respond-upon-receipt shows on the home page (``RequestsConfig.home_figures``): each
role's work first — a handler's inbox, an operator's queues, a leader's month — each figure
linking to the list it counts."""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.requests import report_duty, selectors
from civicgrid.requests.constants import OPEN_STATUSES, Light, Status
from civicgrid.requests.ledger import day_start, overdue_q
from civicgrid.requests.models import Request
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.rates.access import scope_target, target_rates
from civicgrid.requests.rates.figures import Period, month_start, pct, score
from civicgrid.web.contrib import Figure


def _link(name: str, **params: Any) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def _inbox_figures(user: Any) -> list[Figure]:
    base = selectors.inbox(user)
    found = Request.objects.filter(pk__in=base.order_by().values("pk")).aggregate(
        open=Count("id"),
        unsigned=Count("id", filter=Q(status=Status.DISPATCHED)),
    )
    # As the inbox counts them: a request the user's units are on only by a whistle counts by
    # its report-in deadline, and not at all once they reported in.
    found.update(report_duty.light_counts(unit_ids(user), base, timezone.now()))
    return [
        Figure(_("待签收"), found["unsigned"], _link("requests:inbox", status=Status.DISPATCHED)),
        Figure(_("待办工单"), found["open"], _link("requests:inbox")),
        Figure(_("黄灯（临近期限）"), found["yellow"], _link("requests:inbox", light=Light.YELLOW)),
        Figure(_("红灯（已超期）"), found["red"], _link("requests:inbox", light=Light.RED)),
    ]


def _operator_figures(user: Any) -> list[Figure]:
    today = timezone.localdate()
    received = selectors.requests_visible(user)  # what the linked ledger lists
    return [
        Figure(
            _("今日受理"),
            received.filter(received_at__gte=day_start(today)).count(),
            _link("requests:ledger", received_from=today.isoformat(), received_to=today.isoformat()),
        ),
        Figure(_("待分拣派单"), selectors.triage_queue(user).count(), reverse("requests:triage")),
        Figure(_("待回访"), selectors.callback_queue(user).count(), reverse("requests:callbacks")),
    ]


def _area_figures(user: Any) -> list[Figure]:
    """The month so far in the user's area: intake, open, overdue, and the three rates."""
    today = timezone.localdate()
    first = month_start(today)
    now = timezone.now()
    visible = selectors.requests_visible(user).order_by()
    found = visible.aggregate(
        month=Count("id", filter=Q(received_at__gte=day_start(first))),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q(now)),
    )
    figures = [
        # Both ends (the 1st and today), as the overview's card: a bookmarked link keeps to
        # the month it counted, not to every request since.
        Figure(
            _("本月受理"),
            found["month"],
            _link("requests:ledger", received_from=first.isoformat(), received_to=today.isoformat()),
        ),
        Figure(_("在办诉求"), found["open"], _link("requests:ledger", status="open")),
        Figure(_("在办超期"), found["overdue"], _link("requests:ledger", status="open", overdue="on")),
    ]
    if has_capability(user, Capability.RATES_VIEW):
        rates, _source = target_rates(scope_target(user), Period.month(first))
        rated = rates.counts.rated
        hint = _("本月已评价 {n} 件").format(n=rated)
        url = reverse("requests:rates")
        figures += [
            Figure(_("本月响应率"), pct(rates.response), url, hint),
            Figure(_("本月解决率"), pct(rates.resolution), url, hint),
            Figure(_("本月满意率"), pct(rates.satisfaction), url, hint),
            Figure(_("本月综合得分"), score(rates.composite), url, hint),
        ]
    return figures


def home_figures(user: Any) -> list[Figure]:
    figures: list[Figure] = []
    if unit_ids(user):
        figures += _inbox_figures(user)
    if has_capability(user, Capability.REQUEST_DISPATCH):
        figures += _operator_figures(user)
    if has_capability(user, Capability.REQUEST_VIEW):
        figures += _area_figures(user)
    return figures
