from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _views(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.PARTY_VIEW)


def _is_member(user: Any) -> bool:
    from civicgrid.party.permissions import member_for_user

    return member_for_user(user) is not None


class PartyConfig(AppConfig):
    name = "civicgrid.party"
    label = "party"
    verbose_name = _("党建引领")
    # What this app contributes to shared screens (see civicgrid.web.contrib):
    # menu entries (label, url name, capability or predicate on the user) and a dotted
    # path to ``home_figures(user) -> list[Figure]`` for the home page.
    menu: list[tuple[StrOrPromise, str, Any]] = [
        (_("党建引领"), "party:overview", _views),
        (_("党员报到"), "party:h5_home", _is_member),
    ]
    home_figures: str | None = "civicgrid.party.home.home_figures"
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.party.demo.seed_demo"

    def ready(self) -> None:
        from civicgrid.party.services.orders import need_orders_all_cancelled, need_orders_all_confirmed
        from civicgrid.volunteers.services.orders import order_confirmed
        from civicgrid.volunteers.signals import order_cancelled

        order_cancelled.connect(need_orders_all_cancelled, dispatch_uid="party.need_orders_all_cancelled")
        order_confirmed.connect(need_orders_all_confirmed, dispatch_uid="party.need_orders_all_confirmed")
