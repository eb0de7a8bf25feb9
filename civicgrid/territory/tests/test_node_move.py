"""node_move: the whole subtree and every scoped row under it move at once, or nothing does."""

from typing import Any

import pytest

from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import selectors as registry_selectors
from civicgrid.registry.models import Dwelling, Resident
from civicgrid.registry.tests.factories import World, db_state
from civicgrid.territory import services
from civicgrid.territory.constants import Verb
from civicgrid.territory.models import GeometryVersion, Node
from civicgrid.territory.selectors import node_get


def assert_tree_consistent() -> None:
    """Every node's path is its parent's path plus its id; every scoped row mirrors its node."""
    nodes = {n.pk: n for n in Node.objects.all()}
    for node in nodes.values():
        parent_path = nodes[node.parent_id].path if node.parent_id else ""
        assert node.path == f"{parent_path}{node.pk}/", node
        assert node.depth == node.path.count("/") - 1
    for model in services.scoped_models():
        for row in model._default_manager.all():
            assert row.node_path == nodes[row.node_id].path, row


def test_moving_a_grid_moves_its_buildings_rows_and_counts(world: World) -> None:
    c = world.city
    a1_before = registry_selectors.residents_count_under(c.comm_a1)
    a2_before = registry_selectors.residents_count_under(c.comm_a2)
    version = GeometryVersion.objects.get(pk=1).version

    moved = services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=c.comm_a2)

    assert moved.parent_id == c.comm_a2.pk
    assert moved.path == f"{c.comm_a2.path}{moved.pk}/"
    assert Node.objects.get(pk=c.building_a1.pk).path == f"{moved.path}{c.building_a1.pk}/"
    assert Node.objects.get(pk=c.building_a1.pk).depth == c.building_a1.depth
    assert_tree_consistent()
    for scoped in (
        world.resident_a,
        world.dwelling_a,
        world.household_a,
        world.organisation_a,
        world.position_a,
    ):
        assert type(scoped).objects.get(pk=scoped.pk).node_path.startswith(moved.path)
    # resident_a (grid A1-1) now counts under A2, not under A1.
    assert registry_selectors.residents_count_under(c.comm_a1) == a1_before - 1
    assert registry_selectors.residents_count_under(c.comm_a2) == a2_before + 1
    # The grid's polygon now belongs to another community: the locator must reload.
    assert GeometryVersion.objects.get(pk=1).version == version + 1
    row = AuditLog.objects.get(verb=Verb.NODE_MOVED)
    assert row.before == {"parent": c.comm_a1.pk, "path": c.grid_a1_1.path}
    assert row.after == {"parent": c.comm_a2.pk, "path": moved.path, "rows_moved": 5}
    assert row.actor_id == c.sysadmin.pk


def test_scope_follows_the_move(world: World) -> None:
    """After the move bob (A1) no longer sees the grid's residents; A2's worker does."""
    c = world.city
    services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=c.comm_a2)
    bob_sees = set(registry_selectors.residents_visible(c.bob).values_list("pk", flat=True))
    assert world.resident_a.pk not in bob_sees and world.resident_a12.pk in bob_sees
    with pytest.raises(NotFound):
        node_get(c.bob, c.grid_a1_1.pk)
    # alice's role stays bound to her grid, wherever it is.
    assert set(registry_selectors.residents_visible(c.alice).values_list("pk", flat=True)) == {
        world.resident_a.pk
    }


def test_moving_a_community_moves_everything_under_it(world: World) -> None:
    c = world.city
    moved = services.node_move(actor=c.sysadmin, node=c.comm_a1, new_parent=c.sub_b)
    assert moved.path.startswith(c.sub_b.path)
    assert_tree_consistent()
    assert Resident.objects.filter(node_path__startswith=moved.path).count() == 2
    assert Dwelling.objects.get(pk=world.dwelling_a.pk).node_path.startswith(moved.path)


@pytest.mark.parametrize("target", ["grid_a1_1", "building_a1"])
def test_moving_into_its_own_subtree_is_refused(world: World, target: str) -> None:
    c = world.city
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=getattr(c, target))
    assert "parent" in refused.value.errors
    assert db_state() == before


def test_moving_to_a_parent_of_the_wrong_kind_is_refused(world: World) -> None:
    c = world.city
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=c.district)
    assert "parent" in refused.value.errors
    assert db_state() == before


def test_a_failure_midway_leaves_everything_unchanged(world: World, monkeypatch: Any) -> None:
    c = world.city
    before = db_state()
    real = services.scoped_models

    class Broken:
        @property
        def _default_manager(self) -> Any:
            raise RuntimeError("disk full")

    def fail_after_some_rows() -> list[Any]:
        # By then the nodes' paths and every scoped table have been rewritten.
        return [*real(), Broken()]

    monkeypatch.setattr(services, "scoped_models", fail_after_some_rows)
    with pytest.raises(RuntimeError, match="disk full"):
        services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=c.comm_a2)
    assert db_state() == before
    monkeypatch.undo()
    assert_tree_consistent()


def test_the_audit_failure_rolls_the_move_back(world: World, monkeypatch: Any) -> None:
    c = world.city
    before = db_state()

    def broken_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "audit_write", broken_audit)
    with pytest.raises(RuntimeError):
        services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=c.comm_a2)
    assert db_state() == before


def test_community_worker_may_move_a_grid_within_their_community_only(world: World) -> None:
    c = world.city
    building = services.node_create(actor=c.bob, kind="building", name="2号楼", parent=c.grid_a1_1)
    moved = services.node_move(actor=c.bob, node=building, new_parent=c.grid_a1_2)
    assert moved.path.startswith(c.grid_a1_2.path)
    assert_tree_consistent()
