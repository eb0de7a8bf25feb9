"""What the history needs before it can be lived: units, catalogue, rules and their staff.

Every step is an idempotent service run as the system (``system=True``): one handling
unit per district, subdistrict and community; the default departments and enterprises;
the default catalogue (or its units filled in when a catalogue exists); the default
dispatch rules. Then staff: a person who already holds the handler role on a unit's
node joins that unit; units still without anyone get a demo handler account (one per
subdistrict with its communities, one per department or enterprise), and a district
without an operator gets one. Demo accounts share the demo password; delete them before
real use.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.requests.catalogue import catalogue_link_default_units, catalogue_load_default
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.demo_history.births import People
from civicgrid.requests.knowledge import demo_rows, knowledge_import
from civicgrid.requests.models import HandlingUnit, SavedAnswer, UnitMembership
from civicgrid.requests.units import (
    default_rules_install,
    departments_install_default,
    unit_member_add,
    units_from_territory,
)
from civicgrid.territory.models import Node, NodeKind


@dataclass
class SetupResult:
    units: int = 0
    catalogue: str = ""
    rules: int = 0
    linked: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, name, what
    knowledge: int = 0


def _duty_phone(node: Node) -> str:
    """A community's demo duty landline (the doorplate page shows it to residents as the
    number to call); the other units' phones are left for the unit's page."""
    if node.kind != NodeKind.COMMUNITY:
        return ""
    return f"0510-8{random.Random(f'duty:{node.code}').randrange(10**7):07d}"


def _staff_units(result: SetupResult) -> None:
    result.units += len(units_from_territory(actor=None, system=True, phone_for=_duty_phone).created)
    for district in Node.objects.filter(kind=NodeKind.DISTRICT, is_active=True).order_by("path"):
        result.units += len(departments_install_default(actor=None, district=district, system=True).created)


def _catalogue(result: SetupResult) -> None:
    version, unlinked = catalogue_load_default(actor=None, system=True)
    if version is None:
        version = catalogue_link_default_units(actor=None, system=True)
        result.catalogue = f"已有派单目录{'，补全责任单位后发布' + str(version) if version else ''}"
    else:
        result.catalogue = f"发布默认派单目录{version}（{unlinked} 个分类暂无责任单位）"


def _unstaffed() -> list[HandlingUnit]:
    staffed = set(UnitMembership.objects.values_list("unit_id", flat=True))
    units = HandlingUnit.objects.filter(is_active=True).exclude(kind=UnitKind.HOTLINE).select_related("node")
    return [u for u in units.order_by("kind", "code") if u.pk not in staffed]


def _link_existing_handlers(result: SetupResult) -> None:
    """Someone holding the handler role on a unit's own node joins that unit; so does a
    community worker (the demo's 社区党委书记 login) the residents' committee of their community,
    which handles what is dispatched to the community."""
    holders: dict[int, list[User]] = defaultdict(list)
    staff = RoleAssignment.objects.filter(
        role__in=(Role.HANDLER, Role.COMMUNITY_WORKER), user__is_active=True
    ).select_related("user", "node")
    for a in staff:
        if a.role == Role.HANDLER or a.node.kind == NodeKind.COMMUNITY:
            holders[a.node_id].append(a.user)
    for unit in _unstaffed():
        for user in sorted(holders.get(unit.node_id, []), key=lambda u: u.pk)[:1]:
            phone = _work_phone(f"member:{user.get_username()}")
            unit_member_add(actor=None, unit=unit, user=user, is_approver=True, phone=phone, system=True)
            result.linked.append(f"{user.get_username()} → {unit.name}")


def _group_of(unit: HandlingUnit, by_node: dict[int, HandlingUnit]) -> HandlingUnit:
    """Communities share their subdistrict's demo handler; everyone else has their own."""
    if unit.kind == UnitKind.COMMUNITY and unit.node.parent_id in by_node:
        return by_node[unit.node.parent_id]
    return unit


def _work_phone(seed: str) -> str:
    """A demo member's work mobile, so that the unit's notices reach someone (the console
    backend prints them) instead of failing with 均未登记手机号."""
    return People(random.Random(seed)).person()[1]


def _account(password: str, username: str, title: str, role: str, node: Node, seed: str) -> User:
    name = People(random.Random(seed)).person()[0]
    user = accounts.user_create(
        actor=None, system=True, username=username, password=password, full_name=name, title=title
    )
    accounts.role_grant(actor=None, system=True, user=user, role=role, node=node)
    return user


def _create_handlers(result: SetupResult, password: str) -> None:
    by_node = {
        u.node_id: u
        for u in HandlingUnit.objects.filter(kind=UnitKind.SUBDISTRICT, is_active=True).select_related("node")
    }
    groups: dict[HandlingUnit, list[HandlingUnit]] = defaultdict(list)
    for unit in _unstaffed():
        groups[_group_of(unit, by_node)].append(unit)
    for head, units in groups.items():
        username = f"handler-{head.code}".lower()[:150]
        if User.objects.filter(username=username).exists():
            continue
        user = _account(
            password, username, f"{head.name}承办人", Role.HANDLER, head.node, f"handler:{head.code}"
        )
        phone = _work_phone(f"member:{username}")
        for unit in units:
            unit_member_add(actor=None, unit=unit, user=user, is_approver=True, phone=phone, system=True)
        result.accounts.append(
            (
                username,
                user.full_name,
                "、".join(u.name for u in units[:3]) + ("等" if len(units) > 3 else ""),
            )
        )


def _create_operators(result: SetupResult, password: str) -> None:
    operators = [
        a.user
        for a in RoleAssignment.objects.filter(role=Role.OPERATOR, user__is_active=True).select_related(
            "user"
        )
    ]
    for district in Node.objects.filter(kind=NodeKind.DISTRICT, is_active=True).order_by("path"):
        if any(can(user, Capability.REQUEST_DISPATCH, district.path) for user in operators):
            continue
        username = f"operator-{district.code}".lower()
        if User.objects.filter(username=username).exists():
            continue
        user = _account(
            password,
            username,
            f"{district.name}12345话务员",
            Role.OPERATOR,
            district,
            f"operator:{district.code}",
        )
        result.accounts.append((username, user.full_name, f"{district.name}话务员"))


@transaction.atomic
def requests_demo_setup(*, password: str) -> SetupResult:
    """Units, catalogue, rules and staff for the demo history (each step only if missing)."""
    result = SetupResult()
    _staff_units(result)
    _catalogue(result)
    result.rules = len(default_rules_install(actor=None, system=True))
    _link_existing_handlers(result)
    _create_handlers(result, password)
    _create_operators(result, password)
    if not SavedAnswer.objects.exists():
        result.knowledge = knowledge_import(actor=None, rows=demo_rows())
    return result


def describe(result: SetupResult) -> list[str]:
    lines = [
        f"承办单位：新建 {result.units} 个",
        f"派单目录：{result.catalogue}",
        f"派单规则：新建 {result.rules} 条",
        f"知识库：新增 {result.knowledge} 条官方答复",
    ]
    lines += [f"已有承办人加入单位：{text}" for text in result.linked]
    lines += [f"新建演示账号 {username}（{name}）：{what}" for username, name, what in result.accounts]
    return lines


__all__ = ["SetupResult", "describe", "requests_demo_setup"]
