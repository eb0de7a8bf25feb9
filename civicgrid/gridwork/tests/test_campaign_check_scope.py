"""A campaign check on another grid's household: the scope is checked before anything else,
and the refusal is a not-found that never names the household (its building and room)."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import NotFound
from civicgrid.gridwork import services
from civicgrid.gridwork.models import CampaignCheck, CampaignItem
from civicgrid.gridwork.tests.conftest import Field, audit_count
from civicgrid.gridwork.tests.test_api import Phone
from civicgrid.gridwork.tests.test_campaigns import launch

pytestmark = pytest.mark.django_db

BAD_KEY = "x"  # refused by the key check, which used to run before the scope check


def alices_item(field: Field) -> CampaignItem:
    """An item of grid A1-1 (alice's) in the community's campaign, which pete (A1-2) also sees."""
    item = CampaignItem.objects.filter(campaign=launch(field), grid=field.city.grid_a1_1).first()
    assert item is not None and "胜利门1号楼" in item.label
    return item


def unchanged(item: CampaignItem, before: int) -> None:
    was = (item.state, item.checked_at, item.checked_by_id)
    item.refresh_from_db()
    assert (item.state, item.checked_at, item.checked_by_id) == was and item.checked_at is None
    assert not CampaignCheck.objects.exists() and audit_count() == before


@pytest.mark.parametrize("key", [BAD_KEY, "pete-probe-0001"])
def test_the_service_answers_another_grids_item_as_not_found_whatever_the_key(field: Field, key: str) -> None:
    item = alices_item(field)
    before = audit_count()
    with pytest.raises(NotFound) as exc:
        services.campaign_check(actor=field.pete, client_key=key, item=item, state="done")
    assert item.label not in exc.value.message and "胜利门" not in exc.value.message
    unchanged(item, before)


def test_the_phone_page_does_not_name_another_grids_household(field: Field) -> None:
    item = alices_item(field)
    before = audit_count()
    client = Client()
    client.force_login(field.pete)
    url = reverse("gridwork:m_campaign_check", args=[item.campaign_id, item.pk])
    response = client.post(url, {"client_key": BAD_KEY, "state": "done"})
    told = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert response.status_code == 404
    assert "胜利门" not in told and "胜利门" not in response.content.decode()
    unchanged(item, before)


def test_the_api_answers_another_grids_item_with_404_and_no_label(field: Field) -> None:
    item = alices_item(field)
    before = audit_count()
    response = Phone(field.pete).post(
        f"/campaign-items/{item.pk}/checks", {"client_key": BAD_KEY, "state": "done"}
    )
    body: dict[str, Any] = response.json()
    assert response.status_code == 404 and body["code"] == "not_found"
    assert "胜利门" not in response.content.decode()
    unchanged(item, before)


def test_the_grids_own_worker_still_checks_it(field: Field) -> None:
    item = alices_item(field)
    client = Client()
    client.force_login(field.alice)
    url = reverse("gridwork:m_campaign_check", args=[item.campaign_id, item.pk])
    answers = {"answers.q1": "是", "answers.q2": "是", "answers.q3": "是"}
    response = client.post(url, {"client_key": "alice-check-0001", "state": "done", **answers})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "done" and CampaignCheck.objects.filter(item=item, worker=field.alice).count() == 1
