"""The demo city in memory before it is written: sizes and the planned territorial tree."""

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from civicgrid.territory.models import GridType, NodeKind

# Ages, start dates and the like are computed from this day, not from today, so that the
# same seed gives the same city whenever it is built (but never a date in the future).
REFERENCE_DATE = min(date(2026, 7, 1), date.today())


@dataclass(frozen=True)
class Size:
    name: str
    label: str
    counties: tuple[str, ...]
    towns: tuple[str, ...] | None  # 12-digit codes of the subdistricts to build; None: all
    min_subdistricts: int  # generated subdistricts are added up to this number
    grids: int  # comprehensive and dedicated together
    dedicated: int
    residents: int
    synthetic_root: bool  # the counties lie in several prefectures: one made-up city above them


SIZES: dict[str, Size] = {
    "small": Size(
        name="small",
        label="小型（无锡市梁溪区四个街道）",
        counties=("320213",),
        towns=("320213001000", "320213002000", "320213015000", "320213008000"),
        min_subdistricts=0,
        grids=80,
        dedicated=2,
        residents=5_000,
        synthetic_root=False,
    ),
    "city": Size(
        name="city",
        label="城市级（十个区县，演示市）",
        counties=(
            "320213",
            "220502",
            "440902",
            "440904",
            "440983",
            "440981",
            "440982",
            "520328",
            "520329",
            "520327",
        ),
        towns=None,
        min_subdistricts=300,
        grids=10_000,
        dedicated=20,
        residents=2_000_000,
        synthetic_root=True,
    ),
}
SYNTHETIC_CITY = ("990100000000", "演示市")
REAL_CITY = ("320200000000", "无锡市")


@dataclass(eq=False, slots=True)
class PNode:
    """A node to be written. ``id`` and ``path`` are given just before writing."""

    kind: str
    code: str
    name: str
    parent: "PNode | None"
    depth: int = 0
    grid_type: str = ""
    geometry: dict[str, Any] | None = None
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    sort_order: int = 0
    responsible_unit: int | None = None
    rural: bool = False
    floors: int = 0  # buildings: storeys (rural houses: 0)
    per_floor: int = 0  # buildings: dwellings per storey of each entrance
    target: int = 0  # comprehensive grids: residents to house
    id: int = 0
    path: str = ""
    children: list["PNode"] = field(default_factory=list)

    def ancestor(self, kind: str) -> "PNode":
        node: PNode | None = self
        while node is not None and node.kind != kind:
            node = node.parent
        if node is None:
            raise LookupError(f"{self.code} has no {kind} above it")
        return node


@dataclass
class Plan:
    size: Size
    seed: int
    nodes: list[PNode] = field(default_factory=list)  # parents before children

    def add(self, kind: str, code: str, name: str, parent: PNode | None, **extra: Any) -> PNode:
        node = PNode(kind=kind, code=code, name=name, parent=parent, **extra)
        if parent is not None:
            node.depth = parent.depth + 1
            node.sort_order = len(parent.children) + 1
            parent.children.append(node)
        self.nodes.append(node)
        return node

    def of_kind(self, kind: str) -> list[PNode]:
        return [n for n in self.nodes if n.kind == kind]

    @property
    def root(self) -> PNode:
        return self.nodes[0]

    def comprehensive_grids(self) -> list[PNode]:
        return [n for n in self.nodes if n.kind == NodeKind.GRID and n.grid_type == GridType.COMPREHENSIVE]


def apportion(weights: list[float], total: int, minimum: int = 1) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, each at least ``minimum``
    (largest remainder; ties broken by position, so the result is deterministic)."""
    if not weights:
        return []
    if total < minimum * len(weights):
        raise ValueError(f"cannot give {len(weights)} shares of at least {minimum} out of {total}")
    scale = total / sum(weights)
    quotas = [w * scale for w in weights]
    counts = [max(minimum, math.floor(q)) for q in quotas]
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), i))
    step = 0
    while left > 0:
        counts[order[step % len(order)]] += 1
        left, step = left - 1, step + 1
    largest = sorted(range(len(weights)), key=lambda i: (-counts[i], i))
    step = 0
    while left < 0:
        i = largest[step % len(largest)]
        if counts[i] > minimum:
            counts[i] -= 1
            left += 1
        step += 1
    return counts
