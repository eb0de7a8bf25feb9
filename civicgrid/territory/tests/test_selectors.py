"""Territory reads: everything under a node and a node's current team are one query each."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import World
from civicgrid.territory import selectors, services
from civicgrid.territory.models import NodeKind, Post


def test_everything_under_a_node_is_one_query(world: World, django_assert_num_queries: Any) -> None:
    c = world.city
    with django_assert_num_queries(1):
        names = {n.name for n in selectors.subtree(c.comm_a1)}
    assert names == {"胜利门社区", "胜利门一网格", "胜利门二网格", "胜利门1号楼"}
    with django_assert_num_queries(1):
        grids = list(selectors.subtree(c.sub_a, kind=NodeKind.GRID))
    assert {g.pk for g in grids} == {c.grid_a1_1.pk, c.grid_a1_2.pk, c.grid_a2_1.pk}
    with django_assert_num_queries(1):
        residents = list(Resident.objects.filter(node_path__startswith=c.comm_a1.path))
    assert {r.pk for r in residents} == {world.resident_a.pk, world.resident_a12.pk}


def test_subtree_does_not_confuse_ids_sharing_a_prefix(city: City) -> None:
    """Paths end with '/': node 1's subtree must not include node 11, 12..."""
    for node in selectors.subtree(city.grid_a1_1):
        assert node.path.startswith(city.grid_a1_1.path)
    assert all(p.endswith("/") for p in selectors.subtree(city.city).values_list("path", flat=True))
    under_a = {n.pk for n in selectors.subtree(city.sub_a)}
    assert city.comm_b1.pk not in under_a and city.grid_b1_1.pk not in under_a


def test_kind_counts_and_ancestors(world: World) -> None:
    c = world.city
    assert selectors.node_kind_counts(c.sub_a) == {"community": 2, "grid": 3, "building": 1}
    assert [n.pk for n in selectors.node_ancestors(c.building_a1)] == [
        c.city.pk,
        c.district.pk,
        c.sub_a.pk,
        c.comm_a1.pk,
        c.grid_a1_1.pk,
    ]
    assert selectors.level_of(c.building_a1, NodeKind.COMMUNITY) == c.comm_a1
    assert selectors.level_of(c.comm_a1, NodeKind.COMMUNITY) == c.comm_a1


def test_current_team_is_one_query_and_respects_dates(city: City, django_assert_num_queries: Any) -> None:
    today = timezone.localdate()
    grid = city.grid_a1_2

    def post(holder: str, start: date, end: date | None = None, kind: str = Post.GRID_LEADER) -> None:
        services.position_create(
            actor=city.bob,
            node=grid,
            post=kind,
            holder_name=holder,
            start_date=start,
            end_date=end,
            user=city.bob,
        )

    post("在任甲", today - timedelta(days=30))
    post("今天到期", today - timedelta(days=300), today)
    post("昨天离任", today - timedelta(days=300), today - timedelta(days=1))
    post("明天上任", today + timedelta(days=1))
    post("今天上任", today, kind=Post.BUILDING_LEADER)
    services.position_create(  # on another node: not part of this team
        actor=city.bob, node=city.grid_a1_1, post=Post.GRID_LEADER, holder_name="别的网格", start_date=today
    )

    with django_assert_num_queries(1):
        team = [(p.holder_name, p.user.username if p.user else "") for p in selectors.node_team(grid)]
    assert sorted(name for name, _ in team) == sorted(["在任甲", "今天到期", "今天上任"])
    assert all(username == "bob" for _, username in team)
    on_earlier_day = [p.holder_name for p in selectors.node_team(grid, on=today - timedelta(days=100))]
    assert sorted(on_earlier_day) == sorted(["今天到期", "昨天离任"])


def test_ending_a_position_takes_it_off_the_team(city: City) -> None:
    today = timezone.localdate()
    position = services.position_create(
        actor=city.bob,
        node=city.grid_a1_1,
        post=Post.GRID_LEADER,
        holder_name="张网格",
        start_date=today - timedelta(days=10),
    )
    assert [p.pk for p in selectors.node_team(city.grid_a1_1)] == [position.pk]
    services.position_end(actor=city.bob, position=position, end_date=today - timedelta(days=1))
    assert list(selectors.node_team(city.grid_a1_1)) == []
    with pytest.raises(ValidationError) as refused:
        services.position_end(actor=city.bob, position=position, end_date=today - timedelta(days=20))
    assert "end_date" in refused.value.errors


def test_position_create_reports_every_bad_field(city: City) -> None:
    with pytest.raises(ValidationError) as refused:
        services.position_create(
            actor=city.bob,
            node=city.grid_a1_1,
            post="mayor",
            holder_name=" ",
            start_date=date(2025, 5, 1),
            end_date=date(2025, 4, 1),
            phone="12345",
        )
    assert set(refused.value.errors) == {"post", "holder_name", "end_date", "phone"}


def test_position_phone_is_stored_encrypted(city: City) -> None:
    position = services.position_create(
        actor=city.bob,
        node=city.grid_a1_1,
        post=Post.GRID_LEADER,
        holder_name="张网格",
        start_date=date(2025, 1, 1),
        phone="13812349999",
    )
    from civicgrid.territory.models import Position

    stored = Position.objects.filter(pk=position.pk).values().get()
    assert "13812349999" not in {str(v) for v in stored.values()}


def test_kind_counts_leave_out_stopped_nodes(world: World) -> None:
    c = world.city
    services.node_deactivate(actor=c.sysadmin, node=c.grid_a1_2)
    counts = selectors.node_kind_counts(c.sub_a)
    assert counts["grid"] == 2 and counts["community"] == 2
