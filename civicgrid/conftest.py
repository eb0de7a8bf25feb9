"""Shared fixtures: a small piece of Liangxi district with the people who work in it.

* ``sysadmin`` / ``secadmin`` / ``auditor``: the three administrators.
* ``alice``: full-time grid worker of grid 胜利门一网格 (A1-1).
* ``bob``: community worker (secretary) of 胜利门社区 (A1).
* ``carol``: community worker of 通江社区 (B1), an outsider to A1.
* ``dave``: district leader; ``olivia``: hotline operator of the district.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import AdminRole, Role, User
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    """Each test builds its own grids; never let the locator answer with another test's ids."""
    from civicgrid.territory.locator import locator

    locator.invalidate()


@pytest.fixture(autouse=True)
def _fresh_catalogue_cache() -> None:
    """Each test builds its own catalogue: never let the intake's catalogue cache answer
    with another test's categories or current version."""
    from civicgrid.requests.catalogue.cache import catalogue_cache

    catalogue_cache.invalidate()


@pytest.fixture(autouse=True)
def _fresh_rulebook() -> None:
    """Each test builds its own rules and units: never let dispatch match by the rules kept
    from another test."""
    from civicgrid.requests.services.rulebook import rulebook

    rulebook.invalidate()


@pytest.fixture(autouse=True)
def _fresh_unit_contacts() -> None:
    """Each test builds its own units and staff: never address another test's people."""
    from civicgrid.requests.unit_notify import contacts_cache

    contacts_cache.invalidate()


@dataclass
class City:
    city: Node
    district: Node
    sub_a: Node
    sub_b: Node
    comm_a1: Node
    comm_a2: Node
    comm_b1: Node
    grid_a1_1: Node
    grid_a1_2: Node
    grid_a2_1: Node
    grid_b1_1: Node
    building_a1: Node
    building_b1: Node
    sysadmin: User
    secadmin: User
    auditor: User
    alice: User
    bob: User
    carol: User
    dave: User
    olivia: User


def make_user(username: str, full_name: str, admin_role: str = "") -> User:
    return accounts.user_create(
        actor=None,
        system=True,
        username=username,
        password="civicgrid-test-pw",
        full_name=full_name,
        admin_role=admin_role,
    )


@pytest.fixture
def city(db: Any) -> City:
    sysadmin = make_user("sysadmin", "系统管理员", AdminRole.SYSTEM)
    secadmin = make_user("secadmin", "安全管理员", AdminRole.SECURITY)
    auditor = make_user("auditor", "审计管理员", AdminRole.AUDIT)

    def node(kind: str, name: str, parent: Node | None, code: str = "", **kw: Any) -> Node:
        return territory.node_create(actor=sysadmin, kind=kind, name=name, parent=parent, code=code, **kw)

    c = node(NodeKind.CITY, "无锡市", None, "320200000000")
    d = node(NodeKind.DISTRICT, "梁溪区", c, "320213000000")
    sa = node(NodeKind.SUBDISTRICT, "崇安寺街道", d, "320213001000")
    sb = node(NodeKind.SUBDISTRICT, "通江街道", d, "320213002000")
    a1 = node(NodeKind.COMMUNITY, "胜利门社区", sa, "320213001001")
    a2 = node(NodeKind.COMMUNITY, "五爱社区", sa, "320213001002")
    b1 = node(NodeKind.COMMUNITY, "通江社区", sb, "320213002001")
    g11 = node(NodeKind.GRID, "胜利门一网格", a1, geometry=square(120.30, 31.57, 120.31, 31.58))
    g12 = node(NodeKind.GRID, "胜利门二网格", a1, geometry=square(120.31, 31.57, 120.32, 31.58))
    g21 = node(NodeKind.GRID, "五爱一网格", a2, geometry=square(120.30, 31.58, 120.32, 31.59))
    gb1 = node(NodeKind.GRID, "通江一网格", b1, geometry=square(120.32, 31.57, 120.34, 31.59))
    ba1 = node(NodeKind.BUILDING, "胜利门1号楼", g11, lon=120.305, lat=31.575)
    bb1 = node(NodeKind.BUILDING, "通江1号楼", gb1, lon=120.33, lat=31.58)

    alice = make_user("alice", "王丽")
    bob = make_user("bob", "李明")
    carol = make_user("carol", "赵芳")
    dave = make_user("dave", "陈刚")
    olivia = make_user("olivia", "周静")
    accounts.role_grant(actor=None, system=True, user=alice, role=Role.GRID_WORKER, node=g11)
    accounts.role_grant(actor=None, system=True, user=bob, role=Role.COMMUNITY_WORKER, node=a1)
    accounts.role_grant(actor=None, system=True, user=carol, role=Role.COMMUNITY_WORKER, node=b1)
    accounts.role_grant(actor=None, system=True, user=dave, role=Role.LEADER, node=d)
    accounts.role_grant(actor=None, system=True, user=olivia, role=Role.OPERATOR, node=d)
    return City(
        c,
        d,
        sa,
        sb,
        a1,
        a2,
        b1,
        g11,
        g12,
        g21,
        gb1,
        ba1,
        bb1,
        sysadmin,
        secadmin,
        auditor,
        alice,
        bob,
        carol,
        dave,
        olivia,
    )


@pytest.fixture
def browser(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Chromium, closed before the live server stops (no request left half-served); for the
    modules marked with ``core.tests.browser.MARKS``."""
    from django.db import connections

    from civicgrid.core.tests.browser import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright 未安装（pip install playwright）"
    )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous code, so Django's "async context" guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # ORM calls made inside Playwright's context get a connection of their own, which
        # nothing else closes (PostgreSQL would refuse to drop the test database).
        connections.close_all()
