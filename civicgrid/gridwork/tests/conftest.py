"""Grid work on top of the ``city`` fixture.

People: ``alice`` (grid worker of 胜利门一网格 A1-1), ``ivan`` (second grid worker of A1-1),
``gina`` (grid leader of A1-1: grid worker role there and the 网格长 post), ``pete``
(grid worker of 胜利门二网格 A1-2), ``bob`` (community worker of A1), ``carol`` (community
worker of B1, an outsider), ``dave`` (district leader).
Places: building 胜利门1号楼 in A1-1 with two dwellings and households; 老张 (elderly living
alone) and 小李 live there; 老赵 (disabled) lives in 通江1号楼 in B1.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import City, make_user
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, Household, Resident
from civicgrid.requests.tests.conftest import hotline  # noqa: F401 - the hotline fixture, for verification
from civicgrid.territory import services as territory
from civicgrid.territory.models import Post

PNG = images.PNG  # a whole image: the upload check refuses a bare signature


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return images.png_upload(name)


def earlier_today(before: timedelta) -> datetime:
    """``before`` ago, but not before local midnight: tests that count today's work would
    fail in the hours after midnight. Just after midnight the entries made from this time
    on lie a few minutes ahead of the clock, which the services accept (phone clock skew)."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - before, midnight)


def audit_count() -> int:
    return AuditLog.objects.count()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Field:
    city: City
    alice: User
    ivan: User
    gina: User
    pete: User
    dwelling_1: Dwelling
    dwelling_2: Dwelling
    household_1: Household
    household_2: Household
    lao_zhang: Resident
    xiao_li: Resident
    lao_zhao: Resident


@pytest.fixture
def field(city: City) -> Field:
    bob = city.bob
    ivan, gina, pete = make_user("ivan", "伊万"), make_user("gina", "葛娜"), make_user("pete", "彭涛")
    for user, grid in ((ivan, city.grid_a1_1), (gina, city.grid_a1_1), (pete, city.grid_a1_2)):
        accounts.role_grant(actor=None, system=True, user=user, role=Role.GRID_WORKER, node=grid)
    territory.position_create(
        actor=bob,
        node=city.grid_a1_1,
        post=Post.GRID_LEADER,
        holder_name="葛娜",
        user=gina,
        phone="13900000001",
        start_date=date(2024, 1, 1),
    )
    d1 = registry.dwelling_create(actor=bob, node=city.building_a1, room="1单元101", use="owner_occupied")
    d2 = registry.dwelling_create(actor=bob, node=city.building_a1, room="1单元102", use="vacant")
    h1 = registry.household_create(actor=bob, node=city.building_a1, dwelling=d1, head_name="张建国")
    h2 = registry.household_create(actor=bob, node=city.building_a1, dwelling=d2, head_name="李强")
    zhang = registry.resident_create(
        actor=bob, node=city.building_a1, name="张建国", household=h1, tags=["elderly_alone", "party_member"]
    )
    li = registry.resident_create(actor=bob, node=city.building_a1, name="李小明", household=h2)
    zhao = registry.resident_create(actor=city.carol, node=city.building_b1, name="赵大海", tags=["disabled"])
    return Field(city, city.alice, ivan, gina, pete, d1, d2, h1, h2, zhang, li, zhao)


def phone_page(
    browser: Any, base: str, *, latitude: float | None = None, longitude: float | None = None
) -> tuple[Any, Any]:
    """alice signed in on a phone-sized Chromium page standing at (latitude, longitude), or,
    without them, a phone that was refused the location: the browser context (to go offline)
    and the page."""
    from civicgrid.core.tests.browser import PASSWORD

    located: dict[str, Any] = {}
    if latitude is not None and longitude is not None:
        where = {"latitude": latitude, "longitude": longitude}
        located = {"permissions": ["geolocation"], "geolocation": where}
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, **located
    )
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page
