"""A whistle closed while summoned departments are still out (吹哨后记录处置结果时仍有部门未报到).

The street office closes the whistle when the joint handling is done; a department that has
not reported in by then is recorded as not reported (未报到) on the request and the whistles
page, its report-in button goes away, and a late report-in is refused (409) without a trace.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import api_token_create
from civicgrid.conftest import make_user
from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent, UnitMembership, Whistle, WhistleSummons

pytestmark = pytest.mark.django_db


@pytest.fixture
def zack(hotline: Any) -> User:
    """A handler of 区住建局, the department that does not turn up in time."""
    user = make_user("zack", "朱强")
    UnitMembership.objects.create(user=user, unit=hotline.zhujian)
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=hotline.zhujian.node)
    return user


@pytest.fixture
def whistle(hotline: Any, zack: User) -> Whistle:
    """Hank's street summons 城管局 and 住建局; Dora reports in for 城管局, 住建局 does not."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=request)
    blown = services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan, hotline.zhujian],
        reason="违建拆除需城管、住建联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )
    chengguan = blown.summonses.get(unit=hotline.chengguan)
    services.whistle_report_in(actor=hotline.dora, summons=chengguan, part="派执法队现场拆除")
    return blown


def outstanding(whistle: Whistle, hotline: Any) -> WhistleSummons:
    return WhistleSummons.objects.get(whistle=whistle, unit=hotline.zhujian)


def snapshot(request_id: int) -> tuple[Any, ...]:
    request = Request.objects.get(pk=request_id)
    events = RequestEvent.objects.filter(request=request).count()
    return request.status, request.version, events, AuditLog.objects.count()


def test_closing_records_the_departments_that_did_not_report_in(hotline: Any, whistle: Whistle) -> None:
    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="违建已拆除")
    event = RequestEvent.objects.filter(request_id=whistle.request_id, action=Action.NOTE).latest("id")
    assert event.data["not_reported"] == [hotline.zhujian.pk]
    assert "未报到：区住建局" in event.note
    audit = AuditLog.objects.filter(verb=f"requests.{Action.NOTE}").latest("id")
    assert audit.after is not None and audit.after["not_reported"] == [hotline.zhujian.pk]


def test_closing_when_everyone_reported_in_records_no_absentees(
    hotline: Any, whistle: Whistle, zack: User
) -> None:
    services.whistle_report_in(actor=zack, summons=outstanding(whistle, hotline), part="核查房屋结构")
    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="违建已拆除")
    event = RequestEvent.objects.filter(request_id=whistle.request_id, action=Action.NOTE).latest("id")
    assert event.data["not_reported"] == [] and "未报到" not in event.note


def test_a_late_report_in_on_a_closed_whistle_is_refused_and_changes_nothing(
    hotline: Any, whistle: Whistle, zack: User
) -> None:
    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="违建已拆除")
    summons = outstanding(whistle, hotline)
    before = snapshot(whistle.request_id)
    with pytest.raises(Conflict) as refused:
        services.whistle_report_in(actor=zack, summons=summons, part="派人核查")
    assert "已记录处置结果" in refused.value.message and refused.value.http_status == 409
    summons.refresh_from_db()
    assert summons.reported_at is None and summons.part == ""
    assert snapshot(whistle.request_id) == before


def test_the_api_refuses_a_late_report_in_with_409(hotline: Any, whistle: Whistle, zack: User) -> None:
    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="违建已拆除")
    summons = outstanding(whistle, hotline)
    _, token = api_token_create(actor=None, system=True, user=zack, name="测试")
    before = snapshot(whistle.request_id)
    response = Client().post(
        f"/api/v1/requests/whistle-summons/{summons.pk}/report-in",
        {"part": "派人核查"},
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409, response.content
    assert "已记录处置结果" in response.json()["message"]
    summons.refresh_from_db()
    assert summons.reported_at is None
    assert snapshot(whistle.request_id) == before
    shown = (
        Client()
        .get(f"/api/v1/requests/{whistle.request_id}", headers={"Authorization": f"Bearer {token}"})
        .json()
    )
    states = {s["unit_name"]: s["state"] for s in shown["whistles"][0]["summonses"]}
    assert states == {"区城管局": "reported", "区住建局": "not_reported"}


def test_pages_show_not_reported_and_no_report_in_button(
    client: Client, hotline: Any, whistle: Whistle, zack: User
) -> None:
    summons = outstanding(whistle, hotline)
    client.force_login(zack)
    html = client.get("/requests/whistles/").content.decode()
    assert f"/requests/whistles/summons/{summons.pk}/report/" in html  # open: 住建局 may report in
    assert '区住建局：<span class="muted">待报到</span>' in html

    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="违建已拆除")
    html = client.get("/requests/whistles/").content.decode()
    assert f"/requests/whistles/summons/{summons.pk}/report/" not in html
    assert "没有待报到的召集" in html
    assert '区住建局：<span class="warn">未报到</span>' in html
    assert '区住建局：<span class="muted">待报到</span>' not in html

    detail = client.get(f"/requests/{whistle.request_id}/").content.decode()
    assert 'data-action="report_in"' not in detail
    assert "未报到" in detail
    assert client.get(f"/requests/{whistle.request_id}/act/report_in/").status_code == 409


def test_a_late_report_in_on_the_page_is_refused_and_changes_nothing(
    client: Client, hotline: Any, whistle: Whistle, zack: User
) -> None:
    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="违建已拆除")
    summons = outstanding(whistle, hotline)
    before = snapshot(whistle.request_id)
    client.force_login(zack)
    response = client.post(f"/requests/whistles/summons/{summons.pk}/report/", {"part": "派人核查"})
    assert response.status_code == 409 and "已记录处置结果" in response.content.decode()
    summons.refresh_from_db()
    assert summons.reported_at is None
    assert snapshot(whistle.request_id) == before


def test_the_close_form_names_who_will_be_recorded_as_not_reported(
    client: Client, hotline: Any, whistle: Whistle
) -> None:
    client.force_login(hotline.hank)
    html = client.get("/requests/whistles/").content.decode()
    form = html[html.index(f"/requests/whistles/{whistle.pk}/close/") :]
    assert "区住建局" in form[:1500] and "记为未报到" in form[:1500]
