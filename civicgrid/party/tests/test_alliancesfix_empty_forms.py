"""An empty form names every missing field at once, by the label the page shows."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource
from civicgrid.party.models import CommitteeMember, Need, Project
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def _bob(pw: PartyWorld) -> Client:
    client = Client()
    client.force_login(pw.city.bob)
    return client


def test_an_empty_need_form_names_the_need_and_its_area(pw: PartyWorld) -> None:
    response = _bob(pw).post(reverse("party:need_new"), {"title": "", "node": ""})
    page = response.content.decode()
    assert response.status_code == 422
    assert "请填写需求" in page and "请填写所在区域" in page and "区域编码" not in page
    assert not Need.objects.exists()


def test_an_empty_project_form_names_every_missing_field(pw: PartyWorld) -> None:
    data = services.NeedIn(title="楼道灯损坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT)
    need = services.need_create(actor=pw.city.bob, node=pw.city.grid_a1_1, data=data)
    response = _bob(pw).post(
        reverse("party:need_act", args=[need.pk]),
        {"action": "project", "owner_name": "", "starts_on": "", "ends_on": ""},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert all(f"请填写{label}" in page for label in ("负责人", "计划开始", "计划完成"))
    assert not Project.objects.exists()


def test_an_empty_seat_form_names_the_name_and_the_term(pw: PartyWorld) -> None:
    response = _bob(pw).post(
        reverse("party:committee_act", args=[pw.committee.pk]),
        {"action": "seat", "name": "", "term_start": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "请填写姓名" in page and "请填写任期开始" in page
    assert not CommitteeMember.objects.exists()
