"""A resident's H5 request without a location lands where the hotline triages it (outside
tester: it was filed on the city root above the district, in nobody's triage queue, and the
operator, the leader and the handler all got 404)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, RoleAssignment
from civicgrid.conftest import make_user
from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.selectors import inbox
from civicgrid.requests.services.intake import triage_node
from civicgrid.territory import services as territory
from civicgrid.territory.models import NodeKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _report() -> dict[str, str]:
    return {
        "type": "complaint",
        "title": "小区门口垃圾堆积",
        "content": "垃圾三天没人清运",
        "address": "胜利门小区南门",
        "phone": "13912345678",
    }


def test_an_unlocated_h5_request_is_triaged_and_dispatched_by_the_district_operator(
    hotline: Any, client: Client
) -> None:
    c = hotline.city
    assert client.post(reverse("requests:h5_submit"), _report()).status_code == 302
    req = Request.objects.get()
    assert req.node == c.district and req.status == Status.RECEIVED

    staff = Client()
    staff.force_login(c.olivia)
    assert req.number in staff.get("/requests/triage/").content.decode()
    assert staff.get(f"/requests/{req.pk}/").status_code == 200
    response = staff.post(
        f"/requests/{req.pk}/act/dispatch/",
        {"version": req.version, "category": hotline.noise.pk, "lead_unit": hotline.sub_a_unit.pk},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.DISPATCHED and req.lead_unit == hotline.sub_a_unit

    leader = Client()
    leader.force_login(c.dave)
    assert leader.get(f"/requests/{req.pk}/").status_code == 200
    handler = Client()
    handler.force_login(hotline.hank)
    assert handler.get(f"/requests/{req.pk}/").status_code == 200
    assert req in inbox(hotline.hank)


def _new_district(c: Any) -> Any:
    return territory.node_create(
        actor=c.sysadmin, kind=NodeKind.DISTRICT, name="滨湖区", parent=c.city, code="320211000000"
    )


def test_the_triage_node_follows_where_the_dispatchers_sit(city: Any) -> None:
    assert triage_node() == city.district  # the district's operator (olivia)
    other = _new_district(city)
    assert triage_node() == city.district  # a second district without operators changes nothing
    olga = make_user("olga", "欧阳")
    accounts.role_grant(actor=None, system=True, user=olga, role=Role.OPERATOR, node=other)
    # Operators in two districts and none above: one of them triages (never the root, nobody's).
    assert triage_node() in (city.district, other)
    accounts.role_grant(actor=None, system=True, user=olga, role=Role.OPERATOR, node=city.city)
    assert triage_node() == city.city  # a city hotline sees every district


def test_without_any_operator_the_single_district_takes_it(city: Any) -> None:
    RoleAssignment.objects.filter(role=Role.OPERATOR).delete()
    assert triage_node() == city.district
    _new_district(city)
    assert triage_node() == city.city


def test_the_system_intake_without_a_point_uses_it(hotline: Any) -> None:
    data = hotline.new(channel="web", lon=None, lat=None, category=None)
    assert services.request_create(actor=SYSTEM, data=data).node == hotline.city.district
