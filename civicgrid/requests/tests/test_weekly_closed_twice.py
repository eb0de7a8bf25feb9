"""The weekly report when a request is closed, reopened and closed again in the week (auditor):
本周办结 counts the request once (件), the closures twice (件次); the rework rate stays
reopenings / closures as on the rates page, and the hot spot rows add up to both figures —
on the page, in the Excel and in the API."""

import re
from datetime import date, timedelta
from fractions import Fraction
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import make_user
from civicgrid.requests.constants import Action
from civicgrid.requests.rates.access import scope_target, target_rates
from civicgrid.requests.rates.figures import Period
from civicgrid.requests.rates.report import WeeklyReport, weekly_report, weekly_report_xlsx
from civicgrid.requests.tests.test_rates import at, event, make_request

pytestmark = pytest.mark.django_db


def last_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def _week(hotline: Any, monday: date) -> None:
    """In 崇安寺街道: one request closed, reopened and closed again; one closed once; one on the
    subdistrict itself closed once. In 通江街道: one closed once."""
    c = hotline.city
    twice = make_request(c.grid_a1_1, hotline.sub_a_unit, at(monday))
    event(twice, Action.CLOSE, at(monday, 12))
    event(twice, Action.REOPEN, at(monday + timedelta(days=1)), hotline.sub_a_unit)
    event(twice, Action.CLOSE, at(monday + timedelta(days=2)))
    once = make_request(c.grid_a2_1, hotline.sub_a_unit, at(monday))
    event(once, Action.CLOSE, at(monday + timedelta(days=3)))
    own = make_request(c.sub_a, hotline.sub_a_unit, at(monday))
    event(own, Action.CLOSE, at(monday + timedelta(days=3)))
    other = make_request(c.grid_b1_1, hotline.sub_b_unit, at(monday))
    event(other, Action.DIRECT_CLOSE, at(monday + timedelta(days=4)))


def _check_adds_up(report: WeeklyReport) -> None:
    assert sum(s.closed for s in report.hot_spots) == report.closed
    assert sum(s.closures for s in report.hot_spots) == report.closures
    assert sum(s.rates.counts.reopened for s in report.hot_spots) == report.rates.counts.reopened


def test_closed_once_as_a_request_twice_as_closures(hotline: Any) -> None:
    monday = last_monday()
    _week(hotline, monday)
    dave = weekly_report(hotline.city.dave, monday)
    assert (dave.closed, dave.closures, dave.rates.counts.reopened) == (4, 5, 1)
    rows = {s.name: (s.closed, s.closures) for s in dave.hot_spots}
    assert rows == {"崇安寺街道": (3, 4), "通江街道": (1, 1)}
    _check_adds_up(dave)
    # The rework rate is the rates page's: reopenings / closures of the same days and area.
    page, _ = target_rates(scope_target(hotline.city.dave), Period(monday, monday + timedelta(days=6)))
    assert dave.rates.rework == page.rework == Fraction(1, 5)

    sub = weekly_report(_subdistrict_reader(hotline), monday)
    assert (sub.closed, sub.closures) == (3, 4)
    rows = {s.name: (s.closed, s.closures) for s in sub.hot_spots}
    assert rows == {"胜利门社区": (1, 2), "五爱社区": (1, 1), "崇安寺街道（本级及未细分）": (1, 1)}
    _check_adds_up(sub)


def _subdistrict_reader(hotline: Any) -> User:
    user = make_user("sally", "孙丽")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.LEADER, node=hotline.city.sub_a)
    return user


def test_the_page_labels_both_figures(hotline: Any) -> None:
    monday = last_monday()
    _week(hotline, monday)
    client = Client()
    client.force_login(hotline.city.dave)
    body = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}"}).content.decode()
    card = '<div class="n">4</div><div class="l">本周办结（件）<br>共 5 件次（重办后再次办结的每次都计）'
    assert card in body
    assert "重办率（重办 1 / 办结 5 件次）" in body
    assert "<th>办结（件）</th><th>办结（件次）</th>" in body
    assert hot_spot_cells(body, "崇安寺街道")[:4] == [
        "崇安寺街道",
        "3",
        "3",
        "4",
    ]  # received, closed, closures
    assert hot_spot_cells(body, "通江街道")[:4] == ["通江街道", "1", "1", "1"]


def hot_spot_cells(body: str, name: str) -> list[str]:
    """The text of each cell of the hot-spot row named ``name`` (figures may be links)."""
    row = re.search(rf'<tr><td class="name">{name}</td>.*?</tr>', body)
    assert row is not None, name
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0))]


def test_the_page_notes_closures_only_when_they_differ(hotline: Any) -> None:
    monday = last_monday()
    request = make_request(hotline.city.grid_a1_1, hotline.sub_a_unit, at(monday))
    event(request, Action.CLOSE, at(monday + timedelta(days=1)))
    client = Client()
    client.force_login(hotline.city.dave)
    body = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}"}).content.decode()
    # Nothing was closed the week before: +1.
    assert '<div class="n">1</div><div class="l">本周办结（件）<br>较上周 +1</div>' in body
    assert "件次（重办后再次办结的每次都计）" not in body


def test_the_excel_gives_both_figures(hotline: Any) -> None:
    monday = last_monday()
    _week(hotline, monday)
    wb = load_workbook(BytesIO(weekly_report_xlsx(weekly_report(hotline.city.dave, monday))))
    summary = {row[0].value: row[1].value for row in wb["概况"].iter_rows(min_row=2)}
    assert (summary["办结诉求（件）"], summary["办结（件次）"], summary["重办（件次）"]) == (4, 5, 1)
    assert summary["重办率"] == pytest.approx(0.2)
    sheet = wb["街道热点"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["区域", "受理件数", "办结件次"] and header[-1] == "办结件数"
    rows = {row[0]: (row[1], row[2], row[-1]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows == {"崇安寺街道": (3, 4, 3), "通江街道": (1, 1, 1)}


def test_the_api_gives_both_figures(hotline: Any) -> None:
    monday = last_monday()
    _week(hotline, monday)
    client = Client()
    client.force_login(hotline.city.dave)
    body = client.get("/api/v1/rates/weekly", {"week": f"{monday:%Y-%m-%d}"}).json()
    assert (body["closed"], body["counts"]["closed"], body["counts"]["reopened"]) == (4, 5, 1)
    assert sum(s["counts"]["closed"] for s in body["hot_spots"]) == body["counts"]["closed"]
