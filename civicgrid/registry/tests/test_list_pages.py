"""Registry list pages: a bounded number of queries whatever the number of rows."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.conftest import City
from civicgrid.registry import services
from civicgrid.registry.tests.factories import make_credit_code, make_id_number

MAX_QUERIES = 14


def populate(city: City, n: int) -> None:
    for i in range(n):
        services.resident_create(
            actor=city.bob,
            node=city.grid_a1_1 if i % 2 else city.building_a1,
            name=f"居民{i:02d}",
            id_number=make_id_number(f"32021319900101{i:03d}"),
            phone=f"138{i:08d}",
            tags=["elderly_alone", "party_member"] if i % 3 else ["veteran"],
        )
        services.dwelling_create(actor=city.bob, node=city.building_a1, room=f"{i + 1:02d}01", use="rented")
        services.organisation_create(
            actor=city.bob,
            node=city.grid_a1_2,
            name=f"单位{i:02d}",
            kind="shop",
            credit_code=make_credit_code(100 + i),
            contact_phone=f"137{i:08d}",
        )


PAGES = {
    # page: (url, what the 30th row shows)
    "residents": ("/registry/residents/", "居民29"),
    "dwellings": ("/registry/dwellings/", "3001"),
    "organisations": ("/registry/organisations/", "单位29"),
}


@pytest.mark.parametrize("page", PAGES)
def test_list_pages_render_with_a_bounded_number_of_queries(
    city: City, client: Client, django_assert_max_num_queries: Any, page: str
) -> None:
    url, last_row = PAGES[page]
    client.force_login(city.bob)
    populate(city, 3)
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        small = client.get(url)
    assert small.status_code == 200
    for i in range(3, 30):  # now 30 rows of each, residents with three tags each
        services.resident_create(
            actor=city.bob,
            node=city.grid_a1_1,
            name=f"居民{i:02d}",
            tags=["elderly_alone", "disabled", "party_member"],
        )
        services.dwelling_create(actor=city.bob, node=city.building_a1, room=f"{i + 1:02d}01", use="rented")
        services.organisation_create(actor=city.bob, node=city.grid_a1_2, name=f"单位{i:02d}", kind="shop")
    with django_assert_max_num_queries(MAX_QUERIES) as many:
        big = client.get(url)
    assert big.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert last_row in big.content.decode()


def test_the_resident_list_shows_tags_and_filters_by_tag(city: City, client: Client) -> None:
    populate(city, 6)
    client.force_login(city.alice)
    html = client.get("/registry/residents/", {"tag": "veteran"}).content.decode()
    # Residents 0 and 3 are veterans; both live in grid A1-1 (alice's) or its building.
    assert "居民00" in html and "居民03" in html and "居民01" not in html
    assert "退役军人" in html


def test_pagination_keeps_the_filters(city: City, client: Client, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    populate(city, 5)
    client.force_login(city.bob)
    html = client.get("/registry/residents/", {"tag": "party_member"}).content.decode()
    assert "第 1 / 2 页，共 3 条" in html
    assert "?tag=party_member&page=2" in html
