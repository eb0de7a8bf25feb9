"""Data scope through the selectors: each scoped model, each kind of actor.

carol (community worker of B1) is the outsider to A1; alice sees only grid A1-1; bob sees
all of A1; dave (district leader) sees the whole district; the administrators see no registry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from civicgrid.conftest import make_user
from civicgrid.core.errors import NotFound
from civicgrid.registry import selectors as registry_selectors
from civicgrid.registry.tests.factories import ID_A, PHONE_A, World
from civicgrid.territory import selectors as territory_selectors


@dataclass(frozen=True)
class Scoped:
    visible: Callable[[Any], QuerySet[Any]]
    in_a1_1: Callable[[World], list[Model]]  # rows in grid A1-1 (alice's grid)
    in_a1_other: Callable[[World], list[Model]]  # rows elsewhere in community A1
    in_b1: Callable[[World], list[Model]]  # rows in community B1 (carol's)


SCOPED: dict[str, Scoped] = {
    "node": Scoped(
        territory_selectors.nodes_visible,
        lambda w: [w.city.grid_a1_1, w.city.building_a1],
        lambda w: [w.city.comm_a1, w.city.grid_a1_2],
        lambda w: [w.city.comm_b1, w.city.grid_b1_1, w.city.building_b1],
    ),
    "position": Scoped(
        territory_selectors.positions_visible,
        lambda w: [w.position_a],
        lambda w: [],
        lambda w: [w.position_b],
    ),
    "resident": Scoped(
        registry_selectors.residents_visible,
        lambda w: [w.resident_a],
        lambda w: [w.resident_a12],
        lambda w: [w.resident_b],
    ),
    "household": Scoped(
        registry_selectors.households_visible,
        lambda w: [w.household_a],
        lambda w: [],
        lambda w: [w.household_b],
    ),
    "dwelling": Scoped(
        registry_selectors.dwellings_visible,
        lambda w: [w.dwelling_a],
        lambda w: [],
        lambda w: [w.dwelling_b],
    ),
    "organisation": Scoped(
        registry_selectors.organisations_visible,
        lambda w: [w.organisation_a],
        lambda w: [],
        lambda w: [w.organisation_b],
    ),
}
REGISTRY_MODELS = ["resident", "household", "dwelling", "organisation"]


def ids(rows: list[Model]) -> set[Any]:
    return {r.pk for r in rows}


def visible_ids(scoped: Scoped, actor: Any) -> set[Any]:
    return set(scoped.visible(actor).values_list("pk", flat=True))


@pytest.mark.parametrize("model", SCOPED)
def test_outsider_sees_nothing_of_another_community(world: World, model: str) -> None:
    s = SCOPED[model]
    seen = visible_ids(s, world.city.carol)
    a1 = ids(s.in_a1_1(world) + s.in_a1_other(world))
    assert a1 and not (seen & a1)
    assert ids(s.in_b1(world)) <= seen


@pytest.mark.parametrize("model", SCOPED)
def test_each_role_sees_its_own_part_and_no_more(world: World, model: str) -> None:
    s, c = SCOPED[model], world.city
    in_a1_1, in_a1_other, in_b1 = ids(s.in_a1_1(world)), ids(s.in_a1_other(world)), ids(s.in_b1(world))
    bob_sees = visible_ids(s, c.bob)  # community worker of A1
    assert in_a1_1 | in_a1_other <= bob_sees and not (bob_sees & in_b1)
    assert visible_ids(s, c.alice) == in_a1_1  # grid worker of A1-1
    assert in_a1_1 | in_a1_other | in_b1 <= visible_ids(s, c.dave)  # district leader
    assert in_a1_1 | in_a1_other | in_b1 <= visible_ids(s, c.olivia)  # district operator
    assert visible_ids(s, make_user("nobody", "无角色")) == set()
    assert visible_ids(s, AnonymousUser()) == set()
    if model in REGISTRY_MODELS:  # the three administrators see no registry
        for admin in (c.sysadmin, c.secadmin, c.auditor):
            assert visible_ids(s, admin) == set(), admin


def test_inactive_account_sees_nothing(world: World) -> None:
    bob = world.city.bob
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert visible_ids(SCOPED["resident"], bob) == set()


def test_detail_selectors_hide_rows_of_another_community(world: World) -> None:
    carol = world.city.carol
    with pytest.raises(NotFound) as node_error:
        territory_selectors.node_get(carol, world.city.comm_a1.pk)
    assert "无权" in node_error.value.message and node_error.value.http_status == 404
    with pytest.raises(NotFound):
        registry_selectors.resident_get(carol, world.resident_a.pk)
    assert registry_selectors.resident_get(world.city.bob, world.resident_a.pk) == world.resident_a


def test_exact_search_does_not_cross_the_scope(world: World) -> None:
    for q in (ID_A, PHONE_A, "刘胜利"):
        assert list(registry_selectors.resident_search(world.city.carol, q=q)) == []
        assert list(registry_selectors.resident_search(world.city.bob, q=q)) == [world.resident_a]


def test_node_roots_start_at_the_actor_nodes(world: World) -> None:
    c = world.city
    assert list(territory_selectors.node_roots(c.carol)) == [c.comm_b1]
    assert list(territory_selectors.node_roots(c.alice)) == [c.grid_a1_1]
    assert list(territory_selectors.node_roots(c.dave)) == [c.district]
    assert list(territory_selectors.node_roots(c.sysadmin)) == [c.city]


def test_grid_matters_visible_by_where_they_apply(world: World) -> None:
    c = world.city

    def codes(actor: Any) -> set[str]:
        return set(territory_selectors.grid_matters_visible(actor).values_list("code", flat=True))

    assert codes(c.carol) == {"M-B1", "M-D"}
    assert codes(c.bob) == {"M-A1", "M-D"}
    assert codes(c.alice) == {"M-A1", "M-D"}  # applied above her grid: it enters her grid
    assert codes(c.dave) == {"M-A1", "M-B1", "M-D"}
    assert set(territory_selectors.grid_matters_for(c.grid_b1_1).values_list("code", flat=True)) == {
        "M-B1",
        "M-D",
    }
