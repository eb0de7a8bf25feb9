"""A district leader's report on the rates pages: the period form, drill-downs, exports, charts."""

import html
import re
from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.tests.test_rates import at, last_month, make_request, rate
from civicgrid.requests.views.rates import axis_floor

pytestmark = pytest.mark.django_db


def _leader(hotline: Any) -> Client:
    client = Client()
    client.force_login(hotline.city.dave)
    return client


def test_a_month_and_a_range_together_are_refused_naming_both_fields(hotline: Any) -> None:
    month = add_months(current_month(), -1)
    asked = {"month": f"{month:%Y-%m}", "start": "2026-07-01", "end": "2026-07-31"}
    page = _leader(hotline).get(reverse("requests:rates"), asked)
    assert page.status_code == 422
    text = page.content.decode()
    assert "“月份”和“起止日期”只能填写一种" in text
    assert f'value="{month:%Y-%m}"' in text  # what was typed stays, to be put right
    assert "data-month-or-range" in text  # the form clears one as the other is typed


def test_a_month_alone_after_a_range_shows_that_month(hotline: Any) -> None:
    month = add_months(current_month(), -1)
    page = _leader(hotline).get(
        reverse("requests:rates"), {"month": f"{month:%Y-%m}", "start": "", "end": ""}
    )
    assert page.status_code == 200
    assert page.context["period"].whole_month == month


# Drill-downs: each figure links to a list as long as the figure -----------------------------


def _href(page: str, pattern: str) -> str:
    """The address of the link whose text matches ``pattern`` (the figure, as shown)."""
    found = re.findall(r'<a href="([^"]+)">' + pattern + "</a>", page)
    assert len(found) >= 1, pattern
    return html.unescape(found[0])


def _listed(client: Client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    if "summary" in response.context:  # the ledger
        return int(response.context["summary"].total)
    return int(response.context["page"].paginator.count)  # the ratings list


@pytest.fixture
def rated(hotline: Any) -> date:
    """Last month, sub A: nine requests rated once (two unsatisfied, one not contacted, two
    unsolved) and one of them rated again after a reopen (unsatisfied): 10 ratings."""
    month = last_month()
    outcomes = [(True, "solved", "satisfied")] * 5 + [
        (True, "partly", "basic"),
        (True, "unsolved", "unsatisfied"),
        (False, "unsolved", "unsatisfied"),
        (True, "solved", "basic"),
    ]
    first = None
    for i, (contacted, resolution, satisfaction) in enumerate(outcomes):
        request = make_request(hotline.city.grid_a1_1, hotline.sub_a_unit, at(month + timedelta(days=i)))
        first = first or request
        rate(
            request,
            at(month + timedelta(days=i), 11),
            contacted=contacted,
            resolution=resolution,
            satisfaction=satisfaction,
        ).save()
    assert first is not None
    rate(
        first, at(month + timedelta(days=12), 11), resolution="partly", satisfaction="unsatisfied", round=2
    ).save()
    make_request(
        hotline.city.grid_a1_1, hotline.chengguan, at(month + timedelta(days=2))
    )  # assisted elsewhere
    return month


def test_the_rates_figures_link_to_the_ratings_behind_them(hotline: Any, rated: date) -> None:
    client = _leader(hotline)
    asked = {"unit": hotline.sub_a_unit.pk, "month": f"{rated:%Y-%m}"}
    response = client.get(reverse("requests:rates"), asked)
    counts, page = response.context["rates"].counts, response.content.decode()
    assert (counts.rated, counts.unsatisfied, counts.unsolved) == (10, 3, 2)
    assert _listed(client, _href(page, r"全部 10")) == counts.rated
    assert _listed(client, _href(page, r"不满意 3")) == counts.unsatisfied
    assert _listed(client, _href(page, r"未解决 2")) == counts.unsolved
    assert _listed(client, _href(page, r"未联系 1")) == counts.rated - counts.contacted
    assert _listed(client, _href(page, r"9")) == counts.received == 9  # the lead unit's, not 城管局's
    assert _listed(client, _href(page, r"10")) == counts.rated  # the month's row of the trend table


def test_a_ranking_row_links_to_its_ratings_and_its_requests(hotline: Any, rated: date) -> None:
    client = _leader(hotline)
    page = client.get(reverse("requests:ranking"), {"month": f"{rated:%Y-%m}"}).content.decode()
    rows = [
        r
        for b in client.get(reverse("requests:ranking"), {"month": f"{rated:%Y-%m}"}).context["boards"]
        for r in (*b["ranked"], *b["unranked"])
        if r.unit_id == hotline.sub_a_unit.pk
    ]
    row = rows[0]
    ratings = f"{reverse('requests:rates_ratings')}?unit={hotline.sub_a_unit.pk}&month={rated:%Y-%m}"
    assert f'<a href="{ratings}">{row.counts.rated}</a>' in page
    assert _listed(client, html.unescape(ratings)) == row.counts.rated == 10
    ledger = _href(page, str(row.counts.received))
    assert "lead_unit" in ledger and _listed(client, ledger) == row.counts.received == 9


def test_the_weekly_figures_link_to_their_requests(hotline: Any) -> None:
    c = hotline.city
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 14)
    sunday_night = at(monday + timedelta(days=7), 0)
    for day in range(3):
        make_request(c.grid_a1_1, hotline.sub_a_unit, at(monday + timedelta(days=day)))
    make_request(c.grid_b1_1, hotline.sub_b_unit, at(monday + timedelta(days=1)))
    for due, replied in ((2, None), (3, sunday_night + timedelta(days=2)), (3, at(monday, 11))):
        request = make_request(c.grid_a1_1, hotline.sub_a_unit, at(monday - timedelta(days=3)))
        Request.objects.filter(pk=request.pk).update(
            status=Status.IN_PROGRESS if replied is None else Status.REPLIED,
            dispatched_at=at(monday - timedelta(days=3)),
            due_resolution_at=at(monday + timedelta(days=due)),
            replied_at=replied,
        )
    client = _leader(hotline)
    response = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}"})
    report, page = response.context["report"], response.content.decode()
    assert (report.intake, report.overdue) == (4, 2)  # as of the week's end: one since replied
    assert _listed(client, _href(page, "4")) == report.intake
    overdue = _href(page, "2")
    assert "overdue_at" in overdue and _listed(client, overdue) == report.overdue
    spot = next(s for s in report.hot_spots if s.received == 3)
    links = [q for s, q, _ in response.context["hot_spots"] if s is spot]
    assert _listed(client, f"{reverse('requests:ledger')}?{links[0]}") == spot.received


