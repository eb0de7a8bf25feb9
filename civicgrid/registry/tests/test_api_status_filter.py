"""GET /api/v1/registry/residents filters by 在册 / 已迁出 / 全部 and by gender, as the
居民档案 page does; an unknown status is a 422 naming the field, not an empty page."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.registry.tests.factories import World, residents

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/residents"


def test_the_list_is_of_residents_in_the_register_unless_moved_out_or_all_is_asked(
    world: World, client: Client
) -> None:
    node = world.city.grid_a1_2
    residents(node, 2, inactive=1)
    client.force_login(world.city.bob)

    def listed(status: str = "") -> set[str]:
        query = f"under={node.pk}&limit=500" + (f"&status={status}" if status else "")
        response = client.get(f"{API}?{query}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["results"])
        return {r["name"] for r in body["results"] if r["name"][:2] in ("居民", "迁出")}

    assert listed() == listed("active") == {"居民0", "居民1"}
    assert listed("moved_out") == {"迁出0"}
    assert listed("all") == {"居民0", "居民1", "迁出0"}


def test_an_unknown_status_is_refused_naming_the_field(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    response = client.get(f"{API}?status=gone")
    assert response.status_code == 422
    body: dict[str, Any] = response.json()
    assert "status" in str(body) and "在册" in str(body)
