"""A contract entered by mistake is voided (撤销录入): the right company may then enter from
the same day, and the voided one counts nowhere. A handover on one day (the next company
enters on the day the last one left) is allowed."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import selectors, services
from civicgrid.property.constants import ExitReason, Verb
from civicgrid.property.models import ServiceContract
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_pages import client_for, messages_of
from civicgrid.registry.models import Organisation


def enter(world: World, company: Organisation, day: date) -> ServiceContract:
    return services.contract_start(
        actor=world.city.bob, compound=world.shengli, company=company, starts_on=day
    )


def test_a_voided_entry_lets_the_right_company_enter_the_same_day_and_counts_nowhere(world: World) -> None:
    c = world.city
    wrong = enter(world, world.lvcheng, today())
    voided = services.contract_void(actor=c.bob, contract=wrong, reason="选错了企业")
    assert voided.voided_by == c.bob and voided.is_voided and not voided.is_open
    right = enter(world, world.anju, today())
    assert right.is_open and selectors.open_contract(world.shengli) == right
    assert list(selectors.served_in(c.bob, today().year)) == [right]
    assert [r.company for r in selectors.board(c.dave, today().year).rows] == [world.anju]
    assert services.serving_contract(world.shengli, today()) == right
    log = AuditLog.objects.get(verb=Verb.CONTRACT_VOIDED)
    assert log.after is not None and log.after["void_reason"] == "选错了企业"


def test_the_next_company_may_enter_on_the_day_the_last_one_left(world: World) -> None:
    wrong = enter(world, world.lvcheng, today())
    services.contract_end(
        actor=world.city.bob, contract=wrong, ends_on=today(), reason=ExitReason.OTHER, note="误录"
    )
    right = enter(world, world.anju, today())  # a handover on one day
    assert right.is_open
    assert services.serving_contract(world.shengli, today()) == right


def test_an_entry_with_inspections_counted_is_not_voided_until_they_are(world: World) -> None:
    c = world.city
    wrong = enter(world, world.lvcheng, today() - timedelta(days=5))
    inspection = services.inspection_record(
        actor=c.bob, compound=world.shengli, inspected_on=today() - timedelta(days=1), items={}
    )
    before = audit_count()
    with pytest.raises(Conflict) as refused:
        services.contract_void(actor=c.bob, contract=wrong, reason="误录")
    assert "1次检查" in refused.value.message and "请先作废" in refused.value.message
    assert ServiceContract.objects.get().voided_at is None and audit_count() == before
    services.inspection_void(actor=c.bob, inspection=inspection, reason="随合同一并误录")
    services.contract_void(actor=c.bob, contract=wrong, reason="误录")
    enter(world, world.anju, today() - timedelta(days=5))


def test_a_void_needs_a_reason_and_a_manager_and_is_done_once(world: World) -> None:
    c = world.city
    wrong = enter(world, world.lvcheng, today())
    before = audit_count()
    with pytest.raises(ValidationError) as refused:
        services.contract_void(actor=c.bob, contract=wrong, reason=" ")
    assert refused.value.errors == {"reason": ["请填写撤销原因"]}
    with pytest.raises(PermissionDenied):
        services.contract_void(actor=c.carol, contract=wrong, reason="误录")
    assert audit_count() == before and ServiceContract.objects.get().voided_at is None
    services.contract_void(actor=c.bob, contract=wrong, reason="误录")
    with pytest.raises(Conflict):
        services.contract_void(actor=c.bob, contract=wrong, reason="再次")
    with pytest.raises(Conflict):
        services.contract_end(actor=c.bob, contract=wrong, ends_on=today(), reason=ExitReason.OTHER, note="x")


def test_the_compound_page_voids_an_entry_and_marks_it(world: World) -> None:
    wrong = enter(world, world.lvcheng, today())
    bob = client_for(world.city.bob)
    url = reverse("property:contract_void", args=[wrong.pk])
    refused = bob.post(url, {"reason": "", "version": wrong.version})
    assert refused.status_code == 422 and messages_of(refused) == ["撤销原因：请填写撤销原因"]
    assert bob.post(url, {"reason": "误录", "version": wrong.version}).status_code == 302
    page = bob.get(reverse("property:compound", args=[world.shengli.pk])).content.decode()
    assert "已撤销录入" in page and "该小区目前没有在管的物业企业" in page
