"""Data scope through the JSON API under /api/v1/: the same checks as the pages and services.

carol (community worker of B1) reads nothing of community A1 and writes nothing there.
A row she cannot see answers 404 (its existence is not revealed); a row she can see but
may not change (dave, the district leader) answers 403. Either way with a Chinese message,
no row changed and no audit row written.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civicgrid.registry.tests.factories import CHINESE, ID_A, PHONE_A, World, db_state, db_state_but

V1 = "/api/v1"

# model: (list url, fields that identify A1's rows in the list, B1's row that must be there)
LISTS: dict[str, Callable[[World], tuple[str, dict[str, Any], set[Any], set[Any]]]] = {
    "node": lambda w: (
        f"{V1}/territory/nodes",
        {"q": "网格"},
        {w.city.grid_a1_1.pk, w.city.grid_a1_2.pk},
        {w.city.grid_b1_1.pk},
    ),
    "node_children": lambda w: (
        f"{V1}/territory/nodes",
        {"parent_id": w.city.comm_a1.pk},
        {w.city.grid_a1_1.pk, w.city.grid_a1_2.pk},
        set(),
    ),
    "resident": lambda w: (
        f"{V1}/registry/residents",
        {},
        {w.resident_a.pk, w.resident_a12.pk},
        {w.resident_b.pk},
    ),
    "resident_by_id_number": lambda w: (f"{V1}/registry/residents", {"q": ID_A}, {w.resident_a.pk}, set()),
    "resident_by_phone": lambda w: (f"{V1}/registry/residents", {"q": PHONE_A}, {w.resident_a.pk}, set()),
    "organisation": lambda w: (
        f"{V1}/registry/organisations",
        {},
        {w.organisation_a.pk},
        {w.organisation_b.pk},
    ),
}


def ids_of(body: Any) -> set[Any]:
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


@pytest.mark.parametrize("model", LISTS)
def test_lists_exclude_another_community(world: World, client: Client, model: str) -> None:
    url, params, of_a1, of_b1 = LISTS[model](world)
    client.force_login(world.city.carol)
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    seen = ids_of(response.json())
    assert not (seen & of_a1)
    assert of_b1 <= seen
    client.force_login(world.city.bob)  # the same query answers for A1's own worker
    assert of_a1 <= ids_of(client.get(url, params).json())


DETAILS: dict[str, Callable[[World], str]] = {
    "node": lambda w: f"{V1}/territory/nodes/{w.city.comm_a1.pk}",
    "node_team (positions)": lambda w: f"{V1}/territory/nodes/{w.city.grid_a1_1.pk}/team",
    "grid_matters": lambda w: f"{V1}/territory/nodes/{w.city.grid_a1_1.pk}/grid-matters",
    "resident": lambda w: f"{V1}/registry/residents/{w.resident_a.pk}",
    "residents_under_a1": lambda w: f"{V1}/registry/residents?under={w.city.comm_a1.pk}",
}


@pytest.mark.parametrize("detail", DETAILS)
def test_details_of_another_community_are_not_found(world: World, client: Client, detail: str) -> None:
    url = DETAILS[detail](world)
    client.force_login(world.city.carol)
    response = client.get(url)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found" and CHINESE.search(body["message"])
    client.force_login(world.city.bob)
    assert client.get(url).status_code == 200


def test_team_and_grid_matters_of_own_grid(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    team = client.get(f"{V1}/territory/nodes/{world.city.grid_a1_1.pk}/team").json()
    assert [p["holder_name"] for p in team] == ["周胜网"]
    matters = client.get(f"{V1}/territory/nodes/{world.city.grid_a1_1.pk}/grid-matters").json()
    assert {m["code"] for m in matters} == {"M-A1", "M-D"}


WRITES: dict[str, Callable[[World], tuple[str, str, dict[str, Any]]]] = {
    "node_create": lambda w: (
        "post",
        f"{V1}/territory/nodes",
        {"kind": "grid", "name": "越界网格", "parent_id": w.city.comm_a1.pk},
    ),
    "node_update": lambda w: ("patch", f"{V1}/territory/nodes/{w.city.grid_a1_1.pk}", {"name": "改名"}),
    "node_move_out": lambda w: (
        "post",
        f"{V1}/territory/nodes/{w.city.grid_a1_1.pk}/move",
        {"parent_id": w.city.comm_b1.pk},
    ),
    "node_move_in": lambda w: (
        "post",
        f"{V1}/territory/nodes/{w.city.grid_b1_1.pk}/move",
        {"parent_id": w.city.comm_a1.pk},
    ),
    "position_create": lambda w: (
        "post",
        f"{V1}/territory/nodes/{w.city.grid_a1_1.pk}/positions",
        {"post": "grid_leader", "holder_name": "某某", "start_date": "2025-01-01"},
    ),
    "resident_create": lambda w: (
        "post",
        f"{V1}/registry/residents",
        {"node_id": w.city.grid_a1_1.pk, "name": "越界居民"},
    ),
    "resident_create_in_a1_household": lambda w: (
        "post",
        f"{V1}/registry/residents",
        {"node_id": w.city.grid_b1_1.pk, "name": "越界居民", "household_id": w.household_a.pk},
    ),
    "resident_reveal": lambda w: ("post", f"{V1}/registry/residents/{w.resident_a.pk}/reveal", {}),
    "organisation_create": lambda w: (
        "post",
        f"{V1}/registry/organisations",
        {"node_id": w.city.grid_a1_1.pk, "name": "越界单位", "kind": "shop"},
    ),
}


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, payload, content_type="application/json")


@pytest.mark.parametrize("write", WRITES)
def test_outsider_api_writes_change_nothing(world: World, client: Client, write: str) -> None:
    method, url, payload = WRITES[write](world)
    client.force_login(world.city.carol)
    before = db_state()
    response = send(client, method, url, payload)
    # What she writes to (or under) lies in A1, which she cannot even see: 404, not 403.
    assert response.status_code == 404, response.content
    body = response.json()
    assert body["code"] == "not_found" and CHINESE.search(body["message"])
    assert db_state_but("registry.resident_pii_refused") == before  # a refused reveal is audited


LEADER_WRITES: dict[str, Callable[[World], tuple[str, str, dict[str, Any]]]] = {
    "node_update": WRITES["node_update"],
    "node_create": WRITES["node_create"],
    "position_create": WRITES["position_create"],
    "resident_create": WRITES["resident_create"],
    "resident_reveal": WRITES["resident_reveal"],
    "organisation_create": WRITES["organisation_create"],
}


@pytest.mark.parametrize("write", LEADER_WRITES)
def test_leader_api_writes_are_forbidden(world: World, client: Client, write: str) -> None:
    method, url, payload = LEADER_WRITES[write](world)
    client.force_login(world.city.dave)
    before = db_state()
    response = send(client, method, url, payload)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden" and CHINESE.search(response.json()["message"])
    assert db_state_but("registry.resident_pii_refused") == before  # a refused reveal is audited


def test_the_community_worker_may_do_the_same_writes(world: World, client: Client) -> None:
    """The refusals above are about scope: bob's identical calls on A1 succeed."""
    client.force_login(world.city.bob)
    created = send(
        client, *WRITES["resident_create"](world)[:2], {"node_id": world.city.grid_a1_1.pk, "name": "新"}
    )
    assert created.status_code == 201 and created.json()["node_id"] == world.city.grid_a1_1.pk
    patched = send(client, *WRITES["node_update"](world))
    assert patched.status_code == 200 and patched.json()["name"] == "改名"
    grid = send(client, *WRITES["node_create"](world))
    assert grid.status_code == 201 and grid.json()["code"] == "320213001001W003"
    position = send(client, *WRITES["position_create"](world))
    assert position.status_code == 201 and position.json()["post_label"] == "网格长"


