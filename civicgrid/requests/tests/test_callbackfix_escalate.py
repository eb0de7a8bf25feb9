"""The 上报 form says which unit the request will go to, as the service decides it
(``handling.escalation_target``), before anyone confirms."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.services.handling import escalation_target

pytestmark = pytest.mark.django_db


def test_the_escalate_form_names_the_unit_the_service_sends_it_to(hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    r = services.request_sign(actor=hotline.hank, request=r)
    assert r.lead_unit == hotline.sub_a_unit
    level, unit = escalation_target(r)
    assert unit == hotline.district_unit

    client = Client()
    client.force_login(hotline.hank)
    html = client.get(f"/requests/{r.pk}/act/escalate/").content.decode()
    assert "将上报至区（县）：梁溪区人民政府" in html

    done = client.post(f"/requests/{r.pk}/act/escalate/", {"version": r.version, "reason": "需区里协调"})
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.lead_unit == unit and r.level == level  # where the form said


def test_the_escalate_form_says_why_a_request_cannot_go_up(hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    r = services.request_sign(actor=hotline.hank, request=r)
    hotline.district_unit.is_active = False  # no district unit to take it
    hotline.district_unit.save(update_fields=["is_active"])

    client = Client()
    client.force_login(hotline.hank)
    html = client.get(f"/requests/{r.pk}/act/escalate/").content.decode()
    assert "找不到上一级（区（县））的承办单位" in html and "将上报至" not in html
