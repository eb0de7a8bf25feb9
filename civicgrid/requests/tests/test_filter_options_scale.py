"""The ledger's and the rates page's area and unit lists stay small at any scope.

An outside tester's city (300 subdistricts, 3,348 communities, 10,000 grids, 33,635 units)
gave a city-level reader 7,529 options (444 KB) on the ledger and 5,673 on the rates page.
The lists now hold the reader's own areas and the levels below (capped), the chosen area's
line and children, and the units nearest the reader (capped), with a box for a unit's code;
any area or unit in view is still taken from the address and shown chosen."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import make_user
from civicgrid.requests import services
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import HandlingUnit, Request
from civicgrid.requests.views import ledger as ledger_view
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db

LEDGER = "/requests/ledger/"
EXTRA = 300  # more than either cap
AREA_OPTIONS_MAX = getattr(ledger_view, "AREA_OPTIONS_MAX", 200)
UNIT_OPTIONS_MAX = getattr(ledger_view, "UNIT_OPTIONS_MAX", 200)


def options(html: str, name: str) -> list[str]:
    """The ``<option>`` tags of the select called ``name``."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name}"
    return re.findall(r"<option[^>]*>", found.group(1))


def selected(html: str, name: str) -> list[str]:
    return [o for o in options(html, name) if re.search(r"\sselected\b", o)]


def page(user: User, url: str, params: dict[str, Any] | None = None, status: int = 200) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def nodes_under(parent: Node, kind: str, count: int, prefix: str) -> list[Node]:
    made = Node.objects.bulk_create(
        Node(kind=kind, code=f"{prefix}{i:04d}", name=f"{prefix}{i}", parent=parent, path=f"{prefix}{i}/")
        for i in range(count)
    )
    made = list(Node.objects.filter(code__startswith=prefix).order_by("code"))
    for node in made:
        node.path, node.depth = f"{parent.path}{node.pk}/", parent.depth + 1
    Node.objects.bulk_update(made, ["path", "depth"])
    return made


def units_at(node: Node, count: int) -> list[HandlingUnit]:
    path = node.path
    HandlingUnit.objects.bulk_create(
        HandlingUnit(code=f"X{i:04d}", name=f"单位{i}", kind=UnitKind.COMMUNITY, node=node, node_path=path)
        for i in range(count)
    )
    return list(HandlingUnit.objects.filter(code__startswith="X").order_by("code"))


@pytest.fixture
def big(hotline: Any) -> dict[str, Any]:
    """300 more communities in subdistrict A, 300 grids in community A1, 300 units in A."""
    c = hotline.city
    communities = nodes_under(c.sub_a, NodeKind.COMMUNITY, EXTRA, "CM")
    grids = nodes_under(c.comm_a1, NodeKind.GRID, EXTRA, "GR")
    units = units_at(c.sub_a, EXTRA)
    mayor = make_user("mayor", "市领导")
    accounts.role_grant(actor=None, system=True, user=mayor, role=Role.LEADER, node=c.city)
    return {"communities": communities, "grids": grids, "units": units, "mayor": mayor}


def test_the_ledger_lists_stay_capped_however_big_the_city(hotline: Any, big: dict[str, Any]) -> None:
    for reader in (big["mayor"], hotline.city.dave):
        html = page(reader, LEDGER).content.decode()
        assert len(options(html, "node")) <= AREA_OPTIONS_MAX + 1  # the old list: every community
        assert len(options(html, "unit")) <= UNIT_OPTIONS_MAX + 1  # the old list: every unit
        assert 'name="unit_code"' in html and "或单位编码" in html  # a labelled box for the rest
    # The reader's own area and the level below are there.
    html = page(big["mayor"], LEDGER).content.decode()
    listed = "".join(options(html, "node"))
    for node in (hotline.city.city, hotline.city.district):
        assert f'value="{node.pk}"' in listed
    # Choosing subdistrict A lists its communities (up to the cap): one level down, no script.
    html = page(hotline.city.dave, LEDGER, {"node": hotline.city.sub_a.pk}).content.decode()
    listed = "".join(options(html, "node"))
    assert f'value="{hotline.city.comm_a1.pk}"' in listed
    assert len(options(html, "node")) <= 2 * AREA_OPTIONS_MAX + 1


