"""The public view leaves out requests about a person, and can be off altogether (the default)."""

import os
from typing import Any

import pytest
from django.test import Client

from civicgrid import settings as project_settings
from civicgrid.accounts.services import api_token_create
from civicgrid.open311 import audience
from civicgrid.requests import services
from civicgrid.requests.constants import RequestType
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import leaf

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
LAT, LON = 31.575123, 120.305678  # in 胜利门社区
FEEDS = ("requests.json", "servicerequestupdates.json")


def filed(hotline: Any, **kw: Any) -> Request:
    data = hotline.new(**{"lat": LAT, "lon": LON, **kw})
    return services.request_create(actor=hotline.city.olivia, data=data)


def public_numbers() -> set[str]:
    numbers = set()
    for path in FEEDS:
        response = Client().get(f"{BASE}/{path}")
        assert response.status_code == 200, response.content
        numbers |= {row["service_request_id"] for row in response.json()}
    return numbers


def test_emergencies_and_requests_about_a_person_are_not_public(hotline: Any) -> None:
    alarm = leaf(hotline.version, "060101", ("社会治安", "紧急求助", "人身安全紧急求助"))
    wages = leaf(hotline.version, "070101", ("劳动和社会保障", "工资福利", "工资发放"))
    neighbours = leaf(hotline.version, "080101", ("社会治安", "矛盾纠纷", "邻里纠纷"))
    sublet = leaf(hotline.version, "090101", ("住房管理", "房屋租赁", "群租房"))
    hidden = [
        filed(hotline, type=RequestType.EMERGENCY, category=alarm, title="一键报警：独居老人求助"),
        filed(hotline, type=RequestType.EMERGENCY, title="电梯困人"),  # a place's category, still an alarm
        filed(hotline, category=wages, title="工资发放拖欠"),
        filed(hotline, category=neighbours, title="邻里纠纷"),
        filed(hotline, category=sublet, title="群租房"),
    ]
    lamp = filed(hotline)  # a lift: a thing one can go and look at

    shown = public_numbers()
    assert lamp.number in shown
    for request in hidden:
        assert request.number not in shown
        response = Client().get(f"{BASE}/requests/{request.number}.json")
        assert response.status_code == 404
    text = b"".join(Client().get(f"{BASE}/{path}").content for path in FEEDS).decode("utf-8")
    assert "紧急" not in text and "工资" not in text and "纠纷" not in text


def test_a_keyed_system_in_scope_still_reads_them_in_full(hotline: Any) -> None:
    alarm = filed(hotline, type=RequestType.EMERGENCY, title="一键报警：独居老人求助")
    _, bob_key = api_token_create(actor=None, system=True, user=hotline.city.bob, name="客户端")
    response = Client().get(
        f"{BASE}/requests/{alarm.number}.json", headers={"Authorization": f"Bearer {bob_key}"}
    )
    assert response.status_code == 200 and response.json()[0]["lat"] == LAT


def test_the_public_view_is_off_by_default(hotline: Any, settings: Any) -> None:
    assert "CIVICGRID_OPEN311_PUBLIC" not in os.environ
    assert project_settings.OPEN311_PUBLIC_VIEW is False  # as civicgrid/settings.py reads it
    del settings.OPEN311_PUBLIC_VIEW
    assert not audience.public_view_on()
    settings.OPEN311_PUBLIC_VIEW = True
    assert audience.public_view_on()


def test_while_off_keyless_reads_are_refused_and_keys_get_only_their_own(hotline: Any, settings: Any) -> None:
    settings.OPEN311_PUBLIC_VIEW = False
    request = filed(hotline)  # in 胜利门社区: public if the view were on
    for path in (*FEEDS, f"requests/{request.number}.json"):
        response = Client().get(f"{BASE}/{path}")
        assert response.status_code == 403, path
        [error] = response.json()
        assert error["code"] == 403 and "api_key" in error["description"]
    assert Client().get(f"{BASE}/services.json").status_code == 200  # the catalogue stays open

    _, carol_key = api_token_create(actor=None, system=True, user=hotline.city.carol, name="客户端")
    carol = {"Authorization": f"Bearer {carol_key}"}  # 通江社区: not hers
    assert Client().get(f"{BASE}/requests.json", headers=carol).json() == []
    assert Client().get(f"{BASE}/servicerequestupdates.json", headers=carol).json() == []
    assert Client().get(f"{BASE}/requests/{request.number}.json", headers=carol).status_code == 404
    _, bob_key = api_token_create(actor=None, system=True, user=hotline.city.bob, name="客户端")
    mine = Client().get(f"{BASE}/requests.json", headers={"Authorization": f"Bearer {bob_key}"}).json()
    assert [row["service_request_id"] for row in mine] == [request.number]
