"""An outside tester's round as grid worker of 胜利门一网格 (gridfix): the similar list before a
report offers only requests the worker may open; a follow token for any other is refused on
its field, on the page and in the API, and nothing is written; the diary links a reported
request to its page; the hidden photo input cannot widen the phone page; a report without
its type is refused in Chinese naming the field, by the script as by the server."""

import re
from pathlib import Path
from typing import Any

import pytest

from civicgrid.gridwork.jstext import JS_TEXT
from civicgrid.gridwork.models import Finding
from civicgrid.gridwork.services.findings import follow_token
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_gridfix_phone import browser
from civicgrid.requests import services as rs
from civicgrid.requests.models import Request, RequestEvent

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[1] / "static" / "gridwork"
# i18n: data (what a resident wrote, and what the worker types)
WORDS = {"title": "楼里有群租房", "content": "5号楼楼里有群租房，人员进出频繁"}
POINT = {"lon": "120.305", "lat": "31.575"}  # in 胜利门一网格, alice's grid


def _elsewhere(hotline: Any) -> Request:
    """An open request a few metres from alice's point but filed under 通江街道 (another
    subdistrict): alice cannot open it."""
    request = rs.request_create(actor=hotline.city.olivia, data=hotline.new(category=None, **WORDS))
    grid = hotline.city.grid_b1_1
    Request.objects.filter(pk=request.pk).update(node=grid, node_path=grid.path)
    request.refresh_from_db()
    return request


def _mine(hotline: Any) -> Request:
    return rs.request_create(actor=hotline.city.olivia, data=hotline.new(category=None, **WORDS))


def _report(follow: str, key: str) -> dict[str, str]:
    data = {"client_key": key, "category": "other", "description": "楼里有群租房", "outcome": "reported"}
    return data | {"request_type": "complaint", "follow": follow} | POINT


def _counts() -> tuple[int, int, int]:
    return Request.objects.count(), Finding.objects.count(), RequestEvent.objects.count()


def test_the_similar_list_offers_only_requests_the_worker_may_open(field: Field, hotline: Any) -> None:
    elsewhere, mine = _elsewhere(hotline), _mine(hotline)
    phone = browser(field.alice)
    assert phone.get(f"/requests/{elsewhere.pk}/").status_code == 404
    query = {"description": "楼里有群租房"} | POINT
    rows = phone.get("/gridwork/m/finding/similar/", query).json()["rows"]
    assert [r["number"] for r in rows] == [mine.number]
    assert elsewhere.number not in str(rows)


def test_a_follow_token_for_a_request_out_of_sight_is_refused_in_the_api(field: Field, hotline: Any) -> None:
    elsewhere = _elsewhere(hotline)
    before = _counts()
    response = browser(field.alice).post(
        "/api/v1/gridwork/findings", _report(follow_token(elsewhere.pk), "gridfix-k1")
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert "不在您可查看的范围内" in body["message"] and "跟进" in body["message"]
    assert "follow" in str(body)
    assert _counts() == before
    assert not RequestEvent.objects.filter(request=elsewhere, action="note").exists()


def test_a_follow_token_for_a_request_out_of_sight_is_refused_on_the_page(field: Field, hotline: Any) -> None:
    elsewhere = _elsewhere(hotline)
    before = _counts()
    data = _report(follow_token(elsewhere.pk), "gridfix-k2")
    response = browser(field.alice).post("/gridwork/m/finding/", data)
    assert response.status_code == 422
    assert "要跟进的诉求不在您可查看的范围内" in response.content.decode()
    assert _counts() == before


def test_the_service_itself_refuses_to_follow_what_the_worker_may_not_open(
    field: Field, hotline: Any
) -> None:
    from civicgrid.core.errors import ValidationError
    from civicgrid.gridwork import services

    elsewhere = _elsewhere(hotline)
    before = _counts()
    data = services.FindingIn(
        category="other",
        description="楼里有群租房",
        outcome="reported",
        request_type="complaint",
        lon=120.305,
        lat=31.575,
        follow=elsewhere,
    )
    with pytest.raises(ValidationError) as refused:
        services.finding_record(actor=field.alice, client_key="gridfix-k3", data=data)
    assert "follow" in refused.value.errors
    assert _counts() == before


def test_following_a_request_the_worker_may_open_still_works(field: Field, hotline: Any) -> None:
    mine = _mine(hotline)
    data = _report(follow_token(mine.pk), "gridfix-k4")
    response = browser(field.alice).post("/api/v1/gridwork/findings", data)
    assert response.status_code == 201, response.content
    assert response.json()["request_number"] == mine.number


def test_the_diary_links_a_reported_request_to_its_page(field: Field, hotline: Any) -> None:
    phone = browser(field.alice)
    data = _report("", "gridfix-k5")
    response = phone.post("/api/v1/gridwork/findings", data)
    assert response.status_code == 201, response.content
    reported = Finding.objects.get(client_key="gridfix-k5").request
    assert reported is not None
    html = phone.get("/gridwork/m/log/").content.decode()
    assert re.search(
        rf'<a class="gw-request" href="/requests/{reported.pk}/">（诉求 {reported.number}）</a>', html
    )
    assert phone.get(f"/requests/{reported.pk}/").status_code == 200


def test_the_hidden_photo_input_beats_the_h5_file_rule() -> None:
    css = (STATIC / "gridwork.css").read_text(encoding="utf-8")
    rule = re.search(r"^([^{}\n]*\.fld input\.gw-file\[type=file\][^{}\n]*)\{([^}]*)\}", css, re.M)
    assert rule, "gridwork.css must outrank h5.css's .fld input[type=file] for .gw-file"
    body = rule.group(2)
    assert "width: 1px" in body and "min-height: 0" in body and "padding: 0" in body


def test_a_report_without_its_type_is_refused_in_chinese_naming_the_field(field: Field) -> None:
    script = (STATIC / "gridwork.js").read_text(encoding="utf-8")
    submit = script[script.index("  function onEntrySubmit(") :]
    assert submit.index("missingRequired(form)") < submit.index("reportValidity")
    assert str(JS_TEXT["choose_field"]) == "请选择%(label)s"
    # and without the script, the server says the same on the field
    data = _report("", "gridfix-k6") | {"request_type": ""}
    response = browser(field.alice).post("/gridwork/m/finding/", data)
    assert response.status_code == 422 and "请选择诉求类型" in response.content.decode()
    html = browser(field.alice).get("/gridwork/m/finding/").content.decode()
    assert re.search(r"<form [^>]*novalidate", html)
