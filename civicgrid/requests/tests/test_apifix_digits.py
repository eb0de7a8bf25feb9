"""A query value that is a long run of digits is text unless its parameter is an integer.

Every query value under /api/ was read as a whole number: ``?q=20261125123456789012`` (a
keyword of up to 100 characters) was 422 "数值超出范围"; so were ``phone`` and ``number``.
Now only the schema's integer parameters are range-checked, naming the field.
"""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from civicgrid.core.inputs import TOO_LARGE
from civicgrid.requests.tests.test_api import BASE, Caller

pytestmark = pytest.mark.django_db

DIGITS = "20261125123456789012"


@pytest.fixture(autouse=True)
def _no_throttle_history() -> None:
    cache.clear()


def test_a_keyword_of_digits_is_searched_not_refused(hotline: Any) -> None:
    response = Caller(hotline.city.olivia).get("/", q=DIGITS)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_a_long_phone_or_number_gets_its_own_length_message(hotline: Any) -> None:
    olivia = Caller(hotline.city.olivia)
    for field in ("phone", "number"):
        response = olivia.get("/", **{field: "1" * 21})
        assert response.status_code == 422, response.content
        body = response.json()
        title = {"phone": "诉求人电话", "number": "诉求编号"}[field]
        assert body["detail"] == {field: [f"{title}最长20个字"]}
        assert str(TOO_LARGE) not in body["message"]


def test_public_track_names_the_phone_by_its_length() -> None:
    response = Client().get(f"{BASE}/track", {"number": "20261122-000001", "phone": "1" * 21})
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"phone": ["手机号最长20个字"]}
    assert str(TOO_LARGE) not in response.json()["message"]


def test_an_integer_parameter_beyond_64_bits_is_still_refused_by_name(hotline: Any) -> None:
    olivia = Caller(hotline.city.olivia)
    response = olivia.get("/", offset="99999999999999999999")
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"offset": [f"偏移{TOO_LARGE}"]}
    response = olivia.get("/", unit="9" * 5000)  # beyond what pydantic itself reads
    assert response.json()["detail"] == {"unit": [f"承办单位{TOO_LARGE}"]}
    response = olivia.get("/knowledge", category_id="99999999999999999999")
    assert response.status_code == 422 and response.json()["detail"] == {"category_id": [str(TOO_LARGE)]}
