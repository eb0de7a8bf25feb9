"""The company page shows the year chosen, counted as the board counts it: the compounds served
that year (contracts running at some time in it) and that year's inspections, in the reader's
scope, with totals equal to the board row."""

from datetime import date, timedelta

from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.property import selectors
from civicgrid.property.constants import CreditSource
from civicgrid.property.models import CreditEntry, Inspection, ServiceContract
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_pages import client_for
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind


def contract(world: World, compound: Node, starts_on: date, ends_on: date | None = None) -> ServiceContract:
    return ServiceContract.objects.create(
        node=compound,
        node_path=compound.path,
        company=world.lvcheng,
        starts_on=starts_on,
        ends_on=ends_on,
        exit_reason="expired" if ends_on else "",
    )


def inspect(world: World, served: ServiceContract, day: date, deducted: int) -> Inspection:
    """An inspection with its ledger row, as ``inspection_record`` writes them (any year)."""
    found = Inspection.objects.create(
        node=served.node,
        node_path=served.node_path,
        contract=served,
        company=served.company,
        inspected_on=day,
        inspector=world.city.dave,
        total_deduction=deducted,
        rectify_by=day + timedelta(days=15) if deducted else None,
    )
    CreditEntry.objects.create(
        node=served.node,
        node_path=served.node_path,
        company=served.company,
        year=day.year,
        points=-deducted,
        reason="检查",
        source=CreditSource.INSPECTION,
        source_id=found.pk,
    )
    return found


def page_figures(user: User, company_id: int, year: int) -> tuple[int, int, int, list[Inspection], str]:
    response = client_for(user).get(reverse("property:company", args=[company_id]), {"year": year})
    assert response.status_code == 200
    ctx = response.context
    figures = (ctx["compounds_served"], ctx["inspected"].count, ctx["inspected"].deducted)
    return (*figures, list(ctx["inspections"]), response.content.decode())


def test_the_company_page_of_a_year_counts_as_the_board_row(world: World) -> None:
    c = world.city
    this_year = today().year
    last_year = this_year - 1
    old = territory.node_create(actor=c.sysadmin, kind=NodeKind.COMPOUND, name="旧城小区", parent=c.grid_a1_1)
    gone = contract(world, old, date(last_year - 3, 1, 1), date(last_year - 1, 12, 31))  # before both years
    left = contract(world, world.shengli, date(last_year - 2, 1, 1), date(last_year, 6, 30))  # last year only
    both = contract(world, world.wuai, date(last_year, 3, 1))
    elsewhere = contract(world, world.tongjiang, date(last_year, 1, 1))  # carol's community
    inspect(world, gone, date(last_year - 1, 5, 1), 9)
    inspect(world, left, date(last_year, 3, 1), 4)
    inspect(world, both, date(last_year, 9, 1), 2)
    inspect(world, both, date(this_year, 1, 1), 5)
    inspect(world, elsewhere, date(this_year, 1, 1), 3)
    expected = {
        (c.dave, last_year): (3, 2, 6),
        (c.dave, this_year): (2, 2, 8),
        (world.hank, last_year): (2, 2, 6),
        (world.hank, this_year): (1, 1, 5),
    }
    for (user, year), figures in expected.items():
        [row] = selectors.board(user, year).rows
        assert (row.compounds, row.inspections, row.deducted) == figures
        served, count, deducted, listed, page = page_figures(user, world.lvcheng.pk, year)
        assert (served, count, deducted) == figures
        assert len(listed) == count and sum(i.total_deduction for i in listed) == deducted
        assert {i.inspected_on.year for i in listed} <= {year}
        assert "旧城小区" not in page  # its contract ended before either year
        assert ("胜利门花园" in page) == (year == last_year)
        assert ("通江苑" in page) == (user == c.dave)
    # The board links to the page of its year; without ?year= both show this year.
    board = client_for(c.dave).get(reverse("property:board"), {"year": last_year}).content.decode()
    assert f"{reverse('property:company', args=[world.lvcheng.pk])}?year={last_year}" in board
    response = client_for(c.dave).get(reverse("property:company", args=[world.lvcheng.pk]))
    assert response.context["year"] == this_year
    assert (response.context["compounds_served"], response.context["inspected"].count) == (2, 2)


def test_a_year_of_more_inspections_than_listed_says_so(world: World) -> None:
    last_year = today().year - 1
    served = contract(world, world.shengli, date(last_year - 1, 1, 1))
    for i in range(51):
        inspect(world, served, date(last_year, 1, 1) + timedelta(days=i), 1)
    [row] = selectors.board(world.city.dave, last_year).rows
    _, count, deducted, listed, page = page_figures(world.city.dave, world.lvcheng.pk, last_year)
    assert (count, deducted) == (row.inspections, row.deducted) == (51, 51)
    assert len(listed) == 50 and listed[0].inspected_on == date(last_year, 1, 1) + timedelta(days=50)
    assert "共 51 条，仅显示最近50条" in page
    _, _, _, _, page = page_figures(world.city.dave, world.lvcheng.pk, last_year + 1)
    assert "仅显示最近" not in page
