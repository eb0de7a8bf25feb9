"""Handling units (承办单位), their staff, and dispatch rules (派单规则).

Only the system administrator (``Capability.REQUEST_CONFIGURE``) changes these, or a
command run on the server (``system=True``). Every change writes its audit row in the
same transaction. Unit membership gives a person a unit's inbox; roles (which pages a
person may open) stay with the security administrator (三员分立).

Set-up helpers, each idempotent: ``units_from_territory`` (one unit per district,
subdistrict and community), ``departments_install_default`` (the district departments and
public-service enterprises the default catalogue names) and ``default_rules_install``
(catalogue unit first, then the place's subdistrict with a copy to the district).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.notify.backends import mobile_problem
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.defaults import DEFAULT_DEPARTMENTS
from civicgrid.requests.models import Category, DispatchRule, HandlingUnit, UnitMembership
from civicgrid.requests.selectors import current_catalogue
from civicgrid.territory.models import Node, NodeKind


class Verb:
    UNIT_CREATED = "requests.unit_created"
    UNIT_MEMBER_ADDED = "requests.unit_member_added"
    UNIT_MEMBER_UPDATED = "requests.unit_member_updated"
    DISPATCH_RULE_CREATED = "requests.dispatch_rule_created"


UNIT_CODE_RE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
PREFIX_RE = re.compile(r"^(\d\d){1,3}$")
UNIT_FIELDS = ["code", "name", "kind", "node", "parent", "phone", "is_active"]
RULE_FIELDS = ["name", "priority", "category_prefix", "area", "target", "unit", "copy_to", "is_active"]
# Which node kind a unit of each territorial kind must sit on.
NODE_KIND_FOR: dict[str, str] = {
    UnitKind.DISTRICT: NodeKind.DISTRICT,
    UnitKind.SUBDISTRICT: NodeKind.SUBDISTRICT,
    UnitKind.COMMUNITY: NodeKind.COMMUNITY,
}
CATEGORY_RULE_NAME = "目录指定责任单位"  # i18n: data (a rule's name in the database, matched by name)


def _check(actor: Any, system: bool) -> None:
    if not system and not has_capability(actor, Capability.REQUEST_CONFIGURE):
        raise PermissionDenied(_("只有系统管理员可以维护承办单位和派单规则"))


# ---------------------------------------------------------------- units


def unit_errors(code: str, name: str, kind: str, node: Node | None, parent: HandlingUnit | None) -> dict:
    errors: dict[str, list[str]] = {}
    if not UNIT_CODE_RE.match(code):
        errors["code"] = [_("单位编码只能由字母、数字、“-”和“_”组成，最长32位")]
    elif HandlingUnit.objects.filter(code=code).exists():
        errors["code"] = [_("单位编码 {code} 已被使用").format(code=code)]
    if not name or len(name) > 100:
        errors["name"] = [_("单位名称不能为空，最长100个字")]
    if kind not in UnitKind.values:
        errors["kind"] = [_("单位类型取值无效")]
    if node is None or not node.is_active:
        errors["node"] = [_("请选择单位服务的区域（启用中的区域节点）")]
    elif kind in NODE_KIND_FOR and node.kind != NODE_KIND_FOR[kind]:
        errors["node"] = [
            _("{unit_kind}单位的区域必须是{node_kind}").format(
                unit_kind=UnitKind(kind).label, node_kind=NodeKind(NODE_KIND_FOR[kind]).label
            )
        ]
    if parent is not None and not parent.is_active:
        errors["parent"] = [_("上级单位已停用")]
    return errors


def _unit_save(actor: Any, unit: HandlingUnit) -> HandlingUnit:
    unit.save()
    audit_write(
        actor=actor, verb=Verb.UNIT_CREATED, target=unit, node=unit.node, after=snapshot(unit, UNIT_FIELDS)
    )
    return unit


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    node: Node | None,
    parent: HandlingUnit | None = None,
    phone: str = "",
    system: bool = False,
) -> HandlingUnit:
    """A new handling unit serving ``node`` (a department or enterprise: its district)."""
    _check(actor, system)
    code, name, phone = (code or "").strip(), (name or "").strip(), (phone or "").strip()
    errors = unit_errors(code, name, kind, node, parent)
    if len(phone) > 30:
        errors["phone"] = [_("值班电话最长30位")]
    if errors:
        raise ValidationError(errors=errors)
    assert node is not None
    unit = HandlingUnit(
        code=code, name=name, kind=kind, node=node, node_path=node.path, parent=parent, phone=phone
    )
    return _unit_save(actor, unit)


def _forget_units(user: User) -> None:
    user.__dict__.pop("_civicgrid_units", None)


def membership_phone_set(membership: UnitMembership, phone: str) -> None:
    """Set (or with "" clear) the work mobile the unit's notices reach this member on; the
    caller saves the membership."""
    membership.phone_enc = crypto.encrypt(phone) if phone else ""
    membership.phone_masked = crypto.mask_phone(phone) if phone else ""


@transaction.atomic
def unit_member_add(
    *,
    actor: Any,
    unit: HandlingUnit,
    user: User,
    is_approver: bool = False,
    phone: str | None = None,
    system: bool = False,
) -> UnitMembership:
    """Put a person on a unit's staff (or change whether they approve returns and extensions);
    ``phone``, when given, is the work mobile the unit's notices are sent to ("" clears it)."""
    _check(actor, system)
    if not user.is_active:
        raise ValidationError(_("该账号已停用"), field="user")
    if not unit.is_active:
        raise ValidationError(_("该单位已停用"), field="unit")
    if phone and (problem := mobile_problem(phone)) is not None:
        raise ValidationError(problem, field="phone")
    membership = UnitMembership.objects.select_for_update().filter(unit=unit, user=user).first()
    masked = None if phone is None else (crypto.mask_phone(phone) if phone else "")
    if (
        membership is not None
        and membership.is_approver == is_approver
        and masked in (None, membership.phone_masked)
    ):
        return membership
    verb = Verb.UNIT_MEMBER_UPDATED if membership else Verb.UNIT_MEMBER_ADDED
    before = {"is_approver": membership.is_approver, "phone": membership.phone_masked} if membership else None
    if membership is None:
        membership = UnitMembership(unit=unit, user=user)
    membership.is_approver = is_approver
    if phone is not None:
        membership_phone_set(membership, phone)
    membership.save()
    _forget_units(user)
    audit_write(
        actor=actor,
        verb=verb,
        target=membership,
        node=unit.node,
        before=before,
        after={
            "unit": unit.code,
            "user": user.get_username(),
            "is_approver": is_approver,
            "phone": membership.phone_masked,
        },
    )
    return membership


