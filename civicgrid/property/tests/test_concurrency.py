"""Two people at once on PostgreSQL: one company serves a compound, the other gets a clear error."""

from datetime import timedelta

import pytest

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.constants import Verb
from civicgrid.property.models import CreditEntry, Inspection, ServiceContract
from civicgrid.property.services import contracts as contract_services
from civicgrid.property.services import credit as credit_services
from civicgrid.property.tests.conftest import World, today
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_companies_entering_one_compound_at_once_one_wins(world: World, monkeypatch) -> None:
    c = world.city
    slow_audit(monkeypatch, contract_services)
    results = run_at_once(
        lambda: services.contract_start(
            actor=c.bob, compound=world.shengli, company=world.lvcheng, starts_on=today()
        ),
        lambda: services.contract_start(
            actor=c.dave, compound=world.shengli, company=world.anju, starts_on=today()
        ),
    )
    won = [r for r in results if isinstance(r, ServiceContract)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert won[0].company.name in lost[0].message and "已有在管物业企业" in lost[0].message
    assert ServiceContract.objects.filter(node=world.shengli, ends_on__isnull=True).count() == 1
    assert AuditLog.objects.filter(verb=Verb.CONTRACT_STARTED).count() == 1


def test_the_unique_index_holds_when_the_lock_is_skipped(world: World, monkeypatch) -> None:
    """Without the compound's row lock both writers pass the check; the partial unique index
    still lets only one in and the other gets the same clear error."""
    c = world.city

    monkeypatch.setattr(contract_services, "lock_compound", lambda node: None)
    slow_audit(monkeypatch, contract_services)
    results = run_at_once(
        lambda: services.contract_start(
            actor=c.bob, compound=world.shengli, company=world.lvcheng, starts_on=today()
        ),
        lambda: services.contract_start(
            actor=c.dave, compound=world.shengli, company=world.anju, starts_on=today()
        ),
        stagger=0.0,
    )
    assert sum(isinstance(r, ServiceContract) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert ServiceContract.objects.filter(node=world.shengli).count() == 1


def test_an_exit_waits_for_an_inspection_being_written(world: World, monkeypatch) -> None:
    """The inspection holds the compound's lock and is not yet committed; the exit dated
    before it takes the same lock first, so it sees the inspection and is refused."""
    c = world.city
    contract = world.start()
    inspecting = slow_audit(monkeypatch, credit_services)
    results = run_at_once(
        lambda: services.inspection_record(
            actor=c.bob,
            compound=world.shengli,
            inspected_on=today(),
            items={"environment": services.ItemIn(deduction=1)},
        ),
        lambda: services.contract_end(
            actor=c.dave, contract=contract, ends_on=today() - timedelta(days=1), reason="expired"
        ),
        after=inspecting,
    )
    assert isinstance(results[0], Inspection), results
    assert isinstance(results[1], ValidationError), results
    assert "最近一次检查" in str(results[1].detail), results[1].detail
    assert ServiceContract.objects.get().ends_on is None
    assert AuditLog.objects.filter(verb=Verb.CONTRACT_ENDED).count() == 0


def test_two_staff_reversing_one_entry_at_once_one_wins(world: World, monkeypatch) -> None:
    c = world.city
    world.start()
    entry = services.credit_adjust(
        actor=c.dave, company=world.lvcheng, node=c.district, year=today().year, points=10, reason="示范"
    )
    slow_audit(monkeypatch, credit_services)
    results = run_at_once(
        lambda: services.credit_reverse(actor=c.dave, entry=entry, reason="误录"),
        lambda: services.credit_reverse(actor=c.dave, entry=entry, reason="误录（另一人）"),
    )
    assert sum(isinstance(r, CreditEntry) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert CreditEntry.objects.filter(reverses=entry).count() == 1
    assert AuditLog.objects.filter(verb=Verb.CREDIT_REVERSED).count() == 1


def test_the_reverses_index_holds_when_the_row_lock_is_skipped(world: World, monkeypatch) -> None:
    """Without the entry's row lock both pass the check; the unique ``reverses`` lets one in."""
    c = world.city
    world.start()
    entry = services.credit_adjust(
        actor=c.dave, company=world.lvcheng, node=c.district, year=today().year, points=10, reason="示范"
    )
    monkeypatch.setattr(credit_services, "_already_reversed", lambda entry: False)
    slow_audit(monkeypatch, credit_services)
    results = run_at_once(
        lambda: services.credit_reverse(actor=c.dave, entry=entry, reason="误录"),
        lambda: services.credit_reverse(actor=c.dave, entry=entry, reason="误录"),
        stagger=0.0,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert CreditEntry.objects.filter(reverses=entry).count() == 1
