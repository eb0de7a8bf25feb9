"""The district leader narrows 总览 and the weekly report to one subdistrict with ?node= (outside
tester: the node was silently ignored, district figures under a 200): the page, its Excel and
the API count only that area, the ledger links carry the node, an area outside the reader's
scope is a 404; the ranking, which ranks the district's units against each other, refuses
?node= aloud (422, the reason above the full ranking; the API names the field)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.requests.overview import overview
from civicgrid.requests.rates.access import node_target
from civicgrid.requests.rates.report import weekly_report
from civicgrid.requests.tests.test_rates import at, make_request
from civicgrid.requests.tests.test_ratesfix_analyst import _book, _client

pytestmark = pytest.mark.django_db


def last_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


@pytest.fixture
def placed(hotline: Any) -> date:
    """Two requests in 崇安寺街道 and one in 通江街道, received now and last week each."""
    c, monday = hotline.city, last_monday()
    now = timezone.now()
    for node, unit in (
        (c.grid_a1_1, hotline.sub_a_unit),
        (c.grid_a2_1, hotline.sub_a_unit),
        (c.grid_b1_1, hotline.sub_b_unit),
    ):
        make_request(node, unit, now)
        make_request(node, unit, at(monday + timedelta(days=2)))
    return monday


def test_the_overview_counts_one_subdistrict(hotline: Any, placed: date) -> None:
    c = hotline.city
    whole = overview(c.dave)
    sub_a = overview(c.dave, area=node_target(c.dave, c.sub_a.pk))
    assert (whole.received_today, sub_a.received_today) == (3, 2)
    assert (whole.open, sub_a.open) == (6, 4)
    assert {row.node.name for row in sub_a.areas} == {c.comm_a1.name, c.comm_a2.name}  # the level below
    page = _client(c.dave).get(reverse("requests:overview"), {"node": str(c.sub_a.pk)})
    assert page.status_code == 200 and page.context["o"].received_today == 2
    html = page.content.decode()
    assert f'<option value="{c.sub_a.pk}" selected' in html
    assert f"?status=open&amp;node={c.sub_a.pk}" in html  # the ledger links carry the node
    assert f"&amp;node={c.sub_a.pk}" in html.split("本月受理")[0].rsplit("<a href=", 1)[-1]


def test_the_overview_refuses_an_area_outside_the_scope(hotline: Any, placed: date) -> None:
    sally = make_user("sally", "孙丽")
    accounts.role_grant(actor=None, system=True, user=sally, role=Role.LEADER, node=hotline.city.sub_a)
    client = _client(sally)
    assert client.get(reverse("requests:overview"), {"node": str(hotline.city.sub_b.pk)}).status_code == 404
    assert client.get(reverse("requests:overview"), {"node": str(hotline.city.sub_a.pk)}).status_code == 200
    bad = client.get(reverse("requests:overview"), {"node": "abc"})
    assert bad.status_code == 422 and "区域参数无效" in bad.content.decode()


def test_the_category_links_give_both_ends(hotline: Any) -> None:
    from civicgrid.requests import services

    services.request_create(actor=hotline.city.olivia, data=hotline.new(title="电梯停运三天"))
    html = _client(hotline.city.dave).get(reverse("requests:overview")).content.decode()
    today = timezone.localdate()
    start = today.replace(day=1)
    assert f"?category=0101&amp;received_from={start:%Y-%m-%d}&amp;received_to={today:%Y-%m-%d}" in html


def test_the_weekly_report_of_one_subdistrict(hotline: Any, placed: date) -> None:
    c, monday = hotline.city, placed
    whole = weekly_report(c.dave, monday)
    sub_a = weekly_report(c.dave, monday, area=node_target(c.dave, c.sub_a.pk))
    assert (whole.intake, sub_a.intake) == (3, 2)
    assert sub_a.scope.label == c.sub_a.name
    assert {s.name for s in sub_a.hot_spots} == {c.comm_a1.name, c.comm_a2.name}
    client = _client(c.dave)
    params = {"week": f"{monday:%Y-%m-%d}", "node": str(c.sub_a.pk)}
    page = client.get(reverse("requests:weekly_report"), params)
    assert page.status_code == 200 and page.context["report"].intake == 2
    html = page.content.decode()
    assert f'<option value="{c.sub_a.pk}" selected' in html
    assert f"&amp;node={c.sub_a.pk}&format=xlsx" in html  # the Excel link keeps the area
    assert f"received_to={monday + timedelta(days=6):%Y-%m-%d}&amp;node={c.sub_a.pk}" in html
    summary = _book(client.get(reverse("requests:weekly_report"), {**params, "format": "xlsx"}))["概况"]
    rows = {row[0].value: row for row in summary.iter_rows()}
    assert rows["统计范围"][1].value == c.sub_a.name and rows["受理诉求（件）"][1].value == 2
    answer = client.get("/api/v1/rates/weekly", params)
    assert answer.status_code == 200 and answer.json()["intake"] == 2
    assert client.get("/api/v1/rates/weekly", {"week": params["week"]}).json()["intake"] == 3


def test_the_weekly_report_refuses_an_area_outside_the_scope(hotline: Any, placed: date) -> None:
    sally = make_user("sally", "孙丽")
    accounts.role_grant(actor=None, system=True, user=sally, role=Role.LEADER, node=hotline.city.sub_a)
    client = _client(sally)
    params = {"week": f"{placed:%Y-%m-%d}", "node": str(hotline.city.sub_b.pk)}
    assert client.get(reverse("requests:weekly_report"), params).status_code == 404
    assert client.get("/api/v1/rates/weekly", params).status_code == 404


def test_the_ranking_refuses_a_node_aloud(hotline: Any) -> None:
    client = _client(hotline.city.dave)
    page = client.get(reverse("requests:ranking"), {"node": str(hotline.city.sub_a.pk)})
    assert page.status_code == 422
    assert "不按区域筛选" in page.content.decode() and page.context["boards"]  # the full ranking below
    answer = client.get("/api/v1/rates/ranking", {"node": str(hotline.city.sub_a.pk)})
    assert answer.status_code in (400, 422) and "node" in answer.content.decode()
    assert client.get(reverse("requests:ranking")).status_code == 200


def test_the_overview_api_counts_one_subdistrict_too(hotline: Any, placed: date) -> None:
    from civicgrid.requests.tests.test_api import Caller

    sally = make_user("sally", "孙丽")
    accounts.role_grant(actor=None, system=True, user=sally, role=Role.LEADER, node=hotline.city.sub_a)
    c = hotline.city
    dave = Caller(c.dave)
    whole, sub_a = dave.get("/overview").json(), dave.get("/overview", node=c.sub_a.pk).json()
    assert (whole["received_today"], sub_a["received_today"]) == (3, 2)
    assert {a["name"] for a in sub_a["areas"]} == {c.comm_a1.name, c.comm_a2.name}
    assert Caller(sally).get("/overview", node=c.sub_b.pk).status_code == 404
    assert dave.get("/overview", node="abc").status_code == 422


def test_the_ranking_excerpt_of_one_subdistrict_shows_that_subdistrict(
    hotline: Any, placed: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Narrowed to 崇安寺街道, the weekly report's 街道排名摘要 shows that subdistrict's place in the
    district's ranking, not the district's top and bottom three (outside tester, session 22)."""
    from civicgrid.requests.rates import report as report_module
    from civicgrid.requests.rates.figures import rates_of
    from civicgrid.requests.rates.ranking import Ranking, RankRow, Thresholds

    c = hotline.city
    zero = rates_of(report_module.ZERO, report_module.Weights.from_settings())
    board = Ranking(
        month=date(2000, 1, 1), kind="subdistrict", thresholds=Thresholds.from_settings(), source="raw"
    )
    for rank, unit in enumerate((hotline.sub_b_unit, hotline.sub_a_unit), start=1):
        board.ranked.append(RankRow(unit.pk, unit.code, unit.name, unit.node_path, zero, rank=rank))
    monkeypatch.setattr(report_module, "ranking", lambda month, kind: board)
    whole = weekly_report(c.dave, placed)
    assert [r.name for r in whole.excerpt] == [hotline.sub_b_unit.name, hotline.sub_a_unit.name]
    sub_a = weekly_report(c.dave, placed, area=node_target(c.dave, c.sub_a.pk))
    assert [(r.rank, r.name) for r in sub_a.excerpt] == [(2, hotline.sub_a_unit.name)]
    assert sub_a.ranking_size == 2  # its place among all the district's subdistricts
    community = weekly_report(c.dave, placed, area=node_target(c.dave, c.comm_a1.pk))
    assert [r.name for r in community.excerpt] == [hotline.sub_a_unit.name]  # the subdistrict it lies in
