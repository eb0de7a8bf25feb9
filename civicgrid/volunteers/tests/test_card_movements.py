"""The volunteer card's 积分流水 on the phone (outside tester): 15 of 18 movements shown with
no way to the rest. Now it says how many are shown of how many and links to the full list
(/volunteers/h5/points/, paged)."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.points import services as points
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def test_the_card_links_to_every_movement(people: People) -> None:
    for i in range(18):
        points.points_earn(
            actor=people.city.bob,
            holder=people.r_zhang,
            amount=1,
            source="test",
            source_ref=f"m{i}",
            node=people.city.comm_a1,
            note=f"第{i + 1}笔",
        )
    client = Client()
    client.force_login(people.zhang)
    body = client.get(reverse("volunteers:h5_card")).content.decode()
    assert "显示最近 15 条，共 18 条" in body
    assert f'href="{reverse("volunteers:h5_points")}"' in body and "查看全部积分流水" in body
    full = client.get(reverse("volunteers:h5_points")).content.decode()
    assert all(f"第{i + 1}笔" in full for i in range(18))
    staff = Client()
    staff.force_login(people.city.bob)
    page = staff.get(reverse("volunteers:person", args=[people.v_zhang.pk])).content.decode()
    assert "显示最近 15 条，共 18 条" in page and "/points/accounts/" in page
