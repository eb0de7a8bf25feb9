"""A Latin name is kept in its usual order with a space (John Smith); a Chinese one family
name first, no space (张三)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core import crypto
from civicgrid.open311.tests.conftest import filing_fields
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
        filing_fields(api_key, first_name=first, last_name=last),
    )
    assert response.status_code == 201, response.content
    assert crypto.decrypt(Request.objects.get().requester_name_enc) == kept
