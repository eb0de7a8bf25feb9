"""Open311's ``jurisdiction_id`` is checked, and the update feed never drops updates unseen.

An unknown ``jurisdiction_id`` was accepted and ignored: a client pointed at the wrong
server filed and read here unawares. GeoReport v2 answers it with 404 "jurisdiction_id not
found". ``servicerequestupdates.json`` gave the oldest 1,000 updates of a wider window with
no sign of the rest; FixMyStreet takes the answer as all of them, so a window holding more
is refused (400) and the client narrows it.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.open311 import views
from civicgrid.open311.tests.conftest import filing_fields
from civicgrid.requests import services
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def test_an_unknown_jurisdiction_is_not_found(hotline: Any) -> None:
    for address in ("services.json", "requests.json", "servicerequestupdates.json", "services.xml"):
        response = Client().get(f"{BASE}/{address}", {"jurisdiction_id": "foo"})
        assert response.status_code == 404, (address, response.content)
    [error] = Client().get(f"{BASE}/services.json", {"jurisdiction_id": "foo"}).json()
    assert error["code"] == 404 and error["description"].startswith("jurisdiction_id：")
    assert "foo" in error["description"] and hotline.city.district.code in error["description"]


def test_the_districts_code_or_none_is_served(hotline: Any) -> None:
    code = hotline.city.district.code
    assert code
    assert Client().get(f"{BASE}/services.json", {"jurisdiction_id": code}).status_code == 200
    assert Client().get(f"{BASE}/services.json").status_code == 200


def test_a_configured_jurisdiction_replaces_the_districts(hotline: Any, settings: Any) -> None:
    settings.OPEN311_JURISDICTION_IDS = ["liangxi.example.cn"]
    assert Client().get(f"{BASE}/services.json", {"jurisdiction_id": "liangxi.example.cn"}).status_code == 200
    district = Client().get(f"{BASE}/services.json", {"jurisdiction_id": hotline.city.district.code})
    assert district.status_code == 404


@pytest.mark.parametrize("where", ["body", "query"])
def test_a_post_for_another_jurisdiction_files_nothing(hotline: Any, api_key: str, where: str) -> None:
    before = Request.objects.count()
    fields = filing_fields(api_key)
    url = f"{BASE}/requests.json"
    if where == "body":
        fields["jurisdiction_id"] = "foo"
    else:
        url += "?jurisdiction_id=foo"
    response = Client().post(url, fields)
    assert response.status_code == 404, response.content
    assert response.json()[0]["description"].startswith("jurisdiction_id：")
    assert Request.objects.count() == before
    fields["jurisdiction_id"] = hotline.city.district.code
    assert Client().post(f"{BASE}/requests.json", fields).status_code == 201


def test_a_window_with_more_updates_than_the_cap_is_refused(
    hotline: Any, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    for _i in range(2):
        services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    feed = Client().get(f"{BASE}/servicerequestupdates.json", headers=headers)
    assert feed.status_code == 200
    count = len(feed.json())
    assert count >= 2
    monkeypatch.setattr(views, "MAX_RESULTS", count)
    assert len(Client().get(f"{BASE}/servicerequestupdates.json", headers=headers).json()) == count
    monkeypatch.setattr(views, "MAX_RESULTS", count - 1)
    refused = Client().get(f"{BASE}/servicerequestupdates.json", headers=headers)
    assert refused.status_code == 400
    [error] = refused.json()
    assert f"超过{count - 1}条" in error["description"] and "start_date" in error["description"]
