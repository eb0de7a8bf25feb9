"""Moving out one who has already moved out is refused: a second 迁出 proposal approved after
the first had nothing to do, and was approved all the same."""

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.gridwork import services as gridwork
from civicgrid.gridwork.models import Proposal
from civicgrid.registry import services
from civicgrid.registry.tests.factories import World, db_state


def test_a_second_move_out_is_refused_and_changes_nothing(world: World) -> None:
    services.resident_update(actor=world.city.bob, resident=world.resident_a, is_active=False)
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        services.resident_update(actor=world.city.bob, resident=world.resident_a, is_active=False)
    assert exc.value.errors == {"is_active": ["该居民已迁出（不在册），不能再次办理迁出"]}
    assert db_state() == before


def test_the_second_of_two_move_out_proposals_cannot_be_approved(world: World) -> None:
    def propose(key: str) -> Proposal:
        data = gridwork.ProposalIn(kind="moved_out", resident=world.resident_a)
        return gridwork.proposal_submit(actor=world.city.alice, client_key=key, data=data).entry

    # A second proposal while the first is pending is refused at submission (gridwork); one
    # filed after the first was approved meets the registry's own refusal at approval.
    first = propose("move-out-1")
    gridwork.proposal_approve(actor=world.city.bob, proposal=first)
    second = propose("move-out-2")
    with pytest.raises(ValidationError) as exc:
        gridwork.proposal_approve(actor=world.city.bob, proposal=second)
    assert exc.value.message == "该居民已迁出（不在册），不能再次办理迁出"
    assert Proposal.objects.get(pk=second.pk).state == "pending"


def test_an_inactive_resident_can_still_be_edited(world: World) -> None:
    services.resident_update(actor=world.city.bob, resident=world.resident_a, is_active=False)
    updated = services.resident_update(actor=world.city.bob, resident=world.resident_a, note="已迁往外地")
    assert updated.note == "已迁往外地" and not updated.is_active
    back = services.resident_update(actor=world.city.bob, resident=world.resident_a, is_active=True)
    assert back.is_active
