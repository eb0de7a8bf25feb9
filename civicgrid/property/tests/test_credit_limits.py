"""The limits of the credit ledger: a company's awards of a year add up to at most 20 points
(so a score is at most 120), and a compound is inspected at most once a day."""

from datetime import timedelta

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.property import selectors, services
from civicgrid.property.constants import AWARD_YEAR_MAX, BASE_SCORE
from civicgrid.property.models import CreditEntry, Inspection
from civicgrid.property.services import ItemIn
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.territory.models import Node


def award(world: World, points: int, node: Node | None = None) -> CreditEntry:
    c = world.city
    return services.credit_adjust(
        actor=c.dave,
        company=world.lvcheng,
        node=node or c.district,
        year=today().year,
        points=points,
        reason="示范点",
    )


def test_awards_of_a_year_add_up_to_at_most_twenty_points(world: World) -> None:
    world.start()
    award(world, 15)
    award(world, -5)  # a deduction does not give room for more awards
    award(world, 5, world.city.sub_a)  # the cap counts every awarding level
    rows, before = CreditEntry.objects.count(), audit_count()
    with pytest.raises(ValidationError) as refused:
        award(world, 1)
    assert refused.value.errors == {
        "points": [f"该企业{today().year}年已获加分20分，每年加分合计不超过20分，本次最多可加0分"]
    }
    assert CreditEntry.objects.count() == rows and audit_count() == before
    assert selectors.score(world.lvcheng, today().year) == BASE_SCORE + AWARD_YEAR_MAX - 5
    award(world, -3)  # deductions are not capped


def test_an_award_above_what_is_left_names_what_may_still_be_given(world: World) -> None:
    world.start()
    award(world, 12)
    with pytest.raises(ValidationError) as refused:
        award(world, 10)
    assert "本次最多可加8分" in refused.value.errors["points"][0]
    award(world, 8)
    assert selectors.score(world.lvcheng, today().year) == BASE_SCORE + AWARD_YEAR_MAX


def test_a_compound_is_inspected_at_most_once_a_day(world: World) -> None:
    c = world.city
    world.start()
    day = today() - timedelta(days=3)
    services.inspection_record(actor=c.bob, compound=world.shengli, inspected_on=day, items={})
    rows, before = CreditEntry.objects.count(), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.inspection_record(
            actor=c.dave, compound=world.shengli, inspected_on=day, items={"environment": ItemIn(3)}
        )
    assert refused.value.errors == {
        "inspected_on": [f"该小区{day:%Y-%m-%d}已有检查记录，同一小区每天只记一次检查"]
    }
    assert Inspection.objects.count() == 1 and CreditEntry.objects.count() == rows
    assert audit_count() == before
    services.inspection_record(actor=c.bob, compound=world.shengli, inspected_on=today(), items={})