# Chart axes ------------------------------------------------------------------------------------


def test_chart_axes_start_below_the_lowest_figure(hotline: Any, rated: date) -> None:
    client = _leader(hotline)
    asked = {"unit": hotline.sub_a_unit.pk, "month": f"{rated:%Y-%m}"}
    chart = client.get(reverse("requests:rates"), asked).context["chart"]
    lowest = min(v for values in chart["series"].values() for v in values if v is not None)
    assert 0 < chart["axis_min"] <= lowest - 5 and chart["axis_min"] % 5 == 0
    boards = client.get(reverse("requests:ranking"), {"month": f"{rated:%Y-%m}"}).context["boards"]
    for board in boards:
        scores = [s for s in board["chart"]["scores"] if s is not None]
        assert board["chart"]["axis_min"] == (max(0, int((min(scores) - 5) // 5 * 5)) if scores else 0)
    assert axis_floor([94.0, 100.0]) == 85 and axis_floor([3.0]) == 0 and axis_floor([None]) == 0


# Excel and print ---------------------------------------------------------------------------


def _sheets(response: Any) -> Any:
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    return load_workbook(BytesIO(response.content))


def test_the_rates_page_and_the_ranking_export_numbers_with_formats(hotline: Any, rated: date) -> None:
    client = _leader(hotline)
    asked = {"unit": hotline.sub_a_unit.pk, "month": f"{rated:%Y-%m}"}
    page = client.get(reverse("requests:rates"), asked).content.decode()
    assert "format=xlsx" in page and "window.print()" in page and "@media print" in page
    wb = _sheets(client.get(reverse("requests:rates"), {**asked, "format": "xlsx"}))
    rows = {r[0].value: r[1] for r in wb["概况"].iter_rows(min_row=2)}
    assert rows["评价件次"].value == 10 and rows["不满意"].value == 3
    assert rows["响应率"].value == 0.9 and rows["响应率"].number_format == "0.00%"
    assert isinstance(rows["综合得分"].value, float) and rows["综合得分"].number_format == "0.00"
    month = f"{rated:%Y-%m}"
    page = client.get(reverse("requests:ranking"), {"month": month}).content.decode()
    assert f"?month={month}&format=xlsx" in page and "window.print()" in page and "@media print" in page
    wb = _sheets(client.get(reverse("requests:ranking"), {"month": month, "format": "xlsx"}))
    listed = [r for ws in wb.worksheets for r in ws.iter_rows(min_row=2)]
    found = [r for r in listed if r[1].value == hotline.sub_a_unit.name]
    assert len(found) == 1 and found[0][4].value == 10 and found[0][5].number_format == "0.00%"
    for ws in wb.worksheets:  # the counts line above the header adds up to the table below it
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        counts = next(t for t in texts if t.startswith("参与排名"))
        named = [r for r in ws.iter_rows() if isinstance(r[1].value, str) and r[0].value != "名次"]
        body = [r for r in named if r[0].value is not None or r[3].value == "评价不足，不参与排名"]
        assert counts.endswith(f"共 {len(body)} 行"), (counts, len(body))