# i18n: data (the names of the units this creates: database rows, edited there)
# A name that already ends with the name of a body keeps it (NBS names such as 东昌街道办事处
# or 金厂村委会): no second suffix.
OWN_SUFFIXES = ("村委会", "居委会", "委员会", "办事处", "管委会", "人民政府")
# Development zones and the like are run by an administrative committee (管委会).
# i18n: data (endings of official place names)
ZONE_ENDINGS = ("开发区", "园区", "新区", "管理区", "试验区", "示范区", "合作区", "保税区")
# The NBS annotation of a special township-level area, e.g. 通化经济开发区（特殊乡镇）.
_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


# i18n: data (the names of the units this creates: database rows, edited there)
def _territorial_name(node: Node) -> str:
    name = node.name.strip()
    if name.endswith(OWN_SUFFIXES):
        return name
    bare = _NOTE.sub("", name) or name
    if bare.endswith(OWN_SUFFIXES):
        return bare
    if bare.endswith(ZONE_ENDINGS):
        return f"{bare}管委会"
    if node.kind == NodeKind.DISTRICT:
        return f"{bare}人民政府"
    if node.kind == NodeKind.SUBDISTRICT:
        return f"{bare}人民政府" if bare.endswith(("镇", "乡")) else f"{bare}办事处"
    return f"{bare}村民委员会" if bare.endswith("村") else f"{bare}居委会"


@dataclass
class UnitsResult:
    created: list[HandlingUnit] = field(default_factory=list)
    existing: int = 0
    # The districts whose default departments another district now shares (one set per
    # installation): the command warns that their catalogue requests go there.
    shared_from: list[str] = field(default_factory=list)


def districts_for(district: Node | None) -> list[Node]:
    if district is not None:
        if district.kind != NodeKind.DISTRICT:
            raise ValidationError(_("请选择区（县）"), field="district")
        return [district]
    return list(Node.objects.filter(kind=NodeKind.DISTRICT, is_active=True).order_by("path"))


def _territorial_nodes(districts: Iterable[Node]) -> list[Node]:
    kinds = [NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY]
    found: list[Node] = []
    for district in districts:
        under = Node.objects.filter(path__startswith=district.path, kind__in=kinds, is_active=True)
        found += sorted(under, key=lambda n: (n.depth, n.path))
    return found


