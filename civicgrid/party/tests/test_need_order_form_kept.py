"""A refused 派单 shows the need page again with what was typed and the reason (422), as a
refused 立项 does, and nothing is ordered."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.party.tests.test_orders import need
from civicgrid.volunteers.models import ServiceOrder

pytestmark = pytest.mark.django_db


def test_a_refused_order_keeps_the_form(pw: PartyWorld) -> None:
    item = need(pw)
    bob = Client()
    bob.force_login(pw.city.bob)
    before, orders = counts(), ServiceOrder.objects.count()
    response = bob.post(
        reverse("party:need_act", args=[item.pk]),
        {
            "action": "order",
            "service_type": "law",
            "content": "每周二上午代购蔬菜和药品",
            "unit": pw.tax.pk,
            "member": pw.zhang.pk,
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "请只选择一个接单方" in page
    assert "每周二上午代购蔬菜和药品" in page
    assert f'<option value="{pw.tax.pk}" selected>' in page
    assert f'<option value="{pw.zhang.pk}" selected>' in page
    assert '<option value="law" selected>' in page
    assert counts() == before and ServiceOrder.objects.count() == orders
