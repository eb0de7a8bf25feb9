"""Around the build: the table of demo logins, and clearing a database that holds only the demo."""

import unicodedata
from typing import Any

from django.db import IntegrityError, connection, transaction

from civicgrid.accounts.models import User
from civicgrid.core.audit import audit_write
from civicgrid.core.models import AuditLog
from civicgrid.demo.builder import DemoError
from civicgrid.demo.constants import Verb
from civicgrid.demo.staff import DEMO_PASSWORD, LOGINS
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident
from civicgrid.territory.models import GridMatter, Node, NodeKind, Position
from civicgrid.territory.services import geometry_version_bump

DEMO_USERNAMES = [login.username for login in LOGINS]
NODE_KINDS = [kind.value for kind in NodeKind]


# --- logins -------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _role_and_scope(user: User) -> tuple[str, str]:
    if user.admin_role:
        return user.get_admin_role_display(), "全部区域（三员分立，不办理业务）"
    assignments = list(user.role_assignments.select_related("node").order_by("id"))
    roles = "、".join(a.get_role_display() for a in assignments) or "（无角色）"
    return roles, "、".join(a.node.name for a in assignments) or "—"


def logins_table() -> list[str]:
    """Lines of a table of the demo logins (username, password, role, name, scope)."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    rows = [("用户名", "密码", "角色", "姓名", "范围")]
    for login in LOGINS:
        user = users.get(login.username)
        if user is not None:
            role, scope = _role_and_scope(user)
            rows.append((user.username, DEMO_PASSWORD, role, user.full_name, scope))
    if len(rows) == 1:
        return ["还没有演示账号（演示城市尚未生成：civicgrid demo --size small）。"]
    widths = [max(_width(row[i]) for row in rows) + 2 for i in range(len(rows[0]) - 1)]
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示；正式使用前请删除这些账号）："]
    for row in rows:
        lines.append("  " + "".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + row[-1])
    return lines + _handler_lines()


HANDLER_PREFIX = "handler-"  # the units' demo handlers (civicgrid requests_demo)
HANDLER_UNITS_SHOWN = 3


def _handler_lines() -> list[str]:
    """One line per unit handler account (handler-*): its user name and the units it acts for."""
    users = (
        User.objects.filter(username__startswith=HANDLER_PREFIX, is_active=True)
        .prefetch_related("unit_memberships__unit")
        .order_by("username")
    )
    rows = []
    for user in users:
        names = sorted(m.unit.name for m in user.unit_memberships.all())
        units = "、".join(names[:HANDLER_UNITS_SHOWN]) + ("等" if len(names) > HANDLER_UNITS_SHOWN else "")
        rows.append((user.username, units or "—"))
    if not rows:
        return []
    width = max(_width(name) for name, _units in rows) + 2
    lines = [f"承办单位账号（{len(rows)} 个，密码为生成办件演示时所设，默认 {DEMO_PASSWORD}）："]
    return lines + ["  " + _pad(name, width) + units for name, units in rows]


# --- reset --------------------------------------------------------------------------------


def _check_only_demo() -> AuditLog:
    built = AuditLog.objects.filter(verb=Verb.BUILT).order_by("-id").first()
    if built is None or not Node.objects.exists():
        raise DemoError("没有找到演示城市（或库中没有区域数据），不做清空。")
    changes = AuditLog.objects.filter(id__gt=built.pk).exclude(verb__endswith="_viewed")
    first = changes.order_by("id").first()
    if first is not None:
        raise DemoError(
            f"演示城市生成后已有 {changes.count()} 条修改记录（第一条：{first.verb}），"
            "库中不只是演示数据，拒绝清空。"
        )
    recorded: dict[str, Any] = (built.after or {}).get("counts", {})
    checks = {
        "区域节点": (Node.objects.count(), sum(int(recorded.get(k, 0)) for k in NODE_KINDS)),
        "居民": (Resident.objects.count(), int(recorded.get("residents", -1))),
        "单位": (Organisation.objects.count(), int(recorded.get("organisations", -1))),
    }
    for label, (now, then) in checks.items():
        if now != then:
            raise DemoError(f"{label}数量（{now:,}）与生成时（{then:,}）不同，库中不只是演示数据，拒绝清空。")
    if User.objects.exclude(username__in=DEMO_USERNAMES).exists():
        raise DemoError("库中还有演示账号以外的账号，拒绝清空。")
    return built


def _delete_all(*models: Any) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def reset() -> dict[str, int]:
    """Remove the demo city and its logins. Refuses unless the database holds only the demo.

    The audit trail stays (it is append-only): the build and the reset are both recorded."""
    try:
        with transaction.atomic():
            built = _check_only_demo()
            removed = {"nodes": Node.objects.count(), "residents": Resident.objects.count()}
            _delete_all(
                Resident.tags.through,
                Resident,
                Household,
                Dwelling,
                Position,
                GridMatter.applies_to.through,
                GridMatter,
            )
            User.objects.filter(username__in=DEMO_USERNAMES).delete()
            _delete_all(Organisation, Node)
            geometry_version_bump()
            audit_write(
                actor=None,
                verb=Verb.RESET,
                target_type="demo",
                target_id=built.target_id,
                target_label="清空演示城市",
                after=removed,
            )
    except IntegrityError as exc:
        raise DemoError(f"还有其他数据引用演示城市的区域，拒绝清空（{exc}）。") from exc
    return removed
