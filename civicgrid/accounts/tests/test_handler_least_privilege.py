"""A handler's role sits on its unit's node: for a department or a public-service enterprise
that is the whole district. It must not open the population registry nor property
management there (found by an outside tester: a power company's handler exported 5,048
residents with their sensitive tags and deducted a property company's credit)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.accounts.services import api_token_create
from civicgrid.conftest import make_user
from civicgrid.property.models import CreditEntry

pytestmark = pytest.mark.django_db


def _power_company_handler(city: Any) -> Any:
    user = make_user("gd", "韩静刚")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=city.district)
    return user


def test_a_district_level_handler_sees_no_resident_and_exports_none(city: Any, client: Client) -> None:
    from civicgrid.registry import services as registry

    registry.resident_create(
        actor=city.bob, node=city.grid_a1_1, name="苏超", tags=["serious_mental_illness"]
    )
    user = _power_company_handler(city)
    assert not can(user, Capability.REGISTRY_VIEW, city.district.path)
    client.force_login(user)
    assert client.get("/registry/residents/").status_code == 403
    assert client.get("/registry/residents/", {"export": "xlsx"}).status_code == 403
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    listed = client.get("/api/v1/registry/residents", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 403 and "苏超" not in listed.content.decode()  # as the page


def test_a_district_level_handler_cannot_deduct_a_property_companys_credit(city: Any) -> None:
    from civicgrid.registry.models import Organisation, OrganisationKind

    user = _power_company_handler(city)
    company = Organisation.objects.create(
        node=city.district,
        node_path=city.district.path,
        name="新航物业",
        kind=OrganisationKind.PROPERTY_COMPANY,
    )
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    answer = Client().post(
        "/api/v1/property/credit",
        {
            "company_id": company.pk,
            "node_id": city.district.pk,
            "year": 2026,
            "points": -20,
            "reason": "测试扣分",
        },
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert not CreditEntry.objects.exists()
    assert can(user, Capability.PROPERTY_VIEW, city.district.path)  # reading stays
