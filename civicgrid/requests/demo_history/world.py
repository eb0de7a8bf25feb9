"""Everything the history needs, read once: places, catalogue, units, rules and people.

The simulation never queries the database while it runs; it reads this snapshot, so a
few thousand requests are planned in seconds. The same objects are then handed to the
services when the history is replayed (``replay``), so both see the same people.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

import shapely
from shapely.geometry import shape

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_paths
from civicgrid.core.errors import ValidationError
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.demo_history.texts import TOPICS, Topic
from civicgrid.requests.doorplate import join_place
from civicgrid.requests.models import Category, DispatchRule, HandlingUnit, UnitMembership
from civicgrid.requests.selectors import current_catalogue
from civicgrid.requests.services.intake import numbers_taken
from civicgrid.territory.models import GridType, Node, NodeKind
from civicgrid.workcal import clock
from civicgrid.workcal.clock import Calendar

MAX_BUILDINGS_PER_GRID = 40
STAFF_ROLES = (Role.OPERATOR, Role.GRID_WORKER, Role.LEADER)


@dataclass
class Building:
    node: Node
    address: str


@dataclass
class Grid:
    node: Node
    polygon: shapely.Polygon
    community: str
    subdistrict: str
    buildings: list[Building] = field(default_factory=list)

    def point(self, rng: random.Random) -> tuple[float, float]:
        """A random point well inside the polygon (rejection sampling on its bounds)."""
        x0, y0, x1, y1 = self.polygon.bounds
        inner = self.polygon.buffer(-min(x1 - x0, y1 - y0) * 0.03)
        target = inner if not inner.is_empty else self.polygon
        for _ in range(200):
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(target, lon, lat):
                return round(lon, 6), round(lat, 6)
        centre = self.polygon.representative_point()
        return round(centre.x, 6), round(centre.y, 6)


@dataclass
class Staff:
    """People by what they may do and where (path prefixes), in a stable order."""

    scopes: dict[Capability, list[tuple[User, tuple[str, ...]]]] = field(default_factory=dict)

    def covering(self, capability: Capability, path: str) -> list[User]:
        return [u for u, paths in self.scopes.get(capability, []) if any(path.startswith(p) for p in paths)]


@dataclass
class World:
    now: datetime
    cal: Calendar
    grids: list[Grid]
    leaves: list[Category]
    topics: list[tuple[Topic, list[Category]]]
    units: dict[int, HandlingUnit]
    unit_at: dict[tuple[str, int], HandlingUnit]
    members: dict[int, list[User]]
    rules: list[DispatchRule]
    rule_assisting: dict[int, list[HandlingUnit]]
    staff: Staff
    counters: dict[date, int]

    def handlers(self, unit: HandlingUnit | None) -> list[User]:
        return self.members.get(unit.pk, []) if unit is not None else []

    @cached_property
    def staffed_departments(self) -> list[HandlingUnit]:
        kinds = (UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)
        return [u for u in self.units.values() if u.kind in kinds and u.is_active and self.members.get(u.pk)]

    def departments(self) -> list[HandlingUnit]:
        """Departments and enterprises with staff (whistles, redispatch after a return)."""
        return self.staffed_departments

    def unit_for_place(self, node_path: str, kind: str) -> HandlingUnit | None:
        """``dispatch.unit_for_place`` on the snapshot: the nearest unit of ``kind`` up the path."""
        for part in reversed([p for p in node_path.strip("/").split("/") if p]):
            found = self.unit_at.get((kind, int(part)))
            if found is not None and found.is_active:
                return found
        return None


def _leaves() -> list[Category]:
    version = current_catalogue()
    if version is None:
        raise ValidationError("尚未发布派单目录，请先导入或加载默认目录", field="catalogue")
    leaves = list(
        Category.objects.filter(version=version, level=3)
        .select_related("version", "responsible_unit")
        .order_by("code")
    )
    if not leaves:
        raise ValidationError("当前派单目录没有三级分类", field="catalogue")
    return leaves


def leaves_for(topic: Topic, leaves: list[Category]) -> list[Category]:
    """The leaves a topic fits: by leaf name, then leaf keywords, then the full name."""
    for keyword in topic.keywords:
        for text in (
            lambda c: c.name,
            lambda c: c.keywords,
            lambda c: c.full_name,
        ):
            hits = [c for c in leaves if keyword in text(c)]
            if hits:
                return hits[:4]
    return []


def _names(paths: list[str]) -> dict[int, Node]:
    ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    return {n.pk: n for n in Node.objects.filter(pk__in=ids).only("id", "kind", "name")}


def _ancestor(names: dict[int, Node], path: str, kind: str) -> str:
    for part in path.strip("/").split("/"):
        node = names.get(int(part)) if part else None
        if node is not None and node.kind == kind:
            return node.name
    return ""


def _grids(staff: Staff) -> list[Grid]:
    """Comprehensive grids with a polygon that some operator covers, with their buildings."""
    nodes = [
        g
        for g in Node.objects.filter(kind=NodeKind.GRID, is_active=True, geometry__isnull=False)
        .exclude(grid_type=GridType.DEDICATED)
        .order_by("path")
        if staff.covering(Capability.REQUEST_DISPATCH, g.path)
    ]
    names = _names([g.path for g in nodes])
    grids = {
        g.path: Grid(
            g,
            shape(g.geometry),
            _ancestor(names, g.path, NodeKind.COMMUNITY),
            _ancestor(names, g.path, NodeKind.SUBDISTRICT),
        )
        for g in nodes
    }
    _add_buildings(grids)
    return list(grids.values())


def _add_buildings(grids: dict[str, Grid]) -> None:
    compounds = dict(Node.objects.filter(kind=NodeKind.COMPOUND).values_list("id", "name"))
    buildings = Node.objects.filter(
        kind=NodeKind.BUILDING, is_active=True, lon__isnull=False, lat__isnull=False
    )
    for b in buildings.order_by("path"):
        grid = next((grids[p] for p in _prefixes(b.path) if p in grids), None)
        if grid is not None and len(grid.buildings) < MAX_BUILDINGS_PER_GRID:
            compound = compounds.get(b.parent_id or 0, "")
            # "瑞景公寓" + "瑞景公寓1号楼" reads once: "胜利门社区瑞景公寓1号楼"
            grid.buildings.append(Building(b, join_place([grid.community, compound, b.name])))


def _prefixes(path: str) -> list[str]:
    """The paths of the ancestors of ``path``, nearest first."""
    cuts = [i for i, ch in enumerate(path[:-1]) if ch == "/"]
    return [path[: i + 1] for i in reversed(cuts)]


def _staff() -> Staff:
    users = {
        a.user_id: a.user
        for a in RoleAssignment.objects.filter(role__in=STAFF_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    }
    staff = Staff()
    for capability in (
        Capability.REQUEST_INTAKE,
        Capability.REQUEST_DISPATCH,
        Capability.REQUEST_VERIFY,
        Capability.REQUEST_SUPERVISE,
    ):
        staff.scopes[capability] = [
            (user, tuple(paths)) for user in users.values() if (paths := scope_paths(user, capability))
        ]
    return staff


def _members() -> dict[int, list[User]]:
    members: dict[int, list[User]] = defaultdict(list)
    rows = (
        UnitMembership.objects.filter(user__is_active=True, unit__is_active=True)
        .select_related("user")
        .order_by("unit_id", "user_id")
    )
    for m in rows:
        members[m.unit_id].append(m.user)
    return dict(members)


def _rules(units: dict[int, HandlingUnit]) -> tuple[list[DispatchRule], dict[int, list[HandlingUnit]]]:
    rules = list(
        DispatchRule.objects.filter(is_active=True)
        .select_related("area", "copy_to", "unit")
        .order_by("priority", "id")
    )
    assisting: dict[int, list[HandlingUnit]] = {}
    for rule in rules:
        helpers = rule.assisting.filter(is_active=True).order_by("kind", "code")
        assisting[rule.pk] = [units.get(u.pk, u) for u in helpers]
        if rule.unit_id:
            rule.unit = units.get(rule.unit_id, rule.unit)
        if rule.copy_to_id:
            rule.copy_to = units.get(rule.copy_to_id, rule.copy_to)
    return rules, assisting


def world_load(now: datetime, start: date) -> World:
    """Read the snapshot; raises a clear error when something the history needs is missing."""
    staff = _staff()
    if not staff.scopes.get(Capability.REQUEST_DISPATCH):
        raise ValidationError("没有话务员（具有派单权限的账号），无法生成诉求历史", field="operator")
    grids = _grids(staff)
    if not grids:
        raise ValidationError(
            "没有带范围的综合网格（或不在任何话务员的辖区内），无法生成诉求历史", field="grid"
        )
    leaves = _leaves()
    units = {u.pk: u for u in HandlingUnit.objects.select_related("node").order_by("id")}
    for leaf in leaves:
        if leaf.responsible_unit_id:
            leaf.responsible_unit = units.get(leaf.responsible_unit_id, leaf.responsible_unit)
    rules, assisting = _rules(units)
    topics = [(t, hits) for t in TOPICS if (hits := leaves_for(t, leaves))]
    if not topics:
        raise ValidationError("当前派单目录中找不到可用于演示的分类（按关键词匹配）", field="catalogue")
    return World(
        now=now,
        cal=clock.current_calendar(),
        grids=grids,
        leaves=leaves,
        topics=topics,
        units=units,
        unit_at={
            (u.kind, u.node_id): u
            for u in sorted(units.values(), key=lambda u: (u.kind, u.code))
            if u.is_active
        },
        members=_members(),
        rules=rules,
        rule_assisting=assisting,
        staff=staff,
        counters=numbers_taken(start),
    )
