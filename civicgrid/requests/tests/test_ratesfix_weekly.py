"""The weekly report's hot spots and its Excel (outside tester): areas with ratings or closures
but no new request are listed, the rows are one level below the reader's node and add up to
the totals, the file says an unfinished week is unfinished, names the hot spot sheet by what
it lists, says 暂无排名 without rows, and writes no text as a formula."""

from datetime import date, timedelta
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
from civicgrid.requests.rates.figures import Counts, rates_of
from civicgrid.requests.rates.report import HotSpot, WeeklyReport, weekly_report, weekly_report_xlsx
from civicgrid.requests.tests.test_rates import at, event, make_request, rate

pytestmark = pytest.mark.django_db


def last_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def subdistrict_leader(hotline: Any) -> User:
    user = make_user("sally", "孙丽")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.LEADER, node=hotline.city.sub_a)
    return user


def _rated_not_received(hotline: Any, monday: date) -> None:
    """A request of 通江一网格 received the week before, rated and closed in the week."""
    request = make_request(hotline.city.grid_b1_1, hotline.sub_b_unit, at(monday - timedelta(days=5)))
    rate(request, at(monday + timedelta(days=1))).save()
    event(request, Action.CLOSE, at(monday + timedelta(days=1), 11))


def _rows(report: WeeklyReport) -> dict[str, Counts]:
    return {s.name: s.rates.counts for s in report.hot_spots}


def _adds_up(report: WeeklyReport) -> None:
    rows = list(_rows(report).values())
    assert sum(c.received for c in rows) == report.intake
    assert sum(c.rated for c in rows) == report.rates.counts.rated
    assert sum(c.closed for c in rows) == report.rates.counts.closed


def test_an_area_with_ratings_but_no_intake_is_a_hot_spot(hotline: Any) -> None:
    monday = last_monday()
    _rated_not_received(hotline, monday)
    carol = weekly_report(hotline.city.carol, monday)  # community worker of 通江社区
    assert carol.intake == 0 and carol.rates.counts.rated == 1
    rows = _rows(carol)
    assert rows["通江一网格"].rated == 1 and rows["通江一网格"].closed == 1
    _adds_up(carol)
    dave = weekly_report(hotline.city.dave, monday)
    assert _rows(dave)["通江街道"].rated == 1
    _adds_up(dave)
    client = Client()
    client.force_login(hotline.city.carol)
    body = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}"}).content.decode()
    assert "通江一网格" in body


def test_hot_spots_break_down_one_level_below_the_reader(hotline: Any) -> None:
    c, monday = hotline.city, last_monday()
    for node in (c.grid_a1_1, c.grid_a1_1, c.grid_a1_2, c.grid_a2_1, c.grid_b1_1):
        make_request(node, hotline.sub_a_unit, at(monday + timedelta(days=2)))
    make_request(c.sub_a, hotline.sub_a_unit, at(monday + timedelta(days=2)))  # on the subdistrict itself

    sally = weekly_report(subdistrict_leader(hotline), monday)
    assert sally.intake == 5
    rows = {name: counts.received for name, counts in _rows(sally).items()}
    assert rows == {"胜利门社区": 3, "五爱社区": 1, "崇安寺街道（本级及未细分）": 1}
    assert sally.hot_spots[0].name == "胜利门社区"
    assert sally.hot_spot_sheet == "社区热点"
    _adds_up(sally)

    bob = weekly_report(c.bob, monday)  # community worker of 胜利门社区
    assert {name: counts.received for name, counts in _rows(bob).items()} == {
        "胜利门一网格": 2,
        "胜利门二网格": 1,
    }
    assert bob.hot_spot_sheet == "网格热点"
    _adds_up(bob)

    dave = weekly_report(c.dave, monday)
    assert {n: k.received for n, k in _rows(dave).items()} == {"崇安寺街道": 5, "通江街道": 1}
    assert dave.hot_spot_sheet == "街道热点"
    _adds_up(dave)


def _workbook(report: WeeklyReport) -> Any:
    return load_workbook(BytesIO(weekly_report_xlsx(report)))


def _summary(wb: Any) -> dict[str, Any]:
    return {row[0].value: row[1].value for row in wb["概况"].iter_rows(min_row=2)}


def test_the_excel_of_the_current_week_says_it_is_unfinished(hotline: Any) -> None:
    live = weekly_report(hotline.city.dave, timezone.localdate())
    assert live.is_live
    assert _summary(_workbook(live))["说明"] == "本周尚未结束，数字为截至生成时"
    ended = weekly_report(hotline.city.dave, last_monday())
    assert "说明" not in _summary(_workbook(ended))


def test_the_hot_spot_sheet_is_named_by_what_it_lists(hotline: Any) -> None:
    monday = last_monday()
    assert "网格热点" in _workbook(weekly_report(hotline.city.carol, monday)).sheetnames
    assert "街道热点" not in _workbook(weekly_report(hotline.city.carol, monday)).sheetnames
    assert "社区热点" in _workbook(weekly_report(subdistrict_leader(hotline), monday)).sheetnames
    assert "街道热点" in _workbook(weekly_report(hotline.city.dave, monday)).sheetnames


def test_an_empty_ranking_excerpt_says_so(hotline: Any) -> None:
    report = weekly_report(hotline.city.dave, last_monday())
    assert report.ranking_month is not None and not report.excerpt
    report.ranking_size = 4  # ranked units the reader does not see
    rows = [[c.value for c in row] for row in _workbook(report)["排名摘要"].iter_rows(min_row=2)]
    month = report.ranking_month
    assert rows == [[None, f"{month:%Y}年{month.month}月街道排名：暂无排名", *[None] * 7]]


def test_no_text_is_written_as_a_formula(hotline: Any) -> None:
    report = weekly_report(hotline.city.dave, last_monday())
    texts = ['=HYPERLINK("http://example.com","点此")', "+SUM(A1:A2)", "-2+3", "@SUM(A1)"]
    report.top_categories = [(text, 1) for text in texts]
    report.hot_spots = [HotSpot('=cmd|" /C calc"!A0', rates_of(Counts(received=1)))]
    wb = _workbook(report)
    cells = [row[0] for row in wb["热点分类"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == texts and {c.data_type for c in cells} == {"s"}
    spot = wb["街道热点"]["A2"]
    assert spot.value == '=cmd|" /C calc"!A0' and spot.data_type == "s"
