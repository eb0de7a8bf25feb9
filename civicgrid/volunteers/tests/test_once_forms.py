"""A double click on 发布志愿活动 and on the resident's 点单 writes once (``core.once``)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.volunteers.models import Activity, ServiceOrder
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="once_token" value="([0-9a-f]{32})"')
REPEATED = "已提交，请勿重复提交"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_of(client: Client, url: str) -> str:
    (token,) = TOKEN.findall(client.get(url).content.decode())
    return token


def test_a_repeated_publish_makes_one_activity(people: People) -> None:
    c = people.city
    bob = login(c.bob)
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    form = {
        "node": c.grid_a1_1.pk,
        "title": "楼道清洁大扫除",
        "place": "胜利门1号楼",
        "starts_at": f"{day}T09:00",
        "ends_at": f"{day}T11:30",
        "quota": 5,
        "service_type": "environment",
        "difficulty": 2,
        "once_token": token_of(bob, "/volunteers/activities/new/"),
    }
    before = Activity.objects.count()
    assert bob.post("/volunteers/activities/new/", form).status_code == 302
    again = bob.post("/volunteers/activities/new/", form, follow=True)
    assert again.redirect_chain[-1][0] == "/volunteers/activities/" and REPEATED in again.content.decode()
    assert Activity.objects.count() == before + 1


def test_a_form_shown_again_with_errors_keeps_working(people: People) -> None:
    c = people.city
    bob = login(c.bob)
    token = token_of(bob, "/volunteers/activities/new/")
    bad = bob.post("/volunteers/activities/new/", {"node": c.comm_a1.pk, "title": "", "once_token": token})
    assert bad.status_code == 422 and len(TOKEN.findall(bad.content.decode())) == 1


def test_a_repeated_order_makes_one_order(people: People) -> None:
    elder = login(people.wangapo)
    form = {
        "title": "修理水龙头",
        "content": "厨房水龙头漏水",
        "service_type": "mutual_aid",
        "once_token": token_of(elder, "/volunteers/h5/orders/new/"),
    }
    assert elder.post("/volunteers/h5/orders/new/", form).status_code == 302
    again = elder.post("/volunteers/h5/orders/new/", form, follow=True)
    assert again.redirect_chain[-1][0] == "/volunteers/h5/my-orders/" and REPEATED in again.content.decode()
    assert ServiceOrder.objects.filter(title="修理水龙头").count() == 1
