"""A year asked for on the pages that is no year is refused naming the year field (as the API
does with 422); an inspection may be recorded at most one year back, as the docs say."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from civicgrid.core.errors import ValidationError
from civicgrid.property import services
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_pages import client_for, messages_of


@pytest.mark.parametrize("year", ["abc", "99999", "1999"])
def test_a_bad_year_is_refused_naming_the_field(world: World, year: str) -> None:
    world.start()
    dave = client_for(world.city.dave)
    for url in (reverse("property:board"), reverse("property:company", args=[world.lvcheng.pk])):
        page = dave.get(url, {"year": year})
        assert page.status_code == 422
        [message] = messages_of(page)
        assert message.startswith("年度：") and year in message
        assert page.context["year"] == today().year


def test_a_good_year_or_none_shows_no_message(world: World) -> None:
    dave = client_for(world.city.dave)
    for query in ({}, {"year": str(today().year - 1)}):
        page = dave.get(reverse("property:board"), query)
        assert page.status_code == 200 and messages_of(page) == []


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def test_an_inspection_is_recorded_at_most_one_year_back(world: World) -> None:
    world.start(days_ago=800)
    earliest = one_year_before(today())
    with pytest.raises(ValidationError) as refused:
        services.inspection_record(
            actor=world.city.bob, compound=world.shengli, inspected_on=earliest - timedelta(days=1), items={}
        )
    assert refused.value.errors["inspected_on"] == [f"检查日期不能早于一年前（{earliest:%Y-%m-%d}）"]
    services.inspection_record(actor=world.city.bob, compound=world.shengli, inspected_on=earliest, items={})
    if earliest != today() - timedelta(days=366):  # 366 days back lies beyond one year
        with pytest.raises(ValidationError):
            services.inspection_record(
                actor=world.city.bob,
                compound=world.shengli,
                inspected_on=today() - timedelta(days=366),
                items={},
            )
