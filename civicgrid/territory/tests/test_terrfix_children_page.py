"""A node page with more than 500 children says how many there are, that only 500 are listed,
and reaches the rest by page or by a search on name or code."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.territory.models import Node, NodeKind, path_for

pytestmark = pytest.mark.django_db


def many_buildings(grid: Node, count: int) -> None:
    Node.objects.bulk_create(
        Node(
            kind=NodeKind.BUILDING,
            name=f"测试楼{n:04d}",
            code=f"{grid.code}B{n:04d}",
            parent=grid,
            depth=grid.depth + 1,
            path=f"tmp-{n}",
            sort_order=n,
        )
        for n in range(count)
    )
    for pk in Node.objects.filter(path__startswith="tmp-").values_list("pk", flat=True):
        Node.objects.filter(pk=pk).update(path=path_for(pk, grid.path))


def test_children_beyond_500_are_counted_paged_and_searchable(city: Any, client: Client) -> None:
    grid = city.grid_a1_1  # already has 胜利门1号楼
    many_buildings(grid, 520)
    client.force_login(city.bob)
    page = client.get(f"/territory/{grid.pk}/").content.decode()
    assert "下级（521）" in page
    assert "每页只列出 500 个" in page
    assert "测试楼0498" in page and "测试楼0510" not in page
    assert "page=2" in page and 'name="q"' in page
    second = client.get(f"/territory/{grid.pk}/?page=2").content.decode()
    assert "测试楼0510" in second and "测试楼0010" not in second
    found = client.get(f"/territory/{grid.pk}/?q=B0510").content.decode()
    assert "下级（1）" in found and "测试楼0510" in found and "测试楼0511" not in found
    by_name = client.get(f"/territory/{grid.pk}/?q=测试楼0519").content.decode()
    assert "测试楼0519" in by_name and "测试楼0518" not in by_name


def test_a_small_node_page_lists_all_children_without_paging(city: Any, client: Client) -> None:
    client.force_login(city.bob)
    page = client.get(f"/territory/{city.comm_a1.pk}/").content.decode()
    assert "下级（2）" in page and "胜利门一网格" in page and "胜利门二网格" in page
    assert "每页只列出" not in page and "page=2" not in page