def test_api_validation_errors_name_fields_in_chinese(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    response = send(
        client,
        "post",
        f"{V1}/registry/residents",
        {"node_id": world.city.grid_a1_1.pk, "name": "", "id_number": "123", "phone": "x"},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["detail"]) == {"name", "id_number", "phone"}
    missing = send(client, "post", f"{V1}/registry/residents", {"name": "缺区域"})
    assert missing.status_code == 422 and missing.json()["detail"] == {"node_id": ["必填"]}


@pytest.mark.parametrize(
    "url", [f"{V1}/registry/residents", f"{V1}/registry/organisations", f"{V1}/territory/nodes?q=网格"]
)
def test_paging_parameters_out_of_range_are_clamped(world: World, client: Client, url: str) -> None:
    client.force_login(world.city.dave)
    first_page = client.get(url, {"offset": 0, "limit": 1})
    negative = client.get(url, {"offset": -5, "limit": 1})
    assert negative.status_code == 200, negative.content
    assert negative.json() == first_page.json()
    assert ids_of(client.get(url, {"limit": 0}).json())  # at least one row, not an error


def test_an_unknown_account_on_a_position_is_a_field_error(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = db_state()
    response = send(
        client,
        "post",
        f"{V1}/territory/nodes/{world.city.grid_a1_1.pk}/positions",
        {"post": "grid_leader", "holder_name": "某某", "start_date": "2025-01-01", "user_id": 999999},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {"user_id": ["账号不存在"]}
    assert db_state() == before
