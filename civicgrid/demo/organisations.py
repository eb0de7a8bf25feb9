"""Organisations (实有单位) with valid credit codes, and the responsibility areas (责任区域)
that district organs take on as responsible units (包保单位)."""

import random
from dataclasses import dataclass, field

from civicgrid.demo import names
from civicgrid.demo.divisions import COUNTIES
from civicgrid.demo.identity import CreditCodes, landline, mobile, protect_phone
from civicgrid.demo.plan import Plan, PNode
from civicgrid.demo.sink import Sink
from civicgrid.registry.models import OrganisationKind as Kind
from civicgrid.territory.models import GridType, NodeKind

EMPLOYEES: dict[str, tuple[int, int]] = {
    Kind.ORGAN: (30, 200),
    Kind.PUBLIC_INSTITUTION: (15, 150),
    Kind.SOCIAL: (3, 30),
    Kind.ENTERPRISE: (5, 300),
    Kind.TWO_NEW: (5, 80),
    Kind.PROPERTY_COMPANY: (20, 400),
    Kind.SHOP: (1, 8),
}


@dataclass
class Organisations:
    sink: Sink
    rng: random.Random
    codes: CreditCodes = field(default_factory=CreditCodes)
    organs: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # district code -> (id, name)
    count: int = 0
    areas: int = 0

    def create(self, plan: Plan) -> None:
        for district in plan.of_kind(NodeKind.DISTRICT):
            self._district(district)
        for community in plan.of_kind(NodeKind.COMMUNITY):
            self._community(community)
        for grid in plan.of_kind(NodeKind.GRID):
            self._grid(grid)

    def add(self, node: PNode, name: str, kind: str, address: str = "") -> int:
        rng, sink = self.rng, self.sink
        district = node.ancestor(NodeKind.DISTRICT)
        area_phone = COUNTIES[district.code[:6]][2]
        phone = mobile(rng) if kind == Kind.SHOP else landline(rng, area_phone)
        low, high = EMPLOYEES.get(kind, (1, 50))
        org_id = sink.organisation_ids.next()
        sink.writer.add(
            sink.organisations,
            (org_id, node.id, node.path, name, kind, self.codes.make(rng, kind, district.code[:6]),
             address or node.address or f"{district.name}{names.road_name(rng)}{rng.randint(1, 499)}号",
             names.person_name(rng, rng.random() < 0.5, rng.randint(1965, 1998)), *protect_phone(phone),
             rng.randint(low, high), sink.now, sink.now),
        )  # fmt: skip
        self.count += 1
        return org_id

    def _district(self, district: PNode) -> None:
        prefecture = COUNTIES[district.code[:6]][1]
        organs = []
        for organ in names.DISTRICT_ORGANS:
            name = names.organ_name(district.name, organ)
            organs.append((self.add(district, name, Kind.ORGAN), name))
        self.organs[district.code] = organs
        companies = max(3, len(district.children) // 2)
        used: set[str] = set()
        for _ in range(companies):
            name = names.property_company_name(self.rng, prefecture)
            if name not in used:
                used.add(name)
                self.add(district, name, Kind.PROPERTY_COMPANY)

    def _community(self, community: PNode) -> None:
        rng = self.rng
        short = community.name.removesuffix("社区").removesuffix("村")
        if rng.random() < 0.6:
            self.add(community, f"{short}{rng.choice(names.PUBLIC_INSTITUTIONS)}", Kind.PUBLIC_INSTITUTION)
        if rng.random() < 0.4:
            self.add(community, f"{community.name}{rng.choice(names.SOCIAL_ORGS)}", Kind.SOCIAL)

    def _grid(self, grid: PNode) -> None:
        rng = self.rng
        district = grid.ancestor(NodeKind.DISTRICT)
        if grid.grid_type == GridType.DEDICATED:
            for _ in range(rng.randint(8, 15)):
                kind = Kind.TWO_NEW if rng.random() < 0.15 else Kind.ENTERPRISE
                self.add(grid, names.firm_name(rng, district.name), kind, grid.name.removesuffix("专属网格"))
            return
        for _ in range(rng.randint(0, 2) if grid.rural else rng.randint(1, 4)):
            self.add(grid, names.shop_name(rng), Kind.SHOP)
        for _ in range(rng.randint(0, 1) if grid.rural else rng.randint(0, 2)):
            self.add(grid, names.firm_name(rng, district.name), Kind.ENTERPRISE)

    # --- responsibility areas -------------------------------------------------------------

    def responsibility_areas(self, plan: Plan, communities: list[PNode]) -> None:
        """Each grid of ``communities`` divided into areas, each taken on by a district organ."""
        for community in communities:
            organs = self.organs[community.ancestor(NodeKind.DISTRICT).code]
            grids = [g for g in community.children if g.kind == NodeKind.GRID]
            for grid in grids:
                for number in range(1, self.rng.randint(1, 3) + 1):
                    org_id, org_name = self.rng.choice(organs)
                    area = PNode(
                        kind=NodeKind.RESPONSIBILITY_AREA,
                        code=f"{grid.code}R{number:03d}",
                        name=f"{grid.name}责任区{names.chinese_number(number)}（{org_name}）",
                        parent=grid,
                        depth=grid.depth + 1,
                        sort_order=2000 + number,
                        responsible_unit=org_id,
                    )
                    self.sink.write_node(area)
                    self.areas += 1
