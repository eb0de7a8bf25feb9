"""The ledger's summary strip adds up (outside analyst): 共计 19 read beside 在办 0 + 已答复待办结 0
+ 已办结 18, a merged request counted nowhere. Now 已合并 is a part of its own."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.requests.constants import Status
from civicgrid.requests.ledger import summary
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_rates import at, make_request

pytestmark = pytest.mark.django_db


def test_the_ledger_strip_adds_up_with_merged_requests(hotline: Any) -> None:
    c, day = hotline.city, timezone.localdate().replace(day=1)
    made = [make_request(c.grid_a1_1, hotline.sub_a_unit, at(day, 9 + i)) for i in range(4)]
    Request.objects.filter(pk=made[0].pk).update(status=Status.MERGED)
    Request.objects.filter(pk=made[1].pk).update(status=Status.CLOSED)
    client = Client()
    client.force_login(c.dave)
    page = client.get(reverse("requests:ledger"))
    s = page.context["summary"]
    assert (s.total, s.merged, s.closed) == (4, 1, 1)
    assert s.open + s.replied + s.closed + s.merged == s.total
    assert "已合并" in page.content.decode()


@pytest.mark.parametrize("status", list(Status))
def test_every_status_is_in_exactly_one_part(hotline: Any, status: Status) -> None:
    request = make_request(hotline.city.grid_a1_1, hotline.sub_a_unit, at(timezone.localdate(), 9))
    Request.objects.filter(pk=request.pk).update(status=status)
    s = summary(Request.objects.all())
    assert s.open + s.replied + s.closed + s.merged == s.total == 1
