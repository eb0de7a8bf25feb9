from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _sees_points(user: Any) -> bool:
    from civicgrid.points.figures import sees_points

    return sees_points(user)


def _manages_points(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.POINTS_MANAGE)


def _is_resident(user: Any) -> bool:
    from civicgrid.points.figures import is_resident

    return is_resident(user)


class PointsConfig(AppConfig):
    name = "civicgrid.points"
    label = "points"
    verbose_name = _("积分超市")
    # What this app contributes to shared screens (see civicgrid.web.contrib).
    menu: list[tuple[StrOrPromise, str, Any]] = [
        (_("积分超市"), "points:index", _sees_points),
        (_("核销取货"), "points:hand_over", _manages_points),
        (_("我的积分"), "points:h5_my", _is_resident),
    ]
    home_figures: str | None = "civicgrid.points.figures.home_figures"
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.points.demo.seed_demo"