def test_a_deep_area_from_the_address_filters_and_shows_chosen(hotline: Any, big: dict[str, Any]) -> None:
    olivia = hotline.city.olivia
    lift = services.request_create(actor=olivia, data=hotline.new(title="电梯停运三天"))  # grid A1-1
    vending = services.request_create(actor=olivia, data=hotline.new(title="占道", lon=120.335, lat=31.575))
    assert Request.objects.get(pk=lift.pk).node_id == hotline.city.grid_a1_1.pk
    last = big["communities"][-1]  # beyond the cap of the list
    for reader in (big["mayor"], hotline.city.dave):
        for node, found in (
            (hotline.city.grid_a1_1, {lift.number}),  # a grid: never listed before, refused
            (hotline.city.building_a1, set()),  # deeper still
            (last, set()),
            (hotline.city.sub_b, {vending.number}),
        ):
            response = page(reader, LEDGER, {"node": node.pk})
            assert {r.number for r, _clock in response.context["rows"]} == found
            chosen = selected(response.content.decode(), "node")
            assert chosen == [f'<option value="{node.pk}" selected>'], (node, chosen)
    # One outside the reader's view is still refused, as before.
    page(hotline.city.carol, LEDGER, {"node": hotline.city.grid_a1_1.pk}, status=422)


def test_a_unit_beyond_the_list_by_id_or_by_code(hotline: Any, big: dict[str, Any]) -> None:
    dave, last = hotline.city.dave, big["units"][-1]
    html = page(dave, LEDGER).content.decode()
    assert f'value="{last.pk}"' not in "".join(options(html, "unit"))  # beyond the cap
    for params in ({"unit": last.pk}, {"unit_code": last.code}, {"unit_code": "ｘ" + last.code[1:]}):
        response = page(dave, LEDGER, params)
        html = response.content.decode()
        assert response.context["form"].cleaned_data["unit"] == last.pk
        assert selected(html, "unit") == [f'<option value="{last.pk}" selected>']
        assert re.search(r'<input type="text" name="unit_code"(?![^>]*value="[^"])', html)  # emptied
    # The typed code wins over the list; an unknown one is named on the form.
    response = page(dave, LEDGER, {"unit": hotline.water.pk, "unit_code": last.code})
    assert response.context["form"].cleaned_data["unit"] == last.pk
    response = page(dave, LEDGER, {"unit_code": "NOPE"}, status=422)
    assert "unit_code" in response.context["form"].errors
    # A unit out of the reader's view is refused by code as by id.
    page(hotline.city.carol, LEDGER, {"unit_code": last.code}, status=422)


def test_the_rates_list_stays_capped_and_takes_any_target(hotline: Any, big: dict[str, Any]) -> None:
    rates = reverse("requests:rates")
    for reader in (big["mayor"], hotline.city.dave):
        html = page(reader, rates).content.decode()
        # The old list: every area (up to 2,000) and every unit, 920 options here.
        assert len(options(html, "target")) <= AREA_OPTIONS_MAX + UNIT_OPTIONS_MAX + 1
        assert 'name="unit_code"' in html and "或单位编码" in html
    grid, last = hotline.city.grid_a1_1, big["units"][-1]
    for params, value in (
        ({"node": grid.pk}, f"node:{grid.pk}"),
        ({"target": f"node:{big['grids'][-1].pk}"}, f"node:{big['grids'][-1].pk}"),
        ({"unit": last.pk}, f"unit:{last.pk}"),
        ({"unit_code": last.code.lower()}, f"unit:{last.pk}"),
        ({"target": f"node:{grid.pk}", "unit_code": last.code}, f"unit:{last.pk}"),
    ):
        response = page(big["mayor"], rates, params)
        html = response.content.decode()
        assert selected(html, "target") == [f'<option value="{value}" selected>'], params
        assert len(options(html, "target")) <= 2 * AREA_OPTIONS_MAX + UNIT_OPTIONS_MAX + 3
    response = page(big["mayor"], rates, {"unit_code": "NOPE"}, status=422)
    assert "承办单位不存在或您无权查看" in response.content.decode()
