from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _manages(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.VOLUNTEER_MANAGE)


def _orders_only(user: Any) -> bool:
    """Order staff through party work alone (党建专干: ``PARTY_EDIT`` without
    ``VOLUNTEER_MANAGE``): the service orders are the one staff page of this app they open."""
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.PARTY_EDIT) and not _manages(user)


def _leader(user: Any) -> bool:
    from civicgrid.volunteers.home import is_leader

    return is_leader(user)


def _resident(user: Any) -> bool:
    from civicgrid.volunteers.permissions import acting_resident

    return acting_resident(user) is not None


class VolunteersConfig(AppConfig):
    name = "civicgrid.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务")
    # What this app contributes to shared screens (see civicgrid.web.contrib):
    # menu entries (label, url name, capability or predicate on the user) and a dotted
    # path to ``home_figures(user) -> list[Figure]`` for the home page.
    menu: list[tuple[StrOrPromise, str, Any]] = [
        (_("志愿服务"), "volunteers:index", _manages),
        (_("志愿服务单"), "volunteers:orders", _orders_only),
        (_("志愿服务统计"), "volunteers:report", _leader),
        (_("志愿服务（居民）"), "volunteers:h5_home", _resident),
    ]
    home_figures: str | None = "civicgrid.volunteers.home.home_figures"
    # Dotted path to ``f(*, actor, resident) -> list[str]``, run by the registry when a
    # resident leaves the register (registry.services._left_consequences).
    resident_left: str | None = "civicgrid.volunteers.services.volunteers.volunteer_stop_for_left_resident"
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.volunteers.demo.seed_demo"
