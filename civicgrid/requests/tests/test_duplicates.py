"""Possible duplicates: same grid or nearby, recent, similar text; merged with one click."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request
from civicgrid.requests.web_helpers import possible_duplicates, similar_nearby

pytestmark = pytest.mark.django_db


def test_similar_requests_nearby_or_in_the_same_grid(hotline: Any) -> None:
    olivia = hotline.city.olivia
    first = services.request_create(actor=olivia, data=hotline.new())
    unlocated = services.request_create(
        actor=olivia, data=hotline.new(lon=None, lat=None, building=hotline.city.building_a1)
    )
    other_text = services.request_create(actor=olivia, data=hotline.new(title="路灯不亮", content="路灯坏了"))
    far = services.request_create(actor=olivia, data=hotline.new(lon=120.335, lat=31.585))  # 3 km east
    text = "电梯停运 3号楼电梯坏了"
    near = {n.request for n in similar_nearby(olivia, lon=120.3052, lat=31.5751, text=text)}
    assert first in near and other_text not in near and far not in near
    in_grid = {
        n.request for n in similar_nearby(olivia, lon=None, lat=None, text=text, grid_path=first.node_path)
    }
    assert first in in_grid and far not in in_grid
    assert unlocated.pk  # located by its building, not part of the grid comparison
    Request.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(days=40))
    assert first not in {n.request for n in similar_nearby(olivia, lon=120.3052, lat=31.5751, text=text)}


def test_an_operator_merges_a_duplicate_with_one_click(client: Client, hotline: Any) -> None:
    olivia = hotline.city.olivia
    original = services.request_create(actor=olivia, data=hotline.new())
    again = services.request_create(actor=olivia, data=hotline.new(content="3号楼电梯又坏了，停运好几天"))
    assert [n.request for n in possible_duplicates(olivia, again)] == [original]
    client.force_login(olivia)
    page = client.get(f"/requests/{again.pk}/").content.decode()
    assert "疑似重复件" in page and original.number in page
    response = client.post(
        f"/requests/{again.pk}/act/merge/", {"into": original.number, "version": again.version}
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == Status.MERGED and again.merged_into_id == original.pk
    # a handler of the unit sees no merge button, and so no duplicates panel
    client.force_login(hotline.hank)
    assert "疑似重复件" not in client.get(f"/requests/{original.pk}/").content.decode()
