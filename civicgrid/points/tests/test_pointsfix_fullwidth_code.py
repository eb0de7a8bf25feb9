"""A pickup code typed full-width (ＱＦＫ３ＨＸＦＳ, as a Chinese input method types it) is the
same code at the counter (/points/hand-over/) and through
``POST /api/v1/points/redemptions/hand-over``: ``shop.normalise_code`` folds it to ASCII
(``core.validators.fold``), as it already ignored case, spaces and dashes."""

import pytest
from django.test import Client

from civicgrid.points import services
from civicgrid.points.models import Redemption, RedemptionStatus
from civicgrid.points.shop import normalise_code
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db


def _full_width(code: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in code)


def _reserved(pw: PointsWorld) -> Redemption:
    earn(pw, pw.erin, 50, "a")
    return services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)


def test_normalise_code_reads_full_width_as_ascii() -> None:
    assert normalise_code("ＱＦＫ３ＨＸＦＳ") == "QFK3HXFS"
    assert normalise_code("ｑｆｋ３－ｈｘｆｓ") == "QFK3HXFS"
    assert normalise_code("qfk3 hxfs") == "QFK3HXFS"
    assert normalise_code("QFK3²HXF") != "QFK3HXF"  # a look-alike stays what it is


def test_the_api_hands_over_a_full_width_code(pw: PointsWorld, client: Client) -> None:
    r = _reserved(pw)
    client.force_login(pw.city.bob)
    done = client.post(
        "/api/v1/points/redemptions/hand-over",
        {"code": _full_width(r.code.lower())},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "handed_over"
    r.refresh_from_db()
    assert r.status == RedemptionStatus.HANDED_OVER


def test_the_counter_page_hands_over_a_full_width_code(pw: PointsWorld, client: Client) -> None:
    r = _reserved(pw)
    client.force_login(pw.city.bob)
    typed = _full_width(r.code[:4]) + "　" + _full_width(r.code[4:])  # an ideographic space inside
    response = client.post("/points/hand-over/", {"code": typed}, follow=True)
    assert "取货码无效" not in response.content.decode()
    r.refresh_from_db()
    assert r.status == RedemptionStatus.HANDED_OVER
