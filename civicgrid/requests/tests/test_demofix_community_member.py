"""The demo's community worker login handles what is dispatched to their community (outside
tester: 李明, 社区党委书记, was no member of 胜利门社区居委会, so a request dispatched there showed
him no actions and 我的待办 said 您不属于任何承办单位)."""

from typing import Any

import pytest

from civicgrid.requests.constants import UnitKind
from civicgrid.requests.demo_history.setup import requests_demo_setup
from civicgrid.requests.models import HandlingUnit, UnitMembership

pytestmark = pytest.mark.django_db


def test_a_community_worker_joins_their_communitys_unit(city: Any) -> None:
    requests_demo_setup(password="demo-pass-123")
    unit = HandlingUnit.objects.get(kind=UnitKind.COMMUNITY, node=city.comm_a1)
    assert UnitMembership.objects.filter(unit=unit, user=city.bob).exists()
    assert not UnitMembership.objects.filter(user=city.bob).exclude(unit=unit).exists()
