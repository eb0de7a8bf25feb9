"""An ended month's ranking stays as it was when a unit is stopped; the recount from raw rows
finds a unit the ranking leaves out; the trend ends with the current month (outside tester)."""

import importlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import HandlingUnit
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.ranking import RankClass, ranking, ranking_recompute_check
from civicgrid.requests.tests.test_rates import Board, board  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
ranking_module = importlib.import_module("civicgrid.requests.rates.ranking")


def _signatures(month: date) -> dict[int, tuple[object, ...]]:
    return {r.unit_id: r.signature() for r in ranking(month, UnitKind.SUBDISTRICT).rows()}


def test_stopping_a_unit_does_not_rewrite_the_ranking_of_an_ended_month(board: Board, hotline: Any) -> None:  # noqa: F811
    before = _signatures(board.month)
    last = board.units[19]  # S29: ranked 20th, 整改类; S28 above it is 治理类
    HandlingUnit.objects.filter(pk=last.pk).update(is_active=False)
    assert _signatures(board.month) == before
    result = ranking(board.month, UnitKind.SUBDISTRICT)
    classes = {r.code: r.klass for r in result.ranked}
    assert classes["S29"] == RankClass.RECTIFICATION and classes["S28"] == RankClass.GOVERNANCE
    assert len(result.ranked) == 20
    check = ranking_recompute_check(board.month)
    assert check.ok, check.differences


def test_a_stopped_unit_keeps_its_place_in_last_months_ranks(board: Board) -> None:  # noqa: F811
    """Ranks of the month before (上月) are those of that month's ranking, the stopped unit in."""
    second = board.units[1]  # S11: 1st the month before, 2nd now
    before = {r.code: r.previous_rank for r in ranking(board.month, UnitKind.SUBDISTRICT).ranked}
    HandlingUnit.objects.filter(pk=board.units[0].pk).update(is_active=False)  # S10: 10th before
    after = {r.code: r.previous_rank for r in ranking(board.month, UnitKind.SUBDISTRICT).ranked}
    assert after == before and after[second.code] == 1


def test_a_stopped_unit_that_did_nothing_in_the_month_is_not_listed(board: Board, hotline: Any) -> None:  # noqa: F811
    idle = HandlingUnit.objects.create(
        code="S98",
        name="已撤销街道",
        kind=UnitKind.SUBDISTRICT,
        node=hotline.city.sub_b,
        node_path=hotline.city.sub_b.path,
        is_active=False,
    )
    listed = {r.unit_id for r in ranking(board.month, UnitKind.SUBDISTRICT).rows()}
    assert idle.pk not in listed and board.units[0].pk in listed
    assert ranking_recompute_check(board.month).ok


def test_the_recount_finds_a_unit_the_ranking_leaves_out(board: Board, monkeypatch: Any) -> None:  # noqa: F811
    """The recount draws its units from the raw rows, not from the ranking's own list: a
    ranking that loses a unit (as deactivating one did) is not 核对一致."""
    stopped = board.units[19]
    real = ranking_module.ranking

    def losing(month: date, kind: str, **kw: Any) -> Any:
        result = real(month, kind, **kw)
        result.ranked = [r for r in result.ranked if r.unit_id != stopped.pk]
        result.unranked = [r for r in result.unranked if r.unit_id != stopped.pk]
        return result

    monkeypatch.setattr(ranking_module, "ranking", losing)
    check = ranking_module.ranking_recompute_check(board.month)
    assert not check.ok
    assert any(f"单位#{stopped.pk}:" in d for d in check.differences)


def test_the_ranking_page_shows_a_stopped_unit_and_still_offers_the_check(board: Board, hotline: Any) -> None:  # noqa: F811
    HandlingUnit.objects.filter(pk=board.units[19].pk).update(is_active=False)
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}", "check": "1"})
    body = page.content.decode()
    assert page.status_code == 200
    assert board.units[19].name in body
    assert page.context["can_check"] and page.context["check"].ok
    subdistricts = next(b for b in page.context["boards"] if b["ranking"].kind == UnitKind.SUBDISTRICT)
    assert len(subdistricts["ranked"]) == 20 and subdistricts["hidden"] == 0


# The trend -----------------------------------------------------------------------------------


def test_a_range_ending_in_the_future_trends_up_to_this_month(hotline: Any) -> None:
    today = timezone.localdate()
    params = {"start": f"{today:%Y-%m-%d}", "end": f"{today + timedelta(days=130):%Y-%m-%d}"}
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get(reverse("requests:rates"), params)
    assert page.status_code == 200
    months = [m for m, _r, _d in page.context["trend"]]
    assert len(months) == 12 and months[-1] == current_month()
    assert page.context["chart"]["months"][-1] == f"{current_month():%Y-%m}"
    api = client.get("/api/v1/rates/figures", {**params, "trend": "true"}).json()
    assert [t["month"] for t in api["trend"]][-1] == f"{current_month():%Y-%m}"
    assert len(api["trend"]) == 12
