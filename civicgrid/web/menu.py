"""The navigation menu, built from the capabilities the user holds."""

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core.i18n import StrOrPromise
from civicgrid.web.contrib import app_menus

# (label, url name, capability needed)
MENU: list[tuple[StrOrPromise, str, Capability | None]] = [
    (gettext_lazy("首页"), "web:home", None),
    (gettext_lazy("区域网格"), "territory:tree", Capability.TERRITORY_VIEW),
    (gettext_lazy("网格事项清单"), "territory:matters", Capability.TERRITORY_VIEW),
    (gettext_lazy("实有人口"), "registry:residents", Capability.REGISTRY_VIEW),
    (gettext_lazy("实有房屋"), "registry:dwellings", Capability.REGISTRY_VIEW),
    (gettext_lazy("实有单位"), "registry:organisations", Capability.REGISTRY_VIEW),
    (gettext_lazy("数据导入"), "exchange:imports", Capability.IMPORT),
    (gettext_lazy("下载中心"), "exchange:exports", Capability.EXPORT),
    (gettext_lazy("审计日志"), "web:audit", Capability.AUDIT_VIEW),
    (gettext_lazy("审计员操作"), "web:audit", Capability.AUDITOR_REVIEW),
]


def _in_a_handling_unit(user: Any) -> bool:
    from civicgrid.requests.permissions import unit_ids

    return bool(unit_ids(user))


def _sees_requests(user: Any) -> bool:
    from civicgrid.requests.permissions import sees_requests

    return sees_requests(user)


def _any_of(*capabilities: Capability) -> Callable[[Any], bool]:
    return lambda user: any(has_capability(user, c) for c in capabilities)


# Pages of respond-upon-receipt (接诉即办); the test is a capability or a predicate on the user.
# Entries whose URL name is not (yet) defined are skipped.
REQUESTS_MENU: list[tuple[StrOrPromise, str, Capability | Callable[[Any], bool]]] = [
    (gettext_lazy("话务台"), "requests:console", Capability.REQUEST_INTAKE),
    (gettext_lazy("分拣派单"), "requests:triage", Capability.REQUEST_DISPATCH),
    (gettext_lazy("回访"), "requests:callbacks", Capability.REQUEST_DISPATCH),
    (gettext_lazy("待办工单"), "requests:inbox", _in_a_handling_unit),
    (gettext_lazy("诉求台账"), "requests:ledger", _sees_requests),
    (gettext_lazy("吹哨报到"), "requests:whistles", _sees_requests),
    (
        gettext_lazy("派单目录"),
        "requests:catalogue",
        _any_of(Capability.REQUEST_CONFIGURE, Capability.REQUEST_DISPATCH),
    ),
    (gettext_lazy("总览"), "requests:overview", Capability.RATES_VIEW),
    (gettext_lazy("三率"), "requests:rates", Capability.RATES_VIEW),
    (gettext_lazy("排名"), "requests:ranking", Capability.RATES_VIEW),
    (gettext_lazy("周报"), "requests:weekly_report", Capability.RATES_VIEW),
]


def _allowed(user: Any, test: Capability | Callable[[Any], bool] | None) -> bool:
    if test is None:
        return True
    if isinstance(test, Capability):
        return has_capability(user, test)
    return test(user)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def menu_for(user: Any) -> list[dict[str, StrOrPromise]]:
    items = [
        {"label": label, "url": url}
        for label, name, test in [*MENU, *REQUESTS_MENU, *app_menus()]
        if _allowed(user, test) and (url := _url(name)) is not None
    ]
    if getattr(user, "admin_role", "") in ("system", "security"):
        items.append({"label": _("系统管理"), "url": reverse("admin:index")})
    return items
