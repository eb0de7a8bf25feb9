from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _patrols(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.PATROL)


def _views_gridwork(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.GRIDWORK_VIEW)


class GridworkConfig(AppConfig):
    name = "civicgrid.gridwork"
    label = "gridwork"
    verbose_name = _("网格工作")
    # What this app contributes to shared screens (see civicgrid.web.contrib):
    # menu entries (label, url name, capability or predicate on the user) and a dotted
    # path to ``home_figures(user) -> list[Figure]`` for the home page.
    menu: list[tuple[StrOrPromise, str, Any]] = [
        (_("网格员工作台"), "gridwork:m_today", _patrols),
        (_("网格工作"), "gridwork:coverage", _views_gridwork),
    ]
    home_figures: str | None = "civicgrid.gridwork.logbook.home_figures"
    # Dotted path to ``f(*, actor, resident) -> list[str]``, run by the registry when a
    # resident leaves the register (registry.services._left_consequences).
    resident_left: str | None = "civicgrid.gridwork.services.care.care_plans_end_for_left_resident"
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.gridwork.demo.seed_demo"
