"""The navigation menu, built from the capabilities the user holds."""

from typing import Any

from django.urls import reverse

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability

# (label, url name, capability needed)
MENU: list[tuple[str, str, Capability | None]] = [
    ("首页", "web:home", None),
    ("区域网格", "territory:tree", Capability.TERRITORY_VIEW),
    ("网格事项清单", "territory:matters", Capability.TERRITORY_VIEW),
    ("实有人口", "registry:residents", Capability.REGISTRY_VIEW),
    ("实有房屋", "registry:dwellings", Capability.REGISTRY_VIEW),
    ("实有单位", "registry:organisations", Capability.REGISTRY_VIEW),
    ("数据导入", "exchange:imports", Capability.IMPORT),
    ("审计日志", "web:audit", Capability.AUDIT_VIEW),
]


def menu_for(user: Any) -> list[dict[str, str]]:
    items = [
        {"label": label, "url": reverse(name)}
        for label, name, capability in MENU
        if capability is None or has_capability(user, capability)
    ]
    if getattr(user, "admin_role", "") in ("system", "security"):
        items.append({"label": "系统管理", "url": reverse("admin:index")})
    return items
