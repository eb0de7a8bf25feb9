"""The phone's 今日 list of requests waiting for the on-site check names a request without an
address by its building, and leaves the empty place out when it has neither; its buildings
come with the list (no query per row)."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_gridfix_phone import browser
from civicgrid.requests import services as rs
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db


def replied(hotline: Any, **kw: Any) -> Request:
    r = rs.request_create(actor=hotline.city.olivia, data=hotline.new(**kw))
    rs.request_sign(actor=hotline.hank, request=r)
    r = rs.request_reply(actor=hotline.hank, request=r, reply="已修")
    r.refresh_from_db()
    return r


def row_of(html: str, number: str) -> str:
    return html.split(number, 1)[1].split("</small>", 1)[0]


def test_a_request_without_an_address_is_named_by_its_building(field: Field, hotline: Any) -> None:
    by_building = replied(hotline, building=field.city.building_a1, address="")
    typed = replied(hotline, address="胜利门1号楼3单元")
    nowhere = replied(hotline, address="")
    assert by_building.building_id and not by_building.address and nowhere.building_id is None
    html = browser(field.alice).get("/gridwork/m/").content.decode()
    assert row_of(html, by_building.number).startswith(" · 胜利门1号楼 · ")
    assert row_of(html, typed.number).startswith(" · 胜利门1号楼3单元 · ")
    empty = row_of(html, nowhere.number)
    assert "·  ·" not in empty and empty.count("·") == 1 and empty.strip().endswith("答复")


def test_the_buildings_cost_no_query_per_row(field: Field, hotline: Any) -> None:
    phone = browser(field.alice)
    replied(hotline, building=field.city.building_a1, address="")
    phone.get("/gridwork/m/")
    with CaptureQueriesContext(connection) as one:
        phone.get("/gridwork/m/")
    for _ in range(3):
        replied(hotline, building=field.city.building_a1, address="")
    with CaptureQueriesContext(connection) as four:
        html = phone.get("/gridwork/m/").content.decode()
    assert html.count("· 胜利门1号楼 ·") == 4
    assert len(four.captured_queries) == len(one.captured_queries)
