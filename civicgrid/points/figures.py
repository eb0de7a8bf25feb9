"""What points contributes to the home page (``PointsConfig.home_figures``) and the menu tests."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.points import selectors
from civicgrid.points.models import (
    Adjustment,
    AdjustmentStatus,
    Movement,
    MovementKind,
    Redemption,
    RedemptionStatus,
)
from civicgrid.points.views.common import view_paths, view_q
from civicgrid.registry.selectors import resident_for_user
from civicgrid.web.contrib import Figure


def hours_text(hours: Decimal | int | float | str | None) -> str:
    """Hours as every page shows them: one decimal (8.5, 32.0), rounded half up."""
    return str(Decimal(str(hours or 0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def sees_points(user: Any) -> bool:
    return bool(view_paths(user))


def is_resident(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and resident_for_user(user) is not None


def home_figures(user: Any) -> list[Figure]:
    resident = resident_for_user(user)
    if resident is not None:
        return [
            Figure(_("我的积分"), selectors.balance(resident), reverse("points:h5_my")),
            Figure(
                _("时间银行（小时）"),
                hours_text(selectors.time_bank_hours(resident)),
                reverse("points:h5_my"),
            ),
        ]
    if not sees_points(user):
        return []
    scope = view_q(user)
    month = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    issued = (
        Movement.objects.filter(scope, kind=MovementKind.EARN, created_at__gte=month).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    figures = [Figure(_("本月发放积分"), int(issued), reverse("points:index"))]
    if has_capability(user, Capability.POINTS_MANAGE):
        open_count = Redemption.objects.filter(scope, status=RedemptionStatus.RESERVED).count()
        figures.append(
            Figure(_("待领取兑换"), open_count, reverse("points:redemptions") + "?status=reserved")
        )
    if has_capability(user, Capability.POINTS_APPROVE):
        pending = selectors.adjustments_pending_for(user).count()
        figures.append(Figure(_("待审批积分调整"), pending, reverse("points:adjustments")))
    else:
        pending = Adjustment.objects.filter(scope, status=AdjustmentStatus.PENDING).count()
        figures.append(Figure(_("积分调整待审批"), pending, reverse("points:adjustments")))
    return figures
