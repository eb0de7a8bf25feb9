from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _views_property(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.PROPERTY_VIEW)


class PropertyConfig(AppConfig):
    name = "civicgrid.property"
    label = "property"
    verbose_name = _("红色物业")
    # What this app contributes to shared screens (see civicgrid.web.contrib): the menu
    # entry (label, url name, predicate on the user) and the demo seeder.
    menu: list[tuple[StrOrPromise, str, Any]] = [
        (_("红色物业"), "property:board", _views_property),
    ]
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.property.demo.seed_demo"
