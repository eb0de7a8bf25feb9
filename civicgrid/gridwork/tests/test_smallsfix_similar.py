"""The similar-requests prompt before 上报诉求 says what each request is (its title, and
its category or else type), as the home page's 待现场核查 list does — never who filed it."""

from typing import Any

import pytest

from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_gridfix_phone import browser
from civicgrid.gridwork.tests.test_gridmfix_phone import _function
from civicgrid.requests import services as rs

pytestmark = pytest.mark.django_db

QUERY = {"description": "5号楼楼道堆放纸箱，堵塞消防通道", "lon": "120.305", "lat": "31.575"}


def test_each_similar_request_is_named_by_its_title_and_type(field: Field, hotline: Any) -> None:
    data = hotline.new(title="楼道纸箱堆放堵塞通道", content="5号楼楼道堆放纸箱，堵塞消防通道", category=None)
    request = rs.request_create(actor=hotline.city.olivia, data=data)
    response = browser(field.alice).get("/gridwork/m/finding/similar/", QUERY)
    rows = response.json()["rows"]
    assert [r["number"] for r in rows] == [request.number]
    assert rows[0]["title"] == "楼道纸箱堆放堵塞通道" and rows[0]["what"] == "投诉举报"
    body = response.content.decode("unicode_escape")
    assert "张三" not in body and "13812345678" not in body and "5678" not in body


def test_the_category_is_named_when_the_request_has_one(field: Field, hotline: Any) -> None:
    data = hotline.new(title="楼道纸箱堆放", content="5号楼楼道堆放纸箱，堵塞消防通道")
    rs.request_create(actor=hotline.city.olivia, data=data)
    rows = browser(field.alice).get("/gridwork/m/finding/similar/", QUERY).json()["rows"]
    assert rows[0]["title"] == "楼道纸箱堆放" and rows[0]["what"] == hotline.lift.name


def test_the_prompt_shows_the_title_first_then_the_rest_small() -> None:
    show = _function("showSimilar")
    assert "row.title" in show and 'createElement("small")' in show
    assert "textContent = parts.join" in show  # the number, type, status … under the title
