"""Governance on top of the requests' ``hotline`` fixture (city, units, catalogue, people).

``make`` records requests through ``request_create`` (the real intake) at given times;
``grid_point`` gives a point inside each grid of the ``city`` fixture.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from civicgrid.requests.models import Category, Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.services import request_create
from civicgrid.requests.tests.conftest import Hotline, hotline  # noqa: F401  (the fixture)

# A point inside each grid of the city fixture.
POINTS = {
    "a1_1": (120.305, 31.575),
    "a1_2": (120.315, 31.575),
    "a2_1": (120.31, 31.585),
    "b1_1": (120.33, 31.58),
}


@pytest.fixture
def make(hotline: Hotline) -> Callable[..., Request]:  # noqa: F811
    counter = iter(range(1, 100_000))

    def make(
        title: str,
        content: str,
        *,
        at: datetime | None = None,
        grid: str = "a1_1",
        category: Category | None = None,
        phone: str | None = None,
        **kw: Any,
    ) -> Request:
        lon, lat = POINTS[grid]
        n = next(counter)
        data = hotline.new(
            title=title,
            content=content,
            lon=lon + (n % 7) * 0.0003,
            lat=lat + (n % 5) * 0.0003,
            category=category or hotline.lift,
            requester_phone=phone or f"139{n:08d}",
            received_at=at,
            **kw,
        )
        return request_create(actor=SYSTEM, data=data, dispatch=False)

    return make
