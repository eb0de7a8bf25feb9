"""接诉即办总览: the leader's figures, counted over what the reader may see, linked to the
ledger rows behind them, in a fixed number of queries."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.conftest import make_user
from civicgrid.requests import services
from civicgrid.requests.constants import Light
from civicgrid.requests.models import Request
from civicgrid.requests.overview import overview
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

PAGE = "/requests/overview/"


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


@pytest.fixture
def filed(hotline: Any) -> dict[str, Request]:
    """A lift complaint in subdistrict A, two street-vending reports in subdistrict B (one
    overdue and red), all received now."""
    olivia = hotline.city.olivia
    lift = services.request_create(actor=olivia, data=hotline.new(title="电梯停运三天"))
    vending = [
        services.request_create(
            actor=olivia,
            data=hotline.new(title=f"占道经营{i}", category=hotline.street_vending, lon=120.335, lat=31.575),
        )
        for i in range(2)
    ]
    Request.objects.filter(pk=vending[0].pk).update(
        due_resolution_at=timezone.now() - timedelta(hours=3), light=Light.RED
    )
    return {"lift": lift, "late": vending[0], "vending": vending[1]}


def test_the_leader_sees_the_district_figures(hotline: Any, filed: dict[str, Request]) -> None:
    found = overview(hotline.city.dave)
    assert (found.received_today, found.received_month, found.open) == (3, 3, 3)
    assert (found.overdue, found.red, found.yellow) == (1, 1, 0)
    assert found.daily[-1] == (timezone.localdate(), 3) and len(found.daily) == 30
    assert sum(n for _, n in found.daily) == 3
    assert found.categories[0] == ("0201", "市容秩序", 2) and found.categories[1] == ("0101", "物业管理", 1)
    areas = {row.node.name: (row.open, row.overdue) for row in found.areas}
    assert areas == {hotline.city.sub_a.name: (1, 0), hotline.city.sub_b.name: (2, 1)}
    units = [(u.name, u.overdue, u.open) for u in found.units]
    assert units[0] == ("区城管局", 1, 2)


def test_the_page_links_each_figure_to_its_ledger_rows(hotline: Any, filed: dict[str, Request]) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "/requests/ledger/?overdue=on" in page and f"lead_unit={hotline.chengguan.pk}&amp;overdue=on" in page
    )
    ledger = client.get("/requests/ledger/", {"overdue": "on"})
    assert {r.number for r, _clock in ledger.context["rows"]} == {filed["late"].number}


def test_a_subdistrict_handler_counts_only_its_own(hotline: Any, filed: dict[str, Request]) -> None:
    found = overview(hotline.hank)  # 崇安寺街道办事处: subdistrict A
    assert (found.received_today, found.open, found.overdue) == (1, 1, 0)
    assert {u.name for u in found.units} <= {"崇安寺街道办事处"}


def test_the_queries_do_not_grow_with_the_areas(hotline: Any, filed: dict[str, Request]) -> None:
    with CaptureQueriesContext(connection) as captured:
        found = overview(hotline.city.dave)
    assert len(found.areas) == 2 and len(captured) <= 12  # scope look-ups, then one query a figure group


def test_who_may_not_see_rates_is_refused(hotline: Any) -> None:
    client = Client()
    client.force_login(make_user("nobody", "无角色"))
    assert client.get(PAGE).status_code == 403


def test_the_api_gives_the_same_figures(hotline: Any, filed: dict[str, Request]) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    body = client.get("/api/v1/requests/overview").json()
    assert (body["received_today"], body["open"], body["overdue"], body["red"]) == (3, 3, 1, 1)
    assert body["categories"][0] == {"code": "0201", "name": "市容秩序", "received": 2}
    assert {a["name"]: a["overdue"] for a in body["areas"]} == {"崇安寺街道": 0, "通江街道": 1}
    assert len(body["daily"]) == 30 and body["daily"][-1]["received"] == 3
    nobody = Client()
    nobody.force_login(make_user("nobody", "无角色"))
    assert nobody.get("/api/v1/requests/overview").status_code == 403
