"""The resident H5 forms accept a phone however it is typed, as intake does (+86, dashes,
brackets, full-width digits), and still name the phone field when it is no phone."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core import crypto
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def report(phone: str) -> dict[str, Any]:
    return {
        "type": "complaint",
        "title": "小区路灯不亮",
        "content": "胜利门1号楼前的路灯坏了一周",
        "address": "胜利门1号楼前",
        "phone": phone,
        "name": "刘洋",
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+86 139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("(0510) 8234-5678", "0510-82345678"),
    ],
)
def test_liu_submits_with_a_phone_typed_any_common_way(
    hotline: Any, client: Client, typed: str, stored: str
) -> None:
    response = client.post(reverse("requests:h5_submit"), report(typed))
    assert response.status_code == 302, response.content.decode()
    request = Request.objects.get()
    assert crypto.decrypt(request.requester_phone_enc) == stored
    assert request.requester_phone_hash == crypto.blind_index(stored)


@pytest.mark.parametrize("typed", ["12345", "139****5678", "0510-82345678-801"])
def test_a_phone_that_is_none_is_refused_on_the_phone_field(hotline: Any, client: Client, typed: str) -> None:
    response = client.post(reverse("requests:h5_submit"), report(typed))
    assert response.status_code == 422
    assert "电话号码格式不正确" in response.content.decode()
    assert not Request.objects.exists()


def test_an_alarm_with_a_phone_typed_with_the_country_code(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    response = client.post(url, {"confirm": "1", "phone": "+86 139-1234-5678", "note": "楼道冒烟"})
    assert response.status_code == 302, response.content.decode()
    request = Request.objects.get()
    assert crypto.decrypt(request.requester_phone_enc) == "13912345678"
    assert not request.anonymous
