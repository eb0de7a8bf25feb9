"""The Excel files hold the pages' columns in the pages' order (outside tester, as the district
leader): the rates trend (重办率 last), the ranking (名次, 单位, 综合得分, 类别 … 上月, 升降, then
the 受理量前20% tag the page shows), the ratings list (标题 and 分类 as listed; 诉求人, 街道, 社区
after them); and the weekly 概况 sheet compares 重办（件次） with the week before as every
other count, its rate changes rounded as shown (not -0.289999999999992)."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.requests.rates.access import scope_target
from civicgrid.requests.rates.figures import Counts, Period, rates_of
from civicgrid.requests.rates.report import WeekBefore, WeeklyReport, _summary_rows
from civicgrid.requests.tests.test_rates import Board, board  # noqa: F401 - the fixture
from civicgrid.requests.tests.test_ratesfix_analyst import _book, _client

pytestmark = pytest.mark.django_db


def _rows(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_rates_trend_sheet_has_the_pages_columns(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.city.dave)
    params = {"unit": str(board.units[0].pk), "month": f"{board.month:%Y-%m}"}
    page = client.get(reverse("requests:rates"), params).content.decode()
    book = _book(client.get(reverse("requests:rates"), {**params, "format": "xlsx"}))
    header = _rows(book["近12个月"])[0]
    assert header == [
        "月份",
        "评价件次",
        "响应率",
        "解决率",
        "满意率",
        "综合得分",
        "受理",
        "办结",
        "重办",
        "重办率",
    ]
    table = page[page.index("<th>月份</th>") : page.index("</tr></thead>", page.index("<th>月份</th>"))]
    assert [h.split("</th>")[0] for h in table.split("<th>")[1:]] == header
    last = _rows(book["近12个月"])[-1]
    assert last[0] == f"{board.month:%Y-%m}" and last[1] == 20  # 评价件次 where the page has it


def test_the_ranking_sheet_has_the_pages_columns_and_the_busy_tag(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.city.dave)
    month = {"month": f"{board.month:%Y-%m}"}
    sheet = _book(client.get(reverse("requests:ranking"), {**month, "format": "xlsx"}))["街道（乡镇）"]
    rows = _rows(sheet)
    at = next(i for i, row in enumerate(rows) if row[0] == "名次")
    header, data = rows[at], rows[at + 1 :]
    page_columns = [
        "名次",
        "单位",
        "综合得分",
        "类别",
        "评价",
        "响应率",
        "解决率",
        "满意率",
        "受理",
        "重办率",
        "上月",
        "升降",
    ]
    assert header[:12] == page_columns and header[12] == "受理量前20%"
    first = data[0]
    assert first[0] == 1 and first[1] == board.units[0].name and first[4] == 20
    busy = {row[1] for row in data if row[12] == "是"}
    assert board.units[18].name in busy and board.units[19].name not in busy
    page = client.get(reverse("requests:ranking"), month)
    marked = {r.name for b in page.context["boards"] for r in b["ranked"] if r.busy}
    assert busy == marked
    thin = next(row for row in data if row[1] == board.thin.name)
    assert thin[0] is None and thin[3] == "评价不足，不参与排名"


def test_the_ratings_sheet_has_the_pages_columns_first(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.city.dave)
    params = {"unit": str(board.units[3].pk), "month": f"{board.month:%Y-%m}", "outcome": "unsatisfied"}
    rows = _rows(_book(client.get(reverse("requests:rates_ratings"), {**params, "format": "xlsx"})).active)
    header, data = rows[0], rows[1:]
    page = ["评价时间", "诉求编号", "标题", "分类", "承办单位", "轮次", "联系", "解决情况", "满意度"]
    assert header == [*page, "考核月份", "诉求人", "街道", "社区"]
    assert data and {r[2] for r in data} == {"测试诉求"} and {r[4] for r in data} == {board.units[3].name}
    assert {r[6] for r in data} == {"否"} and {r[8] for r in data} == {"不满意"}
    assert {r[11] for r in data} == {hotline.city.sub_a.name} and {r[12] for r in data} == {
        hotline.city.comm_a1.name
    }


def _week(hotline: Any) -> WeeklyReport:
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    now = Counts(rated=3, contacted=3, solved=2, satisfied=2, unsolved=1, unsatisfied=1, closed=7, reopened=3)
    before = Counts(
        rated=3, contacted=3, solved=1, satisfied=1, unsolved=2, unsatisfied=2, closed=6, reopened=1
    )
    return WeeklyReport(
        period=Period.week(monday),
        scope=scope_target(hotline.city.dave),
        generated_at=timezone.now(),
        rates=rates_of(now),
        before=WeekBefore(
            period=Period.week(monday - timedelta(days=7)),
            intake=0,
            closed=0,
            overdue=0,
            rates=rates_of(before),
        ),
    )


def test_the_weekly_summary_compares_reopenings_and_rounds_the_changes(hotline: Any) -> None:
    rows = {str(row[0]): row for row in _summary_rows(_week(hotline))}
    reopened = rows["重办（件次）"]
    assert [reopened[1], reopened[2], reopened[3].value] == [3, 1, 2]  # 本周, 上周, 变化
    assert reopened[4].value == 2.0  # 变化率 +200%
    for label, places in (("响应率", 4), ("解决率", 4), ("满意率", 4), ("综合得分", 2), ("重办率", 4)):
        row = rows[label]
        change = row[3].value
        assert change == round(row[1].value - row[2].value, places), label
        assert len(repr(change).split(".")[-1]) <= places, (label, change)
    assert rows["解决率"][3].value == 0.3334  # 66.67% − 33.33%
    assert rows["综合得分"][3].value == 30.0


def test_the_weekly_file_has_the_rows(hotline: Any) -> None:
    client = _client(hotline.city.dave)
    sheet = _book(client.get(reverse("requests:weekly_report"), {"format": "xlsx"}))["概况"]
    reopened = next(row for row in _rows(sheet) if row[0] == "重办（件次）")
    assert reopened[1:4] == [0, 0, 0]  # 本周, 上周, 变化
