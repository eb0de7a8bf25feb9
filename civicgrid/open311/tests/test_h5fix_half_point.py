"""A filing with lat but no long (or long but no lat) is refused naming the missing half,
not filed with the point silently dropped (outside tester: 201 and no coordinate)."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.open311.tests.conftest import filing_fields
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [({"lat": "31.575"}, "long", "缺少经度"), ({"long": "120.305"}, "lat", "缺少纬度")],
)
def test_half_a_point_is_refused_naming_the_missing_half(
    hotline: Any, api_key: str, sent: dict[str, str], field: str, words: str
) -> None:
    data = filing_fields(api_key, address_string="胜利门1号楼")
    del data["lat"], data["long"]
    data.update(sent)
    for response in (
        Client().post(URL, data),
        Client().post(URL, json.dumps(data), "application/json"),
    ):
        assert response.status_code == 400, response.content
        descriptions = [row["description"] for row in response.json()]
        assert any(d.startswith(f"{field}：") and words in d for d in descriptions), descriptions
    assert not Request.objects.exists()


def test_a_whole_point_or_none_with_an_address_is_still_filed(hotline: Any, api_key: str) -> None:
    assert Client().post(URL, filing_fields(api_key)).status_code == 201
    data = filing_fields(api_key, lat="", long="", address_string="胜利门1号楼")
    assert Client().post(URL, data).status_code == 201
    assert Request.objects.count() == 2
    assert Request.objects.filter(lat__isnull=False, lon__isnull=False).count() == 1
