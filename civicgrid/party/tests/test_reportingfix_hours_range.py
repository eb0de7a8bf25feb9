"""The hours table's period: a day out of range is a field error and the page still shows."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "field", "said"),
    [
        ({"until": "9999-12-31"}, "until", "截止日期超出可查询的日期范围"),
        ({"since": "0001-01-01"}, "since", "起始日期超出可查询的日期范围"),
        ({"since": "2026-13-40"}, "since", "起始日期"),
    ],
)
def test_a_day_out_of_range_is_named_and_the_page_kept(
    pw: PartyWorld, params: dict[str, str], field: str, said: str
) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    response = client.get(reverse("party:reporting"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="{field}-error"' in page and said in page
    assert 'aria-describedby="' + field + '-error"' in page
    assert "党员服务时长排行" in page
