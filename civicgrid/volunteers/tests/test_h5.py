"""Resident and volunteer H5 pages: register, sign up, scan the venue code, take and complete
an order with photos, order a service and rate it, my points, the public board."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus, SignupStatus, VolunteerStatus
from civicgrid.volunteers.models import OrderPhoto, ServiceOrder, Signup, Volunteer
from civicgrid.volunteers.tests.conftest import People, make_resident, png, shift

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_staff_and_anonymous_users_are_turned_away(people: People) -> None:
    assert Client().get("/volunteers/h5/").status_code == 302  # to the login page
    staff = login(people.city.bob).get("/volunteers/h5/")
    assert staff.status_code == 403 and "居民账号" in text(staff)


def test_a_resident_registers_on_the_phone(people: People) -> None:
    c = people.city
    resident = make_resident(c, "吴热心", c.building_a1, "13800000051", "wurx")
    me = login(resident.account.user)
    assert "注册成为志愿者" in text(me.get("/volunteers/h5/"))
    response = me.post(
        "/volunteers/h5/register/",
        {"kind": "in_service_member", "skills": ["legal"], "availability": ["weekend"], "intro": "律师"},
    )
    assert response.status_code == 302
    v = Volunteer.objects.get(resident=resident)
    assert v.status == VolunteerStatus.PENDING and v.kind == "in_service_member"
    assert "等待" in text(me.get("/volunteers/h5/"))


def test_sign_up_and_scan_in_and_out(people: People) -> None:
    a = people.activity(difficulty=1)
    zhang = login(people.zhang)
    assert a.title in text(zhang.get("/volunteers/h5/activities/"))
    zhang.post(f"/volunteers/h5/activities/{a.pk}/")
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.CONFIRMED
    a = shift(a, started_ago=timedelta(minutes=5))
    scan = f"/volunteers/h5/scan/{a.pk}/{a.check_code}/"
    assert "签到" in text(zhang.get(scan))
    assert zhang.get(f"/volunteers/h5/scan/{a.pk}/wrong-code/").status_code == 404
    zhang.post(scan, {"action": "in"})
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.CHECKED_IN
    again = zhang.post(scan, {"action": "in"}, follow=True)
    assert "不能重复签到" in text(again)
    zhang.post(scan, {"action": "out"})
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.COMPLETED


def test_take_complete_with_photos_and_the_resident_rates(people: People) -> None:
    order = people.order(publish=True)
    zhang = login(people.zhang)
    assert order.title in text(zhang.get("/volunteers/h5/orders/"))
    zhang.post(f"/volunteers/h5/orders/{order.pk}/", {"action": "take"})
    assert ServiceOrder.objects.get(pk=order.pk).taker_volunteer == people.v_zhang
    late = login(people.li).post(f"/volunteers/h5/orders/{order.pk}/", {"action": "take"}, follow=True)
    assert late.status_code == 404 or "已被他人接单" in text(late)
    no_photo = zhang.post(
        f"/volunteers/h5/orders/{order.pk}/",
        {"action": "complete", "note": "买好了", "hours": "1"},
        follow=True,
    )
    assert "请至少上传一张服务照片" in text(no_photo)
    zhang.post(
        f"/volunteers/h5/orders/{order.pk}/",
        {"action": "complete", "note": "买好了", "hours": "1", "photos": [png("a.png"), png("b.png")]},
    )
    assert OrderPhoto.objects.filter(order=order).count() == 2
    elder = login(people.wangapo)
    page = text(elder.get(f"/volunteers/h5/orders/{order.pk}/"))
    assert "确认服务已完成" in page
    elder.post(
        f"/volunteers/h5/orders/{order.pk}/", {"action": "confirm", "rating": "5", "comment": "谢谢小张"}
    )
    done = ServiceOrder.objects.get(pk=order.pk)
    assert done.status == OrderStatus.CONFIRMED and done.rating == 5 and done.points
    points = text(zhang.get("/volunteers/h5/points/"))
    assert f"+{done.points}" in points
    card = text(zhang.get("/volunteers/h5/card/"))
    assert "ZY" in card and "帮独居老人买菜" in card


def test_a_resident_orders_a_service(people: People) -> None:
    elder = login(people.wangapo)
    response = elder.post("/volunteers/h5/orders/new/", {"title": "", "content": ""})
    assert response.status_code == 422 and "请按提示修改" in text(response)
    response = elder.post(
        "/volunteers/h5/orders/new/",
        {"title": "修理水龙头", "content": "厨房水龙头漏水", "service_type": "mutual_aid"},
    )
    assert response.status_code == 302
    order = ServiceOrder.objects.get(title="修理水龙头")
    assert order.orderer_resident == people.r_wangapo and order.status == OrderStatus.ORDERED
    assert "修理水龙头" in text(elder.get("/volunteers/h5/my-orders/"))
    # another resident cannot open it
    assert login(people.sun).get(f"/volunteers/h5/orders/{order.pk}/").status_code == 404


def test_the_public_board_masks_names_and_serves_only_its_photos(people: People) -> None:
    c = people.city
    shown = services.service_order_dispatch(
        actor=c.bob, order=people.order(), taker=services.Taker.of_volunteer(people.v_zhang)
    )
    shown = services.service_order_complete(
        actor=people.zhang, order=shown, note="好", hours=1, photos=[png()]
    )
    hidden = services.service_order_dispatch(
        actor=c.bob, order=people.order(title="隐私服务"), taker=services.Taker.of_volunteer(people.v_li)
    )
    hidden = services.service_order_complete(
        actor=people.li, order=hidden, note="好", hours=1, photos=[png()]
    )
    services.service_order_board_set(actor=c.bob, order=hidden, on_board=False)
    board = text(Client().get(f"/volunteers/board/{c.comm_a1.pk}/"))
    assert "帮独居老人买菜" in board and "张*强" in board and "张志强" not in board
    assert "王阿婆" not in board and "隐私服务" not in board
    public = OrderPhoto.objects.get(order=shown)
    private = OrderPhoto.objects.get(order=hidden)
    assert Client().get(f"/volunteers/photos/{public.pk}/").status_code == 200
    assert Client().get(f"/volunteers/photos/{private.pk}/").status_code == 404
    assert login(c.bob).get(f"/volunteers/photos/{private.pk}/").status_code == 200
    api = Client().get(f"/api/v1/volunteers/board/{c.comm_a1.pk}").json()
    assert [i["title"] for i in api] == ["帮独居老人买菜"] and api[0]["taker"] == "志愿者 张*强"
