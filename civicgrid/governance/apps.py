from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _views_governance(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.GOVERNANCE_VIEW)


class GovernanceConfig(AppConfig):
    name = "civicgrid.governance"
    label = "governance"
    verbose_name = _("主动治理")
    # What this app contributes to shared screens (see civicgrid.web.contrib):
    # menu entries (label, url name, capability or predicate on the user) and a dotted
    # path to ``home_figures(user) -> list[Figure]`` for the home page.
    menu: list[tuple[StrOrPromise, str, Any]] = [(_("主动治理"), "governance:hot", _views_governance)]
    home_figures: str | None = "civicgrid.governance.figures.home_figures"
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.governance.demo.seed_demo"
