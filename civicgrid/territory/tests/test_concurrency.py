"""Concurrent writes to the tree on PostgreSQL: both get a correct answer, nothing is lost.

Each service is slowed just before its audit row (while it holds its locks, uncommitted),
so the second thread really runs into the first one's transaction.
"""

from typing import Any

import pytest

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, Resident
from civicgrid.territory import services
from civicgrid.territory.constants import Verb
from civicgrid.territory.models import Node
from civicgrid.territory.tests.test_node_move import assert_tree_consistent
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def no_errors(results: list[Any]) -> None:
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors


def test_two_updates_of_the_same_node_keep_both_changes(city: City, monkeypatch: Any) -> None:
    slow_audit(monkeypatch, services)
    no_errors(
        run_at_once(
            lambda: services.node_update(actor=city.bob, node=city.grid_a1_1, name="胜利门一网格（东）"),
            lambda: services.node_update(actor=city.sysadmin, node=city.grid_a1_1, address="解放北路1号"),
        )
    )
    node = Node.objects.get(pk=city.grid_a1_1.pk)
    assert (node.name, node.address) == ("胜利门一网格（东）", "解放北路1号")
    rows = list(AuditLog.objects.filter(verb=Verb.NODE_UPDATED, target_id=str(node.pk)).order_by("id"))
    assert len(rows) == 2
    assert rows[1].before is not None and rows[1].before["name"] == "胜利门一网格（东）"  # saw the first


def test_a_move_and_an_update_of_the_same_node(city: City, monkeypatch: Any) -> None:
    registry.resident_create(actor=city.bob, node=city.building_a1, name="刘胜利")
    slow_audit(monkeypatch, services)
    no_errors(
        run_at_once(
            lambda: services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2),
            lambda: services.node_update(actor=city.sysadmin, node=city.grid_a1_1, name="改名"),
        )
    )
    node = Node.objects.get(pk=city.grid_a1_1.pk)
    assert node.parent_id == city.comm_a2.pk and node.name == "改名"
    assert_tree_consistent()


def test_two_moves_of_the_same_node_serialise(city: City, monkeypatch: Any) -> None:
    registry.resident_create(actor=city.bob, node=city.building_a1, name="刘胜利")
    slow_audit(monkeypatch, services)
    no_errors(
        run_at_once(
            lambda: services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2),
            lambda: services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_b1),
        )
    )
    assert Node.objects.get(pk=city.grid_a1_1.pk).parent_id == city.comm_b1.pk
    assert_tree_consistent()
    first, second = AuditLog.objects.filter(verb=Verb.NODE_MOVED).order_by("id")
    assert first.after is not None and second.before is not None
    assert second.before["path"] == first.after["path"]  # the second move started from the first's result


def test_moving_a_community_while_one_of_its_grids_moves(city: City, monkeypatch: Any) -> None:
    registry.resident_create(actor=city.bob, node=city.building_a1, name="刘胜利")
    registry.resident_create(actor=city.bob, node=city.grid_a1_2, name="钱五爱")
    slow_audit(monkeypatch, services)
    no_errors(
        run_at_once(
            lambda: services.node_move(actor=city.sysadmin, node=city.comm_a1, new_parent=city.sub_b),
            lambda: services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2),
        )
    )
    assert_tree_consistent()
    assert Node.objects.get(pk=city.grid_a1_1.pk).parent_id == city.comm_a2.pk
    assert Node.objects.get(pk=city.comm_a1.pk).parent_id == city.sub_b.pk


def test_a_resident_created_while_its_grid_moves_follows_the_grid(city: City, monkeypatch: Any) -> None:
    """The creating service read the grid before the move: it must not keep the old path."""
    grid = Node.objects.get(pk=city.grid_a1_1.pk)  # as a page or the API would have loaded it
    slow_audit(monkeypatch, services)
    no_errors(
        run_at_once(
            lambda: services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2),
            lambda: registry.resident_create(actor=city.alice, node=grid, name="新居民"),
        )
    )
    assert_tree_consistent()
    resident = Resident.objects.get(name="新居民")
    assert resident.node_path.startswith(city.comm_a2.path)


def test_a_building_created_while_its_grid_moves_follows_the_grid(city: City, monkeypatch: Any) -> None:
    grid = Node.objects.get(pk=city.grid_a1_1.pk)
    slow_audit(monkeypatch, services)
    no_errors(
        run_at_once(
            lambda: services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2),
            lambda: services.node_create(actor=city.sysadmin, kind="building", name="2号楼", parent=grid),
        )
    )
    assert_tree_consistent()


def test_two_buildings_created_at_once_under_one_grid_get_distinct_codes(
    city: City, monkeypatch: Any
) -> None:
    slow_audit(monkeypatch, services)
    results = run_at_once(
        lambda: services.node_create(actor=city.bob, kind="building", name="2号楼", parent=city.grid_a1_1),
        lambda: services.node_create(actor=city.bob, kind="building", name="3号楼", parent=city.grid_a1_1),
    )
    no_errors(results)
    assert sorted(n.code for n in results) == ["320213001001W001B002", "320213001001W001B003"]


def test_two_dwellings_created_at_once_in_one_building(city: City, monkeypatch: Any) -> None:
    slow_audit(monkeypatch, registry)
    results = run_at_once(
        lambda: registry.dwelling_create(actor=city.bob, node=city.building_a1, room="101", use="rented"),
        lambda: registry.dwelling_create(actor=city.bob, node=city.building_a1, room="102", use="vacant"),
    )
    no_errors(results)
    assert Dwelling.objects.count() == 2
    assert len({d.code for d in results}) == 2
