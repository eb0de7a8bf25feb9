"""Patrol coverage at a city's size: the page and the API show a page of grids with a fixed
number of queries, never load the grids' geometry, and count the whole scope above the page."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.conftest import City, square
from civicgrid.gridwork import logbook
from civicgrid.gridwork.models import Patrol
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db

API = "/api/v1/gridwork/coverage"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_grids(city: City, first: int, n: int) -> list[Node]:
    """``n`` more grids of 胜利门社区 (bob's community), each with a polygon (set past the
    topology checks: only its presence matters here)."""
    grids = [
        territory.node_create(
            actor=city.sysadmin, kind=NodeKind.GRID, name=f"测试网格{i:03d}", parent=city.comm_a1
        )
        for i in range(first, first + n)
    ]
    Node.objects.filter(pk__in=[g.pk for g in grids]).update(geometry=square(120.30, 31.57, 120.31, 31.58))
    return grids


def patrol(city: City, grid: Node, day: date, key: str) -> Patrol:
    started = timezone.make_aware(datetime.combine(day, time(0, 5)))
    return Patrol.objects.create(
        node=grid,
        node_path=grid.path,
        worker=city.alice,
        client_key=key,
        day=day,
        started_at=started,
        ended_at=started + timedelta(minutes=30),
    )


def patrol_some(city: City, grids: list[Node]) -> None:
    """Every third grid today, every third (shifted) on Monday, one a week ago."""
    today = timezone.localdate()
    for i, grid in enumerate(grids):
        if i % 3 == 0:
            patrol(city, grid, today, f"today-{grid.pk}")
        elif i % 3 == 1:
            patrol(city, grid, logbook.week_start(today), f"monday-{grid.pk}")
        else:
            patrol(city, grid, today - timedelta(days=7), f"lastweek-{grid.pk}")


def page_queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content[:500]
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", ["/gridwork/", API])
def test_the_queries_do_not_grow_with_the_grids_and_skip_the_geometry(city: City, url: str) -> None:
    bob = signed_in(city.bob)
    patrol_some(city, add_grids(city, 0, 3))
    bob.get(url)  # the session, caches
    few, _ = page_queries(bob, url)
    patrol_some(city, add_grids(city, 3, 27))
    many, sqls = page_queries(bob, url)
    assert many == few
    assert not [sql for sql in sqls if "geometry" in sql]


def test_the_totals_count_the_whole_scope_as_the_rows_do(city: City) -> None:
    patrol_some(city, add_grids(city, 0, 30))
    patrol(city, city.grid_a1_1, timezone.localdate(), "a1-1-today")
    patrol(city, city.grid_b1_1, timezone.localdate(), "b1-1-today")  # carol's, not bob's
    rows = logbook.coverage(city.bob)
    totals = logbook.coverage_totals(city.bob)
    assert len(rows) == totals.grids == 32
    assert sum(1 for r in rows if r.today) == totals.today == 11
    assert sum(1 for r in rows if r.week_days) == totals.week
    assert totals.week in (21, 22)  # on a Monday the Monday patrols are today's too
    assert logbook.coverage(city.bob, grids=logbook.coverage_grids(city.bob)[:5]) == rows[:5]
    under = logbook.coverage_totals(city.bob, city.comm_a1)
    assert (under.grids, under.today) == (32, 11)


def test_the_page_shows_a_page_of_grids_and_the_whole_scopes_figures(city: City, settings: Any) -> None:
    settings.PAGE_SIZE = 10
    patrol_some(city, add_grids(city, 0, 30))
    bob = signed_in(city.bob)
    first = bob.get("/gridwork/", {"under": city.comm_a1.pk}).content.decode()
    assert first.count("<tr><td>胜利门社区</td>") == 10
    assert "10/32" in first  # patrolled today: grids 0, 3, …, 27 of the whole scope
    assert f'href="?under={city.comm_a1.pk}&page=2"' in first  # the filter kept
    assert "第 1 / 4 页，共 32 条" in first
    pages = [
        bob.get("/gridwork/", {"under": city.comm_a1.pk, "page": n}).content.decode() for n in (1, 2, 3, 4)
    ]
    assert (
        "第 1 / 4 页" in pages[0] and pages[3].count("<tr><td>胜利门社区</td>") == 2 and "10/32" in pages[3]
    )
    names = [f"测试网格{i:03d}" for i in range(30)] + ["胜利门一网格", "胜利门二网格"]
    assert all(sum(name in page for page in pages) == 1 for name in names)  # each grid on one page


def test_the_api_pages_with_limit_and_offset_and_gives_the_total(city: City) -> None:
    patrol_some(city, add_grids(city, 0, 30))
    bob = signed_in(city.bob)
    whole = bob.get(API)
    assert whole.status_code == 200 and whole["X-Total-Count"] == "32" and len(whole.json()) == 32
    pages = [bob.get(API, {"limit": 10, "offset": offset}) for offset in (0, 10, 20, 30)]
    assert [len(p.json()) for p in pages] == [10, 10, 10, 2]
    assert all(p["X-Total-Count"] == "32" for p in pages)
    assert [row for p in pages for row in p.json()] == whole.json()
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        answer = bob.get(API, bad)
        assert answer.status_code == 422 and answer.json()["detail"]["limit"], bad
    under = bob.get(API, {"node_id": city.grid_a1_2.pk})
    assert [r["grid"] for r in under.json()] == ["胜利门二网格"] and under["X-Total-Count"] == "1"
