"""An id in an API path is a whole number written as one.

A path parameter typed ``int`` but routed as ``{pk}`` (Django's ``str`` converter) let
pydantic's lax mode read ``/topics/1.0`` as topic 1 and ``/nodes/1_0`` as node 10; routed as
``{int:pk}`` such paths match no route (404) before any code runs.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from civicgrid.accounts.services import api_token_create


def api_routes(patterns: Any = None, prefix: str = "") -> Iterator[str]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_routes(entry.url_patterns, here)
        elif isinstance(entry, URLPattern) and here.startswith("api/v1/"):
            yield here


def test_every_id_in_an_api_path_is_routed_as_a_whole_number() -> None:
    routes = list(api_routes())
    assert len(routes) > 100  # the walk reached the API's routes
    names = [part.split(">")[0] for route in routes for part in route.split("<")[1:]]
    ids = [name for name in names if name.removeprefix("int:") == "pk" or name.endswith("_id")]
    assert len(ids) > 50  # the routes' ids were found
    assert [name for name in ids if not name.startswith("int:")] == []


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["1.0", "1_0", "+1", "%201"])
def test_an_id_not_written_as_a_whole_number_matches_no_route(city: Any, suffix: str) -> None:
    _, key = api_token_create(actor=None, system=True, user=city.bob, name="客户端")
    auth = {"Authorization": f"Bearer {key}"}
    node = city.comm_a1.pk
    assert Client().get(f"/api/v1/territory/nodes/{node}", headers=auth).status_code == 200
    odd = suffix.replace("1", str(node), 1) if suffix != "1_0" else f"{node}_0"
    assert Client().get(f"/api/v1/territory/nodes/{odd}", headers=auth).status_code == 404
