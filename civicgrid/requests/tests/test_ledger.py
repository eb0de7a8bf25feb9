"""The request ledger page (诉求台账): filters, scope, counts, Excel export, bad input."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.constants import Light, Status
from civicgrid.requests.models import Request
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

LEDGER = "/requests/ledger/"


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


@pytest.fixture
def book(hotline: Any) -> dict[str, Request]:
    """Four requests: a lift complaint in subdistrict A (dispatched to it), a water outage
    (the water company), a street-vending report in subdistrict B (城管局) made overdue,
    red and supervised, and a confidential noise suggestion from another phone."""
    olivia = hotline.city.olivia
    lift = services.request_create(actor=olivia, data=hotline.new(title="电梯停运三天"))
    water = services.request_create(
        actor=olivia,
        data=hotline.new(
            title="整栋楼停水", content="一早就停水", category=hotline.water_outage, channel="web"
        ),
    )
    vending = services.request_create(
        actor=olivia,
        data=hotline.new(
            title="路口占道经营",
            content="早市摊贩占满人行道",
            category=hotline.street_vending,
            lon=120.335,
            lat=31.575,
            type="suggestion",
        ),
    )
    Request.objects.filter(pk=vending.pk).update(
        due_resolution_at=timezone.now() - timedelta(hours=3),
        light=Light.RED,
        supervised=True,
        reopen_count=1,
    )
    noise = services.request_create(
        actor=olivia,
        data=hotline.new(
            title="夜间施工扰民",
            content="工地凌晨还在打桩",
            category=hotline.noise,
            requester_phone="13900001111",
            confidential=True,
        ),
    )
    return {"lift": lift, "water": water, "vending": vending, "noise": noise}


def numbers(client: Client, **params: Any) -> set[str]:
    response = client.get(LEDGER, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return {r.number for r, _clock in response.context["rows"]}


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_leader_finds_requests_by_every_filter(hotline: Any, book: dict[str, Request]) -> None:
    client = logged_in(hotline.city.dave)
    every = {r.number for r in book.values()}
    assert numbers(client) == every
    assert numbers(client, q="停水") == {book["water"].number}
    assert numbers(client, q=book["lift"].number) == {book["lift"].number}
    assert numbers(client, phone="13900001111") == {book["noise"].number}
    assert numbers(client, channel="web") == {book["water"].number}
    assert numbers(client, type="suggestion") == {book["vending"].number}
    assert numbers(client, category="02") == {book["vending"].number}
    assert numbers(client, category="0301") == {book["water"].number}
    assert numbers(client, unit=hotline.water.pk) == {book["water"].number}
    assert numbers(client, node=hotline.city.sub_b.pk) == {book["vending"].number}
    assert numbers(client, light="red") == {book["vending"].number}
    assert numbers(client, overdue="on") == {book["vending"].number}
    assert numbers(client, supervised="on") == {book["vending"].number}
    assert numbers(client, reopened="on") == {book["vending"].number}
    today = timezone.localdate().isoformat()
    assert numbers(client, received_from=today, received_to=today) == every
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert numbers(client, received_from=tomorrow) == set()
    Request.objects.filter(pk=book["lift"].pk).update(status=Status.CLOSED, closed_at=timezone.now())
    assert numbers(client, status="open") == every - {book["lift"].number}
    assert numbers(client, status="closed") == {book["lift"].number}


def test_the_counts_are_those_of_the_filtered_requests(hotline: Any, book: dict[str, Request]) -> None:
    Request.objects.filter(pk=book["lift"].pk).update(status=Status.CLOSED, closed_at=timezone.now())
    Request.objects.filter(pk=book["water"].pk).update(status=Status.REPLIED, light=Light.YELLOW)
    summary = logged_in(hotline.city.dave).get(LEDGER).context["summary"]
    assert (summary.total, summary.open, summary.replied, summary.closed) == (4, 2, 1, 1)
    assert (summary.overdue, summary.red, summary.yellow) == (1, 1, 0)  # a replied request is not open
    narrowed = logged_in(hotline.city.dave).get(LEDGER, {"q": "占道"}).context["summary"]
    assert (narrowed.total, narrowed.open, narrowed.overdue) == (1, 1, 1)


def test_a_handler_sees_only_what_their_unit_handles(hotline: Any, book: dict[str, Request]) -> None:
    assert numbers(logged_in(hotline.walt)) == {book["water"].number}
    # The unit filter cannot reach beyond that either.
    assert numbers(logged_in(hotline.walt), unit=hotline.chengguan.pk) == set()


def test_without_a_view_of_requests_the_page_is_refused(hotline: Any) -> None:
    response = logged_in(hotline.city.secadmin).get(LEDGER)
    assert response.status_code == 403


def test_bad_filters_are_named_and_nothing_is_listed(hotline: Any, book: dict[str, Request]) -> None:
    client = logged_in(hotline.city.dave)
    response = client.get(LEDGER, {"received_from": "2026-05-02", "received_to": "2026-05-01"})
    assert response.status_code == 422
    assert "受理起始日期不能晚于截止日期" in response.context["form"].errors["received_from"][0]
    assert response.context["rows"] == []
    response = client.get(LEDGER, {"status": "lost", "received_to": "2026-13-40"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"status", "received_to"}
    response = client.get(LEDGER, {"node": "999999"})
    assert response.status_code == 422 and "node" in response.context["form"].errors
    assert response.context["form"].errors["node"][0] in response.content.decode()  # shown on the form


def test_the_export_is_the_filtered_list_masked_and_audited(hotline: Any, book: dict[str, Request]) -> None:
    client = logged_in(hotline.city.dave)
    response = client.get(LEDGER, {"q": "停", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "诉求编号"
    assert {row[0] for row in rows[1:]} == {book["lift"].number, book["water"].number}
    text = repr(rows)
    assert "13812345678" not in text and "张三" not in text  # requesters only masked
    assert "138****5678" in text
    audit = AuditLog.objects.filter(verb="exchange.exported").latest("id")
    assert audit.after is not None and audit.after["rows"] == 2 and audit.actor_id == hotline.city.dave.pk


def test_a_confidential_requester_is_left_out_of_a_unit_members_export(
    hotline: Any, book: dict[str, Request]
) -> None:
    """The noise request went to subdistrict A by location: its handler sees the request but
    not the confidential requester, in the export as on the page."""
    response = logged_in(hotline.hank).get(LEDGER, {"q": "施工", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == book["noise"].number
    header = list(rows[0])
    assert rows[1][header.index("联系电话")] in ("", None)
    assert rows[1][header.index("诉求人")] in ("", None)


def test_a_suspended_request_is_not_overdue(hotline: Any, book: dict[str, Request]) -> None:
    """Its clock is stopped (the deadline moves on when it resumes), as the weekly report counts."""
    Request.objects.filter(pk=book["vending"].pk).update(status=Status.SUSPENDED)
    client = logged_in(hotline.city.dave)
    assert numbers(client, overdue="on") == set()
    assert client.get(LEDGER).context["summary"].overdue == 0


def test_the_phone_is_found_however_it_is_typed(hotline: Any, book: dict[str, Request]) -> None:
    client = logged_in(hotline.city.dave)
    for typed in ("+86 138 1234 5678", "138-1234-5678", "8613812345678", "１３８１２３４５６７８"):
        found = numbers(client, phone=typed)
        assert found == {book["lift"].number, book["water"].number, book["vending"].number}, typed
    response = client.get(LEDGER, {"phone": "12ab"})
    assert response.status_code == 422 and "phone" in response.context["form"].errors


def test_the_api_names_an_unknown_area_or_unit(hotline: Any, book: dict[str, Request]) -> None:
    client = logged_in(hotline.city.dave)
    for field in ("node", "unit"):
        response = client.get("/api/v1/requests/", {field: 999999})
        assert response.status_code == 422 and field in response.json()["detail"], response.content


def test_a_refused_export_keeps_the_list_and_says_why(
    hotline: Any, book: dict[str, Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("civicgrid.exchange.exports.EXPORT_MAX", 2)
    response = logged_in(hotline.city.dave).get(LEDGER, {"export": "xlsx"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "超过单次导出上限 2 件" in page and len(response.context["rows"]) == 4
    assert "export=xlsx&amp;export" not in page and response.context["query"] == ""


def test_the_export_reads_a_fixed_number_of_queries(hotline: Any, book: dict[str, Request]) -> None:
    """Who sees a confidential requester is decided in the query, not row by row."""
    client = logged_in(hotline.hank)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LEDGER, {"export": "xlsx"}).status_code == 200
        return len(captured)

    first = queries()
    for i in range(3):
        services.request_create(
            actor=hotline.city.olivia,
            data=hotline.new(
                title=f"保密件{i}", category=hotline.noise, requester_phone="13900001111", confidential=True
            ),
        )
    assert queries() == first


def test_control_characters_in_a_request_do_not_break_the_export(
    hotline: Any, book: dict[str, Request]
) -> None:
    Request.objects.filter(pk=book["lift"].pk).update(content="电梯\x0b停运\x1f两天")
    response = logged_in(hotline.city.dave).get(LEDGER, {"q": "电梯", "export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][5] == "电梯停运两天"


def test_the_export_audit_row_keeps_the_filters_with_the_phone_masked(
    hotline: Any, book: dict[str, Request]
) -> None:
    logged_in(hotline.city.dave).get(LEDGER, {"phone": "13812345678", "type": "complaint", "export": "xlsx"})
    audit = AuditLog.objects.filter(verb="exchange.exported").latest("id")
    assert audit.after is not None
    assert audit.after["filters"] == {"phone": "138****5678", "type": "complaint"}
    assert "13812345678" not in str(audit.after)
