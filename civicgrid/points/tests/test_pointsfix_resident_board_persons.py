"""A resident's ``GET /api/v1/points/leaderboard`` ranks persons only, as the H5 board
(/points/my/board/, 不含商户、单位) does: a unit that earned points under the community is not
listed among the residents, whatever ``kind`` the resident sends. Staff still choose."""

import pytest
from django.test import Client

from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db
API = "/api/v1/points/leaderboard"


def test_a_residents_board_holds_no_unit_even_when_asked_for_units(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.unit, 90, "unit")
    earn(pw, pw.frank, 40, "frank")
    client.force_login(pw.erin_user)
    for query in ("?period=all", "?period=all&kind=unit", "?period=all&kind=person"):
        board = client.get(API + query)
        assert board.status_code == 200, board.content
        assert [(r["name"], r["kind"], r["points"]) for r in board.json()] == [("李*方", "person", 40)]


def test_staff_still_rank_units_when_they_ask(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.unit, 90, "unit")
    earn(pw, pw.frank, 40, "frank")
    client.force_login(pw.city.bob)
    node = pw.city.comm_a1.pk
    units = client.get(f"{API}?node_id={node}&period=all&kind=unit").json()
    assert [(r["name"], r["points"]) for r in units] == [("胜利门便民超市", 90)]
    everyone = client.get(f"{API}?node_id={node}&period=all").json()
    assert {r["name"] for r in everyone} == {"胜利门便民超市", "李大方"}
