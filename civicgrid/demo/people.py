"""The registry of each comprehensive grid: dwellings, households and residents with their
tags; ten-household groups; and the residents who hold posts in the grid (building and
entrance leaders, hub households, part-time grid workers, household-group leaders)."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from civicgrid.demo import households as hh
from civicgrid.demo.identity import (
    FLOATING_AREAS,
    IdNumbers,
    mobile,
    protect,
    protect_id_number,
    protect_phone,
)
from civicgrid.demo.names import chinese_number
from civicgrid.demo.plan import PNode
from civicgrid.demo.sink import Sink
from civicgrid.registry.models import DwellingUse, Gender, ResidenceType
from civicgrid.territory.models import NodeKind, Post

OCCUPANCY = 0.92
OWNER_RENTS_OUT = 0.05  # registered households living in a rented dwelling
START_OF_POSTS = date(2019, 1, 1)


@dataclass(slots=True)
class Slot:
    """A dwelling: its node (entrance, or a village house) and room."""

    node: PNode
    room: str
    number: int
    compound: PNode | None
    rural: bool


@dataclass(slots=True)
class Home:
    slot: Slot
    kind: str = ""
    floating: bool = False
    members: list[hh.Member] = field(default_factory=list)
    group: PNode | None = None


@dataclass(slots=True)
class Candidate:
    """A resident who could hold a post."""

    resident_id: int
    name: str
    phone: str
    age: int
    party: bool
    head: bool
    node: PNode
    group: PNode | None


@dataclass
class Counts:
    dwellings: int = 0
    households: int = 0
    residents: int = 0
    household_groups: int = 0
    resident_posts: int = 0


class Populator:
    def __init__(self, sink: Sink, rng: random.Random, reference: date, group_grids: set[str]) -> None:
        self.sink, self.rng, self.reference = sink, rng, reference
        self.group_grids = group_grids  # codes of the grids organised in ten-household groups
        self.ids = IdNumbers()
        self.counts = Counts()
        self.home_area = ""

    # --- one grid -----------------------------------------------------------------------

    def grid(self, grid: PNode) -> None:
        self.home_area = grid.ancestor(NodeKind.DISTRICT).code[:6]  # of registered residents' IDs
        homes = self._homes(grid)
        if grid.code in self.group_grids:
            self._groups(grid, homes)
        candidates = [c for home in homes for c in self._write_home(grid, home)]
        self._resident_posts(grid, candidates)

    def _homes(self, grid: PNode) -> list[Home]:
        rng = self.rng
        floating_rate = 0.05 if grid.rural else 0.12 if _town(grid) else 0.22
        homes = [Home(slot) for slot in _slots(grid)]
        people = 0
        for second_pass in (False, True):
            for home in homes:
                if people >= grid.target:
                    break
                if home.members or (not second_pass and rng.random() > OCCUPANCY):
                    continue
                home.floating = rng.random() < floating_rate
                picker = hh.FLOATING if home.floating else hh.RURAL if grid.rural else hh.URBAN
                home.kind = picker.pick(rng)
                home.members = hh.compose(home.kind, rng)
                hh.name_members(home.members, rng, self.reference)
                hh.tag_members(home.kind, home.members, rng, 0.03 if grid.rural else 0.012)
                people += len(home.members)
        return homes

    def _groups(self, grid: PNode, homes: list[Home]) -> None:
        """Ten-household groups (十联户) of neighbouring households, one compound at a time."""
        by_parent: dict[int, list[Home]] = {}
        parents: dict[int, PNode] = {}
        for home in homes:
            if home.members:
                parent = home.slot.compound or grid
                by_parent.setdefault(id(parent), []).append(home)
                parents[id(parent)] = parent
        for key, group_homes in by_parent.items():
            for number, chunk in enumerate(self._chunks(group_homes), start=1):
                self._group(parents[key], number, chunk)

    def _chunks(self, homes: list[Home]) -> Iterator[list[Home]]:
        chunks: list[list[Home]] = []
        i = 0
        while i < len(homes):
            size = self.rng.randint(8, 12)
            chunks.append(homes[i : i + size])
            i += size
        if len(chunks) > 1 and len(chunks[-1]) < 5:
            chunks[-2].extend(chunks.pop())
        yield from chunks

    def _group(self, parent: PNode, number: int, homes: list[Home]) -> None:
        group = PNode(
            kind=NodeKind.HOUSEHOLD_GROUP,
            code=f"{parent.code}H{number:03d}",
            name=f"{parent.name}十联户第{chinese_number(number)}组",
            parent=parent,
            depth=parent.depth + 1,
            sort_order=1000 + number,
        )
        self.sink.write_node(group)
        self.counts.household_groups += 1
        for home in homes:
            home.group = group

    # --- rows -----------------------------------------------------------------------------

    def _write_home(self, grid: PNode, home: Home) -> list[Candidate]:
        sink, rng, slot = self.sink, self.rng, home.slot
        node = slot.node
        dwelling_id = sink.dwelling_ids.next()
        use = _use(home, rng)
        owner = home.members[0].name if use == DwellingUse.OWNER_OCCUPIED else hh.SURNAMES.pick(rng) + "先生"
        area = rng.uniform(90, 260) if slot.rural else min(180.0, max(38.0, rng.gauss(86, 22)))
        sink.writer.add(
            sink.dwellings,
            (dwelling_id, node.id, node.path, f"{node.code}F{slot.number:04d}", slot.room, use,
             Decimal(f"{area:.2f}"), owner, sink.now, sink.now),
        )  # fmt: skip
        self.counts.dwellings += 1
        if not home.members:
            return []
        household_id = sink.household_ids.next()
        group_id = home.group.id if home.group else None
        sink.writer.add(
            sink.households,
            (household_id, node.id, node.path, f"{node.code}H{slot.number:04d}", dwelling_id,
             home.members[0].name, group_id, sink.now),
        )  # fmt: skip
        self.counts.households += 1
        area_code = rng.choice(FLOATING_AREAS) if home.floating else self.home_area
        return [self._resident(node, household_id, home, m, area_code) for m in home.members]

    def _resident(self, node: PNode, household_id: int, home: Home, m: hh.Member, area: str) -> Candidate:
        sink, rng = self.sink, self.rng
        resident_id = sink.resident_ids.next()
        assert m.born is not None
        id_number = self.ids.make(rng, area, m.born, m.male)
        has_phone = m.age >= 14 and rng.random() < (0.6 if m.age >= 80 else 0.95)
        phone = mobile(rng) if has_phone else ""
        phone_cols = protect_phone(phone) if phone else ("", "", "")
        sink.writer.add(
            sink.residents,
            (resident_id, node.id, node.path, m.name, Gender.MALE if m.male else Gender.FEMALE, m.born,
             *protect_id_number(id_number), *phone_cols,
             ResidenceType.FLOATING if home.floating else ResidenceType.REGISTERED,
             household_id, m.relation, "", True, "", None, "", sink.now, sink.now),
        )  # fmt: skip
        for code in m.tags:
            sink.writer.add(sink.tags, (resident_id, sink.tag_ids[code]))
        self.counts.residents += 1
        party = "party_member" in m.tags
        return Candidate(resident_id, m.name, phone, m.age, party, m.relation == "户主", node, home.group)

    # --- posts held by residents ----------------------------------------------------------

    def _resident_posts(self, grid: PNode, candidates: list[Candidate]) -> None:
        by_node: dict[int, list[Candidate]] = {}
        for c in candidates:
            by_node.setdefault(id(c.node), []).append(c)
            if c.node.kind == NodeKind.ENTRANCE and c.node.parent is not None:
                by_node.setdefault(id(c.node.parent), []).append(c)
        for building in _buildings(grid):
            if building.floors and self.rng.random() < 0.7:
                self._appoint(building, Post.BUILDING_LEADER, by_node.get(id(building), []), 40, 72)
            for entrance in building.children:
                if self.rng.random() < 0.5:
                    self._appoint(entrance, Post.ENTRANCE_LEADER, by_node.get(id(entrance), []), 35, 75)
        hubs = [c for c in candidates if c.party and c.head and 35 <= c.age <= 75]
        for c in self.rng.sample(hubs, min(2, len(hubs))):
            self._hold(grid, Post.HUB_HOUSEHOLD, c)
        if self.rng.random() < 0.6:
            self._appoint(grid, Post.GRID_WORKER_PARTTIME, candidates, 25, 60)
        self._group_leaders(candidates)

    def _group_leaders(self, candidates: list[Candidate]) -> None:
        groups: dict[int, tuple[PNode, list[Candidate]]] = {}
        for c in candidates:
            if c.group is not None:
                groups.setdefault(id(c.group), (c.group, []))[1].append(c)
        for group, members in groups.values():
            self._appoint(group, Post.HOUSEHOLD_GROUP_LEADER, members, 30, 75)

    def _appoint(self, node: PNode, post: str, pool: list[Candidate], low: int, high: int) -> None:
        fit = [c for c in pool if low <= c.age <= high]
        party = [c for c in fit if c.party]
        choice = party or fit
        if choice:
            self._hold(node, post, self.rng.choice(choice))

    def _hold(self, node: PNode, post: str, c: Candidate) -> None:
        start = date.fromordinal(
            self.rng.randint(START_OF_POSTS.toordinal(), self.reference.toordinal() - 30)
        )
        phone = protect(c.phone) if c.phone else ("", "")
        self.sink.position(node, post, c.name, start, phone=phone, resident_id=c.resident_id)
        self.counts.resident_posts += 1


def _use(home: Home, rng: random.Random) -> str:
    if not home.members:
        return DwellingUse.VACANT
    if home.floating or rng.random() < OWNER_RENTS_OUT:
        return DwellingUse.RENTED
    return DwellingUse.OWNER_OCCUPIED


def _town(grid: PNode) -> bool:
    return not grid.ancestor(NodeKind.SUBDISTRICT).name.endswith("街道")


def _buildings(grid: PNode) -> Iterator[PNode]:
    for child in grid.children:
        if child.kind == NodeKind.BUILDING:
            yield child
        elif child.kind == NodeKind.COMPOUND:
            yield from (b for b in child.children if b.kind == NodeKind.BUILDING)


def _slots(grid: PNode) -> Iterator[Slot]:
    for building in _buildings(grid):
        compound = building.parent if building.parent and building.parent.kind == NodeKind.COMPOUND else None
        if building.rural:
            yield Slot(building, "自建房", 1, None, True)
            continue
        for entrance in building.children:
            number = 0
            for floor in range(1, building.floors + 1):
                for unit in range(1, building.per_floor + 1):
                    number += 1
                    yield Slot(entrance, f"{floor}{unit:02d}", number, compound, False)
