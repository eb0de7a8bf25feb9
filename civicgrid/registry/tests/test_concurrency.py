"""Concurrent work on the same resident on PostgreSQL: correct answers, no lost update."""

from typing import Any

import pytest

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import ID_A, PHONE_A, World, make_id_number
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node
from civicgrid.territory.tests.test_node_move import assert_tree_consistent
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_updates_of_the_same_resident_keep_both(world: World, monkeypatch: Any) -> None:
    slow_audit(monkeypatch, services)
    results = run_at_once(
        lambda: services.resident_update(
            actor=world.city.bob, resident=world.resident_a, phone="13900009999"
        ),
        lambda: services.resident_update(actor=world.city.alice, resident=world.resident_a, note="已走访"),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    resident = Resident.objects.get(pk=world.resident_a.pk)
    assert resident.note == "已走访" and resident.phone_masked == "139****9999"
    assert services.resident_reveal_pii(actor=world.city.bob, resident=resident)["phone"] == "13900009999"
    _, second = AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED).order_by("id")
    assert second.before is not None and second.before["phone_masked"] == "139****9999"


def test_reveal_during_an_update_gives_one_consistent_answer(world: World, monkeypatch: Any) -> None:
    new_id = make_id_number("32021319800101005")
    slow_audit(monkeypatch, services)
    update, reveal = run_at_once(
        lambda: services.resident_update(
            actor=world.city.bob, resident=world.resident_a, id_number=new_id, phone="13900009999"
        ),
        lambda: services.resident_reveal_pii(
            actor=world.city.alice, resident=Resident.objects.get(pk=world.resident_a.pk)
        ),
    )
    assert isinstance(update, Resident), update
    # Before or after the update, never half of each.
    assert reveal in (
        {"id_number": ID_A, "phone": PHONE_A, "birth_date": "1980-01-01"},
        {"id_number": new_id, "phone": "13900009999", "birth_date": "1980-01-01"},
    )
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_PII_VIEWED, actor=world.city.alice).count() == 1
    stored = Resident.objects.get(pk=world.resident_a.pk)
    assert services.resident_reveal_pii(actor=world.city.bob, resident=stored)["id_number"] == new_id


def test_the_same_id_number_registered_twice_at_once(world: World, monkeypatch: Any) -> None:
    id_number = make_id_number("32021319750505007")
    slow_audit(monkeypatch, services)
    results = run_at_once(
        lambda: services.resident_create(
            actor=world.city.bob, node=world.city.grid_a1_1, name="甲", id_number=id_number
        ),
        lambda: services.resident_create(
            actor=world.city.carol, node=world.city.grid_b1_1, name="乙", id_number=id_number
        ),
    )
    created = [r for r in results if isinstance(r, Resident)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1 and len(refused) == 1, results
    assert "id_number" in refused[0].errors
    assert Resident.objects.filter(name__in=["甲", "乙"]).count() == 1
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_CREATED, target_id=str(created[0].pk)).count() == 1


def test_a_resident_moved_to_a_grid_that_is_moving_follows_it(world: World, monkeypatch: Any) -> None:
    c = world.city
    target = Node.objects.get(pk=c.grid_a1_2.pk)  # loaded before the grid moves
    slow_audit(monkeypatch, territory)
    results = run_at_once(
        lambda: territory.node_move(actor=c.sysadmin, node=c.grid_a1_2, new_parent=c.comm_a2),
        lambda: services.resident_update(actor=c.bob, resident=world.resident_a, node=target),
    )
    moved, updated = results
    assert isinstance(moved, Node), moved
    resident = Resident.objects.get(pk=world.resident_a.pk)
    if isinstance(updated, PermissionDenied):
        # The move went first: the grid is no longer in bob's community, nothing changed.
        assert resident.node_id == c.grid_a1_1.pk
    else:
        # The update went first: the move then carried the resident along.
        assert isinstance(updated, Resident), updated
        assert resident.node_id == c.grid_a1_2.pk and resident.node_path.startswith(c.comm_a2.path)
    assert_tree_consistent()