@transaction.atomic
def units_from_territory(
    *,
    actor: Any,
    district: Node | None = None,
    system: bool = False,
    phone_for: Callable[[Node], str] | None = None,
) -> UnitsResult:
    """One unit for each district, subdistrict and community (all districts unless given).

    Codes are the nodes' codes; a subdistrict's unit reports to the district's, a
    community's to its subdistrict's. Nodes that already have a unit of their kind are
    left alone, so running it again creates only what is missing. ``phone_for`` gives a
    new unit its duty phone (the demo's; a real installation enters them on the unit's page).
    """
    _check(actor, system)
    result = UnitsResult()
    kind_of = {v: k for k, v in NODE_KIND_FOR.items()}
    units = {(u.node_id, u.kind): u for u in HandlingUnit.objects.filter(kind__in=list(NODE_KIND_FOR))}
    codes = set(HandlingUnit.objects.values_list("code", flat=True))
    nodes = _territorial_nodes(districts_for(district))
    unit_kind = {node.pk: kind_of[node.kind] for node in nodes}
    for node in nodes:
        kind = unit_kind[node.pk]
        if (node.pk, kind) in units:
            result.existing += 1
            continue
        parent_id = node.parent_id or 0
        parent = units.get((parent_id, unit_kind.get(parent_id, "")))
        code = (node.code if node.code not in codes else f"{node.code}-{kind}")[:32]
        unit = HandlingUnit(
            code=code,
            name=_territorial_name(node)[:100],
            kind=kind,
            node=node,
            node_path=node.path,
            parent=parent,
            phone=phone_for(node)[:30] if phone_for is not None else "",
        )
        units[(node.pk, kind)] = _unit_save(actor, unit)
        codes.add(code)
        result.created.append(unit)
    return result


def _city_name(district: Node) -> str:
    parent = district.parent
    return parent.name if parent is not None and parent.kind == NodeKind.CITY else district.name


@transaction.atomic
def departments_install_default(*, actor: Any, district: Node, system: bool = False) -> UnitsResult:
    """The default district departments (城管局, 住建局, …) and public-service enterprises
    (water, power, gas, heating, telecom) with the codes the default catalogue uses.
    Codes already taken are left alone (one set per installation): a second district of the
    installation shares the first one's, named in ``shared_from`` for the warning."""
    _check(actor, system)
    if district.kind != NodeKind.DISTRICT:
        raise ValidationError(_("请选择区（县）"), field="district")
    result = UnitsResult()
    existing = set(HandlingUnit.objects.values_list("code", flat=True))
    codes = [spec.code for spec in DEFAULT_DEPARTMENTS]
    elsewhere = HandlingUnit.objects.filter(code__in=codes).exclude(node_path__startswith=district.path)
    result.shared_from = sorted(set(elsewhere.values_list("node__name", flat=True)))
    government = HandlingUnit.objects.filter(kind=UnitKind.DISTRICT, node=district, is_active=True).first()
    for spec in DEFAULT_DEPARTMENTS:
        if spec.code in existing:
            result.existing += 1
            continue
        is_department = spec.kind == UnitKind.DEPARTMENT
        prefix = district.name if is_department else _city_name(district)
        unit = HandlingUnit(
            code=spec.code,
            name=f"{prefix}{spec.suffix}",
            kind=spec.kind,
            node=district,
            node_path=district.path,
            parent=government if is_department else None,
        )
        result.created.append(_unit_save(actor, unit))
    return result


# ---------------------------------------------------------------- dispatch rules


def prefix_errors(prefix: str) -> list[str]:
    """Why ``prefix`` (a category code prefix of a dispatch rule or a saved answer) is refused:
    not 2, 4 or 6 digits, or no category of the current catalogue starts with it."""
    if not prefix:
        return []
    if not PREFIX_RE.match(prefix):
        return [_("分类编码前缀应为2、4或6位数字，如 01、0103")]
    current = current_catalogue()
    if current and not Category.objects.filter(version=current, code__startswith=prefix).exists():
        return [_("当前派单目录中没有编码以 {prefix} 开头的分类").format(prefix=prefix)]
    return []


