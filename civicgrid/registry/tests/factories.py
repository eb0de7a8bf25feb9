"""A populated piece of the city for scope tests: one of each scoped row in A1 and in B1.

``build_world(city)`` adds, on top of the ``city`` fixture of ``civicgrid/conftest.py``:

* residents 刘胜利 (grid A1-1, alice's), 钱五爱 (grid A1-2, bob's but not alice's) and
  孙通江 (grid B1-1, carol's), each with an ID number and a phone;
* a dwelling and a household in each of building A1 and building B1;
* an organisation in each of grid A1-1 and grid B1-1;
* a position (网格长) on grid A1-1 and on grid B1-1;
* grid matters applied to A1 only, to B1 only, and to the whole district.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model

from civicgrid.accounts.models import RoleAssignment
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import id_check_digit, uscc_check_char
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident
from civicgrid.territory import services as territory
from civicgrid.territory.models import GridMatter, Node, Position

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def residents(node: Node, n: int, *, inactive: int = 0) -> None:
    """``n`` residents living at ``node`` and ``inactive`` moved out, in one insert."""
    Resident.objects.bulk_create(
        [Resident(node=node, node_path=node.path, name=f"居民{k}") for k in range(n)]
        + [
            Resident(node=node, node_path=node.path, name=f"迁出{k}", is_active=False)
            for k in range(inactive)
        ]
    )


def make_id_number(first17: str) -> str:
    """A valid 18-character resident ID number from its first 17 digits."""
    return first17 + id_check_digit(first17)


def make_credit_code(seq: int) -> str:
    first17 = f"91320213{seq:09d}"
    return first17 + uscc_check_char(first17)


ID_A = make_id_number("32021319800101001")
ID_A12 = make_id_number("32021319850505002")
ID_B = make_id_number("32021319900202003")
PHONE_A = "13812340001"
PHONE_A12 = "13812340002"
PHONE_B = "13912340003"


@dataclass
class World:
    city: City
    resident_a: Resident
    resident_a12: Resident
    resident_b: Resident
    dwelling_a: Dwelling
    dwelling_b: Dwelling
    household_a: Household
    household_b: Household
    organisation_a: Organisation
    organisation_b: Organisation
    position_a: Position
    position_b: Position
    matter_a: GridMatter
    matter_b: GridMatter
    matter_district: GridMatter


def build_world(c: City) -> World:
    resident_a = registry.resident_create(
        actor=c.bob, node=c.grid_a1_1, name="刘胜利", id_number=ID_A, phone=PHONE_A, tags=["elderly_alone"]
    )
    resident_a12 = registry.resident_create(
        actor=c.bob, node=c.grid_a1_2, name="钱五爱", id_number=ID_A12, phone=PHONE_A12
    )
    resident_b = registry.resident_create(
        actor=c.carol, node=c.grid_b1_1, name="孙通江", id_number=ID_B, phone=PHONE_B
    )
    dwelling_a = registry.dwelling_create(actor=c.bob, node=c.building_a1, room="胜利101", use="rented")
    dwelling_b = registry.dwelling_create(actor=c.carol, node=c.building_b1, room="通江201", use="vacant")
    household_a = registry.household_create(
        actor=c.bob, node=c.building_a1, dwelling=dwelling_a, head_name="刘胜利"
    )
    household_b = registry.household_create(
        actor=c.carol, node=c.building_b1, dwelling=dwelling_b, head_name="孙通江"
    )
    organisation_a = registry.organisation_create(
        actor=c.bob,
        node=c.grid_a1_1,
        name="胜利门便民超市",
        kind="shop",
        credit_code=make_credit_code(1),
        contact_phone="13700000001",
    )
    organisation_b = registry.organisation_create(
        actor=c.carol,
        node=c.grid_b1_1,
        name="通江五金店",
        kind="shop",
        credit_code=make_credit_code(2),
        contact_phone="13700000002",
    )
    position_a = territory.position_create(
        actor=c.bob,
        node=c.grid_a1_1,
        post="grid_leader",
        holder_name="周胜网",
        start_date=date(2024, 1, 1),
        phone="13600000001",
    )
    position_b = territory.position_create(
        actor=c.carol,
        node=c.grid_b1_1,
        post="grid_leader",
        holder_name="吴通网",
        start_date=date(2024, 1, 1),
    )

    def matter(code: str, name: str, node: Node) -> GridMatter:
        return territory.grid_matter_create(
            actor=c.sysadmin,
            code=code,
            name=name,
            domain="civil_affairs",
            department="民政局",
            applies_to=[node],
        )

    return World(
        city=c,
        resident_a=resident_a,
        resident_a12=resident_a12,
        resident_b=resident_b,
        dwelling_a=dwelling_a,
        dwelling_b=dwelling_b,
        household_a=household_a,
        household_b=household_b,
        organisation_a=organisation_a,
        organisation_b=organisation_b,
        position_a=position_a,
        position_b=position_b,
        matter_a=matter("M-A1", "胜利门独居老人探访", c.comm_a1),
        matter_b=matter("M-B1", "通江河道巡查", c.comm_b1),
        matter_district=matter("M-D", "全区安全隐患排查", c.district),
    )


STATE_MODELS: list[type[Model]] = [
    Node,
    Position,
    GridMatter,
    Resident,
    Household,
    Dwelling,
    Organisation,
    RoleAssignment,
    AuditLog,
]


def db_state() -> dict[str, list[Any]]:
    """Every row of every scoped model (and the audit log), to prove that nothing changed."""
    state: dict[str, list[Any]] = {
        m._meta.label: list(m._default_manager.order_by("pk").values()) for m in STATE_MODELS
    }
    state["registry.Resident.tags"] = list(
        Resident.tags.through.objects.order_by("pk").values_list("resident_id", "residenttag_id")
    )
    state["territory.GridMatter.applies_to"] = list(
        GridMatter.applies_to.through.objects.order_by("pk").values_list("gridmatter_id", "node_id")
    )
    return state


def db_state_but(*verbs: str) -> dict[str, list[Any]]:
    """``db_state`` without the audit rows of ``verbs``: what a refusal still writes (an ID
    search, a refused reveal) and nothing else. (The audit log is append-only on PostgreSQL:
    its rows cannot be deleted to compare.)"""
    state = db_state()
    state["core.AuditLog"] = [row for row in state["core.AuditLog"] if row["verb"] not in verbs]
    return state
