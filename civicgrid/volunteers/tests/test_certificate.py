"""志愿服务记录证明: the lines are the activities and orders the hours came from; without a
period they add up to the card's 服务时长; the ID number is masked; every issue is audited;
staff issue it only for volunteers of their area; a volunteer prints their own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.volunteers import services
from civicgrid.volunteers.certificate import CERTIFICATE_ISSUED, service_record
from civicgrid.volunteers.models import Volunteer
from civicgrid.volunteers.tests.conftest import People, at, png, shift

pytestmark = pytest.mark.django_db


def served(people: People) -> Volunteer:
    """张志强: 2.5 h at an activity, 1.5 h on a confirmed order, a 0-hour check-out (no line)."""
    c = people.city
    a = people.activity(quota=2, difficulty=1, title="楼道清理")
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(hours=4))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, -10))
    services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 150))
    order = services.service_order_create(
        actor=people.wangapo,
        data=services.NewOrder(
            title="帮忙买菜", content="每周二上午帮忙买菜送上楼", orderer_resident=people.r_wangapo
        ),
    )
    services.service_order_publish(actor=c.bob, order=order)
    order = services.service_order_take(actor=people.zhang, order=order)
    order = services.service_order_complete(
        actor=people.zhang, order=order, note="买了菜", hours="1.5", photos=[png()]
    )
    services.service_order_confirm(actor=people.wangapo, order=order, rating=5)
    return Volunteer.objects.select_related("resident", "community", "node").get(pk=people.v_zhang.pk)


def test_the_lines_add_up_to_the_cards_hours(people: People) -> None:
    volunteer = served(people)
    record = service_record(volunteer)
    lines = {(line.kind, line.title, line.hours) for line in record.lines}
    assert lines == {("志愿活动", "楼道清理", Decimal("2.5")), ("服务单", "帮忙买菜", Decimal("1.5"))}
    assert [line.day for line in record.lines] == sorted(line.day for line in record.lines)
    assert record.hours == volunteer.hours_total == Decimal("4.0")
    assert record.number == f"{volunteer.number}-{timezone.localdate():%Y%m%d}"
    # a period before any service holds nothing
    early = timezone.localdate() - timedelta(days=30)
    empty = service_record(volunteer, since=early, until=early + timedelta(days=1))
    assert empty.lines == [] and empty.hours == Decimal("0")


def test_staff_print_it_masked_and_audited_and_only_in_their_area(people: People) -> None:
    volunteer = served(people)
    c = people.city
    client = Client()
    client.force_login(c.bob)
    url = reverse("volunteers:certificate", args=[volunteer.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "志愿服务记录证明" in body and "张志强" in body and "4.0 小时" in body
    masked = volunteer.resident.id_number_masked
    if masked:
        assert masked in body
    entry = AuditLog.objects.get(verb=CERTIFICATE_ISSUED)
    assert entry.actor_id == c.bob.pk and entry.after is not None and entry.after["hours"] == "4.0"
    sheet = client.get(url, {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(verb=CERTIFICATE_ISSUED).count() == 2
    # a period the wrong way round is refused naming it, and nothing is issued
    refused = client.get(url, {"since": "2026-10-02", "until": "2026-10-01"})
    assert refused.status_code == 422 and "截止日期早于起始日期" in refused.content.decode()
    bad = client.get(url, {"since": "2026-13-01"})
    assert bad.status_code == 422 and "起始日期" in bad.content.decode()
    assert AuditLog.objects.filter(verb=CERTIFICATE_ISSUED).count() == 2
    # carol works in another subdistrict: no such volunteer for her
    other = Client()
    other.force_login(c.carol)
    assert other.get(url).status_code == 404


def test_a_volunteer_prints_their_own_from_the_card(people: People) -> None:
    served(people)
    client = Client()
    client.force_login(people.zhang)
    card = client.get(reverse("volunteers:h5_card")).content.decode()
    assert reverse("volunteers:h5_certificate") in card
    page = client.get(reverse("volunteers:h5_certificate"))
    assert (
        page.status_code == 200 and "张志强" in page.content.decode() and "4.0 小时" in page.content.decode()
    )
    assert "format=xlsx" not in page.content.decode()  # the sheet is a staff export
    sheet = client.get(reverse("volunteers:h5_certificate"), {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("text/html")
    # a resident who is no volunteer is sent to register
    client.force_login(people.wangapo)
    response = client.get(reverse("volunteers:h5_certificate"))
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:h5_register")