def rule_errors(
    name: str,
    target: str,
    unit: HandlingUnit | None,
    prefix: str,
    area: Node | None,
    copy_to: HandlingUnit | None,
    rule_id: int | None = None,
) -> dict[str, list[str]]:
    """Why a dispatch rule is refused, field → reasons. ``rule_id``: the rule being edited
    (its own name is not a duplicate)."""
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = [_("规则名称不能为空，最长100个字")]
    elif (
        twin := DispatchRule.objects.filter(is_active=True, name=name)
        .exclude(pk=rule_id or 0)
        .only("priority")
        .first()
    ) is not None:
        # Work orders and the console name the rule that chose them: two active rules of one
        # name could not be told apart there.
        errors["name"] = [
            _(
                "「规则名称」“{name}”已被另一条启用中的规则（优先级 {priority}）使用，"
                "派单记录中将无法区分，请换一个名称"
            ).format(name=name, priority=twin.priority)
        ]
    if target not in DispatchRule.Target.values:
        errors["target"] = [_("派往取值无效")]
    elif target == DispatchRule.Target.UNIT and (unit is None or not unit.is_active):
        errors["unit"] = [_("派往“指定单位”时须选择一个启用中的单位")]
    elif target != DispatchRule.Target.UNIT and unit is not None:
        errors["unit"] = [_("只有派往“指定单位”的规则才填写指定单位")]
    if problems := prefix_errors(prefix):
        errors["category_prefix"] = problems
    if area is not None and not area.is_active:
        errors["area"] = [_("适用区域已停用")]
    if copy_to is not None and (not copy_to.is_active or copy_to == unit):
        errors["copy_to"] = [_("抄送单位须启用，且不能与指定单位相同")]
    return errors


@transaction.atomic
def dispatch_rule_create(
    *,
    actor: Any,
    name: str,
    target: str,
    priority: int = 100,
    category_prefix: str = "",
    area: Node | None = None,
    unit: HandlingUnit | None = None,
    assisting: Iterable[HandlingUnit] = (),
    copy_to: HandlingUnit | None = None,
    system: bool = False,
) -> DispatchRule:
    """A dispatch rule: requests whose category code starts with ``category_prefix`` and
    whose place lies in ``area`` go to ``target`` (lower ``priority`` is tried first)."""
    _check(actor, system)
    name, prefix = (name or "").strip(), (category_prefix or "").strip()
    helpers = list(assisting)
    errors = rule_errors(name, target, unit, prefix, area, copy_to)
    if not isinstance(priority, int) or not -10000 <= priority <= 10000:
        errors["priority"] = [_("优先级应为 -10000 到 10000 之间的整数")]
    if any(not u.is_active for u in helpers):
        errors["assisting"] = [_("协办单位须为启用中的单位")]
    if errors:
        raise ValidationError(errors=errors)
    rule = DispatchRule.objects.create(
        name=name,
        target=target,
        priority=priority,
        category_prefix=prefix,
        area=area,
        unit=unit,
        copy_to=copy_to,
    )
    rule.assisting.set(helpers)
    after = snapshot(rule, RULE_FIELDS) | {"assisting": [u.pk for u in helpers]}
    audit_write(actor=actor, verb=Verb.DISPATCH_RULE_CREATED, target=rule, node=area, after=after)
    return rule


@transaction.atomic
def default_rules_install(*, actor: Any, system: bool = False) -> list[DispatchRule]:
    """The default rules: the catalogue's responsible unit first (department and
    enterprise leaves; location leaves name none, so the rule passes them on), then for each
    district the subdistrict of the place, copied to the district government.
    Rules already installed (same name) are kept as they are."""
    _check(actor, system)
    names = set(DispatchRule.objects.values_list("name", flat=True))
    created: list[DispatchRule] = []
    if CATEGORY_RULE_NAME not in names:
        created.append(
            dispatch_rule_create(
                actor=actor,
                name=CATEGORY_RULE_NAME,
                target=DispatchRule.Target.CATEGORY_UNIT,
                priority=10,
                system=system,
            )
        )
    districts = HandlingUnit.objects.filter(kind=UnitKind.DISTRICT, is_active=True).select_related("node")
    for government in districts.order_by("code"):
        name = f"属地街道（{government.node.name}）"  # i18n: data (a rule's name, matched by name)
        if name in names:
            continue
        rule = dispatch_rule_create(
            actor=actor,
            name=name,
            target=DispatchRule.Target.LOCATION_SUBDISTRICT,
            priority=100,
            area=government.node,
            copy_to=government,
            system=system,
        )
        created.append(rule)
    return created
