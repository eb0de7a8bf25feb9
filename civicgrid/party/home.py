"""The party's figures on the home page (registered in ``PartyConfig.home_figures``)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.party import figures
from civicgrid.party.selectors import warnings_visible
from civicgrid.web.contrib import Figure


def home_figures(user: Any) -> list[Figure]:
    if not has_capability(user, Capability.PARTY_VIEW):
        return []
    in_service = figures.area_rate(user)
    units = figures.unit_rate(user)
    counts = figures.project_counts(user)
    return [
        Figure(
            _("在职党员报到率"),
            in_service.shown,
            reverse("party:reporting"),
            f"{in_service.reported}/{in_service.total}",
        ),
        Figure(
            _("单位党组织报到率"), units.shown, reverse("party:reporting"), f"{units.reported}/{units.total}"
        ),
        Figure(_("待确认的报到"), figures.reports_pending(user), reverse("party:reports")),
        Figure(
            _("已完成项目"),
            counts["done"],
            reverse("party:projects") + "?status=done",
            _("微实事 {micro_done}").format(micro_done=counts["micro_done"]),
        ),
        Figure(_("大党委活动预警"), warnings_visible(user).count(), reverse("party:committees")),
    ]
