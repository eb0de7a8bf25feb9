"""The overview's 各区域在办与超期 rows add up to its 在办 card: a request placed on the reader's
node itself (no finer location yet) is one more row, named as the weekly report names it
(outside tester: 在办 68, rows adding up to 67)."""

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.requests.models import HandlingUnit, Request
from civicgrid.requests.overview import overview
from civicgrid.requests.rates.report import unsplit_name
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node

pytestmark = pytest.mark.django_db

_numbers = count(1)


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def _open_request(node: Node, unit: HandlingUnit | None, *, overdue: bool = False) -> Request:
    return Request.objects.create(
        number=f"F{next(_numbers):09d}",
        channel="hotline",
        type="complaint",
        title="测试诉求",
        content="测试内容",
        node=node,
        node_path=node.path,
        lead_unit=unit,
        received_at=timezone.now(),
        status="in_progress" if overdue else "received",
        dispatched_at=timezone.now() - timedelta(days=3) if overdue else None,
        due_resolution_at=timezone.now() - timedelta(hours=1) if overdue else None,
    )


def test_a_request_on_the_district_itself_is_its_own_row(hotline: Any) -> None:
    c = hotline.city
    _open_request(c.grid_a1_1, hotline.sub_a_unit)
    _open_request(c.grid_b1_1, hotline.sub_b_unit, overdue=True)
    _open_request(c.district, None)  # placed on the district, in triage
    found = overview(c.dave)
    assert found.open == 3
    assert {row.node.name: row.open for row in found.areas} == {c.sub_a.name: 1, c.sub_b.name: 1}
    assert found.rest is not None
    assert (found.rest.name, found.rest.open, found.rest.overdue) == (unsplit_name(c.district.name), 1, 0)
    assert sum(row.open for row in found.areas) + found.rest.open == found.open
    assert sum(row.overdue for row in found.areas) + found.rest.overdue == found.overdue == 1
    chart = found.chart()
    assert chart["areas"][-1] == f"{c.district.name}（本级及未细分）"
    assert sum(chart["areas_open"]) == found.open and sum(chart["areas_overdue"]) == found.overdue

    client = Client()
    client.force_login(c.dave)
    page = client.get("/requests/overview/").content.decode()
    assert f"<tr><td>{c.district.name}（本级及未细分）</td><td>1</td><td>0</td></tr>" in page


def test_no_rest_row_when_every_request_lies_in_an_area(hotline: Any) -> None:
    c = hotline.city
    _open_request(c.grid_a1_1, hotline.sub_a_unit)
    found = overview(c.dave)
    assert found.rest is None and len(found.chart()["areas"]) == len(found.areas)
    client = Client()
    client.force_login(c.dave)
    assert "本级及未细分" not in client.get("/requests/overview/").content.decode()


def test_a_narrowed_overview_names_the_area_it_was_narrowed_to(hotline: Any) -> None:
    c = hotline.city
    _open_request(c.grid_a1_1, hotline.sub_a_unit)
    _open_request(c.sub_a, hotline.sub_a_unit)  # on the subdistrict itself
    _open_request(c.district, None)  # outside the narrowed area: in no row and not counted
    client = Client()
    client.force_login(c.dave)
    response = client.get("/requests/overview/", {"node": c.sub_a.pk})
    found = response.context["o"]
    assert found.open == 2
    assert found.rest is not None and (found.rest.name, found.rest.open) == (unsplit_name(c.sub_a.name), 1)
    assert sum(row.open for row in found.areas) + found.rest.open == found.open


def test_the_api_gives_the_rest_so_its_areas_add_up_too(hotline: Any) -> None:
    from civicgrid.requests.tests.test_api import Caller

    c = hotline.city
    _open_request(c.grid_a1_1, hotline.sub_a_unit)
    _open_request(c.district, None)
    body = Caller(c.dave).get("/overview").json()
    assert body["areas_rest"] == {"name": unsplit_name(c.district.name), "open": 1, "overdue": 0}
    assert sum(a["open"] for a in body["areas"]) + body["areas_rest"]["open"] == body["open"] == 2
    Request.objects.filter(node=c.district).delete()
    assert Caller(c.dave).get("/overview").json()["areas_rest"] is None


def test_past_the_most_areas_charted_the_last_row_says_it_holds_the_others(
    hotline: Any, monkeypatch: Any
) -> None:
    from civicgrid.requests import overview as module

    c = hotline.city
    monkeypatch.setattr(module, "AREAS_MAX", 1)  # two subdistricts: the second is left out
    _open_request(c.grid_a1_1, hotline.sub_a_unit)
    _open_request(c.grid_b1_1, hotline.sub_b_unit)
    found = overview(c.dave)
    assert [row.node.name for row in found.areas] == [c.sub_a.name]
    assert found.rest is not None and found.rest.open == 1
    assert found.rest.name == f"{c.district.name}（其余区域、本级及未细分）"
