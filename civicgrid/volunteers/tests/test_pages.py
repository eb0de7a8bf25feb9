"""Staff pages: overview, volunteers, teams, activities (organiser check-in), orders, report."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus, SignupStatus, VolunteerStatus
from civicgrid.volunteers.models import ServiceOrder, Signup, Team, Volunteer
from civicgrid.volunteers.tests.conftest import People, make_resident, png, shift

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_every_staff_page_renders_for_the_community_worker(people: People) -> None:
    c = people.city
    services.teams_create_colours(actor=c.bob, community=c.comm_a1)
    activity = people.activity()
    order = people.order()
    team = Team.objects.filter(node=c.comm_a1).first()
    assert team is not None
    bob = login(c.bob)
    for url in [
        "/volunteers/",
        "/volunteers/people/",
        f"/volunteers/people/{people.v_zhang.pk}/",
        "/volunteers/people/new/?q=王阿婆",
        "/volunteers/teams/",
        f"/volunteers/teams/{team.pk}/",
        "/volunteers/activities/",
        "/volunteers/activities/new/",
        f"/volunteers/activities/{activity.pk}/",
        f"/volunteers/activities/{activity.pk}/qr/",
        "/volunteers/orders/",
        "/volunteers/orders/new/",
        f"/volunteers/orders/{order.pk}/",
        "/volunteers/report/",
        f"/volunteers/board/{c.comm_a1.pk}/",
    ]:
        response = bob.get(url)
        assert response.status_code == 200, url
    home = text(bob.get("/"))
    assert "注册志愿者" in home and "服务满意率" in home and "/volunteers/" in home


def test_outsider_sees_nothing_of_another_community(people: People) -> None:
    c = people.city
    activity = people.activity()
    order = people.order()
    carol = login(c.carol)
    for url in [
        f"/volunteers/people/{people.v_zhang.pk}/",
        f"/volunteers/activities/{activity.pk}/",
        f"/volunteers/orders/{order.pk}/",
    ]:
        assert carol.get(url).status_code == 404, url
    assert "张志强" not in text(carol.get("/volunteers/people/"))
    assert "帮独居老人买菜" not in text(carol.get("/volunteers/orders/"))
    before = AuditLog.objects.count()
    carol.post(f"/volunteers/orders/{order.pk}/act/", {"action": "publish"})
    carol.post(f"/volunteers/activities/{activity.pk}/act/", {"action": "close"})
    carol.post(f"/volunteers/people/{people.v_zhang.pk}/decide/", {"decision": "suspend", "note": "x"})
    assert AuditLog.objects.count() == before
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.ORDERED


def test_register_a_resident_found_in_the_registry(people: People) -> None:
    c = people.city
    resident = make_resident(c, "郑热心", c.building_a1, "13800000031")
    bob = login(c.bob)
    found = text(bob.get("/volunteers/people/new/", {"q": "郑热心"}))
    assert f"?resident={resident.pk}" in found
    response = bob.post(
        f"/volunteers/people/new/?resident={resident.pk}",
        {
            "resident": resident.pk,
            "kind": "resident",
            "skills": ["repair", "driving"],
            "availability": ["weekend"],
        },
    )
    assert response.status_code == 302
    v = Volunteer.objects.get(resident=resident)
    assert v.status == VolunteerStatus.APPROVED and {s.code for s in v.skills.all()} == {"repair", "driving"}


def test_approve_from_the_list(people: People) -> None:
    c = people.city
    resident = make_resident(c, "钱申请", c.building_a1, "13800000032", "qiansq")
    v = services.volunteer_register(actor=resident.account.user, resident=resident)
    bob = login(c.bob)
    assert "钱申请" in text(bob.get("/volunteers/people/", {"status": "pending"}))
    bob.post(f"/volunteers/people/{v.pk}/decide/", {"decision": "reject", "note": ""})
    assert Volunteer.objects.get(pk=v.pk).status == VolunteerStatus.PENDING  # a reason is needed
    bob.post(f"/volunteers/people/{v.pk}/decide/", {"decision": "approve"})
    assert Volunteer.objects.get(pk=v.pk).status == VolunteerStatus.APPROVED


def test_publish_an_activity_and_record_attendance(people: People) -> None:
    c = people.city
    bob = login(c.bob)
    bad = bob.post("/volunteers/activities/new/", {"node": c.comm_a1.pk, "title": "", "quota": 0})
    assert bad.status_code == 422 and "errorlist" in text(bad)
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    ok = bob.post(
        "/volunteers/activities/new/",
        {
            "node": c.grid_a1_1.pk,
            "title": "楼道清洁大扫除",
            "place": "胜利门1号楼",
            "starts_at": f"{day}T09:00",
            "ends_at": f"{day}T11:30",
            "quota": 5,
            "service_type": "environment",
            "difficulty": 2,
        },
    )
    assert ok.status_code == 302
    activity = people.activity()
    services.activity_signup(actor=people.zhang, activity=activity)
    activity = shift(activity, started_ago=timedelta(minutes=10))
    page = text(bob.get(f"/volunteers/activities/{activity.pk}/"))
    assert "<svg" in page and activity.check_code in page  # the venue's QR code and its link
    bob.post(
        f"/volunteers/activities/{activity.pk}/act/", {"action": "check_in", "volunteer": people.v_zhang.pk}
    )
    assert Signup.objects.get(activity=activity, volunteer=people.v_zhang).status == SignupStatus.CHECKED_IN
    again = bob.post(
        f"/volunteers/activities/{activity.pk}/act/",
        {"action": "check_in", "volunteer": people.v_zhang.pk},
        follow=True,
    )
    assert "不能重复签到" in text(again)


def test_order_dispatch_and_verify_from_the_order_page(people: People) -> None:
    c = people.city
    bob = login(c.bob)
    response = bob.post(
        "/volunteers/orders/new/",
        {
            "node": c.comm_a1.pk,
            "orderer_kind": "resident",
            "beneficiary": "王阿婆",
            "title": "陪同就医",
            "content": "周四上午去医院复诊",
            "service_type": "elderly_care",
            "difficulty": 3,
        },
    )
    assert response.status_code == 302
    order = ServiceOrder.objects.get(title="陪同就医")
    assert order.beneficiary == people.r_wangapo and order.orderer_resident == people.r_wangapo
    page = text(bob.get(f"/volunteers/orders/{order.pk}/"))
    assert "派单" in page and "张志强" in page
    bob.post(
        f"/volunteers/orders/{order.pk}/act/",
        {
            "action": "dispatch",
            "taker_kind": "party_member",
            "party_member": "陈党员",
            "version": order.version,
        },
    )
    order.refresh_from_db()
    assert order.taker_resident == people.r_chen and order.status == OrderStatus.ASSIGNED
    bob.post(
        f"/volunteers/orders/{order.pk}/act/",
        {"action": "complete", "note": "已陪同", "hours": "3", "photos": [png()]},
    )
    bob.post(
        f"/volunteers/orders/{order.pk}/act/", {"action": "confirm", "rating": "5", "comment": "回访满意"}
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.confirmed_via == "staff" and order.points


def test_list_pages_do_not_query_per_row(people: People) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = people.city
    services.teams_create_colours(actor=c.bob, community=c.comm_a1)
    people.order(title="服务0")
    people.activity(title="活动0")
    bob = login(c.bob)
    urls = [
        "/volunteers/people/",
        "/volunteers/orders/",
        "/volunteers/activities/",
        "/volunteers/",
        "/volunteers/teams/",
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert bob.get(url).status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    for i in range(1, 7):
        people.order(title=f"服务{i}", publish=i % 2 == 0)
        people.activity(title=f"活动{i}")
        resident = make_resident(c, f"新志愿者{i}", c.building_a1, f"1380000004{i}")
        services.volunteer_register(actor=c.bob, resident=resident, skills=["errands"])
    assert counts() == few
    assert max(few) <= 20


def test_leader_reads_the_report_but_not_the_lists(people: People) -> None:
    dave = login(people.city.dave)
    assert dave.get("/volunteers/report/").status_code == 200
    for period in ("x", ""):  # an unknown period in the address: 累计, not a server error
        assert dave.get("/volunteers/report/", {"period": period}).status_code == 200
    assert dave.get("/volunteers/people/").status_code == 403
    assert "志愿服务统计" in text(dave.get("/"))


def test_hours_and_shares_read_the_same_on_home_and_report(people: People) -> None:
    """54.5 hours were shown as 54 on the home page (half-to-even) and 54.5 in the report; the
    hours of a suspended volunteer were left out of the home figure but not of the report."""
    from civicgrid.volunteers.home import home_figures

    Volunteer.objects.filter(pk=people.v_zhang.pk).update(status=VolunteerStatus.APPROVED, hours_total="53.5")
    Volunteer.objects.filter(pk=people.v_li.pk).update(status=VolunteerStatus.SUSPENDED, hours_total="1.0")
    c = people.city
    home = {str(f.label): f.value for f in home_figures(c.bob)}
    assert home["志愿服务小时"] == "54.5" and home["服务满意率"] == "—"
    report = text(login(c.bob).get("/volunteers/report/"))
    assert '<div class="n">54.5</div>' in report and "<td>54.5</td>" in report
    assert '<div class="n">54.5</div>' in text(login(c.bob).get("/volunteers/"))


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(5, 6, "83.3%"), (1, 16, "6.3%"), (1, 8, "12.5%"), (0, 3, "0.0%"), (3, 3, "100.0%"), (0, 0, "—")],
)
def test_shares_are_one_decimal_half_up(part: int, whole: int, shown: str) -> None:
    from civicgrid.volunteers.numbers import percent_text

    assert percent_text(part, whole) == shown


def test_the_home_cards_link_to_lists_of_what_they_count(people: People) -> None:
    """An outside tester found 17 people behind 注册志愿者 14 (pending and suspended ones too),
    and every order whatever its status behind 完成服务单."""
    from civicgrid.volunteers.home import home_figures
    from civicgrid.volunteers.selectors import ORDERS_DONE, order_list

    bob = people.city.bob
    Volunteer.objects.filter(pk=people.v_li.pk).update(status=VolunteerStatus.PENDING)
    done, waiting, open_ = people.order(), people.order(), people.order()
    ServiceOrder.objects.filter(pk=done.pk).update(status=OrderStatus.CONFIRMED)
    ServiceOrder.objects.filter(pk=waiting.pk).update(status=OrderStatus.COMPLETED)
    cards = {f.label: f for f in home_figures(bob)}
    volunteers, orders = cards["注册志愿者"], cards["完成服务单"]
    assert volunteers.url == f"/volunteers/people/?status={VolunteerStatus.APPROVED}"
    assert orders.url == f"/volunteers/orders/?status={ORDERS_DONE}" and orders.value == 2
    assert {o.pk for o in order_list(bob, status=ORDERS_DONE)} == {done.pk, waiting.pk}
    assert open_.pk not in {o.pk for o in order_list(bob, status=ORDERS_DONE)}
    listed = text(login(bob).get(orders.url))
    assert "已完成（待确认和已评价）" in listed and listed.count(f"/volunteers/orders/{open_.pk}/") == 0
    assert f"/volunteers/orders/{done.pk}/" in listed and f"/volunteers/orders/{waiting.pk}/" in listed
