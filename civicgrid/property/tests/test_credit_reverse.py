"""A mistaken award or manual deduction is put right by a reversal (冲正): a ledger row that
cancels exactly that entry, made by someone who may award or deduct in its name, with a
reason; it is linked to the entry, made once, and frees the award cap the entry used."""

from datetime import timedelta

import pytest
from django.urls import reverse

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import selectors, services
from civicgrid.property.constants import AWARD_YEAR_MAX, BASE_SCORE, CreditSource, Verb
from civicgrid.property.models import CreditEntry
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_pages import client_for, messages_of


def award(world: World, points: int) -> CreditEntry:
    return services.credit_adjust(
        actor=world.city.dave,
        company=world.lvcheng,
        node=world.city.district,
        year=today().year,
        points=points,
        reason="示范小区",
    )


def test_a_reversed_award_cancels_it_and_frees_the_cap(world: World) -> None:
    world.start()
    wrong = award(world, AWARD_YEAR_MAX)
    with pytest.raises(ValidationError):
        award(world, 5)
    reversal = services.credit_reverse(actor=world.city.dave, entry=wrong, reason="误录，应为安居物业")
    assert reversal.reverses == wrong and reversal.points == -AWARD_YEAR_MAX
    assert reversal.source == CreditSource.REVERSAL and reversal.year == wrong.year
    assert reversal.node_id == wrong.node_id and reversal.company_id == wrong.company_id
    assert selectors.score(world.lvcheng, today().year) == BASE_SCORE
    row = AuditLog.objects.get(verb=Verb.CREDIT_REVERSED)
    assert row.before is not None and row.after is not None
    assert row.before["points"] == AWARD_YEAR_MAX and row.after["reverses"] == wrong.pk
    award(world, AWARD_YEAR_MAX)  # the cap is free again
    assert selectors.score(world.lvcheng, today().year) == BASE_SCORE + AWARD_YEAR_MAX


def test_a_reversal_is_made_once_with_a_reason_by_whoever_may_adjust_there(world: World) -> None:
    c = world.city
    world.start()
    wrong = award(world, -5)
    rows, before = CreditEntry.objects.count(), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.credit_reverse(actor=c.dave, entry=wrong, reason="  ")
    assert refused.value.errors == {"reason": ["请填写冲正原因"]}
    for outsider in (c.bob, world.hank):  # a community worker; the subdistrict, not the district
        with pytest.raises(PermissionDenied):
            services.credit_reverse(actor=outsider, entry=wrong, reason="误录")
    assert CreditEntry.objects.count() == rows and audit_count() == before
    reversal = services.credit_reverse(actor=c.dave, entry=wrong, reason="误录")
    with pytest.raises(Conflict):
        services.credit_reverse(actor=c.dave, entry=wrong, reason="再次")
    with pytest.raises(ValidationError) as refused:
        services.credit_reverse(actor=c.dave, entry=reversal, reason="冲正冲正")
    assert "entry" in refused.value.errors
    assert CreditEntry.objects.count() == rows + 1 and audit_count() == before + 1


def test_an_inspections_row_is_not_reversed_by_hand(world: World) -> None:
    world.start()
    inspection = services.inspection_record(
        actor=world.city.bob,
        compound=world.shengli,
        inspected_on=today() - timedelta(days=1),
        items={"safety": services.ItemIn(deduction=3)},
    )
    entry = CreditEntry.objects.get(source=CreditSource.INSPECTION, source_id=inspection.pk)
    with pytest.raises(ValidationError) as refused:
        services.credit_reverse(actor=world.city.dave, entry=entry, reason="误录")
    assert "作废" in refused.value.errors["entry"][0]
    assert not CreditEntry.objects.filter(source=CreditSource.REVERSAL).exists()


def test_the_company_page_reverses_an_entry_and_shows_both_linked(world: World) -> None:
    world.start()
    wrong = award(world, 10)
    dave = client_for(world.city.dave)
    url = reverse("property:company", args=[world.lvcheng.pk])
    assert wrong.pk in dave.get(url).context["reversible"]
    assert wrong.pk not in client_for(world.city.bob).get(url).context["reversible"]
    refused = dave.post(reverse("property:credit_reverse", args=[wrong.pk]), {"reason": ""})
    assert refused.status_code == 422 and messages_of(refused) == ["冲正原因：请填写冲正原因"]
    done = dave.post(reverse("property:credit_reverse", args=[wrong.pk]), {"reason": "误录"})
    assert done.status_code == 302
    page = dave.get(url).content.decode()
    assert "已冲正" in page and "冲正原因" not in page
    assert selectors.score(world.lvcheng, today().year) == BASE_SCORE
