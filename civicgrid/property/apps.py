from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


class PropertyConfig(AppConfig):
    name = "civicgrid.property"
    label = "property"
    verbose_name = _("红色物业")
    # What this app contributes to shared screens (see civicgrid.web.contrib): the menu
    # entry (label, url name, predicate on the user) and the demo seeder.
    menu: list[tuple[StrOrPromise, str, Any]] = []
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = None
