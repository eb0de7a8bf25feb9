"""A wrong inspection is voided (作废) with a reason: it stays visible as voided with who and
why, and counts neither in the score, nor on the board, nor in the one-a-day rule."""

from datetime import timedelta

import pytest
from django.urls import reverse

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import selectors, services
from civicgrid.property.constants import BASE_SCORE, CreditSource, Verb
from civicgrid.property.models import CreditEntry, Inspection
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_pages import client_for, messages_of


def inspect(world: World, days_ago: int = 2, safety: int = 3) -> Inspection:
    return services.inspection_record(
        actor=world.city.bob,
        compound=world.shengli,
        inspected_on=today() - timedelta(days=days_ago),
        items={"safety": services.ItemIn(deduction=safety)},
    )


def test_a_voided_inspection_counts_nowhere_and_another_may_be_recorded_that_day(world: World) -> None:
    c = world.city
    world.start()
    wrong = inspect(world, safety=3)
    year = wrong.inspected_on.year
    assert selectors.score(world.lvcheng, year) == BASE_SCORE - 3
    voided = services.inspection_void(actor=c.bob, inspection=wrong, reason="记错了小区")
    assert voided.voided_by == c.bob and voided.void_reason == "记错了小区" and voided.is_voided
    assert selectors.score(world.lvcheng, year) == BASE_SCORE
    entry = CreditEntry.objects.get(source=CreditSource.INSPECTION, source_id=wrong.pk)
    assert CreditEntry.objects.get(reverses=entry).points == 3
    row = selectors.board(c.dave, year).rows[0]
    assert (row.inspections, row.deducted) == (0, 0)
    right = inspect(world, safety=1)  # the same day: the voided one does not count
    assert right.inspected_on == wrong.inspected_on
    assert selectors.score(world.lvcheng, year) == BASE_SCORE - 1
    row = selectors.board(c.dave, year).rows[0]
    assert (row.inspections, row.deducted) == (1, 1)
    assert selectors.inspections_visible(c.bob).filter(pk=wrong.pk).exists()  # still shown
    log = AuditLog.objects.get(verb=Verb.INSPECTION_VOIDED)
    assert log.after is not None and log.after["void_reason"] == "记错了小区"


def test_a_void_needs_a_reason_a_manager_and_happens_once(world: World) -> None:
    c = world.city
    world.start()
    wrong = inspect(world)
    rows, before = CreditEntry.objects.count(), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.inspection_void(actor=c.bob, inspection=wrong, reason="")
    assert refused.value.errors == {"reason": ["请填写作废原因"]}
    with pytest.raises(PermissionDenied):
        services.inspection_void(actor=c.carol, inspection=wrong, reason="误录")  # another community
    assert CreditEntry.objects.count() == rows and audit_count() == before
    assert Inspection.objects.get().voided_at is None
    services.inspection_void(actor=c.bob, inspection=wrong, reason="误录")
    with pytest.raises(Conflict):
        services.inspection_void(actor=c.bob, inspection=wrong, reason="再次")
    assert CreditEntry.objects.count() == rows + 1 and audit_count() == before + 1


def test_the_inspection_page_voids_and_shows_who_and_why(world: World) -> None:
    world.start()
    wrong = inspect(world)
    bob = client_for(world.city.bob)
    url = reverse("property:inspection_void", args=[wrong.pk])
    refused = bob.post(url, {"reason": " "})
    assert refused.status_code == 422 and messages_of(refused) == ["作废原因：请填写作废原因"]
    assert bob.post(url, {"reason": "误录"}).status_code == 302
    page = bob.get(reverse("property:inspection", args=[wrong.pk])).content.decode()
    assert "已作废" in page and "误录" in page and world.city.bob.display_name in page
    compound = bob.get(reverse("property:compound", args=[world.shengli.pk])).content.decode()
    assert "已作废" in compound
