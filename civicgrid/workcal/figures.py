"""The working calendar on the system administrator's home page: whether this year's and, from
October, next year's holidays are entered (the figure), and a notice above everything for each
year still to enter."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.web.contrib import Figure, Notice
from civicgrid.workcal import selectors


def home_figures(user: Any) -> list[Figure]:
    if not has_capability(user, Capability.CALENDAR_EDIT):
        return []
    on = selectors.today()
    pending = selectors.pending_warnings(on)
    if not pending:
        return [Figure(_("节假日安排"), _("{year} 年已录入").format(year=on.year), reverse("workcal:index"))]
    return [
        Figure(
            _("{year} 年节假日安排").format(year=year),
            _("未录入"),
            reverse("workcal:year", args=[year]),
            warning,
        )
        for year, warning in pending
    ]


def home_notices(user: Any) -> list[Notice]:
    if not has_capability(user, Capability.CALENDAR_EDIT):
        return []
    pending = selectors.pending_warnings()
    return [Notice(warning, reverse("workcal:year", args=[year])) for year, warning in pending]
