"""Each board row counts in one scope: the score is the company's whole, the compounds served,
inspections and deductions only those in the reader's scope (as the company page lists them)."""

from datetime import timedelta

from civicgrid.property import selectors, services
from civicgrid.property.services import ItemIn
from civicgrid.property.tests.conftest import World, today


def test_a_community_counts_its_own_inspections_next_to_the_whole_score(world: World) -> None:
    c = world.city
    world.start()
    world.start(world.tongjiang)
    world.start(world.wuai)  # same subdistrict, another community
    day = today() - timedelta(days=2)
    services.inspection_record(
        actor=c.bob, compound=world.shengli, inspected_on=day, items={"environment": ItemIn(2)}
    )
    for compound in (world.tongjiang, world.wuai):
        services.inspection_record(
            actor=c.dave, compound=compound, inspected_on=day, items={"safety": ItemIn(3)}
        )
    [row] = selectors.board(c.bob, day.year).rows
    assert (row.score, row.compounds, row.inspections, row.deducted) == (100 - 8, 1, 1, 2)
    [row] = selectors.board(c.dave, day.year).rows
    assert (row.score, row.compounds, row.inspections, row.deducted) == (100 - 8, 3, 3, 8)
