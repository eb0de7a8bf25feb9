"""The need page's project form (立项) keeps what was typed when refused (422)."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource, ResourceKind
from civicgrid.party.models import Need, Project, Resource
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def test_a_refused_project_keeps_title_and_owner(pw: PartyWorld) -> None:
    need = services.need_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        data=services.NeedIn(title="灯坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT),
    )
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(
        reverse("party:need_act", args=[need.pk]),
        {"action": "project", "title": "加装声控灯", "owner_name": "钱主任", "budget": "-1"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="加装声控灯"' in body and 'value="钱主任"' in body and 'value="-1"' in body
    assert not Project.objects.exists()


def test_a_refused_need_keeps_what_was_typed(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(
        reverse("party:need_new"),
        {
            "title": "楼道堆物清理",
            "node": str(pw.city.grid_a1_1.pk),
            "category": NeedCategory.FACILITIES,
            "source": NeedSource.RESIDENT,
            "description": "三单元楼道",
            "wanted_kinds": ["volunteers"],
            "beneficiaries": "-5",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "受益人数" in body
    assert 'value="楼道堆物清理"' in body and "三单元楼道</textarea>" in body and 'value="-5"' in body
    assert 'value="volunteers" checked' in body
    assert f'value="{pw.city.grid_a1_1.pk}" selected' in body
    assert '<details class="card" open>' in body
    assert not Need.objects.filter(title="楼道堆物清理").exists()


def test_a_refused_resource_keeps_what_was_typed(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(
        reverse("party:resource_new"),
        {
            "title": "会议室",
            "kind": ResourceKind.VENUE,
            "node": str(pw.city.grid_a1_1.pk),
            "quantity": "很多",
            "address": "社区服务中心二楼",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "数量" in body
    assert 'value="会议室"' in body and 'value="很多"' in body and 'value="社区服务中心二楼"' in body
    assert f'value="{ResourceKind.VENUE}" selected' in body
    assert not Resource.objects.filter(title="会议室").exists()


def test_a_valid_need_still_lands_on_the_list(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(
        reverse("party:need_new"),
        {
            "title": "加装扶手",
            "node": str(pw.city.grid_a1_1.pk),
            "category": NeedCategory.FACILITIES,
            "source": NeedSource.RESIDENT,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("party:needs")
    assert Need.objects.filter(title="加装扶手").count() == 1
