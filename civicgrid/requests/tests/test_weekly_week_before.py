"""The weekly report compares its headline figures with the week before (环比), counted the
same way: on the page, in the Excel's 概况 sheet and in the API."""

from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.requests.constants import Action
from civicgrid.requests.rates.report import weekly_report, weekly_report_xlsx
from civicgrid.requests.tests.test_rates import at, event, make_request

pytestmark = pytest.mark.django_db


def last_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def _two_weeks(hotline: Any, monday: date) -> None:
    """The week before: two requests received, one closed. The week: three received, all closed."""
    grid = hotline.city.grid_a1_1
    before = monday - timedelta(days=7)
    first = make_request(grid, hotline.sub_a_unit, at(before))
    make_request(grid, hotline.sub_a_unit, at(before + timedelta(days=1)))
    event(first, Action.CLOSE, at(before + timedelta(days=2)))
    for day in range(3):
        request = make_request(grid, hotline.sub_a_unit, at(monday + timedelta(days=day)))
        event(request, Action.CLOSE, at(monday + timedelta(days=day), 15))


def test_the_week_is_compared_with_the_week_before(hotline: Any) -> None:
    monday = last_monday()
    _two_weeks(hotline, monday)
    report = weekly_report(hotline.city.dave, monday)
    assert report.before is not None and report.before.period.start == monday - timedelta(days=7)
    assert (report.intake, report.before.intake) == (3, 2)
    assert (report.closed, report.before.closed) == (3, 1)
    assert report.changes()["intake"] == "+1（+50.0%）" and report.changes()["closed"] == "+2（+200.0%）"

    rows = list(load_workbook(BytesIO(weekly_report_xlsx(report)))["概况"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "本周", "上周", "变化", "变化率")
    intake = next(r for r in rows if r[0] == "受理诉求（件）")
    assert intake == ("受理诉求（件）", 3, 2, 1, 0.5)  # numbers, for Excel to compute with

    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get("/requests/rates/weekly/", {"week": monday.isoformat()}).content.decode()
    assert "较上周 +1（+50.0%）" in page and "较上周 +2（+200.0%）" in page
    body = client.get("/api/v1/rates/weekly", {"week": monday.isoformat()}).json()
    assert body["before"]["intake"] == 2 and body["before"]["changes"]["intake"] == "+1（+50.0%）"


def test_nothing_the_week_before_says_the_count_only(hotline: Any) -> None:
    monday = last_monday()
    grid = hotline.city.grid_a1_1
    make_request(grid, hotline.sub_a_unit, at(monday))
    report = weekly_report(hotline.city.dave, monday)
    assert report.changes()["intake"] == "+1" and report.changes()["closed"] == "0"
    assert report.changes()["composite"] == ""  # no rating in either week


def test_a_week_not_over_is_set_against_the_same_part_of_the_week_before(
    hotline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a Wednesday at noon the week so far is compared with Monday to Wednesday noon of the
    week before, not with the whole of it."""
    monday = last_monday()
    wednesday_noon = at(monday + timedelta(days=2), 12)
    grid = hotline.city.grid_a1_1
    before = monday - timedelta(days=7)
    make_request(grid, hotline.sub_a_unit, at(before + timedelta(days=1)))  # Tuesday: counted
    make_request(grid, hotline.sub_a_unit, at(before + timedelta(days=2), 13))  # Wednesday 13:00: not yet
    make_request(grid, hotline.sub_a_unit, at(before + timedelta(days=3)))  # Thursday: not yet
    make_request(grid, hotline.sub_a_unit, at(monday))
    monkeypatch.setattr(timezone, "now", lambda: wednesday_noon)
    report = weekly_report(hotline.city.dave, monday)
    assert report.is_live and report.before is not None and report.before.same_time
    assert report.before.period.end == before + timedelta(days=2)
    assert (report.intake, report.before.intake) == (1, 1) and report.changes()["intake"] == "0"
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get("/requests/rates/weekly/", {"week": monday.isoformat()}).content.decode()
    assert "较上周同期 0" in page
    header = next(load_workbook(BytesIO(weekly_report_xlsx(report)))["概况"].iter_rows(values_only=True))
    assert header[2] == "上周同期"


def test_the_composite_change_is_that_of_the_scores_as_shown(hotline: Any) -> None:
    """90.934783 against 90.076923 shows as 90.93 and 90.08: the change is +0.85 on the page,
    in the API and in the Excel alike, not the exact difference rounded (+0.86; outside tester)."""
    from dataclasses import replace
    from fractions import Fraction

    monday = last_monday()
    _two_weeks(hotline, monday)
    report = weekly_report(hotline.city.dave, monday)
    assert report.before is not None
    report.rates = replace(report.rates, composite=Fraction(90934783, 1000000))
    report.before = replace(
        report.before, rates=replace(report.before.rates, composite=Fraction(90076923, 1000000))
    )
    assert report.changes()["composite"] == "+0.85"
    rows = list(load_workbook(BytesIO(weekly_report_xlsx(report)))["概况"].iter_rows(values_only=True))
    composite = next(r for r in rows if r[0] == "综合得分")
    assert composite[1:4] == (90.93, 90.08, 0.85)
