"""A refused 批量录入 on the year page says so at the top, before the twelve months, with a
link to the form (whose reasons are below them), and the form posts back to itself (#import)."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.workcal import selectors


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "today", lambda: date(2026, 11, 23))


@pytest.mark.django_db
def test_a_refused_bulk_entry_is_summarised_at_the_top(city: Any) -> None:
    client = Client()
    client.force_login(city.sysadmin)
    lines = "2027-01-01 休 元旦\n2027-02-29 休\n2027-13-01 班\n"
    response = client.post(
        reverse("workcal:import", args=[2027]),
        {"lines": lines, "version": selectors.year_version(2027)},
    )
    text = response.content.decode()
    assert response.status_code == 422
    summary = text.index('id="import-summary"')
    assert summary < text.index('id="calendar"')  # above the months, not only below them
    top = text[summary : text.index("</div>", summary)]
    assert "批量录入未保存：有 2 处错误" in top and 'href="#import"' in top
    assert f'action="{reverse("workcal:import", args=[2027])}#import"' in text

    page = client.get(reverse("workcal:year", args=[2027])).content.decode()
    assert 'id="import-summary"' not in page  # nothing refused, no summary
