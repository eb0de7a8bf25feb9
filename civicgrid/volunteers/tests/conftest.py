"""People of volunteer service in the shared test city (see ``civicgrid/conftest.py``).

In 胜利门社区 (A1, bob's): 张志强 and 李秀英 (approved volunteers with resident accounts
``zhang`` and ``li``), 王阿婆 (elderly, living alone, account ``wangapo``) who orders
services, 陈党员 (a party member, account ``chen``) and 胜利门便民超市 (a partner unit).
In 通江社区 (B1, carol's): 孙通江 (an approved volunteer there, account ``sun``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.conftest import City
from civicgrid.core.tests import images
from civicgrid.registry import services as registry
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.tests.factories import make_credit_code
from civicgrid.territory.models import Node
from civicgrid.volunteers import services
from civicgrid.volunteers.models import Activity, ServiceOrder, Volunteer

PNG = images.PNG  # a whole image: the upload check refuses a bare signature
PASSWORD = "civicgrid-test-pw"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return images.png_upload(name)


def make_resident(city: City, name: str, node: Node, phone: str, username: str = "", **kw: Any) -> Resident:
    actor = city.carol if node.path.startswith(city.comm_b1.path) else city.bob
    resident = registry.resident_create(actor=actor, node=node, name=name, phone=phone, **kw)
    if username:
        registry.resident_account_open(actor=actor, resident=resident, username=username, password=PASSWORD)
    return resident


def user(username: str) -> User:
    return User.objects.get(username=username)


@dataclass
class People:
    city: City
    zhang: User
    li: User
    wangapo: User
    chen: User
    sun: User
    r_zhang: Resident
    r_li: Resident
    r_wangapo: Resident
    r_chen: Resident
    r_sun: Resident
    v_zhang: Volunteer
    v_li: Volunteer
    v_sun: Volunteer
    shop: Organisation

    def activity(self, *, quota: int = 2, starts_in: timedelta = timedelta(days=1), **kw: Any) -> Activity:
        start = timezone.now() + starts_in
        data = services.NewActivity(
            node=kw.pop("node", self.city.comm_a1),
            title=kw.pop("title", "胜利门小区垃圾分类宣传"),
            place=kw.pop("place", "胜利门社区党群服务中心"),
            starts_at=start,
            ends_at=kw.pop("ends_at", start + timedelta(hours=3)),
            quota=quota,
            service_type=kw.pop("service_type", "environment"),
            difficulty=kw.pop("difficulty", 2),
            **kw,
        )
        return services.activity_publish(actor=self.city.bob, data=data)

    def order(self, *, publish: bool = False, **kw: Any) -> ServiceOrder:
        actor = kw.pop("actor", self.city.bob)
        data = services.NewOrder(
            title=kw.pop("title", "帮独居老人买菜"),
            content=kw.pop("content", "王阿婆腿脚不便，每周需要有人帮忙买菜送上楼"),
            service_type=kw.pop("service_type", "elderly_care"),
            orderer_kind=kw.pop("orderer_kind", "resident"),
            orderer_resident=kw.pop("orderer_resident", self.r_wangapo),
            **kw,
        )
        return services.service_order_create(actor=actor, data=data, publish=publish)


def shift(activity: Activity, *, started_ago: timedelta) -> Activity:
    """Move an activity in time (as if it had been published earlier)."""
    length = activity.ends_at - activity.starts_at
    start = timezone.now() - started_ago
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + length)
    activity.refresh_from_db()
    return activity


def at(activity: Activity, minutes: int) -> datetime:
    return activity.starts_at + timedelta(minutes=minutes)


@pytest.fixture
def people(city: City) -> People:
    c = city
    shop = registry.organisation_create(
        actor=c.bob, node=c.grid_a1_1, name="胜利门便民超市", kind="shop", credit_code=make_credit_code(11)
    )
    r_zhang = make_resident(c, "张志强", c.building_a1, "13800000001", "zhang")
    r_li = make_resident(c, "李秀英", c.grid_a1_2, "13800000002", "li")
    r_wangapo = make_resident(c, "王阿婆", c.building_a1, "13800000003", "wangapo", tags=["elderly_alone"])
    r_chen = make_resident(c, "陈党员", c.grid_a1_1, "13800000004", "chen", tags=["party_member"])
    r_sun = make_resident(c, "孙通江", c.building_b1, "13800000005", "sun")
    v_zhang = services.volunteer_register(actor=c.bob, resident=r_zhang, skills=["errands", "elderly_care"])
    v_li = services.volunteer_register(actor=c.bob, resident=r_li, skills=["errands"])
    v_sun = services.volunteer_register(actor=c.carol, resident=r_sun)
    return People(
        city=c,
        zhang=user("zhang"),
        li=user("li"),
        wangapo=user("wangapo"),
        chen=user("chen"),
        sun=user("sun"),
        r_zhang=r_zhang,
        r_li=r_li,
        r_wangapo=r_wangapo,
        r_chen=r_chen,
        r_sun=r_sun,
        v_zhang=v_zhang,
        v_li=v_li,
        v_sun=v_sun,
        shop=shop,
    )
