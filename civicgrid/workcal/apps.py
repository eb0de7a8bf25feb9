from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _edits_calendar(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.CALENDAR_EDIT)


class WorkcalConfig(AppConfig):
    name = "civicgrid.workcal"
    label = "workcal"
    verbose_name = _("工作日历")
    # What this app contributes to shared screens (see civicgrid.web.contrib): the menu entry
    # of the system administrator and the calendar's state on their home page.
    menu: list[tuple[StrOrPromise, str, Any]] = [(_("工作日历"), "workcal:index", _edits_calendar)]
    home_figures: str | None = "civicgrid.workcal.figures.home_figures"
    home_notices: str | None = "civicgrid.workcal.figures.home_notices"
