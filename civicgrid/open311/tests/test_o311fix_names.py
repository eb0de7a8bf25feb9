"""A Latin name is kept in its usual order with a space (John Smith); a Chinese one family
name first, no space (张三)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core import crypto
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.mark.parametrize(
    ("first", "last", "kept"),
    [
        ("John", "Smith", "John Smith"),
        ("三", "张", "张三"),
        ("", "Smith", "Smith"),
        ("小明", "欧阳", "欧阳小明"),
    ],
)
def test_names_are_joined_as_their_script_writes_them(
    hotline: Any, api_key: str, first: str, last: str, kept: str
) -> None:
    response = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "030101",
            "lat": "31.575",
            "long": "120.305",
            "description": "胜利门1号楼全楼停水一天了",
            "first_name": first,
            "last_name": last,
            "phone": "13812345678",
        },
    )
    assert response.status_code == 201, response.content
    assert crypto.decrypt(Request.objects.get().requester_name_enc) == kept
