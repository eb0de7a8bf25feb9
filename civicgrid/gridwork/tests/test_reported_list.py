"""我上报的诉求 on the grid worker's phone: the worker's own reports and follow-ups with where
each request stands now, filtered by state and paged; another worker's reports and findings
that filed nothing are not listed; bad filters are answered on the page with 422."""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.gridwork import services
from civicgrid.gridwork.models import Finding
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_findings import seen
from civicgrid.requests import services as rs
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request
from civicgrid.requests.selectors import requests_readable

pytestmark = pytest.mark.django_db

# i18n: data (what a resident and the workers write)
WORDS = {"title": "楼里有群租房", "content": "5号楼楼里有群租房，人员进出频繁"}


def phone(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _report(field: Field, key: str, worker: Any = None, **kw: Any) -> Finding:
    data = seen(outcome="reported", request_type="complaint", **kw)
    return services.finding_record(actor=worker or field.alice, client_key=key, data=data).entry


def _rows(html: str) -> list[str]:
    """The list's rows, each as its text without tags."""
    body = html.split('<ul class="gw-list">', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li.*?</li>", body, re.S)]


def test_the_workers_reports_and_follow_ups_with_their_state(field: Field, hotline: Any) -> None:
    reported = _report(field, "report-1")
    filed = rs.request_create(actor=hotline.city.olivia, data=hotline.new(category=None, **WORDS))
    followed = _report(field, "report-2", description="楼里有群租房，又有人反映", follow=filed)
    services.finding_record(actor=field.alice, client_key="record-01", data=seen(description="路灯不亮"))
    _report(field, "report-pete", worker=field.pete, lon=120.315, lat=31.575, description="彭涛上报的事")
    assert reported.request is not None and followed.request == filed

    html = phone(field.alice).get("/gridwork/m/reported/").content.decode()
    rows = _rows(html)
    assert len(rows) == 2
    assert followed.request.number in rows[0] and "跟进" in rows[0] and "又有人反映" in rows[0]
    assert reported.request.number in rows[1] and "上报" in rows[1] and "消防通道" in rows[1]
    assert all("已受理" in row and "最新进展" in row and "受理" in row for row in rows)
    assert "路灯不亮" not in html and "彭涛上报的事" not in html
    # A request the worker may open links to its page; the count on the home page agrees.
    assert requests_readable(field.alice).filter(pk=reported.request.pk).exists()
    assert f'href="/requests/{reported.request.pk}/"' in html
    home = phone(field.alice).get("/gridwork/m/").content.decode()
    assert "我上报的诉求：2 件办理中" in home and 'href="/gridwork/m/reported/"' in home


def test_the_state_filter_tells_open_from_done(field: Field) -> None:
    first, second = _report(field, "report-3"), _report(field, "report-4", description="井盖缺失")
    assert first.request is not None and second.request is not None
    Request.objects.filter(pk=second.request.pk).update(status=Status.CLOSED)
    alice = phone(field.alice)
    open_rows = _rows(alice.get("/gridwork/m/reported/?state=open").content.decode())
    done_rows = _rows(alice.get("/gridwork/m/reported/?state=done").content.decode())
    all_rows = _rows(alice.get("/gridwork/m/reported/?state=all").content.decode())
    assert len(open_rows) == 1 and first.request.number in open_rows[0]
    assert len(done_rows) == 1 and second.request.number in done_rows[0] and "已办结" in done_rows[0]
    assert len(all_rows) == 2
    assert "我上报的诉求：1 件办理中" in alice.get("/gridwork/m/").content.decode()


def _more_requests(first: Finding, n: int) -> None:
    """``n`` more requests of alice's, each with her finding (rows copied from ``first``)."""
    assert first.request is not None
    for i in range(n):
        copy = Request.objects.get(pk=first.request.pk)
        copy.pk, copy.number = None, f"{first.request.number[:9]}9{i:05d}"
        copy.save(force_insert=True)
        Finding.objects.create(
            worker=first.worker,
            client_key=f"copy-key-{i}",
            observed_at=first.observed_at,
            day=first.day,
            category=first.category,
            description=f"第{i}次",
            outcome=first.outcome,
            request=copy,
            node=first.node,
            node_path=first.node_path,
        )


def test_the_list_is_paged(field: Field) -> None:
    _more_requests(_report(field, "report-5"), 30)  # 31 requests of alice's
    alice = phone(field.alice)
    page_1 = alice.get("/gridwork/m/reported/").content.decode()
    page_2 = alice.get("/gridwork/m/reported/?state=open&page=2").content.decode()
    assert len(_rows(page_1)) == 30 and "共 31 件" in page_1 and "第 1/2 页" in page_1
    assert len(_rows(page_2)) == 1 and "第 2/2 页" in page_2
    # A page past the end shows the last one.
    assert len(_rows(alice.get("/gridwork/m/reported/?page=9").content.decode())) == 1


def test_a_request_reported_and_followed_again_is_one_row(field: Field) -> None:
    first = _report(field, "report-7")
    assert first.request is not None
    for n in range(2):  # alice follows her own report twice more (跟进这件)
        again = _report(
            field, f"follow-again-{n}", description=f"又看到了，第{n + 2}次", follow=first.request
        )
        assert again.request == first.request
    alice = phone(field.alice)
    rows = _rows(alice.get("/gridwork/m/reported/").content.decode())
    assert len(rows) == 1 and first.request.number in rows[0] and "第3次" in rows[0]
    assert "我上报的诉求：1 件办理中" in alice.get("/gridwork/m/").content.decode()


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("state=closedx", "状态：只能是办理中、已办结或全部"),
        ("page=abc", "页码：应为正整数"),
        ("page=0", "页码：应为正整数"),
    ],
)
def test_a_bad_filter_is_answered_on_the_page(field: Field, query: str, reason: str) -> None:
    _report(field, "report-6")
    response = phone(field.alice).get(f"/gridwork/m/reported/?{query}")
    html = response.content.decode()
    assert response.status_code == 422 and reason in html and 'role="alert"' in html
    assert len(_rows(html)) == 1  # the open list, as without the bad value


def test_only_grid_workers_have_the_list(field: Field) -> None:
    assert phone(field.city.bob).get("/gridwork/m/reported/").status_code == 403
