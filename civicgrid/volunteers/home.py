"""What volunteer service contributes to shared screens: home figures and menu tests."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from civicgrid.accounts.models import Role
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import actor_roles, has_capability
from civicgrid.volunteers.constants import VolunteerStatus
from civicgrid.volunteers.selectors import ORDERS_DONE, figures_for
from civicgrid.web.contrib import Figure


def is_leader(user: Any) -> bool:
    """Leaders read the report; community workers have the whole menu."""
    if not getattr(user, "is_authenticated", False) or has_capability(user, Capability.VOLUNTEER_MANAGE):
        return False
    return any(role == Role.LEADER for role, _ in actor_roles(user))


def home_figures(user: Any) -> list[Figure]:
    """Volunteers, hours, orders done and satisfaction in the user's area (community workers
    and leaders)."""
    if not (has_capability(user, Capability.VOLUNTEER_MANAGE) or is_leader(user)):
        return []
    found = figures_for(user)
    if found is None:
        return []
    manage = has_capability(user, Capability.VOLUNTEER_MANAGE)
    report = reverse("volunteers:report")
    # The lists behind the cards, filtered to what the card counts (an outside tester found 17
    # people behind 注册志愿者 14: pending and suspended ones too).
    people = f"{reverse('volunteers:people')}?status={VolunteerStatus.APPROVED}" if manage else report
    orders = f"{reverse('volunteers:orders')}?status={ORDERS_DONE}" if manage else report
    return [
        Figure(gettext("注册志愿者"), found.volunteers, people),
        Figure(gettext("志愿服务小时"), found.hours_text, report),
        Figure(
            gettext("完成服务单"),
            found.orders_done,
            orders,
            hint=gettext("已完成的服务单：待确认的和已评价的"),
        ),
        Figure(
            gettext("服务满意率"),
            found.satisfaction_text,
            report,
            hint=gettext("{rated} 次评价中 4–5 星的比例").format(rated=found.rated),
        ),
    ]
