"""A required choice sent empty gets its message, not a server error (found by exploratory
testing: an empty 区域 select on the care page, an empty grid when reassigning campaign work)."""

from datetime import date, timedelta

import pytest
from django.test import Client

from civicgrid.gridwork import services
from civicgrid.gridwork.models import CampaignItem, CarePlan
from civicgrid.gridwork.tests.conftest import Field

pytestmark = pytest.mark.django_db


def signed_in(field: Field) -> Client:
    client = Client()
    client.force_login(field.city.bob)
    return client


@pytest.mark.parametrize("data", [{}, {"node": ""}, {"node": "abc"}])
def test_generating_care_plans_without_an_area_asks_for_one(field: Field, data: dict[str, str]) -> None:
    response = signed_in(field).post("/gridwork/care/generate/", data, follow=True)
    assert response.status_code in (200, 422)
    assert "请选择区域" in response.content.decode()
    assert not CarePlan.objects.exists()


def test_reassigning_campaign_work_without_a_grid_asks_for_one(field: Field) -> None:
    campaign = services.campaign_launch(
        actor=field.city.bob,
        area=field.city.comm_a1,
        name="国家反诈中心APP入户核查",
        kind="anti_fraud",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=14),
    )
    before = list(CampaignItem.objects.values_list("pk", "grid_id", "assignee_id").order_by("pk"))
    for data in ({}, {"grid": "", "worker": str(field.alice.pk)}):
        response = signed_in(field).post(f"/gridwork/campaigns/{campaign.pk}/assign/", data, follow=True)
        assert response.status_code in (200, 422)
        assert "请选择网格" in response.content.decode()
    assert list(CampaignItem.objects.values_list("pk", "grid_id", "assignee_id").order_by("pk")) == before
