"""Data scope through the write services: an outsider changes nothing and leaves no trace.

Every write service of the territory, registry and accounts is called by carol (community
worker of B1) on something of community A1. Each must raise PermissionDenied (403, Chinese
message) and leave every scoped row and the audit log exactly as they were.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.core.errors import PermissionDenied
from civicgrid.registry import services as registry
from civicgrid.registry.tests.factories import CHINESE, World, db_state, make_id_number
from civicgrid.territory import services as territory
from civicgrid.territory.tests.shapes import square

OUTSIDER_WRITES: dict[str, Callable[[World], Any]] = {
    "node_create": lambda w: territory.node_create(
        actor=w.city.carol, kind="grid", name="越界网格", parent=w.city.comm_a1
    ),
    "node_update": lambda w: territory.node_update(actor=w.city.carol, node=w.city.grid_a1_1, name="改名"),
    "node_update_geometry": lambda w: territory.node_update(
        actor=w.city.carol, node=w.city.grid_a1_1, geometry=square(120.0, 31.0, 120.1, 31.1)
    ),
    "node_move_out_of_a1": lambda w: territory.node_move(
        actor=w.city.carol, node=w.city.grid_a1_1, new_parent=w.city.comm_b1
    ),
    "node_move_into_a1": lambda w: territory.node_move(
        actor=w.city.carol, node=w.city.grid_b1_1, new_parent=w.city.comm_a1
    ),
    "node_deactivate": lambda w: territory.node_deactivate(actor=w.city.carol, node=w.city.grid_a1_1),
    "grid_matter_create": lambda w: territory.grid_matter_create(
        actor=w.city.carol,
        code="M-X",
        name="越界事项",
        domain="other",
        department="某局",
        applies_to=[w.city.comm_a1],
    ),
    "position_create": lambda w: territory.position_create(
        actor=w.city.carol,
        node=w.city.grid_a1_1,
        post="grid_worker_fulltime",
        holder_name="某某",
        start_date=date(2025, 1, 1),
    ),
    "position_end": lambda w: territory.position_end(
        actor=w.city.carol, position=w.position_a, end_date=date(2025, 1, 1)
    ),
    "resident_create": lambda w: registry.resident_create(
        actor=w.city.carol,
        node=w.city.grid_a1_1,
        name="越界居民",
        id_number=make_id_number("32021319700101009"),
    ),
    "resident_update": lambda w: registry.resident_update(
        actor=w.city.carol, resident=w.resident_a, name="改名"
    ),
    "resident_update_phone": lambda w: registry.resident_update(
        actor=w.city.carol, resident=w.resident_a, phone="13900000000"
    ),
    "resident_move_into_a1": lambda w: registry.resident_update(
        actor=w.city.carol, resident=w.resident_b, node=w.city.grid_a1_1
    ),
    "resident_reveal_pii": lambda w: registry.resident_reveal_pii(actor=w.city.carol, resident=w.resident_a),
    "household_create": lambda w: registry.household_create(
        actor=w.city.carol, node=w.city.grid_a1_1, head_name="越界户"
    ),
    "household_create_in_a1_dwelling": lambda w: registry.household_create(
        actor=w.city.carol, node=w.city.grid_b1_1, dwelling=w.dwelling_a
    ),
    "dwelling_create": lambda w: registry.dwelling_create(
        actor=w.city.carol, node=w.city.building_a1, room="999", use="vacant"
    ),
    "dwelling_update": lambda w: registry.dwelling_update(
        actor=w.city.carol, dwelling=w.dwelling_a, use="vacant"
    ),
    "organisation_create": lambda w: registry.organisation_create(
        actor=w.city.carol, node=w.city.grid_a1_1, name="越界单位", kind="shop"
    ),
    "organisation_reveal_pii": lambda w: registry.organisation_reveal_pii(
        actor=w.city.carol, organisation=w.organisation_a
    ),
    "role_grant": lambda w: accounts.role_grant(
        actor=w.city.carol, user=w.city.carol, role=Role.COMMUNITY_WORKER, node=w.city.comm_a1
    ),
    "admin_role_set": lambda w: accounts.admin_role_set(
        actor=w.city.carol, user=w.city.carol, admin_role="audit"
    ),
    "user_create": lambda w: accounts.user_create(
        actor=w.city.carol, username="mallory", password="long-enough-pw"
    ),
    "api_token_create": lambda w: accounts.api_token_create(actor=w.city.carol, user=w.city.bob, name="偷用"),
}


def assert_refused_without_trace(world: World, write: Callable[[World], Any]) -> PermissionDenied:
    before = db_state()
    with pytest.raises(PermissionDenied) as refused:
        write(world)
    assert refused.value.http_status == 403
    assert CHINESE.search(refused.value.message)
    assert db_state() == before  # no row changed, no audit row written
    return refused.value


@pytest.mark.parametrize("service", OUTSIDER_WRITES)
def test_outsider_changes_nothing_in_another_community(world: World, service: str) -> None:
    assert_refused_without_trace(world, OUTSIDER_WRITES[service])


LEADER_WRITES: dict[str, Callable[[World], Any]] = {
    "resident_create": lambda w: registry.resident_create(
        actor=w.city.dave, node=w.city.grid_a1_1, name="新居民"
    ),
    "resident_update": lambda w: registry.resident_update(
        actor=w.city.dave, resident=w.resident_a, note="领导改"
    ),
    "resident_reveal_pii": lambda w: registry.resident_reveal_pii(actor=w.city.dave, resident=w.resident_a),
    "dwelling_update": lambda w: registry.dwelling_update(
        actor=w.city.dave, dwelling=w.dwelling_a, use="vacant"
    ),
    "household_create": lambda w: registry.household_create(actor=w.city.dave, node=w.city.grid_a1_1),
    "organisation_create": lambda w: registry.organisation_create(
        actor=w.city.dave, node=w.city.grid_b1_1, name="某单位", kind="shop"
    ),
    "organisation_reveal_pii": lambda w: registry.organisation_reveal_pii(
        actor=w.city.dave, organisation=w.organisation_b
    ),
    "node_update": lambda w: territory.node_update(actor=w.city.dave, node=w.city.grid_a1_1, name="改名"),
}


@pytest.mark.parametrize("service", LEADER_WRITES)
def test_leader_sees_the_district_but_cannot_edit_registry_nor_reveal(world: World, service: str) -> None:
    assert_refused_without_trace(world, LEADER_WRITES[service])


def test_grid_worker_cannot_write_in_the_next_grid(world: World) -> None:
    c = world.city
    assert_refused_without_trace(
        world, lambda w: registry.resident_update(actor=c.alice, resident=w.resident_a12, note="隔壁网格")
    )
    assert_refused_without_trace(
        world, lambda w: registry.resident_create(actor=c.alice, node=c.grid_a1_2, name="隔壁网格居民")
    )
    # ...while in her own grid she may.
    updated = registry.resident_update(actor=c.alice, resident=world.resident_a, note="本网格走访")
    assert updated.note == "本网格走访"


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_administrators_cannot_write_or_reveal_the_registry(world: World, admin: str) -> None:
    actor = getattr(world.city, admin)
    assert_refused_without_trace(
        world, lambda w: registry.resident_reveal_pii(actor=actor, resident=w.resident_a)
    )
    assert_refused_without_trace(
        world, lambda w: registry.resident_update(actor=actor, resident=w.resident_a, note="管理员改")
    )


def test_the_same_writes_succeed_for_the_community_worker_of_a1(world: World) -> None:
    """The refusals above are about scope, not about broken services: bob may do them."""
    c = world.city
    grid = territory.node_create(actor=c.bob, kind="grid", name="胜利门三网格", parent=c.comm_a1)
    assert grid.path.startswith(c.comm_a1.path)
    assert territory.node_update(actor=c.bob, node=c.grid_a1_1, name="胜利门一网格（新）").name.endswith(
        "（新）"
    )
    assert registry.resident_update(actor=c.bob, resident=world.resident_a, note="已走访").note == "已走访"
    assert registry.dwelling_update(actor=c.bob, dwelling=world.dwelling_a, use="vacant").use == "vacant"
    org = registry.organisation_create(actor=c.bob, node=c.grid_a1_2, name="五爱书店", kind="shop")
    assert org.node_path == c.grid_a1_2.path
